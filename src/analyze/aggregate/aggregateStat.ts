// perf-kvm-stat-style rows from the bpftrace aggregate mode (per-reason count, sum, min, max and
// log2 histogram kept in the kernel). Percentiles come from the histogram, so they are bucket
// bounds ("at most"), and there is no stddev: the per-exit times never left the kernel.
import { canonicalReason } from '../../../collectors/common/exitReasons.js';
import type { AggregateParse, HistBucket } from '../../../collectors/bpftrace/aggregate.js';
import type { StatRow } from '../types.js';

/** A `es2scope stat` row without what the kernel-side aggregates cannot give (stddev, exact percentiles). */
export interface AggregateStatRow extends Omit<StatRow, 'stddevPct' | 'p50Ns' | 'p99Ns'> {
  /** Upper bound of the log2 bucket holding the 50th / 99th percentile (clamped to maxNs). */
  p50AtMostNs: number;
  p99AtMostNs: number;
}

export interface AggregateStat {
  rows: AggregateStatRow[];
  haltRows: AggregateStatRow[];
  totalSamples: number;
  totalNs: number;
  haltSamples: number;
  haltNs: number;
  lost: number;
  warnings: string[];
}

/** Upper bound of the bucket where the cumulative count reaches q of the samples. */
export function histQuantileAtMost(hist: readonly HistBucket[], q: number, maxNs: number): number {
  const n = hist.reduce((s, b) => s + b.count, 0);
  if (n === 0) return 0;
  const rank = Math.ceil(q * n);
  let seen = 0;
  for (const b of hist) {
    seen += b.count;
    if (seen >= rank) return Math.min(b.hiNs, maxNs);
  }
  return maxNs;
}

export function aggregateStat(p: AggregateParse): AggregateStat {
  const rows: AggregateStatRow[] = [];
  const haltRows: AggregateStatRow[] = [];
  const all = p.rows.map((r) => {
    const c = canonicalReason(r.reason, r.isa === 2 ? 'SVM' : 'VMX');
    const halt = c.name === 'HLT' || c.name === 'MWAIT_INSTRUCTION' || c.name === 'hlt' || c.name === 'mwait';
    return { r, name: c.name, halt };
  });
  const busy = all.filter((x) => !x.halt);
  const halts = all.filter((x) => x.halt);
  const sum = (xs: typeof all, f: (x: (typeof all)[number]) => number) => xs.reduce((s, x) => s + f(x), 0);
  const totalSamples = sum(busy, (x) => x.r.samples);
  const totalNs = sum(busy, (x) => x.r.totalNs);
  const haltSamples = sum(halts, (x) => x.r.samples);
  const haltNs = sum(halts, (x) => x.r.totalNs);
  const allSamples = totalSamples + haltSamples;
  for (const { r, name, halt } of all) {
    const row: AggregateStatRow = {
      key: name,
      samples: r.samples,
      samplesPct: allSamples ? (100 * r.samples) / allSamples : 0,
      timePct: (halt ? haltNs : totalNs) ? (100 * r.totalNs) / (halt ? haltNs : totalNs) : 0,
      totalNs: r.totalNs,
      minNs: r.minNs,
      maxNs: r.maxNs,
      meanNs: r.samples ? r.totalNs / r.samples : 0,
      p50AtMostNs: histQuantileAtMost(r.hist, 0.5, r.maxNs),
      p99AtMostNs: histQuantileAtMost(r.hist, 0.99, r.maxNs),
      halt,
    };
    (halt ? haltRows : rows).push(row);
  }
  rows.sort((a, b) => b.samples - a.samples);
  haltRows.sort((a, b) => b.samples - a.samples);
  return { rows, haltRows, totalSamples, totalNs, haltSamples, haltNs, lost: p.lost, warnings: p.warnings };
}
