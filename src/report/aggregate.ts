// Bounded summaries for charts: CDFs cut to a few hundred points, time bins that coarsen as a
// trace grows, top-N folding. Charts receive only these, so HTML size does not grow with the trace.
import type { CdfPoint } from './model.js';

/** Points kept per CDF series: enough for a smooth curve at any zoom a report offers. */
export const CDF_POINTS = 200;
/** Time bins kept per series before adjacent bins are merged. */
export const MAX_TIME_BINS = 240;

/**
 * CDF of `valuesNs` as at most `maxPoints` (value µs, fraction) points, evenly spaced in rank, with
 * the minimum and maximum always kept. `valuesNs` is sorted in place.
 */
export function cdfPoints(series: string, valuesNs: Float64Array | number[], maxPoints = CDF_POINTS): CdfPoint[] {
  const v = valuesNs instanceof Float64Array ? valuesNs : Float64Array.from(valuesNs);
  v.sort();
  const n = v.length;
  if (n === 0) return [];
  const out: CdfPoint[] = [];
  const steps = Math.min(n, maxPoints);
  let lastRank = -1;
  for (let k = 0; k < steps; k++) {
    // rank of the k-th point: first is rank 0, last is rank n-1
    const rank = steps === 1 ? n - 1 : Math.round((k * (n - 1)) / (steps - 1));
    if (rank === lastRank) continue;
    lastRank = rank;
    out.push({ series, valueUs: v[rank]! / 1000, fraction: (rank + 1) / n });
  }
  return out;
}

/** Quantile (0..1) of sorted values, nearest rank. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/**
 * Counts per (series, time bin) with a bin width that doubles whenever more than `maxBins` bins
 * would be needed, so memory and output stay bounded for any span. Times are ns since `originNs`.
 */
export class AdaptiveTimeBins {
  private widthNs: number;
  private readonly bins = new Map<string, Map<number, number>>();
  private maxIndex = 0;

  constructor(private readonly maxBins = MAX_TIME_BINS, startWidthNs = 1000) {
    this.widthNs = startWidthNs;
  }

  get binWidthNs(): number {
    return this.widthNs;
  }

  add(series: string, tNs: number, count = 1): void {
    if (!(tNs >= 0)) tNs = 0;
    let idx = Math.floor(tNs / this.widthNs);
    while (idx >= this.maxBins) {
      this.coarsen();
      idx = Math.floor(tNs / this.widthNs);
    }
    if (idx > this.maxIndex) this.maxIndex = idx;
    let m = this.bins.get(series);
    if (!m) this.bins.set(series, (m = new Map()));
    m.set(idx, (m.get(idx) ?? 0) + count);
  }

  private coarsen(): void {
    this.widthNs *= 2;
    this.maxIndex = Math.floor(this.maxIndex / 2);
    for (const [k, m] of this.bins) {
      const merged = new Map<number, number>();
      for (const [i, c] of m) merged.set(i >> 1, (merged.get(i >> 1) ?? 0) + c);
      this.bins.set(k, merged);
    }
  }

  /**
   * Rows sorted by series then time; bin start in ms. With `zeroFill`, empty bins up to the last
   * one are rows with count 0, so a line drops to zero instead of bridging the gap.
   */
  rows(zeroFill = false): { series: string; tMs: number; count: number }[] {
    const out: { series: string; tMs: number; count: number }[] = [];
    for (const [series, m] of [...this.bins].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      if (zeroFill) {
        for (let i = 0; i <= this.maxIndex; i++) out.push({ series, tMs: (i * this.widthNs) / 1e6, count: m.get(i) ?? 0 });
      } else {
        for (const [i, count] of [...m].sort((a, b) => a[0] - b[0])) out.push({ series, tMs: (i * this.widthNs) / 1e6, count });
      }
    }
    return out;
  }

  seriesTotals(): Map<string, number> {
    const t = new Map<string, number>();
    for (const [k, m] of this.bins) {
      let s = 0;
      for (const c of m.values()) s += c;
      t.set(k, s);
    }
    return t;
  }
}

/** Keep the `n` largest keys by `weight`; name the rest `other` (summing is the caller's job). */
export function topKeys(weights: Map<string, number>, n: number): Set<string> {
  return new Set([...weights].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([k]) => k));
}
