// perf.data records are written per CPU buffer, not in time order. perf guarantees only this:
// after a FINISHED_ROUND record, no record will arrive older than the newest record of the round
// *before* it. perf's reader (tools/perf/util/ordered-events.c) therefore queues records, and at
// each FINISHED_ROUND emits those at or below the previous round's maximum timestamp, in
// timestamp order, ties in arrival order. We do the same, so rows come out in perf script's order,
// and memory stays bounded by about two rounds (plus a hard cap that emits the older half early,
// like perf's OE_FLUSH__HALF).

/** A queued record: where its bytes are and when it happened. */
export type EmitFn = (buf: Uint8Array, dv: DataView, off: number, attrIdx: number, srcOff: number) => void;


export class OrderedQueue {
  private n = 0;
  /** Buffers that queued records point into; entries hold an index into these. */
  private bufs: Uint8Array[] = [];
  private dvs: DataView[] = [];
  private bufIds: Int32Array;
  private offs: Int32Array;
  private attrs: Int32Array;
  private hi: Uint32Array;
  private lo: Uint32Array;
  private src: Float64Array;
  /**
   * Spare arrays of the same capacity: a flush writes the records it keeps into them and swaps,
   * and order() sorts in two reused index arrays. Why: six fresh arrays and a copy back per
   * round were most of the queue's cost.
   */
  private altBufIds!: Int32Array;
  private altOffs!: Int32Array;
  private altAttrs!: Int32Array;
  private altHi!: Uint32Array;
  private altLo!: Uint32Array;
  private altSrc!: Float64Array;
  private idxA!: Uint32Array;
  private idxB!: Uint32Array;
  /** Largest timestamp queued so far, and the limit for the next round flush. */
  private maxHi = 0;
  private maxLo = 0;
  private limitHi = 0;
  private limitLo = 0;
  /** Records that arrived older than what was already emitted (perf: "Timestamp below last flush"). */
  belowFlush = 0;
  private lastHi = 0;
  private lastLo = 0;
  private emittedAny = false;

  constructor(private readonly emit: EmitFn, private readonly cap = 1 << 22) {
    const c = 1 << 16;
    this.offs = new Int32Array(c);
    this.bufIds = new Int32Array(c);
    this.attrs = new Int32Array(c);
    this.hi = new Uint32Array(c);
    this.lo = new Uint32Array(c);
    this.src = new Float64Array(c);
    this.allocSpares(c);
  }

  get size(): number { return this.n; }

  /** Whether a queued record points into `buf` (its reader may reuse it when not). */
  holds(buf: Uint8Array): boolean { return this.n > 0 && this.bufs.includes(buf); }

  push(buf: Uint8Array, dv: DataView, off: number, attrIdx: number, tsLo: number, tsHi: number, srcOff: number): void {
    if (this.n === this.offs.length) this.grow();
    const i = this.n++;
    let bi = this.bufs.length - 1;
    if (bi < 0 || this.bufs[bi] !== buf) {
      bi = this.bufs.length;
      this.bufs.push(buf);
      this.dvs.push(dv);
    }
    this.bufIds[i] = bi;
    this.offs[i] = off;
    this.attrs[i] = attrIdx;
    this.hi[i] = tsHi;
    this.lo[i] = tsLo;
    this.src[i] = srcOff;
    if (tsHi > this.maxHi || (tsHi === this.maxHi && tsLo > this.maxLo)) {
      this.maxHi = tsHi;
      this.maxLo = tsLo;
    }
    if (this.emittedAny && (tsHi < this.lastHi || (tsHi === this.lastHi && tsLo < this.lastLo))) this.belowFlush++;
    if (this.n >= this.cap) this.flushHalf();
  }

  /** FINISHED_ROUND: emit what is at or below the previous round's maximum. */
  round(): void {
    this.flushUpTo(this.limitHi, this.limitLo, -1);
    this.limitHi = this.maxHi;
    this.limitLo = this.maxLo;
  }

  /** End of input: emit everything. */
  finish(): void {
    this.flushUpTo(0xffffffff, 0xffffffff, -1);
  }

  private flushHalf(): void {
    this.flushUpTo(0xffffffff, 0xffffffff, this.n >>> 1);
  }

  /** The merge's spare columns and index scratch, of capacity c. */
  private allocSpares(c: number): void {
    this.altOffs = new Int32Array(c);
    this.altBufIds = new Int32Array(c);
    this.altAttrs = new Int32Array(c);
    this.altHi = new Uint32Array(c);
    this.altLo = new Uint32Array(c);
    this.altSrc = new Float64Array(c);
    this.idxA = new Uint32Array(c);
    this.idxB = new Uint32Array(c);
  }

  private grow(): void {
    const c = this.offs.length * 2;
    const g = <T extends Int32Array | Uint32Array | Float64Array>(a: T, make: new (n: number) => T): T => { const b = new make(c); b.set(a); return b; };
    this.offs = g(this.offs, Int32Array);
    this.bufIds = g(this.bufIds, Int32Array);
    this.attrs = g(this.attrs, Int32Array);
    this.hi = g(this.hi, Uint32Array);
    this.lo = g(this.lo, Uint32Array);
    this.src = g(this.src, Float64Array);
    // spares hold nothing between flushes: fresh ones of the new size
    this.allocSpares(c);
  }

  /**
   * Indices 0..n-1 sorted by (timestamp, arrival). The queue is a few ascending runs (one per CPU
   * buffer drained in the round), so a natural merge sort is linear-ish and stable by construction:
   * adjacent runs merge left-first on ties, and left holds the earlier arrivals.
   */
  private order(): Uint32Array {
    const n = this.n;
    const hi = this.hi;
    const lo = this.lo;
    let a = this.idxA;
    for (let i = 0; i < n; i++) a[i] = i;
    // run boundaries: starts of ascending runs, plus n
    const starts: number[] = [0];
    for (let i = 1; i < n; i++) {
      if (hi[i]! < hi[i - 1]! || (hi[i] === hi[i - 1] && lo[i]! < lo[i - 1]!)) starts.push(i);
    }
    if (starts.length === 1) return a;
    starts.push(n);
    let b = this.idxB;
    let runs = starts;
    while (runs.length > 2) {
      const next: number[] = [0];
      for (let r = 0; r + 1 < runs.length; r += 2) {
        const s0 = runs[r]!, m = runs[r + 1]!, e = r + 2 < runs.length ? runs[r + 2]! : m;
        let i = s0, j = m, o = s0;
        while (i < m && j < e) {
          const x = a[i]!, y = a[j]!;
          // take from the right only when strictly earlier
          if (hi[y]! < hi[x]! || (hi[y] === hi[x] && lo[y]! < lo[x]!)) { b[o++] = y; j++; } else { b[o++] = x; i++; }
        }
        while (i < m) b[o++] = a[i++]!;
        while (j < e) b[o++] = a[j++]!;
        next.push(e);
      }
      if (next[next.length - 1] !== n) next.push(n);
      runs = next;
      const t = a; a = b; b = t;
    }
    return a;
  }

  /** Emit records with ts <= (limHi, limLo) in order; with `count` >= 0 emit exactly the first `count`. */
  private flushUpTo(limHi: number, limLo: number, count: number): void {
    const n = this.n;
    if (n === 0) return;
    const idx = this.order();
    let k = 0;
    for (; k < n; k++) {
      const i = idx[k]!;
      if (count >= 0 ? k >= count : (this.hi[i]! > limHi || (this.hi[i] === limHi && this.lo[i]! > limLo))) break;
      this.lastHi = this.hi[i]!;
      this.lastLo = this.lo[i]!;
      this.emittedAny = true;
      const bi = this.bufIds[i]!;
      this.emit(this.bufs[bi]!, this.dvs[bi]!, this.offs[i]!, this.attrs[i]!, this.src[i]!);
    }
    if (k === 0) return;
    if (k === n) {
      this.n = 0;
      this.bufs = [];
      this.dvs = [];
      return;
    }
    // keep the rest, in sorted order (so ties keep arrival order against later arrivals), written
    // into the spare arrays, which then become the queue
    const rest = n - k;
    const tOffs = this.altOffs, tAttrs = this.altAttrs, tHi = this.altHi, tLo = this.altLo, tSrc = this.altSrc, tBuf = this.altBufIds;
    const offs = this.offs, attrs = this.attrs, hi = this.hi, lo = this.lo, src = this.src, bufIds = this.bufIds;
    for (let j = 0; j < rest; j++) {
      const i = idx[k + j]!;
      tOffs[j] = offs[i]!; tAttrs[j] = attrs[i]!; tBuf[j] = bufIds[i]!;
      tHi[j] = hi[i]!; tLo[j] = lo[i]!; tSrc[j] = src[i]!;
    }
    this.altOffs = offs; this.altAttrs = attrs; this.altHi = hi; this.altLo = lo; this.altSrc = src; this.altBufIds = bufIds;
    this.offs = tOffs; this.attrs = tAttrs; this.hi = tHi; this.lo = tLo; this.src = tSrc; this.bufIds = tBuf;
    // renumber the buffers still referenced, so emitted chunks can be collected
    const remap = new Int32Array(this.bufs.length).fill(-1); // old buffer index -> new (a handful)
    const bufs: Uint8Array[] = [];
    const dvs: DataView[] = [];
    for (let j = 0; j < rest; j++) {
      const old = tBuf[j]!;
      let nb = remap[old]!;
      if (nb < 0) {
        nb = bufs.length;
        remap[old] = nb;
        bufs.push(this.bufs[old]!);
        dvs.push(this.dvs[old]!);
      }
      tBuf[j] = nb;
    }
    this.bufs = bufs;
    this.dvs = dvs;
    this.n = rest;
  }
}
