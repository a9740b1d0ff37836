// Events-over-time of several traces with unrelated clocks: placed at "since the trace's start",
// re-binned at the coarsest width, counts kept, threads told apart by host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeEventsAggregates } from '../../src/report/mergeEvents.js';

test('two traces on clocks 1000 s apart merge on a since-start axis without losing a count', () => {
  const a = { originNs: 16_062_000_000_000n, binWidthNs: 1_000_000, eventsOverTime: [{ event: 'kvm_exit', tMs: 0, count: 3 }, { event: 'kvm_exit', tMs: 1, count: 2 }], kvmByThread: [{ vcpu: 'CPU 0/KVM (7)', tMs: 1, count: 5 }] };
  // trace b's first event (its analysis start) is 2 ms before its first kvm_ event's origin
  const b = { originNs: 17_062_002_000_000n, binWidthNs: 2_000_000, eventsOverTime: [{ event: 'kvm_exit', tMs: 0, count: 7 }, { event: 'kvm_pio', tMs: 2, count: 1 }], kvmByThread: [{ vcpu: 'CPU 0/KVM (7)', tMs: 0, count: 8 }] };
  const m = mergeEventsAggregates([
    { result: a, label: 'h1: ', startNs: 16_062_000_000_000n },
    { result: b, label: 'h2: ', startNs: 17_062_000_000_000n },
  ]);
  assert.equal(m.binWidthNs, 2_000_000);
  assert.equal(m.originNs, 0n);
  const exits = m.eventsOverTime.filter((r) => r.event === 'kvm_exit').map((r) => [r.tMs, r.count]);
  assert.deepEqual(exits, [[0, 5], [2, 7], [4, 0]]);
  assert.deepEqual(m.eventsOverTime.filter((r) => r.event === 'kvm_pio').map((r) => [r.tMs, r.count]), [[0, 0], [2, 0], [4, 1]]);
  assert.deepEqual(m.kvmByThread.map((r) => [r.vcpu, r.tMs, r.count]), [['h1: CPU 0/KVM (7)', 0, 5], ['h2: CPU 0/KVM (7)', 2, 8]]);
  const total = (rows: { count: number }[]) => rows.reduce((s, r) => s + r.count, 0);
  assert.equal(total(m.eventsOverTime), 13);
});
