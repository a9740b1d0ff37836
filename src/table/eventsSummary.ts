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

  constructor() {
    warmScanRows();
  }

  add(batch: EventBatch): void {
    const n = batch.length;
    const tsCol = batch.columns[C.ts_ns]!.values as BigInt64Array;
    const cpu = batch.columns[C.cpu]!;
    const tid = batch.columns[C.tid]!;
    this.eventNames = batch.dictionaries[C.event]!;
    if (this.counts.length < this.eventNames.length) this.growCounts(this.eventNames.length);
    if (this.tidBits === null && tid.touched) this.tidBits = new Int32Array(TID_BITS >> 5);
    const st = this.state;
    st[S_MIN] = this.minV;
    st[S_MAX] = this.maxV;
    st[S_MIN_I] = -1;
    st[S_MAX_I] = -1;
    st[S_TIDS] = this.tidCount;
    st[S_INVERSIONS] = this.inversions;
    st[S_ODD_AT] = -1;
    let from = 0;
    for (;;) {
      scanRows(from, n, batch.columns[C.event]!.values as Int32Array, new Uint32Array(tsCol.buffer, tsCol.byteOffset, n * 2),
        cpu.values as Int32Array, cpu.valid, tid.values as Int32Array, tid.valid, this.counts, this.lastTsByCpu, this.tidBits ?? NO_BITS, st);
      const odd = st[S_ODD_AT]!;
      if (odd < 0) break;
      // a row the typed arrays cannot hold (event code past counts, tid or CPU out of range): here, then on
      this.oddRow(odd, batch);
      st[S_ODD_AT] = -1;
      from = odd + 1;
    }
    this.tidCount = st[S_TIDS]!;
    this.inversions = st[S_INVERSIONS]!;
    const minI = st[S_MIN_I]!;
    const maxI = st[S_MAX_I]!;
    if (minI >= 0) { this.minV = st[S_MIN]!; this.min = tsCol[minI]!; }
    if (maxI >= 0) { this.maxV = st[S_MAX]!; this.max = tsCol[maxI]!; }
    this.rows += n;
  }

  /** scanRows stopped at row i: count what it could not, with the Set/Map fallbacks (and its min/max). */
  private oddRow(i: number, batch: EventBatch): void {
    const st = this.state;
    const code = (batch.columns[C.event]!.values as Int32Array)[i]!;
    if (code < this.counts.length) this.counts[code]!++;
    else this.countSlow(code);
    const tsCol = batch.columns[C.ts_ns]!.values as BigInt64Array;
    const halves = new Uint32Array(tsCol.buffer, tsCol.byteOffset + i * 8, 2);
    const t = halves[1]! * 4294967296 + halves[0]!;
    if (t < st[S_MIN]!) { st[S_MIN] = t; st[S_MIN_I] = i; }
    if (t > st[S_MAX]!) { st[S_MAX] = t; st[S_MAX_I] = i; }
    const tid = batch.columns[C.tid]!;
    if (tid.valid[i] === 1) {
      const x = (tid.values as Int32Array)[i]!;
      if (x >= 0 && x < TID_BITS) {
        const bits = this.tidBits!;
        const m = 1 << (x & 31);
        if ((bits[x >> 5]! & m) === 0) { bits[x >> 5]! |= m; st[S_TIDS]!++; }
      } else this.otherTids.add(x);
    }
    const cpu = batch.columns[C.cpu]!;
    if (cpu.valid[i] === 1) {
      const c = (cpu.values as Int32Array)[i]!;
      if (c >= 0 && c < CPU_SLOTS) {
        if (t < this.lastTsByCpu[c]!) st[S_INVERSIONS]!++;
        this.lastTsByCpu[c] = t;
      } else {
        const prev = this.otherCpus.get(c) ?? -Infinity;
        if (t < prev) st[S_INVERSIONS]!++;
        this.otherCpus.set(c, t);
      }
    }
  }

  private growCounts(size: number): void {
    const c = new Float64Array(Math.max(size, this.counts.length * 2));
    c.set(this.counts);
    this.counts = c;
  }

  /** A code past the counts array (a batch whose dictionary was not given in full). */
  private countSlow(code: number): void {
    this.growCounts(code + 1);
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

/** Indices into the state array scanRows reads and updates. */
const S_MIN = 0;
const S_MAX = 1;
const S_MIN_I = 2;
const S_MAX_I = 3;
const S_TIDS = 4;
const S_INVERSIONS = 5;
/** Row where scanRows stopped on a row it cannot count (-1: it did every row). */
const S_ODD_AT = 6;
const S_WORDS = 7;
const NO_BITS = new Int32Array(0);

/**
 * The per-row work of EventsSummary.add over rows [from, n), on typed arrays only. Why a function of
 * its own: as a method reading object fields it was deoptimised again and again (new field types
 * after the first batch) and ran batches in the interpreter, boxing a heap number per row. Stops at
 * the first row needing a Set/Map (state[S_ODD_AT] = that row), which the caller handles.
 */
function scanRows(from: number, n: number, ev: Int32Array, ts: Uint32Array, cpuV: Int32Array, cpuOk: Uint8Array, tidV: Int32Array, tidOk: Uint8Array,
  counts: Float64Array, lastTs: Float64Array, bits: Int32Array, state: Float64Array): void {
  let minV = state[S_MIN]!;
  let maxV = state[S_MAX]!;
  let minI = state[S_MIN_I]!;
  let maxI = state[S_MAX_I]!;
  let tidCount = state[S_TIDS]!;
  let inversions = state[S_INVERSIONS]!;
  let lastTid = -1;
  const nCounts = counts.length;
  let i = from;
  for (; i < n; i++) {
    const code = ev[i]!;
    if (code >= nCounts) break;
    const okTid = tidOk[i] === 1;
    const x = okTid ? tidV[i]! : 0;
    if (okTid && x !== lastTid && (x < 0 || x >= TID_BITS)) break;
    const okCpu = cpuOk[i] === 1;
    const c = okCpu ? cpuV[i]! : 0;
    if (okCpu && (c < 0 || c >= CPU_SLOTS)) break;
    counts[code]!++;
    const t = ts[2 * i + 1]! * 4294967296 + ts[2 * i]!;
    if (t < minV) { minV = t; minI = i; }
    if (t > maxV) { maxV = t; maxI = i; }
    if (okTid && x !== lastTid) {
      lastTid = x;
      const w = x >> 5;
      const m = 1 << (x & 31);
      const word = bits[w]!;
      if ((word & m) === 0) { bits[w] = word | m; tidCount++; }
    }
    if (okCpu) {
      if (t < lastTs[c]!) inversions++;
      lastTs[c] = t;
    }
  }
  state[S_MIN] = minV;
  state[S_MAX] = maxV;
  state[S_MIN_I] = minI;
  state[S_MAX_I] = maxI;
  state[S_TIDS] = tidCount;
  state[S_INVERSIONS] = inversions;
  state[S_ODD_AT] = i < n ? i : -1;
}

let warm = false;
/**
 * Calls of scanRows on a one-row batch that takes every branch, before the first real batch.
 * Why: V8 optimises scanRows while its first batch runs (on-stack replacement), before the code
 * after the loop has run once; that code then deoptimises on its first run for lack of type
 * feedback, and the next batches ran in the interpreter (a heap number per row, ~30-50 MB of
 * garbage per 3 M rows) until it was optimised again.
 */
function warmScanRows(): void {
  if (warm) return;
  warm = true;
  const one = new Uint8Array([1]);
  // several calls: V8 allocates a function's feedback vector only after some bytecode has run; and
  // values of the real kinds (a timestamp above 2^32 ns, infinite bounds): Smi-only feedback would
  // deoptimise again at the first real timestamp
  for (let k = 0; k < 40; k++) {
    const state = new Float64Array(S_WORDS);
    state[S_MIN] = Infinity;
    state[S_MAX] = -Infinity;
    state[S_MIN_I] = -1;
    state[S_MAX_I] = -1;
    state[S_ODD_AT] = -1;
    scanRows(0, 1, new Int32Array(1), Uint32Array.of(0x89abcdef, 0x5a000 + k), new Int32Array(1), one, new Int32Array(1), one,
      new Float64Array(1), new Float64Array(1).fill(-Infinity), new Int32Array(1), state);
  }
}
