// perf's ordering contract: after FINISHED_ROUND nothing older than the *previous* round's newest
// record arrives; records of equal time keep their arrival order (tools/perf/util/ordered-events.c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderedQueue } from '../../../collectors/perfdata/orderedQueue.js';

function run(script: (q: OrderedQueue, push: (ts: number, tag: number) => void, out: number[]) => void): number[] {
  const out: number[] = [];
  const buf = new Uint8Array(8);
  const dv = new DataView(buf.buffer);
  const q = new OrderedQueue((_b, _d, off) => out.push(off));
  script(q, (ts, tag) => q.push(buf, dv, tag, 0, ts, 0, 0), out);
  return out;
}

test('a round flushes only up to the previous round\'s newest record', () => {
  let afterRound1: number[] = [];
  let afterRound2: number[] = [];
  const out = run((q, push, o) => {
    push(10, 1); push(30, 2); push(20, 3); // CPU0 10, CPU1 30, CPU0 20
    q.round();
    afterRound1 = [...o]; // limit was 0: nothing yet
    push(25, 4); push(15, 5); push(40, 6); // 15 < 30: legal, it belongs before 20
    q.round();
    afterRound2 = [...o]; // up to 30
    q.finish();
  });
  assert.deepEqual(afterRound1, []);
  assert.deepEqual(afterRound2, [1, 5, 3, 4, 2]);
  assert.deepEqual(out, [1, 5, 3, 4, 2, 6]);
});

test('equal timestamps keep arrival order, also against records kept from an earlier flush', () => {
  const out = run((q, push) => {
    push(5, 1); push(50, 2); push(50, 3);
    q.round(); q.round(); // second round flushes <= 50
    push(50, 4); push(7, 5);
    q.finish();
  });
  assert.deepEqual(out, [1, 2, 3, 5, 4]);
});

test('timestamps above 2^32 ns (uptime > 4.3 s) and above 2^53 sort by both halves', () => {
  const out: number[] = [];
  const buf = new Uint8Array(8);
  const dv = new DataView(buf.buffer);
  const q = new OrderedQueue((_b, _d, off) => out.push(off));
  q.push(buf, dv, 1, 0, 5, 0x300000, 0); // ~2^53.6 ns
  q.push(buf, dv, 2, 0, 0xffffffff, 2, 0);
  q.push(buf, dv, 3, 0, 0, 3, 0);
  q.push(buf, dv, 4, 0, 4, 0x300000, 0);
  q.finish();
  assert.deepEqual(out, [2, 3, 4, 1]);
});

test('the hard cap emits the older half early instead of growing without bound', () => {
  const out: number[] = [];
  const buf = new Uint8Array(8);
  const dv = new DataView(buf.buffer);
  const q = new OrderedQueue((_b, _d, off) => out.push(off), 8);
  for (let i = 0; i < 8; i++) q.push(buf, dv, i, 0, 100 - i, 0, 0);
  assert.equal(q.size, 4);
  assert.deepEqual(out, [7, 6, 5, 4]);
});

// ---- the queue against a plain model -------------------------------------------------------
// Model of perf's rule: everything queued, stable-sorted by time (arrival order on ties); a round
// emits those <= the previous round's newest, finish() all, the hard cap the older half.

/** xorshift32: deterministic scripts, so a failure reproduces. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 4294967296; };
}

interface Rec { ts: bigint; tag: number; buf: number }

class Model {
  pending: Rec[] = [];
  out: number[] = [];
  max = 0n;
  limit = 0n;
  last = -1n;
  below = 0;
  constructor(private readonly cap: number) {}
  push(r: Rec): void {
    this.pending.push(r);
    if (r.ts > this.max) this.max = r.ts;
    if (this.last >= 0n && r.ts < this.last) this.below++;
    if (this.pending.length >= this.cap) this.take(Math.floor(this.pending.length / 2));
  }
  private sorted(): Rec[] {
    return this.pending.map((r, i) => [r, i] as const).sort((a, b) => (a[0].ts < b[0].ts ? -1 : a[0].ts > b[0].ts ? 1 : a[1] - b[1])).map((x) => x[0]);
  }
  private take(count: number): void {
    const s = this.sorted();
    for (const r of s.slice(0, count)) { this.out.push(r.tag); this.last = r.ts; }
    this.pending = s.slice(count);
  }
  round(): void {
    this.take(this.sorted().filter((r) => r.ts <= this.limit).length);
    this.limit = this.max;
  }
  finish(): void { this.take(this.pending.length); }
}

/** A script like perf writes one: rounds of per-CPU ascending runs, with ties, late records and big times. */
function randomScript(rand: () => number): { ops: (Rec | 'round')[]; cap: number } {
  const ops: (Rec | 'round')[] = [];
  const caps = [4, 5, 8, 13, 64, 1 << 22];
  const cap = caps[Math.floor(rand() * caps.length)]!;
  const spread = [2, 3, 50, 1e6, 2 ** 40][Math.floor(rand() * 5)]!; // small spreads force ties
  const base = rand() < 0.3 ? 2 ** 32 - 20 : 0; // around the 32-bit boundary of the halves
  let tag = 0;
  let t = 0;
  const rounds = 1 + Math.floor(rand() * 6);
  for (let round = 0; round < rounds; round++) {
    const runs = Math.floor(rand() * (rand() < 0.2 ? 30 : 5));
    for (let r = 0; r < runs; r++) {
      let ts = t + Math.floor(rand() * spread) - (rand() < 0.1 ? spread : 0); // sometimes older than allowed
      if (ts < 0) ts = 0;
      const len = Math.floor(rand() * 12);
      const buf = Math.floor(rand() * 4);
      for (let k = 0; k < len; k++) {
        ops.push({ ts: BigInt(base + ts), tag: tag++, buf });
        ts += rand() < 0.4 ? 0 : Math.floor(rand() * spread);
      }
    }
    t += Math.floor(rand() * spread);
    if (rand() < 0.85) ops.push('round');
  }
  return { ops, cap };
}

test('random scripts: the merge emits exactly what a stable sort with perf\'s round limit does (3000 scripts, small caps force the half flush)', () => {
  const rand = rng(0xc0ffee);
  const bufs = [0, 1, 2, 3].map(() => new Uint8Array(8));
  const dvs = bufs.map((b) => new DataView(b.buffer));
  let merged = 0;
  for (let s = 0; s < 3000; s++) {
    const { ops, cap } = randomScript(rand);
    const slots = 1 + Math.floor(rand() * 16); // tiny arrays: compaction and growth all along
    const model = new Model(cap);
    const got: number[] = [];
    const tsOf = new Map<number, bigint>();
    for (const op of ops) if (op !== 'round') tsOf.set(op.tag, op.ts);
    const q = new OrderedQueue((b, d, off, attr, src, tsLo, tsHi) => {
      assert.equal(BigInt(tsHi) * 2n ** 32n + BigInt(tsLo >>> 0), tsOf.get(off), 'the time comes back with its record (low half as an int32)');
      const bi = bufs.indexOf(b);
      assert.ok(bi >= 0 && dvs[bi] === d, 'buffer and its DataView travel together');
      assert.equal(attr, off % 7);
      assert.equal(src, off * 3 + 2 ** 40);
      got.push(off);
    }, cap, slots);
    for (const op of ops) {
      if (op === 'round') { q.round(); model.round(); } else {
        q.push(bufs[op.buf]!, dvs[op.buf]!, op.tag, op.tag % 7, Number(op.ts & 0xffffffffn), Number(op.ts >> 32n), op.tag * 3 + 2 ** 40);
        model.push(op);
      }
      assert.deepEqual(got, model.out, `script ${s}: order after ${op === 'round' ? 'a round' : `push of ${op.tag}`}`);
      assert.equal(q.size, model.pending.length, `script ${s}: size`);
      for (let b = 0; b < bufs.length; b++) assert.equal(q.holds(bufs[b]!), model.pending.some((r) => r.buf === b), `script ${s}: holds(buf ${b})`);
    }
    q.finish(); model.finish();
    assert.deepEqual(got, model.out, `script ${s}: after finish`);
    assert.equal(q.belowFlush, model.below, `script ${s}: belowFlush`);
    assert.equal(q.holds(bufs[0]!), false);
    merged += got.length;
  }
  assert.ok(merged > 50_000, `scripts too small (${merged} records)`);
});

test('many interleaved runs (more than the head scan handles) and a queue that outgrows its arrays keep the order', () => {
  const out: number[] = [];
  const buf = new Uint8Array(8);
  const dv = new DataView(buf.buffer);
  const q = new OrderedQueue((_b, _d, off) => out.push(off));
  const model = new Model(1 << 22);
  // 40 runs of 5000 records each, run r at times r, r+40, r+80, ...: the merge alternates every record
  let tag = 0;
  for (let r = 0; r < 40; r++) {
    for (let k = 0; k < 5000; k++) {
      const ts = BigInt(r + 40 * k);
      q.push(buf, dv, tag, 0, Number(ts), 0, 0);
      model.push({ ts, tag: tag++, buf: 0 });
    }
    if (r % 7 === 6) { q.round(); model.round(); }
  }
  q.finish(); model.finish();
  assert.equal(out.length, 200_000);
  assert.deepEqual(out, model.out);
});
