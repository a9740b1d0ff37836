// Mechanism 1 (posted interrupts) on hand-built exits with hand-computed answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelPostedInterrupts } from '../../../src/analyze/whatif/posted.js';
import { DEFAULT_PARAMS } from '../../../src/analyze/whatif/params.js';
import { exit, input, irq, piAvoided } from './scenario.js';

const P = { ...DEFAULT_PARAMS, kickWindowNs: 10_000 };

test('interrupt-window exits are removed when the trace injects the old way', () => {
  const inp = input({ exits: [exit(1, 0, 100, 200, 'INTERRUPT_WINDOW', 'interrupt'), exit(2, 0, 300, 400, 'HLT', 'halt')] });
  const r = modelPostedInterrupts(inp, [], P);
  assert.deepEqual(piAvoided(inp, r), [[1, 'interrupt_window']]);
  assert.equal(r.eligible, 1);
});

test('EOI exits: edge vectors removed, level vectors kept, unknown trigger follows the parameter', () => {
  const exits = [
    exit(1, 0, 100, 200, 'APIC_WRITE', 'eoi', { eoiVector: 33, eoiLevel: false }),
    exit(2, 0, 300, 400, 'MSR_WRITE', 'eoi', { eoiVector: 34, eoiLevel: true }),
    exit(3, 0, 500, 600, 'EOI_INDUCED', 'eoi'),
  ];
  const inp = input({ exits });
  const edge = modelPostedInterrupts(inp, [], P);
  assert.deepEqual(piAvoided(inp, edge).map(([id]) => id).sort(), [1, 3]);
  assert.equal(edge.eoiKeptLevel, 1);
  assert.equal(edge.eoiTriggerAssumed, 1);
  assert.deepEqual(edge.residual, { MSR_WRITE: 1 });
  const level = modelPostedInterrupts(inp, [], { ...P, eoiUnknownTrigger: 'level' });
  assert.deepEqual(piAvoided(inp, level).map(([id]) => id), [1]);
  assert.equal(level.eoiKeptLevel, 2);
});

test('EXTERNAL_INTERRUPT is an injection kick only when an interrupt for that vCPU was raised within kick_window_ns before it', () => {
  const exits = [
    exit(1, 0, 15_000, 15_500, 'EXTERNAL_INTERRUPT', 'interrupt'), // irq at 8_000 -> 7 µs before: kick
    exit(2, 0, 40_000, 40_500, 'EXTERNAL_INTERRUPT', 'interrupt'), // irq at 25_000 -> 15 µs before: host interrupt
    exit(3, 1, 9_000, 9_500, 'EXTERNAL_INTERRUPT', 'interrupt'), // irq at 8_000 was for vCPU 0, not 1
  ];
  const irqs = [irq(10, 0, 8_000, 16_000), irq(11, 0, 25_000, 41_000)];
  const inp = input({ exits, irqs });
  const r = modelPostedInterrupts(inp, [], P);
  assert.deepEqual(piAvoided(inp, r), [[1, 'injection_kick']]);
  assert.equal(r.externalKept, 2);
});

test('one raised interrupt explains at most one injection-kick exit', () => {
  const exits = [exit(1, 0, 2_000, 2_100, 'EXTERNAL_INTERRUPT', 'interrupt'), exit(2, 0, 3_000, 3_100, 'EXTERNAL_INTERRUPT', 'interrupt')];
  const r = modelPostedInterrupts(input({ exits, irqs: [irq(10, 0, 1_000, 4_000)] }), [], P);
  assert.equal(r.byRule.injection_kick, 1);
  assert.equal(r.externalKept, 1);
});

test('already posted (APICv evidence): nothing removed, residual interrupt exits reported', () => {
  const exits = [exit(1, 0, 100, 200, 'EXTERNAL_INTERRUPT', 'interrupt'), exit(2, 0, 300, 400, 'EOI_INDUCED', 'eoi')];
  const r = modelPostedInterrupts(input({ exits, irqs: [irq(10, 0, 50, 150)] }), ['kvm_apicv_accept_irq'], P);
  assert.equal(r.applies, false);
  assert.equal(r.avoidedCount, 0);
  assert.equal(r.rule.some((x) => x !== 0), false);
  assert.deepEqual(r.residual, { EXTERNAL_INTERRUPT: 1, EOI_INDUCED: 1 });
});
