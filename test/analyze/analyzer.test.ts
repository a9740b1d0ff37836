// Analyzer on tiny hand-built traces; every expected number is computed by hand in the comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeRows, exitRows, type EvRow } from './build.js';
import { EXIT_FLAG, IRQ_DELIVERIES, IRQ_SOURCES, VCPU_STATES } from '../../src/analyze/types.js';

const V = (tid: number, extra: Partial<EvRow> = {}) => ({ cpu: 1, tid, pid: 100, comm: `CPU ${tid - 11}/KVM`, ...extra });

test('exit paired with the next entry of the same thread, interleaved with another vCPU', () => {
  const r = analyzeRows([
    { ts: 1000, event: 'kvm_exit', ...V(11), reason: 'HLT', isa: 'VMX' },
    { ts: 1100, event: 'kvm_exit', ...V(12, { cpu: 2 }), reason: 'MSR_WRITE', isa: 'VMX' },
    { ts: 1150, event: 'kvm_msr', ...V(12, { cpu: 2 }), msr: 0x80b, write: true, value: 0 },
    { ts: 1300, event: 'kvm_entry', ...V(12, { cpu: 2 }), vcpu: 1 },
    { ts: 5000, event: 'kvm_entry', ...V(11), vcpu: 0 },
  ]);
  const ex = exitRows(r);
  assert.equal(ex.length, 2);
  // tid 12 closes first: 1300 - 1100 = 200 ns, x2APIC EOI write -> eoi
  assert.deepEqual([ex[0]!.tid, ex[0]!.durNs, ex[0]!.category, ex[0]!.detail, ex[0]!.vcpu], [12, 200, 'eoi', 'x2APIC EOI', 1]);
  // tid 11: 5000 - 1000 = 4000 ns halt
  assert.deepEqual([ex[1]!.tid, ex[1]!.durNs, ex[1]!.category, ex[1]!.reason], [11, 4000, 'halt', 'HLT']);
  assert.equal(r.quality.pairedExits, 2);
  assert.equal(r.vms.length, 1);
  assert.equal(r.vms[0]!.pid, 100);
});

test('a lost-event marker on the exit CPU between exit and entry breaks the pair (flagged, not guessed)', () => {
  const r = analyzeRows([
    { ts: 1000, event: 'kvm_exit', ...V(11), reason: 'EPT_VIOLATION' },
    { ts: 1500, event: '[lost]', cpu: 1, count: 7 },
    { ts: 2000, event: 'kvm_entry', ...V(11), vcpu: 0 },
    { ts: 3000, event: 'kvm_exit', ...V(11), reason: 'EPT_VIOLATION' },
    { ts: 3400, event: 'kvm_entry', ...V(11), vcpu: 0 },
  ]);
  const ex = exitRows(r);
  assert.equal(ex[0]!.flags, EXIT_FLAG.BROKEN_BY_LOST);
  assert.equal(ex[0]!.durNs, -1);
  assert.equal(ex[1]!.flags, 0);
  assert.equal(ex[1]!.durNs, 400);
  assert.equal(ex[1]!.category, 'mmu');
  assert.equal(r.quality.exitsBrokenByLost, 1);
  assert.equal(r.quality.lostEvents, 7);
});

test('a lost marker on an unrelated CPU does not break the pair', () => {
  const r = analyzeRows([
    { ts: 1000, event: 'kvm_exit', ...V(11), reason: 'CPUID' },
    { ts: 1500, event: '[lost]', cpu: 5 },
    { ts: 2000, event: 'kvm_entry', ...V(11), vcpu: 0 },
  ]);
  assert.equal(exitRows(r)[0]!.flags, 0);
  assert.equal(r.quality.lostEvents, null); // marker without a count: total unknown
});

test('trace edges: entry without exit at the start, exit without entry at the end', () => {
  const r = analyzeRows([
    { ts: 900, event: 'kvm_entry', ...V(11), vcpu: 0 },
    { ts: 1000, event: 'kvm_exit', ...V(11), reason: 'HLT' },
    { ts: 1200, event: 'kvm_entry', ...V(11), vcpu: 0 },
    { ts: 2000, event: 'kvm_exit', ...V(11), reason: 'PAUSE_INSTRUCTION' },
  ]);
  const ex = exitRows(r);
  assert.equal(r.quality.entriesWithoutExitAtStart, 1);
  assert.equal(r.quality.unpairedExitsAtEnd, 1);
  assert.equal(ex.length, 2);
  assert.equal(ex[1]!.flags, EXIT_FLAG.NO_ENTRY_AT_END);
  assert.equal(ex[1]!.durNs, -1);
});

test('EHT busy and wall from G, H, Hh; per-vCPU and total', () => {
  // entry 0; exit 1000 (EPT_MISCONFIG) entry 1500; exit 3000 HLT entry 7000; exit 8000 ...entry 8100
  // G = 1000 + 1500 + 1000 = 3500; H = 500 + 100 = 600; Hh = 4000
  // busy = 600/4100; wall = 4600/8100
  const r = analyzeRows([
    { ts: 0, event: 'kvm_entry', ...V(11), vcpu: 0 },
    { ts: 1000, event: 'kvm_exit', ...V(11), reason: 'EPT_MISCONFIG' },
    { ts: 1500, event: 'kvm_entry', ...V(11), vcpu: 0 },
    { ts: 3000, event: 'kvm_exit', ...V(11), reason: 'HLT' },
    { ts: 7000, event: 'kvm_entry', ...V(11), vcpu: 0 },
    { ts: 8000, event: 'kvm_exit', ...V(11), reason: 'EXTERNAL_INTERRUPT' },
    { ts: 8100, event: 'kvm_entry', ...V(11), vcpu: 0 },
  ]);
  const v = r.eht.perVcpu[0]!;
  assert.deepEqual([v.guestNs, v.handlingNs, v.haltNs, v.exits], [3500, 600, 4000, 3]);
  assert.equal(v.ehtBusy, 600 / 4100);
  assert.equal(v.ehtWall, 4600 / 8100);
  assert.equal(r.eht.total!.ehtBusy, 600 / 4100);
});

test('EHT windows split intervals at the window edge and exclude windows hit by lost events', () => {
  // window 1000 ns. entry 0, exit 1500 (G: 1000 in w0, 500 in w1), entry 2500 (H 500 in w1, 500 in w2)
  // lost at 2700 -> w2 excluded; per-vCPU = w0 + w1 = G 1500, H 500
  const r = analyzeRows([
    { ts: 0, event: 'kvm_entry', ...V(11), vcpu: 0 },
    { ts: 1500, event: 'kvm_exit', ...V(11), reason: 'CPUID' },
    { ts: 2500, event: 'kvm_entry', ...V(11), vcpu: 0 },
    { ts: 2700, event: '[lost]', cpu: 3, count: 1 },
    { ts: 2900, event: 'sched_waking', cpu: 3, tid: 5 },
  ], { windowNs: 1000 });
  const w = r.eht.windows;
  assert.deepEqual(w.map((x) => [x.guestNs, x.handlingNs, x.excludedLost]), [[1000, 0, false], [500, 500, false], [0, 500, true]]);
  const v = r.eht.perVcpu[0]!;
  assert.deepEqual([v.guestNs, v.handlingNs], [1500, 500]);
});

test('no kvm_exit in the trace: EHT not traced (never 0) and fast MMIO writes still give io_kicks', () => {
  const r = analyzeRows([
    { ts: 100, event: 'kvm_fast_mmio', ...V(11), gpa: 0xfe003000 },
    { ts: 200, event: 'kvm_pio', ...V(11), port: 0xc050, write: true, len: 2 },
    { ts: 300, event: 'kvm_pio', ...V(11), port: 0xc050, write: false, len: 2 },
  ]);
  assert.equal(r.eht.traced, false);
  assert.equal(r.eht.total, null);
  assert.equal(r.eht.perVcpu[0]!.ehtBusy, null);
  assert.match(r.eht.why!, /not traced/);
  assert.equal(r.ioKicks.length, 2);
  const ch = r.ioKicks.chunks[0]!;
  assert.deepEqual([...ch.device].map((d) => r.devices[d]!.label), ['mmio 0xfe003000', 'pio 0xc050']);
  assert.equal(ch.inExit[0], 0);
});

test('kick -> MSI from vhost -> posted delivery while the vCPU is preempted: latency to its next entry', () => {
  // vCPU tid 150750 (vcpu 0) exits EPT_MISCONFIG at 1000, kicks at 1006, is switched out (R) at 1007
  // for vhost 150787 which raises MSI at 1023, accept+apicv at 1024, switches back at 1026, entry 1027
  const q = { cpu: 19, tid: 150750, comm: 'qemu-system-x86' };
  const h = { cpu: 19, tid: 150787, comm: 'vhost-150742' };
  const r = analyzeRows([
    { ts: 900, event: 'kvm_entry', ...q, vcpu: 0 },
    { ts: 1000, event: 'kvm_exit', ...q, reason: 'EPT_MISCONFIG' },
    { ts: 1006, event: 'kvm_fast_mmio', ...q, gpa: 0x800007004 },
    { ts: 1007, event: 'sched_switch', ...q, prev_pid: 150750, prev_state: 'R', prev_comm: 'qemu-system-x86', next_pid: 150787, next_comm: 'vhost-150742' },
    { ts: 1023, event: 'kvm_msi_set_irq', ...h, apicid: 1, vector: 42 },
    { ts: 1024, event: 'kvm_apic_accept_irq', ...h, apicid: 0, vector: 42, trig_level: false },
    { ts: 1024, event: 'kvm_apicv_accept_irq', ...h, apicid: 0, vector: 42, trig_level: false },
    { ts: 1026, event: 'sched_switch', ...h, prev_pid: 150787, prev_state: 'S', prev_comm: 'vhost-150742', next_pid: 150750, next_comm: 'qemu-system-x86' },
    { ts: 1027, event: 'kvm_entry', ...q, vcpu: 0 },
  ]);
  const ex = exitRows(r);
  assert.deepEqual([ex[0]!.category, ex[0]!.device, ex[0]!.durNs], ['io_request', 'mmio 0x800007004', 27]);
  assert.equal(r.irqs.length, 1);
  const c = r.irqs.chunks[0]!;
  assert.equal(IRQ_SOURCES[c.source[0]!], 'msi');
  assert.equal(IRQ_DELIVERIES[c.delivery[0]!], 'posted');
  assert.equal(VCPU_STATES[c.targetState[0]!], 'runnable');
  assert.equal(c.raiseNs[0], 1023n);
  assert.equal(c.acceptDelayNs[0], 1);
  assert.equal(c.latencyNs[0], 4); // 1027 - 1023
  assert.equal(c.vector[0], 42);
  assert.equal(c.raiserTid[0], 150787);
  assert.equal(r.threads[c.target[0]!]!.tid, 150750);
  // vcpu_runs: 150750 on CPU from the trace start (900) to 1007, then 1026 -> end (1027)
  const runs = r.vcpuRuns.chunks[0]!;
  assert.deepEqual([...runs.durNs], [107, 1]);
  assert.equal(r.details[runs.endState[0]!], 'R');
});

test('legacy injection: accept without apicv, delivered at kvm_inj_virq on the target; halted target', () => {
  const r = analyzeRows([
    { ts: 0, event: 'kvm_entry', ...V(11), vcpu: 0 },
    { ts: 100, event: 'kvm_exit', ...V(11), reason: 'HLT' },
    { ts: 150, event: 'kvm_set_irq', cpu: 3, tid: 77, pid: 100, gsi: 11, level: 1 },
    { ts: 160, event: 'kvm_apic_accept_irq', cpu: 3, tid: 77, pid: 100, apicid: 0, vector: 35, trig_level: true },
    { ts: 400, event: 'kvm_vcpu_wakeup', ...V(11), flag: true, wait_ns: 290 },
    { ts: 420, event: 'kvm_inj_virq', ...V(11), vector: 35 },
    { ts: 430, event: 'kvm_entry', ...V(11), vcpu: 0 },
  ]);
  const c = r.irqs.chunks[0]!;
  assert.equal(r.irqs.length, 1);
  assert.equal(IRQ_SOURCES[c.source[0]!], 'set_irq');
  assert.equal(IRQ_DELIVERIES[c.delivery[0]!], 'injected');
  assert.equal(VCPU_STATES[c.targetState[0]!], 'halted');
  assert.equal(c.latencyNs[0], 270); // 420 - 150
  assert.equal(c.gsi[0], 11);
  assert.equal(c.trigLevel[0], 1);
  assert.equal(c.vm[0], 0);
  assert.equal(r.postedDelivery, false);
});

test('APIC_WRITE category from the kvm_apic register; SVM plugin names canonicalised', () => {
  const r = analyzeRows([
    { ts: 10, event: 'kvm_exit', ...V(11), reason: 'APIC_WRITE' },
    { ts: 11, event: 'kvm_apic', ...V(11), detail: 'APIC_ICR', write: true, value: 0xfd },
    { ts: 12, event: 'kvm_entry', ...V(11), vcpu: 0 },
    { ts: 20, event: 'kvm_exit', ...V(12), reason: 'EXIT_NPF' },
    { ts: 21, event: 'kvm_mmio', ...V(12), detail: 'write', gpa: 0xfebd0000, len: 4 },
    { ts: 25, event: 'kvm_entry', ...V(12), vcpu: 1 },
    { ts: 30, event: 'kvm_exit', ...V(12), reason: 'npf' },
    { ts: 35, event: 'kvm_entry', ...V(12), vcpu: 1 },
  ]);
  const ex = exitRows(r);
  assert.deepEqual(ex.map((e) => [e.reason, e.category]), [['APIC_WRITE', 'ipi'], ['npf', 'io_request'], ['npf', 'mmu']]);
  // perf kvm stat MMIO write timing: kvm_mmio(W) 21 -> entry 25 = 4 ns
  const a = r.accesses.chunks[0]!;
  assert.equal(a.durNs[0], 4);
  assert.equal(r.reasons.find((x) => x.name === 'npf')!.isa, 'SVM');
});

test('two vCPU threads without pid claiming the same vcpu id are two derived VMs', () => {
  const r = analyzeRows([
    { ts: 1, event: 'kvm_entry', cpu: 0, tid: 11, vcpu: 0 },
    { ts: 2, event: 'kvm_entry', cpu: 1, tid: 21, vcpu: 0 },
    { ts: 3, event: 'kvm_entry', cpu: 2, tid: 12, vcpu: 1 },
  ]);
  assert.equal(r.vms.length, 2);
  assert.deepEqual(r.threads.map((t) => t.vm), [0, 1, 0]);
  assert.equal(r.vms[0]!.from, 'derived');
});

test('time going backwards on one CPU is counted; the pair is flagged', () => {
  const r = analyzeRows([
    { ts: 1000, event: 'kvm_exit', ...V(11), reason: 'HLT' },
    { ts: 900, event: 'kvm_entry', ...V(11), vcpu: 0 },
  ]);
  assert.equal(r.quality.timeInversions, 1);
  assert.equal(exitRows(r)[0]!.flags, EXIT_FLAG.TIME_INVERSION);
});

test('guest RIP jump between exit and entry (events cut out without a marker) leaves the pair out', () => {
  const X = { cpu: 1, tid: 200, pid: 100, comm: 'CPU 0/KVM', vcpu: 0 };
  const rows: EvRow[] = [
    // wrmsr at ...bc8 re-entered 2 bytes later: a normal pair
    { ts: 1000, event: 'kvm_exit', ...X, reason: 'MSR_WRITE', rip: 0xffffffffb20d5bc8n },
    { ts: 1500, event: 'kvm_entry', ...X, rip: 0xffffffffb20d5bcan },
    // the same wrmsr, but the entry is at the HLT elsewhere: the guest ran in between
    { ts: 2000, event: 'kvm_exit', ...X, reason: 'MSR_WRITE', rip: 0xffffffffb20d5bc8n },
    { ts: 815_000_000, event: 'kvm_entry', ...X, rip: 0xffffffffb33f2e60n },
    // RIP 0 (protected guest state) is never judged
    { ts: 815_001_000, event: 'kvm_exit', ...X, reason: 'HLT', rip: 0 },
    { ts: 815_002_000, event: 'kvm_entry', ...X, rip: 0xffffffff81000000n },
  ];
  const r = analyzeRows(rows);
  const ex = exitRows(r);
  assert.deepEqual(ex.map((e) => [e.durNs, e.flags]), [[500, 0], [-1, EXIT_FLAG.RIP_JUMP], [1000, 0]]);
  assert.equal(r.quality.exitsRipJump, 1);
  assert.equal(r.quality.pairedExits, 2);
});
