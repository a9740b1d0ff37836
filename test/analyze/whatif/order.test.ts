// Ordering helpers at scale (src/analyze/whatif/order.ts): time order as positions, by radix sort
// when large (interleaved vCPUs), by comparator otherwise, always (time, id) with ties by id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupBy, iota, orderByTime } from '../../../src/analyze/whatif/order.js';
import { modelInputFromRows } from '../../../src/analyze/whatif/rows.js';
import { exit, prng } from './scenario.js';

/** The reference: sort (time, id) pairs of objects, as the model did before it was columnar. */
function reference(pos: Int32Array, t: Float64Array, id: Int32Array | null): number[] {
  return Array.from(pos, (p) => ({ p, t: t[p]!, id: id ? id[p]! : p })).sort((a, b) => a.t - b.t || a.id - b.id).map((x) => x.p);
}

test('interleaved vCPUs, 20k rows with equal times and times above 2^32 ns: the radix order is the (time, id) order', () => {
  const rnd = prng(3);
  const n = 20_000;
  const t = new Float64Array(n);
  const clock = [0, 5e9, 1e3, 2 ** 40]; // four vCPUs, two of them past 2^32 ns
  for (let i = 0; i < n; i++) { const v = i % 4; clock[v]! += Math.floor(rnd() * 3); t[i] = clock[v]!; }
  const pos = iota(n);
  assert.deepEqual(Array.from(orderByTime(pos, t, null)), reference(pos, t, null));
  // a subset (every third row): still ascending positions
  const sub = Int32Array.from({ length: n / 4 }, (_, k) => k * 3);
  assert.deepEqual(Array.from(orderByTime(sub, t, null)), reference(sub, t, null));
});

test('times that are not integers in [0, 2^53) and explicit ids fall back to the comparator order', () => {
  const rnd = prng(5);
  const n = 6_000;
  const t = Float64Array.from({ length: n }, () => Math.floor(rnd() * 1000) - 500 + (rnd() < 0.1 ? 0.5 : 0));
  const pos = iota(n);
  assert.deepEqual(Array.from(orderByTime(pos, t, null)), reference(pos, t, null));
  const id = Int32Array.from({ length: n }, (_, i) => (i * 7) % n); // a permutation: ids are not positions
  const t2 = Float64Array.from({ length: n }, () => Math.floor(rnd() * 100));
  assert.deepEqual(Array.from(orderByTime(pos, t2, id)), reference(pos, t2, id));
});

test('already ordered input is returned as is (a copy)', () => {
  const pos = Int32Array.of(4, 1, 2);
  const t = Float64Array.of(0, 10, 10, 0, 5);
  const out = orderByTime(pos, t, null);
  assert.deepEqual(Array.from(out), [4, 1, 2]);
  assert.notEqual(out, pos);
});

test('groupBy keeps row order inside a group and leaves out key -1', () => {
  const g = groupBy(Int32Array.of(1, 0, -1, 1, 0, 2), 3);
  const group = (k: number) => Array.from(g.pos.subarray(g.start[k]!, g.start[k + 1]!));
  assert.deepEqual([group(0), group(1), group(2)], [[1, 4], [0, 3], [5]]);
});

test('row builder: ids that are positions need no id column; a repeated id is an error', () => {
  const ok = modelInputFromRows({ exits: [exit(0, 0, 0, 10, 'HLT', 'halt'), exit(1, 0, 20, 30, 'HLT', 'halt')], irqs: [], kicks: [], exitsTraced: true, postedEvidence: [], windowNs: { startNs: 0, endNs: 30 } });
  assert.equal(ok.exits.id, null);
  const moved = modelInputFromRows({ exits: [exit(5, 0, 0, 10, 'HLT', 'halt')], irqs: [], kicks: [], exitsTraced: true, postedEvidence: [], windowNs: { startNs: 0, endNs: 30 } });
  assert.deepEqual(Array.from(moved.exits.id!), [5]);
  assert.throws(() => modelInputFromRows({ exits: [exit(1, 0, 0, 10, 'HLT', 'halt'), exit(1, 0, 20, 30, 'HLT', 'halt')], irqs: [], kicks: [], exitsTraced: true, postedEvidence: [], windowNs: { startNs: 0, endNs: 30 } }), /id 1 repeats/);
});
