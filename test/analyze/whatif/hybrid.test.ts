// Mechanism 2 (hybrid I/O) state machine on hand-built kick sequences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelHybridIo, unionPerVmNs } from '../../../src/analyze/whatif/hybrid.js';
import { input, kick, kickDecisions } from './scenario.js';

const P = { enterGapNs: 10_000, idleWindowNs: 20_000, poller: 'per-key' as const, quotaNs: 0, quotaPeriodNs: 1_000_000 };

test('dense kicks enter POLL, kicks inside POLL are avoided, an idle window ends it', () => {
  // gaps: 5k (enter POLL at 5k, poll until 25k), 10k (15k: avoided, until 35k), 15k (30k: avoided, until 50k),
  // 40k gap (70k: POLL ended at 50k -> exit; gap 40k >= enterGap -> stays NOTIFY), 75k: gap 5k -> enter POLL again.
  const ks = [0, 5_000, 15_000, 30_000, 70_000, 75_000].map((t, i) => kick(i, t));
  const inp = input({ kicks: ks });
  const r = modelHybridIo(inp, P);
  assert.deepEqual(kickDecisions(inp, r).map((d) => d.avoided), [false, false, true, true, false, false]);
  assert.deepEqual(kickDecisions(inp, r).map((d) => d.enteredPoll), [false, true, false, false, false, true]);
  assert.deepEqual(Array.from(r.intervals.startNs, (s, i) => [s, r.intervals.endNs[i]]), [[5_000, 50_000], [75_000, 95_000]]);
  assert.equal(r.pollingCpuNs, 45_000 + 20_000);
  assert.equal(r.kicksAvoided, 2);
});

test('a zero idle window never polls and never avoids a kick', () => {
  const ks = [0, 1, 2, 3].map((t, i) => kick(i, t));
  const r = modelHybridIo(input({ kicks: ks }), { ...P, idleWindowNs: 0 });
  assert.equal(r.kicksAvoided, 0);
  assert.equal(r.pollingCpuNs, 0);
});

test('device keys are independent state machines', () => {
  const ks = [kick(0, 0, 'pio:0xc050'), kick(1, 5_000, 'mmio:0xfe003000'), kick(2, 8_000, 'pio:0xc050'), kick(3, 9_000, 'pio:0xc050')];
  const inp = input({ kicks: ks });
  const r = modelHybridIo(inp, P);
  assert.deepEqual(kickDecisions(inp, r).map((d) => d.avoided), [false, false, false, true]);
  assert.deepEqual(r.devices.map((d) => [d.device, d.kicks, d.avoided]), [['mmio:0xfe003000', 1, 0], ['pio:0xc050', 3, 1]]);
});

test('shared poller counts overlapping POLL intervals once', () => {
  const ks = [kick(0, 0, 'a'), kick(1, 1_000, 'a'), kick(2, 2_000, 'b'), kick(3, 3_000, 'b')];
  const perKey = modelHybridIo(input({ kicks: ks }), P);
  const shared = modelHybridIo(input({ kicks: ks }), { ...P, poller: 'shared' });
  // a polls [1k, 21k], b polls [3k, 23k]: per key 40k, union 22k
  assert.equal(perKey.pollingCpuNs, 40_000);
  assert.equal(shared.pollingCpuNs, 22_000);
  // two VMs with the same interval: one poller each, both count
  const iv = { length: 2, device: Int32Array.of(0, 1), startNs: Float64Array.of(0, 0), endNs: Float64Array.of(10, 10) };
  assert.equal(unionPerVmNs(iv, [{ vm: 'x' }, { vm: 'y' }]), 20);
  assert.equal(unionPerVmNs(iv, [{ vm: 'x' }, { vm: 'x' }]), 10);
  assert.equal(unionPerVmNs(iv, [{ vm: 'x' }, { vm: 'y' }], 'y'), 10);
});

test('quota cuts POLL short: kicks after the budget is spent are exits again', () => {
  // quota 8k per 1 ms: POLL entered at 1k would last to 21k, but is cut at 9k; the kick at 12k is an exit.
  const ks = [0, 1_000, 5_000, 12_000].map((t, i) => kick(i, t));
  const inp = input({ kicks: ks });
  const r = modelHybridIo(inp, { ...P, quotaNs: 8_000 });
  assert.deepEqual(kickDecisions(inp, r).map((d) => d.avoided), [false, false, true, false]);
  assert.equal(r.pollingCpuNs, 8_000);
  assert.equal(r.devices[0]!.quotaCuts, 1);
});
