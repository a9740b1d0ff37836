// Mechanism 3 (interrupt redirection) on hand-built run states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelRedirection } from '../../../src/analyze/whatif/redirect.js';
import { vcpuTimelines, stateAt } from '../../../src/analyze/whatif/runState.js';
import { exit, input, irq } from './scenario.js';

// vCPU 0 halts over [1000, 9000]; vCPU 1 and 2 are in guest over [0..10000] (exits before and after).
const exits = [
  exit(1, 0, 0, 100, 'EXTERNAL_INTERRUPT', 'interrupt'), exit(2, 0, 1_000, 9_000, 'HLT', 'halt'), exit(3, 0, 12_000, 12_100, 'MSR_WRITE', 'msr'),
  exit(4, 1, 0, 100, 'MSR_WRITE', 'msr'), exit(5, 1, 20_000, 20_100, 'MSR_WRITE', 'msr'),
  exit(6, 2, 0, 100, 'MSR_WRITE', 'msr'), exit(7, 2, 20_000, 20_100, 'MSR_WRITE', 'msr'),
];
const tl = vcpuTimelines(input({ exits }));
const P = { redirectCostNs: 1_000 };

test('run state from paired exits: blocked in HLT, guest between entry and next exit, unknown after the last entry', () => {
  const v0 = tl.get('vm1')!.find((t) => t.vcpu === 0)!;
  assert.equal(stateAt(v0, 500), 'guest');
  assert.equal(stateAt(v0, 2_000), 'blocked');
  assert.equal(stateAt(v0, 12_050), 'exit');
  assert.equal(stateAt(v0, 13_000), 'unknown');
  assert.equal(stateAt(v0, -1), 'unknown');
});

test('a device interrupt to a halted vCPU goes to the running peer with fewest interrupts; latency becomes the redirect cost', () => {
  const irqs = [irq(1, 1, 500, 600), irq(2, 0, 2_000, 9_200)];
  const r = modelRedirection(input({ irqs }), tl, P);
  const d = r.decisions.find((x) => x.irqId === 2)!;
  assert.equal(d.state, 'blocked');
  assert.equal(d.l0Ns, 7_200);
  assert.equal(d.redirectedTo, 2); // vCPU 1 already took irq 1
  assert.equal(d.lNs, 1_000);
  assert.equal(r.redirected, 1);
});

test('redirection never raises a latency: a baseline below the redirect cost is kept', () => {
  const r = modelRedirection(input({ irqs: [irq(1, 0, 2_000, 2_400)] }), tl, P);
  assert.equal(r.decisions[0]!.redirectedTo, 1);
  assert.equal(r.decisions[0]!.lNs, 400);
});

test('timer interrupts and IPIs are not redirected; a target in guest is not redirected', () => {
  const r = modelRedirection(input({ irqs: [irq(1, 0, 2_000, 9_100, 'timer'), irq(2, 0, 2_000, 9_100, 'ipi'), irq(3, 1, 5_000, 5_300)] }), tl, P);
  assert.equal(r.redirected, 0);
  assert.equal(r.eligible, 1);
  assert.deepEqual(r.decisions.map((d) => d.lNs), [7_100, 7_100, 300]);
});

test('no running peer: the interrupt waits as before and is counted', () => {
  const solo = vcpuTimelines(input({ exits: exits.filter((e) => e.vcpu === 0) }));
  const r = modelRedirection(input({ irqs: [irq(1, 0, 2_000, 9_100)] }), solo, P);
  assert.equal(r.redirected, 0);
  assert.equal(r.noRunningPeer, 1);
  assert.equal(r.decisions[0]!.lNs, 7_100);
});
