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
  /** scanRows' running values (see the S_ indices). */
  private readonly state = new Float64Array(S_WORDS);
  /** Rows scanRows left to the Set/Map fallbacks (tid or CPU out of the typed arrays' range). */
  private oddRows = new Int32Array(0);

  add(batch: EventBatch): void {
    const n = batch.length;
    const ev = batch.columns[C.event]!.values as Int32Array;
    const tsCol = batch.columns[C.ts_ns]!.values as BigInt64Array;
    const cpu = batch.columns[C.cpu]!;
    const tid = batch.columns[C.tid]!;
    this.eventNames = batch.dictionaries[C.event]!;
    if (this.counts.length < this.eventNames.length) this.growCounts(this.eventNames.length);
    if (this.tidBits === null && tid.touched) this.tidBits = new Int32Array(TID_BITS >> 5);
    if (this.oddRows.length < n) this.oddRows = new Int32Array(n);
    const st = this.state;
    st[S_MIN] = this.minV;
    st[S_MAX] = this.maxV;
    st[S_MIN_I] = -1;
    st[S_MAX_I] = -1;
    st[S_TIDS] = this.tidCount;
    st[S_INVERSIONS] = this.inversions;
    st[S_ODD] = 0;
    const ts = new Uint32Array(tsCol.buffer, tsCol.byteOffset, n * 2);
    for (let from = 0; ;) {
      scanRows(from, n, ev, ts, cpu.values as Int32Array, cpu.valid, tid.values as Int32Array, tid.valid,
        this.counts, this.lastTsByCpu, this.tidBits ?? NO_BITS, this.oddRows, st);
      from = st[S_STOP_AT]!;
      if (from < 0) break;
      // an event code past the counts (a batch whose dictionary was not given in full): grow, go on from that row
      this.growCounts(ev[from]! + 1);
    }
    this.tidCount = st[S_TIDS]!;
    this.inversions = st[S_INVERSIONS]!;
    // the rows scanRows could not place, in row order (per-CPU order is all inversions need)
    for (let k = 0; k < st[S_ODD]!; k++) {
      const i = this.oddRows[k]!;
      if (tid.valid[i] === 1) {
        const x = (tid.values as Int32Array)[i]!;
        if (x < 0 || x >= TID_BITS) this.otherTids.add(x);
      }
      if (cpu.valid[i] === 1) {
        const c = (cpu.values as Int32Array)[i]!;
        if (c < 0 || c >= CPU_SLOTS) {
          const t = ts[2 * i + 1]! * 4294967296 + ts[2 * i]!;
          if (t < (this.otherCpus.get(c) ?? -Infinity)) this.inversions++;
          this.otherCpus.set(c, t);
        }
      }
    }
    const minI = st[S_MIN_I]!;
    const maxI = st[S_MAX_I]!;
    if (minI >= 0) { this.minV = st[S_MIN]!; this.min = tsCol[minI]!; }
    if (maxI >= 0) { this.maxV = st[S_MAX]!; this.max = tsCol[maxI]!; }
    this.rows += n;
  }

  private growCounts(size: number): void {
    const c = new Float64Array(Math.max(size, this.counts.length * 2));
    c.set(this.counts);
    this.counts = c;
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

/** Indices into the state array scanRows reads and updates. */
const S_MIN = 0;
const S_MAX = 1;
const S_MIN_I = 2;
const S_MAX_I = 3;
const S_TIDS = 4;
const S_INVERSIONS = 5;
/** Rows written to `odd` so far. */
const S_ODD = 6;
/** Row where scanRows stopped on an event code past `counts` (-1: it did every row). */
const S_STOP_AT = 7;
const S_WORDS = 8;
const NO_BITS = new Int32Array(0);

/**
 * The per-row work of EventsSummary.add over rows [from, n), on typed arrays only. Why a function of
 * its own: as a method reading object fields it was deoptimised again and again (new field types
 * after the first batch) and ran batches in the interpreter, boxing a heap number per row. A tid or
 * CPU outside the typed arrays' range is left to the caller (its row appended to `odd`); an event
 * code past `counts` stops the scan (state[S_STOP_AT] = that row).
 */
function scanRows(from: number, n: number, ev: Int32Array, ts: Uint32Array, cpuV: Int32Array, cpuOk: Uint8Array, tidV: Int32Array, tidOk: Uint8Array,
  counts: Float64Array, lastTs: Float64Array, bits: Int32Array, odd: Int32Array, state: Float64Array): void {
  let minV = state[S_MIN]!;
  let maxV = state[S_MAX]!;
  let minI = state[S_MIN_I]!;
  let maxI = state[S_MAX_I]!;
  let tidCount = state[S_TIDS]!;
  let inversions = state[S_INVERSIONS]!;
  let nOdd = state[S_ODD]!;
  let lastTid = -1;
  const nCounts = counts.length;
  let i = from;
  for (; i < n; i++) {
    const code = ev[i]!;
    if (code >= nCounts) break;
    counts[code]!++;
    const t = ts[2 * i + 1]! * 4294967296 + ts[2 * i]!;
    if (t < minV) { minV = t; minI = i; }
    if (t > maxV) { maxV = t; maxI = i; }
    let isOdd = false;
    if (tidOk[i] === 1) {
      const x = tidV[i]!;
      if (x !== lastTid) {
        lastTid = x;
        if (x >= 0 && x < TID_BITS) {
          const w = x >> 5;
          const m = 1 << (x & 31);
          const word = bits[w]!;
          if ((word & m) === 0) { bits[w] = word | m; tidCount++; }
        } else isOdd = true;
      }
    }
    if (cpuOk[i] === 1) {
      const c = cpuV[i]!;
      if (c >= 0 && c < CPU_SLOTS) {
        if (t < lastTs[c]!) inversions++;
        lastTs[c] = t;
      } else isOdd = true;
    }
    if (isOdd) odd[nOdd++] = i;
  }
  state[S_MIN] = minV;
  state[S_MAX] = maxV;
  state[S_MIN_I] = minI;
  state[S_MAX_I] = maxI;
  state[S_TIDS] = tidCount;
  state[S_INVERSIONS] = inversions;
  state[S_ODD] = nOdd;
  state[S_STOP_AT] = i < n ? i : -1;
}

/**
 * Calls of scanRows on a one-row batch that takes every branch, once, when this module loads.
 * Why: V8 optimises scanRows while its first batch runs (on-stack replacement), before the code
 * after the loop has run once; that code then deoptimises on its first run for lack of type
 * feedback, and the next batches ran in the interpreter (a heap number per row, ~30-50 MB of
 * garbage per 3 M rows) until it was optimised again. Several calls: V8 allocates a function's
 * feedback vector only after some bytecode has run; values of the real kinds (a timestamp above
 * 2^32 ns, infinite bounds, an odd row): Smi-only feedback would deoptimise at the first timestamp.
 */
function warmScanRows(): void {
  const one = new Uint8Array([1]);
  for (let k = 0; k < 40; k++) {
    const state = new Float64Array(S_WORDS);
    state[S_MIN] = Infinity;
    state[S_MAX] = -Infinity;
    state[S_MIN_I] = -1;
    state[S_MAX_I] = -1;
    scanRows(0, 1, new Int32Array(1), Uint32Array.of(0x89abcdef, 0x5a000 + k), Int32Array.of(k === 0 ? CPU_SLOTS : 0), one, new Int32Array(1), one,
      new Float64Array(1), new Float64Array(1).fill(-Infinity), new Int32Array(1), new Int32Array(1), state);
  }
}
warmScanRows();
