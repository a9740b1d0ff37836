// Running summary of an events stream: events by type, time span, CPUs, threads. Fed batch by
// batch so that ingest can print it without a second pass.
// Why typed arrays instead of Sets: rows of a merged trace switch CPU (and often thread) almost
// every row, and a Set.add per row was about a tenth of a trace.dat ingest.
import { C } from '../../collectors/common/columns.js';
import type { EventBatch } from '../../collectors/common/eventBatch.js';

export interface EventsSummaryJson {
  events: number;
  byEvent: Record<string, number>;
  firstNs: string | null;
  lastNs: string | null;
  spanNs: string | null;
  cpus: number[];
  threads: number;
  /** Rows whose timestamp is below the previous row's on the same CPU (kept in source order). */
  timeInversions: number;
}

/** Thread ids below this (the kernel's PID_MAX_LIMIT, 2^22) are counted in a bit set, others in a Set. */
const TID_BITS = 1 << 22;
/** CPUs below this are tracked in arrays, others in a Map. */
const CPU_SLOTS = 4096;

export class EventsSummary {
  private counts = new Float64Array(64);
  private eventNames: readonly string[] = [];
  private rows = 0;
  private min: bigint | null = null;
  private max: bigint | null = null;
  private minV = Infinity;
  private maxV = -Infinity;
  /** Seen thread ids as bits (allocated at the first tid: 512 KiB), and the count of set bits. */
  private tidBits: Int32Array | null = null;
  private tidCount = 0;
  private readonly otherTids = new Set<number>();
  /** Last timestamp per CPU (-Infinity = CPU not seen yet); CPUs >= CPU_SLOTS in otherCpus. */
  private readonly lastTsByCpu = new Float64Array(CPU_SLOTS).fill(-Infinity);
  private readonly otherCpus = new Map<number, number>();
  private inversions = 0;

  add(batch: EventBatch): void {
    const n = batch.length;
    const ev = batch.columns[C.event]!.values as Int32Array;
    const tsCol = batch.columns[C.ts_ns]!.values as BigInt64Array;
    // timestamps compared as doubles (exact below 2^53 ns = 104 days); BigInt only for the extremes
    const ts = new Uint32Array(tsCol.buffer, tsCol.byteOffset, n * 2);
    const cpu = batch.columns[C.cpu]!;
    const cpuV = cpu.values as Int32Array;
    const cpuOk = cpu.valid;
    const tid = batch.columns[C.tid]!;
    const tidV = tid.values as Int32Array;
    const tidOk = tid.valid;
    this.eventNames = batch.dictionaries[C.event]!;
    if (this.counts.length < this.eventNames.length) {
      const c = new Float64Array(Math.max(this.eventNames.length, this.counts.length * 2));
      c.set(this.counts);
      this.counts = c;
    }
    const counts = this.counts;
    const lastTs = this.lastTsByCpu;
    let bits = this.tidBits;
    if (bits === null && tid.touched) bits = this.tidBits = new Int32Array(TID_BITS >> 5);
    let tidCount = this.tidCount;
    let inversions = this.inversions;
    let lastTid = -1;
    let minV = this.minV;
    let maxV = this.maxV;
    let minI = -1;
    let maxI = -1;
    for (let i = 0; i < n; i++) {
      const code = ev[i]!;
      if (code < counts.length) counts[code]!++;
      else this.countSlow(code);
      const t = ts[2 * i + 1]! * 4294967296 + ts[2 * i]!;
      if (t < minV) { minV = t; minI = i; }
      if (t > maxV) { maxV = t; maxI = i; }
      if (tidOk[i] === 1) {
        const x = tidV[i]!;
        if (x !== lastTid) {
          lastTid = x;
          if (x >= 0 && x < TID_BITS) {
            const w = x >> 5;
            const m = 1 << (x & 31);
            const word = bits![w]!;
            if ((word & m) === 0) { bits![w] = word | m; tidCount++; }
          } else this.otherTids.add(x);
        }
      }
      if (cpuOk[i] === 1) {
        const c = cpuV[i]!;
        if (c >= 0 && c < CPU_SLOTS) {
          if (t < lastTs[c]!) inversions++;
          lastTs[c] = t;
        } else {
          const prev = this.otherCpus.get(c) ?? -Infinity;
          if (t < prev) inversions++;
          this.otherCpus.set(c, t);
        }
      }
    }
    this.tidCount = tidCount;
    this.inversions = inversions;
    if (minI >= 0) { this.minV = minV; this.min = tsCol[minI]!; }
    if (maxI >= 0) { this.maxV = maxV; this.max = tsCol[maxI]!; }
    this.rows += n;
  }

  /** A code past the counts array (a batch whose dictionary was not given in full). */
  private countSlow(code: number): void {
    const c = new Float64Array(Math.max(code + 1, this.counts.length * 2));
    c.set(this.counts);
    this.counts = c;
    this.counts[code]!++;
  }

  toJSON(): EventsSummaryJson {
    const byEvent: Record<string, number> = {};
    const order = [...this.counts].map((n, code) => ({ n, code })).filter((x) => x.n > 0).sort((a, b) => b.n - a.n);
    for (const { n, code } of order) byEvent[this.eventNames[code] ?? `#${code}`] = n;
    const cpus: number[] = [];
    this.lastTsByCpu.forEach((t, c) => { if (t !== -Infinity) cpus.push(c); });
    for (const c of this.otherCpus.keys()) cpus.push(c);
    return {
      events: this.rows,
      byEvent,
      firstNs: this.min === null ? null : this.min.toString(),
      lastNs: this.max === null ? null : this.max.toString(),
      spanNs: this.min === null || this.max === null ? null : (this.max - this.min).toString(),
      cpus: cpus.sort((a, b) => a - b),
      threads: this.tidCount + this.otherTids.size,
      timeInversions: this.inversions,
    };
  }
}
