// Bounded summaries: a CDF of a million values is a few hundred points with exact ends; time bins
// coarsen without losing counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveTimeBins, CDF_POINTS, cdfPoints, topKeys } from '../../src/report/aggregate.js';

test('a CDF of 1e6 values keeps at most CDF_POINTS points, the exact min and max, and ends at 1', () => {
  const v = new Float64Array(1_000_000);
  for (let i = 0; i < v.length; i++) v[i] = ((i * 7919) % 1_000_003) + 500; // shuffled, ns
  const pts = cdfPoints('x', v);
  assert.ok(pts.length <= CDF_POINTS);
  assert.equal(pts[0]!.valueUs, 0.5);
  assert.equal(pts.at(-1)!.fraction, 1);
  let max = 0;
  for (const x of v) max = Math.max(max, x);
  assert.equal(pts.at(-1)!.valueUs, max / 1000);
  for (let i = 1; i < pts.length; i++) {
    assert.ok(pts[i]!.valueUs >= pts[i - 1]!.valueUs);
    assert.ok(pts[i]!.fraction > pts[i - 1]!.fraction);
  }
});

test('a CDF of a few values keeps every value (no invented points)', () => {
  assert.deepEqual(cdfPoints('s', [3000, 1000, 2000]).map((p) => [p.valueUs, p.fraction]), [[1, 1 / 3], [2, 2 / 3], [3, 1]]);
  assert.deepEqual(cdfPoints('s', []), []);
});

test('time bins double their width past the limit and keep every count', () => {
  const b = new AdaptiveTimeBins(10, 1000);
  let n = 0;
  for (let t = 0; t < 1_000_000; t += 997) { b.add(t % 2 ? 'a' : 'b', t); n++; }
  const rows = b.rows();
  assert.ok(b.binWidthNs >= 100_000, `width ${b.binWidthNs}`);
  assert.ok(new Set(rows.map((r) => r.tMs)).size <= 10);
  assert.equal(rows.reduce((s, r) => s + r.count, 0), n);
  assert.equal([...b.seriesTotals().values()].reduce((s, c) => s + c, 0), n);
});

test('topKeys keeps the heaviest and breaks ties by name', () => {
  assert.deepEqual([...topKeys(new Map([['b', 5], ['a', 5], ['c', 1]]), 2)].sort(), ['a', 'b']);
});

test('zero-filled bins: a gap in the data is a row with count 0, not a missing row', () => {
  const b = new AdaptiveTimeBins(10, 1000);
  b.add('a', 0);
  b.add('a', 5000);
  b.add('b', 9000);
  assert.deepEqual(b.rows(true).filter((r) => r.series === 'a').map((r) => r.count), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
  assert.deepEqual(b.rows().filter((r) => r.series === 'a').map((r) => r.count), [1, 1]);
});
