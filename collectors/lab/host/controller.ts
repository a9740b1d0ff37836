// Host side of the lab's guest link: a control server the guest's es2lab driver connects to (its
// port goes on the guest kernel command line as es2lab.port=N), and the data servers the network
// workloads talk to: a sink (net-tx) and an echo (net-rr). All on 127.0.0.1 with ports the kernel
// picks, so several labs or engineers never collide; QEMU's slirp shows 127.0.0.1 to the guest as
// 10.0.2.2.
import { createServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { parseGuestReply, type GuestReply } from './reply.js';

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export class HostController {
  private ctl: Socket | null = null;
  private buf = '';
  private readonly lines: string[] = [];
  private waiter: (() => void) | null = null;
  private readonly conns = new Set<Socket>();
  ctrlPort = 0;
  sinkPort = 0;
  echoPort = 0;
  /** bytes the sink received (host-side check of net-tx) */
  sinkBytes = 0;

  private readonly ctrlServer = createServer((s) => {
    this.track(s);
    if (this.ctl) { s.destroy(); return; } // one guest per lab
    this.ctl = s;
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        this.lines.push(this.buf.slice(0, nl));
        this.buf = this.buf.slice(nl + 1);
      }
      this.wake();
    });
    s.on('close', () => { this.ctl = null; this.wake(); });
    s.on('error', () => { /* close follows */ });
  });

  private readonly sinkServer = createServer((s) => {
    this.track(s);
    s.on('data', (d: Buffer) => { this.sinkBytes += d.length; });
    s.on('error', () => { /* guest went away */ });
  });

  private readonly echoServer = createServer((s) => {
    this.track(s);
    s.setNoDelay(true);
    s.pipe(s);
    s.on('error', () => { /* guest went away */ });
  });

  private track(s: Socket): void {
    this.conns.add(s);
    s.on('close', () => this.conns.delete(s));
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  static async start(): Promise<HostController> {
    const c = new HostController();
    c.ctrlPort = await listen(c.ctrlServer);
    c.sinkPort = await listen(c.sinkServer);
    c.echoPort = await listen(c.echoServer);
    return c;
  }

  get connected(): boolean { return this.ctl !== null; }

  /** Next line from the guest; rejects after timeoutMs or when `alive()` turns false (QEMU died). */
  async nextLine(timeoutMs: number, alive: () => string | null = () => null): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const l = this.lines.shift();
      if (l !== undefined) return l;
      const dead = alive();
      if (dead) throw new Error(dead);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer from the guest within ${Math.round(timeoutMs / 1000)} s`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 500));
        this.waiter = () => { clearTimeout(t); resolve(); };
      });
    }
  }

  /** Send one command line and wait for the guest's answer. */
  async command(line: string, timeoutMs: number, alive?: () => string | null): Promise<GuestReply> {
    if (!this.ctl) throw new Error('the guest is not connected');
    this.ctl.write(`${line}\n`);
    for (;;) {
      const l = await this.nextLine(timeoutMs, alive);
      const r = parseGuestReply(l);
      if (r) return r;
      // anything else (e.g. a late hello) is not an answer: keep waiting
    }
  }

  close(): void {
    for (const s of this.conns) s.destroy();
    this.ctrlServer.close();
    this.sinkServer.close();
    this.echoServer.close();
  }
}
