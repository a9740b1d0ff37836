import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qemuArgs } from '../../../collectors/lab/qemu.js';
import { countsColumns, formatCountsTable, guestThroughput } from '../../../collectors/lab/countsTable.js';
import { procStatCpuMs } from '../../../collectors/lab/session.js';

const base = { accel: 'tcg' as const, vmlinux: '/k/vmlinux', disk: '/r/disk.img', runDir: '/r', ctrlPort: 40123, smp: 2, memMb: 256 };

test('qemu: iothread carries only the polling parameters given; the disk uses it', () => {
  const a = qemuArgs(base);
  assert.equal(a[a.indexOf('-object') + 1], 'iothread,id=io0');
  const b = qemuArgs({ ...base, pollMaxNs: 0, pollGrow: 2, pollShrink: 4 });
  assert.equal(b[b.indexOf('-object') + 1], 'iothread,id=io0,poll-max-ns=0,poll-grow=2,poll-shrink=4');
  assert.ok(b.includes('virtio-blk-pci,drive=d0,id=blk0,iothread=io0'));
  assert.deepEqual(b.slice(0, 2), ['-accel', 'tcg']);
});

test('qemu: the guest learns the control port from its command line; PVH kernel, no reboot', () => {
  const a = qemuArgs({ ...base, accel: 'kvm' });
  assert.match(a[a.indexOf('-append') + 1]!, / es2lab\.port=40123$/);
  assert.equal(a[a.indexOf('-kernel') + 1], '/k/vmlinux');
  assert.ok(a.includes('-no-reboot'));
  assert.deepEqual(a.slice(0, 2), ['-accel', 'kvm']);
});

test('/proc stat CPU time survives a comm with spaces and parentheses', () => {
  const stat = '4242 (IO io0 (x)) S 1 4240 4240 0 -1 4194368 0 0 0 0 150 25 0 0 20 0 1 0 100 0 0';
  assert.equal(procStatCpuMs(stat), 1750);
});

test('counts table: kvm events summed, sched columns, others apart; guest throughput from the reply', () => {
  const c = countsColumns({ kvm_mmio: 3, kvm_msr: 4, sched_switch: 10, sched_wakeup: 5, print: 2 });
  assert.deepEqual(c, { kvm: 7, sched_switch: 10, sched_wakeup: 5, kvm_mmio: 3, kvm_pio: 0, other: 2 });
  assert.equal(guestThroughput('disk', { ms: 2000, ops: 1000, bytes: 4096000 }), 'disk 500 ops/s 2000 KiB/s');
  assert.equal(guestThroughput('disk', undefined), '-');
  const t = formatCountsTable([{ scenario: 'disk', tool: 'perf', events: 17, byEvent: { sched_switch: 10 }, lostEvents: 0, kicks: null, guest: 'disk 5 ops/s', recordS: 5.04, ingestS: 1, problems: 2 }]);
  assert.match(t.split('\n')[1]!, /^disk\s+perf\s+17\s+0\s+0\s+0\s+10\s+0\s+0\s+0\s+-\s+5\.0\s+1\.0\s+disk 5 ops\/s \(2 problems\)$/);
});
