// SPDX-License-Identifier: GPL-2.0
/*
 * es2lab: the es2scope lab's in-kernel workload driver (built into the guest kernel; see
 * collectors/lab/README.md).
 *
 * Why in the kernel: on kvm_pvm hosts user space cannot run (syscall entry and SSE are not
 * emulated), so the guest has none. This driver connects to the host controller over TCP
 * (10.0.2.2 is the host through QEMU's slirp), reads one command per line, runs it and answers
 * one line with what the guest measured (its own clock), so the host gets guest-side throughput:
 *
 *   idle MS                 -> done idle ms=E
 *   net-tx MS SIZE PORT     -> stream SIZE-byte sends to the host's sink:  done net-tx ms=E ops=N bytes=B
 *   net-rr MS SIZE PORT     -> SIZE-byte request/response with the echo:  done net-rr ms=E ops=N bytes=B
 *   disk MS QD BS           -> rounds of QD bios of BS bytes on /dev/vda, alternating read/write at
 *                              random offsets, all QD submitted back to back (so a polling backend
 *                              can suppress the later kicks of a round):  done disk ms=E ops=N bytes=B
 *   off                     -> reboot (QEMU runs with -no-reboot, so it exits)
 *
 * Parameter: es2lab.port=N on the kernel command line (the host's control port).
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/net.h>
#include <linux/in.h>
#include <linux/inet.h>
#include <linux/socket.h>
#include <linux/slab.h>
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/blkdev.h>
#include <linux/bio.h>
#include <linux/mount.h>
#include <linux/reboot.h>
#include <linux/completion.h>
#include <net/sock.h>

static int port = 5555;
module_param(port, int, 0444);

#define HOST_IP "10.0.2.2"
#define LINE_MAX 256
#define MAX_QD 32
#define MAX_BS (64 * 1024)

static int es2_connect(int p, struct socket **out)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(p) };
	struct socket *s;
	int err;

	a.sin_addr.s_addr = in_aton(HOST_IP);
	err = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &s);
	if (err)
		return err;
	err = kernel_connect(s, (struct sockaddr *)&a, sizeof(a), 0);
	if (err) {
		sock_release(s);
		return err;
	}
	*out = s;
	return 0;
}

static int es2_send(struct socket *s, const void *buf, size_t len)
{
	struct msghdr m = { .msg_flags = MSG_NOSIGNAL };
	struct kvec v = { .iov_base = (void *)buf, .iov_len = len };

	return kernel_sendmsg(s, &m, &v, 1, len);
}

/* receive exactly len bytes (a response of the echo server may arrive in pieces) */
static int es2_recv_all(struct socket *s, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		struct msghdr m = {};
		struct kvec v = { .iov_base = buf + got, .iov_len = len - got };
		int n = kernel_recvmsg(s, &m, &v, 1, len - got, 0);

		if (n <= 0)
			return n ? n : -EPIPE;
		got += n;
	}
	return 0;
}

static int es2_reply(struct socket *ctl, const char *fmt, ...)
{
	char line[LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	line[n++] = '\n';
	return es2_send(ctl, line, n);
}

static u64 ms_since(u64 t0) { return div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC); }

static int run_net(struct socket *ctl, bool rr, unsigned int ms, unsigned int size, int dport)
{
	struct socket *s;
	u64 t0, deadline, ops = 0, bytes = 0;
	char *buf;
	int err;

	size = clamp(size, 1u, 65536u);
	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return es2_reply(ctl, "error %s nomem", rr ? "net-rr" : "net-tx");
	memset(buf, 'x', size);
	err = es2_connect(dport, &s);
	if (err) {
		kfree(buf);
		return es2_reply(ctl, "error %s connect %d", rr ? "net-rr" : "net-tx", err);
	}
	t0 = ktime_get_ns();
	deadline = t0 + (u64)ms * NSEC_PER_MSEC;
	while (ktime_get_ns() < deadline) {
		err = es2_send(s, buf, size);
		if (err < 0)
			break;
		if (rr) {
			err = es2_recv_all(s, buf, size);
			if (err < 0)
				break;
		}
		ops++;
		bytes += size;
	}
	sock_release(s);
	kfree(buf);
	if (err < 0)
		return es2_reply(ctl, "error %s io %d ops=%llu", rr ? "net-rr" : "net-tx", err, ops);
	return es2_reply(ctl, "done %s ms=%llu ops=%llu bytes=%llu", rr ? "net-rr" : "net-tx",
			 ms_since(t0), ops, bytes);
}

struct es2_round {
	atomic_t left;
	struct completion done;
	int error;
};

static void es2_bio_end(struct bio *bio)
{
	struct es2_round *r = bio->bi_private;

	if (bio->bi_status)
		r->error = blk_status_to_errno(bio->bi_status);
	bio_put(bio);
	if (atomic_dec_and_test(&r->left))
		complete(&r->done);
}

static int run_disk(struct socket *ctl, unsigned int ms, unsigned int qd, unsigned int bs)
{
	const fmode_t mode = FMODE_READ | FMODE_WRITE;
	struct page *pages[MAX_QD];
	struct block_device *bdev;
	u64 t0, deadline, ops = 0, slots;
	unsigned int i, order;
	struct es2_round r;
	dev_t devt;
	int err = 0;

	qd = clamp(qd, 1u, (unsigned int)MAX_QD);
	bs = clamp(bs, 512u, (unsigned int)MAX_BS) & ~511u;
	order = get_order(bs);
	devt = name_to_dev_t("/dev/vda");
	if (!devt)
		return es2_reply(ctl, "error disk no /dev/vda");
	bdev = blkdev_get_by_dev(devt, mode, NULL);
	if (IS_ERR(bdev))
		return es2_reply(ctl, "error disk open %ld", PTR_ERR(bdev));
	slots = div_u64(bdev_nr_sectors(bdev) << 9, bs);
	for (i = 0; i < qd; i++) {
		pages[i] = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
		if (!pages[i]) {
			qd = i;
			break;
		}
	}
	if (!qd || !slots) {
		err = -ENOMEM;
		goto out;
	}
	t0 = ktime_get_ns();
	deadline = t0 + (u64)ms * NSEC_PER_MSEC;
	while (!err && ktime_get_ns() < deadline) {
		atomic_set(&r.left, qd);
		init_completion(&r.done);
		r.error = 0;
		for (i = 0; i < qd; i++) {
			blk_opf_t op = ((ops + i) & 1) ? REQ_OP_WRITE : REQ_OP_READ;
			struct bio *bio = bio_alloc(bdev, 1, op, GFP_KERNEL);

			bio->bi_iter.bi_sector = div64_u64((u64)get_random_u32() * slots, 1ULL << 32) * (bs >> 9);
			bio_add_page(bio, pages[i], bs, 0);
			bio->bi_end_io = es2_bio_end;
			bio->bi_private = &r;
			submit_bio(bio);
		}
		wait_for_completion(&r.done);
		err = r.error;
		ops += qd;
	}
out:
	for (i = 0; i < qd; i++)
		__free_pages(pages[i], order);
	blkdev_put(bdev, mode);
	if (err)
		return es2_reply(ctl, "error disk io %d ops=%llu", err, ops);
	return es2_reply(ctl, "done disk ms=%llu ops=%llu bytes=%llu qd=%u bs=%u", ms_since(t0), ops,
			 ops * bs, qd, bs);
}

static int run_command(struct socket *ctl, char *line)
{
	unsigned int a = 0, b = 0, c = 0;
	char cmd[16];
	int n = sscanf(line, "%15s %u %u %u", cmd, &a, &b, &c);

	if (n < 1)
		return es2_reply(ctl, "error empty");
	if (!strcmp(cmd, "idle")) {
		u64 t0 = ktime_get_ns();

		msleep(a);
		return es2_reply(ctl, "done idle ms=%llu", ms_since(t0));
	}
	if (!strcmp(cmd, "net-tx") && n == 4)
		return run_net(ctl, false, a, b, c);
	if (!strcmp(cmd, "net-rr") && n == 4)
		return run_net(ctl, true, a, b, c);
	if (!strcmp(cmd, "disk") && n == 4)
		return run_disk(ctl, a, b, c);
	if (!strcmp(cmd, "off")) {
		es2_reply(ctl, "done off");
		kernel_restart(NULL);
		return 0;
	}
	return es2_reply(ctl, "error unknown command: %s", cmd);
}

static int es2lab_thread(void *unused)
{
	static char line[LINE_MAX];
	struct socket *ctl = NULL;
	size_t used = 0;
	int err, tries;

	/* the network comes up with ip= during boot; the host controller may still be starting */
	for (tries = 0; tries < 600; tries++) {
		err = es2_connect(port, &ctl);
		if (!err)
			break;
		msleep(100);
	}
	if (err) {
		pr_err("ES2LAB: cannot connect to " HOST_IP ":%d: %d\n", port, err);
		return err;
	}
	es2_reply(ctl, "hello es2lab 1");
	pr_info("ES2LAB-READY port=%d\n", port);
	for (;;) {
		struct msghdr m = {};
		struct kvec v = { .iov_base = line + used, .iov_len = sizeof(line) - 1 - used };
		char *nl;
		int n = kernel_recvmsg(ctl, &m, &v, 1, v.iov_len, 0);

		if (n <= 0)
			break;
		used += n;
		line[used] = 0;
		while ((nl = strchr(line, '\n'))) {
			*nl = 0;
			run_command(ctl, line);
			used -= nl + 1 - line;
			memmove(line, nl + 1, used + 1);
		}
		if (used >= sizeof(line) - 1)
			used = 0; /* an over-long line: drop it rather than wedge */
	}
	pr_info("ES2LAB: control connection closed\n");
	sock_release(ctl);
	return 0;
}

static int __init es2lab_init(void)
{
	kthread_run(es2lab_thread, NULL, "es2lab");
	return 0;
}
late_initcall_sync(es2lab_init);
