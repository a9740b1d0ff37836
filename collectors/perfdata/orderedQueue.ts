// perf.data records are written per CPU buffer, not in time order. perf guarantees only this:
// after a FINISHED_ROUND record, no record will arrive older than the newest record of the round
// *before* it. perf's reader (tools/perf/util/ordered-events.c) therefore queues records, and at
// each FINISHED_ROUND emits those at or below the previous round's maximum timestamp, in
// timestamp order, ties in arrival order. We do the same, so rows come out in perf script's order,
// and memory stays bounded by about two rounds (plus a hard cap that emits the older half early,
// like perf's OE_FLUSH__HALF).
//
// How: records arrive as a handful of ascending runs (perf drains one CPU buffer after another), so
// the queue keeps them as runs in arrival order and a flush is a k-way merge over the run heads
// (smallest (ts, run order) first; run order = arrival order, so ties keep arrival order): with few
// runs by scanning the heads and emitting streaks, with many (many CPUs) by a loser tree. A run's
// emitted prefix is only skipped (its head advances); nothing is sorted, indexed or copied per
// round. The column arrays are compacted (live runs moved to the front) only when they are full.

/**
 * Called for every record, in order: where its bytes are, which attr it belongs to, its time as
 * pushed, the low half as an int32 (`tsLo >>> 0` is the unsigned value). Why: an uint32 above 2^31
 * passed to a call is a heap number, half of all records, ~30 MB of garbage per 3 M records.
 */
export type EmitFn = (buf: Uint8Array, dv: DataView, off: number, attrIdx: number, srcOff: number, tsLo: number, tsHi: number) => void;

/** Up to this many runs a flush scans the run heads; above, it plays them in a loser tree. */
const SCAN_RUNS = 8;

export class OrderedQueue {
  /** Records appended so far (including emitted ones not yet compacted away): the next slot. */
  private n = 0;
  /** Records queued and not yet emitted. */
  private live = 0;
  // record columns, index = slot
  private hi: Uint32Array;
  private lo: Uint32Array;
  private offs: Int32Array;
  private attrs: Int32Array;
  /** Index into bufs/dvs of the buffer the record lies in. */
  private bufIds: Int32Array;
  private src: Float64Array;
  /**
   * Buffers that queued records point into, and how many queued records point into each (0 = a
   * free entry). Why counts: holds() is asked per read chunk, and a round flush must not rebuild
   * this table.
   */
  private readonly bufs: (Uint8Array | null)[] = [];
  private readonly dvs: (DataView | null)[] = [];
  private bufRefs: Int32Array = new Int32Array(16);
  private curBuf = -1;
  // runs in arrival order: slots [head, end) not emitted yet; the last run's end is n
  private runHead: Int32Array = new Int32Array(64);
  private runEnd: Int32Array = new Int32Array(64);
  private runs = 0;
  /**
   * The runs a flush merges (the loser tree's leaves), with their head's time cached next to them
   * (the tree compares without going through runHead).
   */
  private merging: Int32Array = new Int32Array(64);
  private headHi: Uint32Array = new Uint32Array(64);
  private headLo: Uint32Array = new Uint32Array(64);
  /** Loser tree of a many-run flush: losers per node, and the winners while it is built. */
  private tree: Int32Array = new Int32Array(0);
  private treeUp: Int32Array = new Int32Array(0);
  /** Timestamp of the last record pushed (a smaller one starts a new run). */
  private tailHi = 0;
  private tailLo = 0;
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

  /** `cap`: queued records that force a half flush; `slots`: initial array capacity (tests make it tiny). */
  constructor(private readonly emit: EmitFn, private readonly cap = 1 << 22, slots = 1 << 16) {
    const c = Math.max(1, slots);
    this.hi = new Uint32Array(c);
    this.lo = new Uint32Array(c);
    this.offs = new Int32Array(c);
    this.attrs = new Int32Array(c);
    this.bufIds = new Int32Array(c);
    this.src = new Float64Array(c);
  }

  get size(): number { return this.live; }

  /** Whether a queued record points into `buf` (its reader may reuse it when not). */
  holds(buf: Uint8Array): boolean {
    if (this.live === 0) return false;
    for (let i = 0; i < this.bufs.length; i++) if (this.bufs[i] === buf && this.bufRefs[i]! > 0) return true;
    return false;
  }

  push(buf: Uint8Array, dv: DataView, off: number, attrIdx: number, tsLo: number, tsHi: number, srcOff: number): void {
    if (this.n === this.hi.length) this.compact();
    let bi = this.curBuf;
    if (bi < 0 || this.bufs[bi] !== buf) bi = this.bufSlot(buf, dv);
    this.bufRefs[bi]++;
    const i = this.n++;
    this.live++;
    this.hi[i] = tsHi;
    this.lo[i] = tsLo;
    this.offs[i] = off;
    this.attrs[i] = attrIdx;
    this.bufIds[i] = bi;
    this.src[i] = srcOff;
    // the last run's end is n: runEnd of the last run is only written when it is needed (endRuns)
    if (this.runs === 0 || tsHi < this.tailHi || (tsHi === this.tailHi && tsLo < this.tailLo)) this.newRun(i);
    this.tailHi = tsHi;
    this.tailLo = tsLo;
    if (tsHi > this.maxHi || (tsHi === this.maxHi && tsLo > this.maxLo)) {
      this.maxHi = tsHi;
      this.maxLo = tsLo;
    }
    if (this.emittedAny && (tsHi < this.lastHi || (tsHi === this.lastHi && tsLo < this.lastLo))) this.belowFlush++;
    if (this.live >= this.cap) this.flushHalf();
  }

  /** FINISHED_ROUND: emit what is at or below the previous round's maximum. */
  round(): void {
    this.flush(this.limitHi, this.limitLo, -1);
    this.limitHi = this.maxHi;
    this.limitLo = this.maxLo;
  }

  /** End of input: emit everything. */
  finish(): void {
    this.flush(0xffffffff, 0xffffffff, -1);
  }

  private flushHalf(): void {
    this.flush(0xffffffff, 0xffffffff, this.live >>> 1);
  }

  /** The table entry for a buffer not seen last: an existing one, a free one, or a new one. */
  private bufSlot(buf: Uint8Array, dv: DataView): number {
    let free = -1;
    for (let i = 0; i < this.bufs.length; i++) {
      if (this.bufs[i] === buf) return (this.curBuf = i);
      if (free < 0 && this.bufRefs[i] === 0) free = i;
    }
    if (free < 0) {
      free = this.bufs.length;
      this.bufs.push(null);
      this.dvs.push(null);
      if (free === this.bufRefs.length) this.bufRefs = grown(this.bufRefs, free * 2);
    }
    this.bufs[free] = buf;
    this.dvs[free] = dv;
    return (this.curBuf = free);
  }

  private newRun(i: number): void {
    if (this.runs > 0) this.runEnd[this.runs - 1] = i;
    if (this.runs === this.runHead.length) {
      this.runHead = grown(this.runHead, this.runs * 2);
      this.runEnd = grown(this.runEnd, this.runs * 2);
      this.merging = new Int32Array(this.runs * 2);
      this.headHi = new Uint32Array(this.runs * 2);
      this.headLo = new Uint32Array(this.runs * 2);
    }
    this.runHead[this.runs] = i;
    this.runEnd[this.runs] = i;
    this.runs++;
  }

  /**
   * The arrays are full: move the live part of every run to the front (runs stay runs, in order),
   * into arrays twice as big when more than 3/4 is live. Amortised: at least a quarter of the
   * capacity is pushed between two compactions.
   */
  private compact(): void {
    this.runEnd[this.runs - 1] = this.n;
    const c = this.hi.length;
    const to = this.live * 4 > c * 3 ? c * 2 : c;
    const move = <T extends Int32Array | Uint32Array | Float64Array>(a: T, make: new (n: number) => T): T => {
      const b = to === c ? a : new make(to);
      let w = 0;
      for (let r = 0; r < this.runs; r++) {
        const h = this.runHead[r]!, e = this.runEnd[r]!;
        if (b === a) a.copyWithin(w, h, e); else b.set(a.subarray(h, e), w);
        w += e - h;
      }
      return b;
    };
    this.hi = move(this.hi, Uint32Array);
    this.lo = move(this.lo, Uint32Array);
    this.offs = move(this.offs, Int32Array);
    this.attrs = move(this.attrs, Int32Array);
    this.bufIds = move(this.bufIds, Int32Array);
    this.src = move(this.src, Float64Array);
    let w = 0;
    for (let r = 0; r < this.runs; r++) {
      const len = this.runEnd[r]! - this.runHead[r]!;
      this.runHead[r] = w;
      this.runEnd[r] = w + len;
      w += len;
    }
    this.n = w;
  }

  /** Run a before run b in merge order: head (ts, run index) smaller. */
  private before(a: number, b: number): boolean {
    const i = this.runHead[a]!, j = this.runHead[b]!;
    const ha = this.hi[i]!, hb = this.hi[j]!;
    if (ha !== hb) return ha < hb;
    const la = this.lo[i]!, lb = this.lo[j]!;
    return la !== lb ? la < lb : a < b;
  }

  /**
   * Emit records with ts <= (limHi, limLo) in (ts, arrival) order; with `count` >= 0 emit exactly
   * the first `count`. Few runs: scan their heads; many: a loser tree.
   */
  private flush(limHi: number, limLo: number, count: number): void {
    if (this.live === 0) return;
    const runs = this.runs;
    this.runEnd[runs - 1] = this.n;
    let size = 0;
    for (let r = 0; r < runs; r++) {
      const h = this.runHead[r]!;
      if (h < this.runEnd[r]!) {
        this.merging[size] = r;
        this.headHi[size] = this.hi[h]!;
        this.headLo[size] = this.lo[h]!;
        size++;
      }
    }
    const left = count >= 0 ? count : this.live;
    const emitted = size > SCAN_RUNS ? this.mergeTree(size, limHi, limLo, left) : this.mergeScan(size, limHi, limLo, left);
    if (emitted === 0) return;
    this.emittedAny = true;
    this.live -= emitted;
    this.dropEmptyRuns();
  }

  /**
   * Few runs: take the run with the smallest head and emit from it while it stays before the
   * next-best run's head (a streak: runs interleave in blocks), then look at the heads again.
   */
  private mergeScan(size: number, limHi: number, limLo: number, left: number): number {
    const merging = this.merging;
    const hi = this.hi, lo = this.lo, offs = this.offs, attrs = this.attrs, bufIds = this.bufIds, src = this.src;
    const runHead = this.runHead, runEnd = this.runEnd, bufRefs = this.bufRefs, bufs = this.bufs, dvs = this.dvs;
    let emitted = 0;
    while (left > 0 && size > 0) {
      // r: the run with the smallest head; (bHi, bLo, bRun): the next-best head, the streak's bound
      let slot = 0;
      let r = merging[0]!;
      for (let k = 1; k < size; k++) {
        const q = merging[k]!;
        if (this.before(q, r)) { slot = k; r = q; }
      }
      let bHi = 0xffffffff, bLo = 0xffffffff, bRun = 0x7fffffff;
      for (let k = 0; k < size; k++) {
        const q = merging[k]!;
        if (q === r) continue;
        const j = runHead[q]!;
        const h = hi[j]!, l = lo[j]!;
        if (h < bHi || (h === bHi && (l < bLo || (l === bLo && q < bRun)))) { bHi = h; bLo = l; bRun = q; }
      }
      let i = runHead[r]!;
      const e = runEnd[r]!;
      const h0 = hi[i]!;
      if (h0 > limHi || (h0 === limHi && lo[i]! > limLo)) break; // the smallest head is past the limit
      // the streak: this run's records while ts <= (sHi, sLo) = min(limit, bound), where a bound
      // of an earlier run is exclusive (ties go to the earlier run): ts <= bound - 1
      let sHi = bHi, sLo = bLo;
      if (r > bRun) {
        // r's head is strictly below the bound here (r is the smallest head), so bound - 1 >= 0
        if (sLo === 0) { sHi--; sLo = 0xffffffff; } else sLo--;
      }
      if (limHi < sHi || (limHi === sHi && limLo < sLo)) { sHi = limHi; sLo = limLo; }
      const from = i;
      do {
        const h = hi[i]!;
        if (h > sHi || (h === sHi && lo[i]! > sLo)) break;
        const bi = bufIds[i]!;
        bufRefs[bi]--;
        this.emit(bufs[bi]!, dvs[bi]!, offs[i]!, attrs[i]!, src[i]!, lo[i]! | 0, h);
        i++;
      } while (--left > 0 && i < e);
      emitted += i - from;
      this.lastHi = hi[i - 1]!;
      this.lastLo = lo[i - 1]!;
      runHead[r] = i;
      if (i === e) merging[slot] = merging[--size]!;
    }
    return emitted;
  }

  /**
   * Many runs (many CPUs, whose records interleave finely): a loser tree over the run heads, one
   * comparison per level per record. Leaves are the slots of merging/headHi/headLo (-1 in merging: run
   * exhausted or padding); tree[node] holds the loser of the match at that node.
   */
  private mergeTree(size: number, limHi: number, limLo: number, left: number): number {
    let p = 2;
    while (p < size) p <<= 1;
    if (this.merging.length < p) {
      this.merging = grown(this.merging, p);
      this.headHi = grown(this.headHi, p);
      this.headLo = grown(this.headLo, p);
    }
    if (this.tree.length < p) { this.tree = new Int32Array(p); this.treeUp = new Int32Array(p); }
    const merging = this.merging, kHi = this.headHi, kLo = this.headLo, tree = this.tree, up = this.treeUp;
    for (let j = size; j < p; j++) merging[j] = -1;
    // build bottom-up: node x (1..p-1) has children 2x, 2x+1 (>= p: leaf x - p); up[x] is the
    // winner that came up to x, tree[x] the loser that stays
    for (let node = p - 1; node >= 1; node--) {
      const l = 2 * node, r = l + 1;
      const a = l >= p ? l - p : up[l]!, b = r >= p ? r - p : up[r]!;
      if (this.leafBefore(b, a)) { up[node] = b; tree[node] = a; } else { up[node] = a; tree[node] = b; }
    }
    let w = up[1]!;
    const hi = this.hi, lo = this.lo, offs = this.offs, attrs = this.attrs, bufIds = this.bufIds, src = this.src;
    const runHead = this.runHead, runEnd = this.runEnd, bufRefs = this.bufRefs, bufs = this.bufs, dvs = this.dvs;
    let emitted = 0;
    while (left > 0) {
      const r = merging[w]!;
      if (r < 0) break; // every run exhausted
      const h = kHi[w]!, l = kLo[w]!;
      if (h > limHi || (h === limHi && l > limLo)) break;
      let i = runHead[r]!;
      const bi = bufIds[i]!;
      bufRefs[bi]--;
      this.emit(bufs[bi]!, dvs[bi]!, offs[i]!, attrs[i]!, src[i]!, l | 0, h);
      this.lastHi = h;
      this.lastLo = l;
      emitted++;
      left--;
      runHead[r] = ++i;
      if (i < runEnd[r]!) { kHi[w] = hi[i]!; kLo[w] = lo[i]!; } else merging[w] = -1;
      // replay w's path: at each node the stored loser plays the current winner
      for (let node = (w + p) >>> 1; node >= 1; node >>>= 1) {
        const t = tree[node]!;
        if (this.leafBefore(t, w)) { tree[node] = w; w = t; }
      }
    }
    return emitted;
  }

  /** Leaf a before leaf b: a live run with the smaller (head time, run index); exhausted last. */
  private leafBefore(a: number, b: number): boolean {
    const ra = this.merging[a]!, rb = this.merging[b]!;
    if (rb < 0) return ra >= 0;
    if (ra < 0) return false;
    const ha = this.headHi[a]!, hb = this.headHi[b]!;
    if (ha !== hb) return ha < hb;
    const la = this.headLo[a]!, lb = this.headLo[b]!;
    return la !== lb ? la < lb : ra < rb;
  }

  /** Forget emitted runs (keeping the last: the next push may extend it) and emptied buffers. */
  private dropEmptyRuns(): void {
    if (this.live === 0) {
      // all emitted: start the arrays over
      this.n = 0;
      this.runs = 0;
      this.bufs.length = 0;
      this.dvs.length = 0;
      this.bufRefs.fill(0);
      this.curBuf = -1;
      return;
    }
    let w = 0;
    const last = this.runs - 1;
    for (let r = 0; r < this.runs; r++) {
      if (r < last && this.runHead[r] === this.runEnd[r]) continue;
      this.runHead[w] = this.runHead[r]!;
      this.runEnd[w] = this.runEnd[r]!;
      w++;
    }
    this.runs = w;
    // buffers no queued record points into: drop the reference so the chunk can be collected
    for (let b = 0; b < this.bufs.length; b++) {
      if (this.bufRefs[b] === 0 && b !== this.curBuf) { this.bufs[b] = null; this.dvs[b] = null; }
    }
  }
}

/** A copy of `a` in a new array of the same kind with `to` elements. */
function grown<T extends Int32Array | Uint32Array>(a: T, to: number): T {
  const b = new (a.constructor as new (n: number) => T)(to);
  b.set(a);
  return b;
}
