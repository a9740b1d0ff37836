// The stacked model: baseline, +PI, +hybrid, +redirect, and the trace-without-kvm_exit case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { avoidedExitIds, runWhatif, sweepIdleWindow } from '../../../src/analyze/whatif/model.js';
import { exit, input, irq, kick, rows } from './scenario.js';

// vCPU 0: kicks at 1000 and 3000 (exits 100 ns each) and an exit-less kick at 1500 in between (as when
// the exit is lost to µs text), an interrupt window exit, an EOI (edge);
// vCPU 1 in guest throughout. A device interrupt for halted vCPU 0 at 6000, delivered at 9000.
const exits = [
  exit(1, 0, 0, 100, 'MSR_WRITE', 'msr'),
  exit(2, 0, 1_000, 1_100, 'EPT_MISCONFIG', 'io_request', { device: 'd' }),
  exit(3, 0, 3_000, 3_100, 'EPT_MISCONFIG', 'io_request', { device: 'd' }),
  exit(4, 0, 4_000, 4_200, 'INTERRUPT_WINDOW', 'interrupt'),
  exit(5, 0, 5_000, 5_300, 'APIC_WRITE', 'eoi', { eoiLevel: false }),
  exit(6, 0, 5_500, 9_000, 'HLT', 'halt'),
  exit(7, 0, 10_000, 10_100, 'MSR_WRITE', 'msr'),
  exit(8, 1, 0, 100, 'MSR_WRITE', 'msr'),
  exit(9, 1, 20_000, 20_100, 'MSR_WRITE', 'msr'),
];
const baseRows = rows({
  exits,
  kicks: [kick(1, 1_000, 'd', 2), kick(2, 1_500, 'd', null), kick(3, 3_000, 'd', 3)],
  irqs: [irq(1, 0, 6_000, 9_000)],
  windowNs: { startNs: 0, endNs: 20_100 },
});
const base = input(baseRows);
const params = { enterGapNs: 5_000, idleWindowNs: 10_000 };

test('stages stack in order and each adds its own share', () => {
  const r = runWhatif(base, params);
  assert.deepEqual(r.stages.map((s) => [s.name, s.exitsAvoided, s.dHandlingNs, s.redirected]), [
    ['baseline', 0, 0, 0], ['+pi', 2, 500, 0], ['+hybrid', 3, 600, 0], ['+redirect', 3, 600, 1],
  ]);
  assert.equal(r.stages[0]!.latency.maxNs, 3_000);
  assert.equal(r.stages[3]!.latency.maxNs, 1_000);
  // hybrid: the kick at 1500 (gap 500 < 5000) enters POLL until 11500, so the kick at 3000 and its exit 3 are avoided.
  assert.equal(r.hybrid!.kicksAvoided, 1);
  assert.equal(new Map(avoidedExitIds(base, r)).get(3), 'hybrid');
});

test('a kick inside POLL removes its exit and that exit\'s handling time', () => {
  const r = runWhatif(input({ ...baseRows, kicks: [kick(1, 1_000, 'd', 2), kick(2, 3_000, 'd', 3), kick(3, 3_050, 'd', null)] }), params);
  assert.equal(r.hybrid!.kicksAvoided, 1);
  // the avoided kick has no exit of its own: exits avoided by hybrid stays 0
  assert.equal(r.avoidedBy.filter((a) => a.mechanism === 'hybrid').length, 0);
  const r2 = runWhatif(input({ ...baseRows, kicks: [kick(1, 1_000, 'd', 2), kick(2, 1_500, 'd', null), kick(3, 3_000, 'd', 3)] }), params);
  assert.deepEqual(r2.avoidedBy.filter((a) => a.mechanism === 'hybrid'), [{ mechanism: 'hybrid', reason: 'EPT_MISCONFIG', device: 'd', exits: 1, handlingNs: 100 }]);
});

test('--mechanisms subset: only the chosen mechanisms run and stack', () => {
  const r = runWhatif(base, { ...params, mechanisms: ['redirect'] });
  assert.deepEqual(r.stages.map((s) => s.name), ['baseline', '+redirect']);
  assert.equal(r.pi, null);
  assert.equal(r.stages[1]!.exitsAvoided, 0);
});

test('no kvm_exit in the trace: EHT not traced, kicks avoided still counted', () => {
  const r = runWhatif(input({ exitsTraced: false, kicks: [kick(1, 0), kick(2, 1_000), kick(3, 2_000)] }), params);
  assert.equal(r.stages.at(-1)!.eht, null);
  assert.equal(r.stages.at(-1)!.kicksAvoided, 1);
  assert.equal(r.stages.at(-1)!.exitsAvoided, 0);
  assert.ok(r.notes.some((n) => n.includes('not traced')));
});

test('sweep: exits avoided and polling CPU per idle window', () => {
  const ks = [0, 1_000, 2_000, 10_000, 11_000].map((t, i) => kick(i, t, 'd', null));
  const rows = sweepIdleWindow(input({ exitsTraced: false, kicks: ks }), { enterGapNs: 5_000 }, [0, 1_500, 20_000]);
  assert.deepEqual(rows.map((r) => [r.idleWindowNs, r.kicksAvoided, r.pollingCpuNs]), [[0, 0, 0], [1_500, 1, 2_500 + 1_500], [20_000, 3, 30_000]]);
});
