// computeStat on a hand-built trace: percentages, stddev of the mean, exact percentiles, HLT apart, sort keys.
import { dataQualityLines } from '../../src/analyze/quality.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeRows, type EvRow } from './build.js';
import { computeStat } from '../../src/analyze/stat.js';

const V = { cpu: 0, tid: 11, pid: 100 };
// EPT_VIOLATION 100, 300; CPUID 1000; HLT 5000 (each exit 10 ns after the previous entry)
function rows(): EvRow[] {
  const out: EvRow[] = [];
  let t = 0;
  for (const [reason, dur] of [['EPT_VIOLATION', 100], ['CPUID', 1000], ['EPT_VIOLATION', 300], ['HLT', 5000]] as const) {
    t += 10;
    out.push({ ts: t, event: 'kvm_exit', ...V, reason });
    t += dur;
    out.push({ ts: t, event: 'kvm_entry', ...V, vcpu: 0 });
  }
  return out;
}

test('Samples% over all exits, Time% over non-halt time, HLT in haltRows', () => {
  const s = computeStat(analyzeRows(rows()), { event: 'vmexit', by: 'reason', key: 'sample' });
  assert.deepEqual(s.rows.map((r) => r.key), ['EPT_VIOLATION', 'CPUID']);
  const ept = s.rows[0]!;
  assert.deepEqual([ept.samples, ept.totalNs, ept.minNs, ept.maxNs, ept.meanNs, ept.p50Ns, ept.p99Ns], [2, 400, 100, 300, 200, 100, 300]);
  assert.equal(ept.samplesPct, 50); // 2 of 4
  assert.equal(ept.timePct, 100 * 400 / 1400);
  // sample stddev = sqrt(((100-200)^2 + (300-200)^2) / 1) = 141.42; stderr = 141.42 / sqrt(2) = 100 -> 50 %
  assert.ok(Math.abs(ept.stddevPct - 50) < 1e-9);
  assert.deepEqual(s.haltRows.map((r) => [r.key, r.samples, r.totalNs, r.timePct]), [['HLT', 1, 5000, 100 * 5000 / 6400]]);
  assert.deepEqual(s.total, { samples: 3, totalNs: 1400, haltSamples: 1, haltNs: 5000 });
});

test('--key time sorts by summed time; --vcpu filters', () => {
  const r = analyzeRows(rows());
  assert.deepEqual(computeStat(r, { event: 'vmexit', by: 'reason', key: 'time' }).rows.map((x) => x.key), ['CPUID', 'EPT_VIOLATION']);
  assert.equal(computeStat(r, { event: 'vmexit', by: 'reason', key: 'time', vcpu: 1 }).rows.length, 0);
  assert.equal(computeStat(r, { event: 'vmexit', by: 'vcpu', key: 'time' }).rows[0]!.key, 'vm 100 vcpu 0');
});

test('trace without kvm_exit: stat says exits not traced', () => {
  const s = computeStat(analyzeRows([{ ts: 1, event: 'kvm_fast_mmio', ...V, gpa: 0x1000 }]), { event: 'vmexit', by: 'reason', key: 'sample' });
  assert.equal(s.rows.length, 0);
  // said once: the analysis note (quality.notes), not repeated by stat's own notes
  const lines = dataQualityLines(s.quality, [], s.notes);
  assert.equal(lines.filter((l) => /exits not traced/.test(l)).length, 1, lines.join('\n'));
});
