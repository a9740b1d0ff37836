// Per-series accumulation over the trace's time windows, emitted as cumulative OTLP points: every
// point of a series starts at the trace start and ends at a window end, so the last point is the
// whole-trace total and the points before it draw the trace's timeline. Pure.
import type { Attributes } from '@opentelemetry/api';
import type { Histogram } from '@opentelemetry/sdk-metrics';

export interface WindowGrid {
  /** Trace-clock ns of the first window's start (the trace start). */
  startNs: bigint;
  /** Trace-clock ns of the last timestamp (the last window ends here). */
  endNs: bigint;
  windowNs: bigint;
  count: number;
}

/** Windows of `windowNs` over [startNs, endNs]; widened (a multiple) so there are at most maxWindows. */
export function windowGrid(startNs: bigint, endNs: bigint, windowNs: number, maxWindows: number): WindowGrid {
  let w = BigInt(Math.max(1, Math.round(windowNs)));
  const span = endNs - startNs + 1n;
  let count = Number((span + w - 1n) / w);
  if (count > maxWindows) {
    const k = BigInt(Math.ceil(count / maxWindows));
    w *= k;
    count = Number((span + w - 1n) / w);
  }
  return { startNs, endNs, windowNs: w, count: Math.max(1, count) };
}

/** Window index of a timestamp (clamped into the grid). */
export function windowOf(g: WindowGrid, tsNs: bigint): number {
  if (tsNs <= g.startNs) return 0;
  const i = Number((tsNs - g.startNs) / g.windowNs);
  return i >= g.count ? g.count - 1 : i;
}

/** End (trace ns) of window i: the next window's start, or the trace end for the last one. */
export function windowEnd(g: WindowGrid, i: number): bigint {
  const e = g.startNs + BigInt(i + 1) * g.windowNs;
  return e > g.endNs ? g.endNs : e;
}

export interface CumulativePoint<T> {
  /** Window index whose end is the point's time. */
  window: number;
  attributes: Attributes;
  value: T;
}

/** Keyed sums per window -> cumulative points from the series' first window to the last window. */
export class WindowedSums {
  private readonly series = new Map<string, { attributes: Attributes; perWindow: Float64Array; first: number }>();
  constructor(private readonly grid: WindowGrid) {}

  add(attributes: Attributes, key: string, window: number, value: number): void {
    let s = this.series.get(key);
    if (!s) {
      s = { attributes, perWindow: new Float64Array(this.grid.count), first: window };
      this.series.set(key, s);
    }
    s.perWindow[window]! += value;
    if (window < s.first) s.first = window;
  }

  points(): CumulativePoint<number>[] {
    const out: CumulativePoint<number>[] = [];
    for (const s of this.series.values()) {
      let acc = 0;
      for (let i = s.first; i < this.grid.count; i++) {
        acc += s.perWindow[i]!;
        out.push({ window: i, attributes: s.attributes, value: acc });
      }
    }
    return out;
  }

  /** Whole-trace totals per series key (tests and summaries). */
  totals(): Map<string, number> {
    const t = new Map<string, number>();
    for (const [k, s] of this.series) t.set(k, s.perWindow.reduce((a, b) => a + b, 0));
    return t;
  }
}

/** Keyed explicit-bucket histograms per window -> cumulative histogram points. */
export class WindowedHistograms {
  private readonly series = new Map<string, {
    attributes: Attributes; counts: Float64Array; sums: Float64Array; mins: Float64Array; maxs: Float64Array; first: number;
  }>();
  private readonly nb: number;
  constructor(private readonly grid: WindowGrid, private readonly boundaries: readonly number[]) {
    this.nb = boundaries.length + 1;
  }

  record(attributes: Attributes, key: string, window: number, value: number): void {
    let s = this.series.get(key);
    if (!s) {
      const n = this.grid.count;
      s = { attributes, counts: new Float64Array(n * this.nb), sums: new Float64Array(n),
        mins: new Float64Array(n).fill(Infinity), maxs: new Float64Array(n).fill(-Infinity), first: window };
      this.series.set(key, s);
    }
    // Bucket i holds (boundaries[i-1], boundaries[i]]: upper bounds inclusive, as OTLP defines.
    let b = 0;
    while (b < this.boundaries.length && value > this.boundaries[b]!) b++;
    s.counts[window * this.nb + b]! += 1;
    s.sums[window]! += value;
    if (value < s.mins[window]!) s.mins[window] = value;
    if (value > s.maxs[window]!) s.maxs[window] = value;
    if (window < s.first) s.first = window;
  }

  points(): CumulativePoint<Histogram>[] {
    const out: CumulativePoint<Histogram>[] = [];
    for (const s of this.series.values()) {
      const counts = new Array<number>(this.nb).fill(0);
      let sum = 0; let count = 0; let min = Infinity; let max = -Infinity;
      for (let i = s.first; i < this.grid.count; i++) {
        for (let b = 0; b < this.nb; b++) {
          const c = s.counts[i * this.nb + b]!;
          counts[b]! += c; count += c;
        }
        sum += s.sums[i]!;
        min = Math.min(min, s.mins[i]!); max = Math.max(max, s.maxs[i]!);
        out.push({ window: i, attributes: s.attributes, value: {
          buckets: { boundaries: [...this.boundaries], counts: [...counts] }, sum, count,
          ...(count > 0 ? { min, max } : {}),
        } });
      }
    }
    return out;
  }
}
