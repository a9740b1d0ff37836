import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abCompare, formatAbTable, predictedForRanges, type RunResult, type WhatifHybrid } from '../../../collectors/lab/abTable.js';
import type { NotifyRange } from '../../../collectors/lab/pciInfo.js';

const BLK: NotifyRange[] = [{ id: 'blk0', kind: 'mmio', start: 0x180007000n, end: 0x180007fffn }];
const run = (label: 'off' | 'on', pollMaxNs: number, kicks: number, ops: number): RunResult => ({
  label, pollMaxNs, ops, bytes: ops * 4096, guestMs: 2000, iothreadCpuMs: 10,
  kicks: { byId: { blk0: kicks }, byAddress: { 'mmio 0x180007000': kicks }, total: kicks, source: 'io-events', kvmEvents: kicks * 5 },
});
const WHATIF: WhatifHybrid = {
  params: { idleWindowNs: 32768, enterGapNs: 50000, pollMode: 'adaptive', pollMaxNs: 65536, pollGrow: 0, pollShrink: 0 },
  hybrid: { kicks: 130, kicksAvoided: 70, pollingCpuNs: 5_000_000, devices: [
    { device: 'mmio 0x180007000', kicks: 100, avoided: 60, pollNs: 4_000_000 },
    { device: 'mmio 0x180003004', kicks: 20, avoided: 10, pollNs: 1_000_000 },
    { device: 'mmio 0xfec00000 (IOAPIC)', kicks: 10, avoided: 0, pollNs: 0 },
  ] },
};

// the fixed window's run of the same off trace (a second column): more kicks avoided, more polling
const WHATIF_FIXED: WhatifHybrid = {
  params: { idleWindowNs: 65536, enterGapNs: 65536, pollMode: 'fixed', pollMaxNs: 32768, pollGrow: 0, pollShrink: 0 },
  hybrid: { kicks: 120, kicksAvoided: 85, pollingCpuNs: 9_000_000, devices: [
    { device: 'mmio 0x180007000', kicks: 100, avoided: 75, pollNs: 8_000_000 },
    { device: 'mmio 0x180003004', kicks: 20, avoided: 10, pollNs: 1_000_000 },
  ] },
};

test('prediction sums only the model devices inside the disk notify range', () => {
  assert.deepEqual(predictedForRanges(WHATIF, BLK), { kicks: 100, avoided: 60, pollNs: 4_000_000 });
});

test('KVM runs: predicted vs measured removed, ratio, and per-ops scaling when throughput differs', () => {
  const r = abCompare('kvm', run('off', 0, 100, 400), run('on', 65536, 50, 500), WHATIF, BLK, 'blk0');
  assert.equal(r.comparable, true);
  assert.equal(r.predictedRemoved, 60);
  assert.equal(r.measuredRemoved, 50);
  assert.equal(r.ratio, 60 / 50);
  // on run did 500 ops with 50 kicks -> 40 kicks at the off run's 400 ops -> 60 removed
  assert.equal(r.measuredRemovedPerOps, 60);
  assert.ok(r.notes.some((n) => /different amounts of I\/O/.test(n)));
  const opsRow = r.rows.find((x) => x.metric === 'guest ops/s')!;
  assert.deepEqual([opsRow.off, opsRow.on], [200, 250]);
  const table = formatAbTable(r);
  assert.match(table, /kicks removed vs off\s+0\s+50\s+60\s+-/);
});

test('the adaptive poller is the headline prediction; the fixed window is a second column with its own ratio', () => {
  const r = abCompare('kvm', run('off', 0, 100, 400), run('on', 65536, 50, 400), WHATIF, BLK, 'blk0', WHATIF_FIXED);
  assert.equal(r.predictedRemoved, 60);
  assert.equal(r.predictedRemovedFixed, 75);
  assert.equal(r.ratio, 60 / 50);
  assert.equal(r.ratioFixed, 75 / 50);
  const head = r.rows[0]!;
  assert.match(String(head.predicted), /adaptive: poll-max-ns 65536, grow 0, shrink 0/);
  assert.match(String(head.predictedFixed), /fixed: idle window 65536, enter gap 65536/);
  const table = formatAbTable(r);
  assert.match(table, /model adaptive \(from off\)\s+model fixed window \(from off\)/);
  assert.match(table, /kicks \(blk0\)\s+100\s+50\s+40\s+25/);
  assert.match(table, /polling ms \(model\)\s+10\s+10\s+4\s+8/);
  assert.ok(!r.notes.some((n) => /not from the adaptive poller/.test(n)));
  // a headline run that is not adaptive (an old whatif) is flagged
  const old = abCompare('kvm', run('off', 0, 100, 400), run('on', 65536, 50, 400), WHATIF_FIXED, BLK, 'blk0');
  assert.ok(old.notes.some((n) => /not from the adaptive poller/.test(n)));
});

test('TCG: never comparable, says why, and predicts nothing even if whatif ran', () => {
  const zero = (label: 'off' | 'on', ns: number): RunResult => ({ ...run(label, ns, 0, 300), kicks: { byId: { blk0: 0 }, byAddress: {}, total: 0, source: 'none', kvmEvents: 0 } });
  const r = abCompare('tcg', zero('off', 0), zero('on', 65536), WHATIF, BLK, 'blk0');
  assert.equal(r.comparable, false);
  assert.match(r.why, /TCG .*no kvm events.*no comparison is possible/);
  assert.equal(r.predictedRemoved, null);
  assert.equal(r.measuredRemoved, null);
  assert.equal(r.ratio, null);
});

test('KVM but the recorder caught no I/O events: not comparable, names the run', () => {
  const on = { ...run('on', 65536, 0, 400), kicks: { byId: { blk0: 0 }, byAddress: {}, total: 0, source: 'none' as const, kvmEvents: 12 } };
  const r = abCompare('kvm', run('off', 0, 100, 400), on, WHATIF, BLK, 'blk0');
  assert.equal(r.comparable, false);
  assert.match(r.why, /no kick events in the on trace \(12 kvm events\)/);
});

test('whatif missing: not comparable rather than a prediction of 0', () => {
  const r = abCompare('kvm', run('off', 0, 100, 400), run('on', 65536, 50, 400), null, BLK, 'blk0');
  assert.equal(r.comparable, false);
  assert.equal(r.predictedRemoved, null);
});
