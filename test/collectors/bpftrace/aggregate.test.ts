import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aggregateScript, parseAggregate } from '../../../collectors/bpftrace/aggregate.js';
import { aggregateStat, histQuantileAtMost } from '../../../src/analyze/aggregate/aggregateStat.js';

const fx = (f: string) => readFileSync(join(import.meta.dirname, '..', '..', '..', 'fixtures', 'bpftrace', f), 'utf8');

test('aggregate program keys maps by (isa, reason) and frees its per-thread state', () => {
  const s = aggregateScript({ pid: 42 });
  assert.match(s, /tracepoint:kvm:kvm_exit \/pid == 42\//);
  for (const m of ['count()', 'sum($d)', 'min($d)', 'max($d)', 'hist($d)']) assert.ok(s.includes(m), m);
  assert.match(s, /delete\(@es2_t\[tid\]\)/);
  assert.match(s, /END \{ clear\(@es2_t\); clear\(@es2_r\); clear\(@es2_i\); \}/);
});

test('bpftrace map output with K/M suffixed log2 buckets parses to exact counts', () => {
  const p = parseAggregate(fx('aggregate-format.agg.txt'));
  assert.deepEqual(p.warnings, []);
  const hlt = p.rows.find((r) => r.code === 12)!;
  const ept = p.rows.find((r) => r.code === 48)!;
  assert.equal(hlt.reason, 'HLT');
  assert.equal(ept.reason, 'EPT_VIOLATION');
  for (const r of [hlt, ept]) {
    // the histogram holds every sample, in ascending contiguous power-of-two buckets
    assert.equal(r.hist.reduce((s, b) => s + b.count, 0), r.samples);
    for (const b of r.hist) assert.ok(b.hiNs === 2 * b.loNs || b.hiNs === b.loNs + 1, JSON.stringify(b));
    assert.ok(r.minNs >= r.hist[0]!.loNs && r.maxNs < r.hist.at(-1)!.hiNs);
    assert.ok(r.totalNs >= r.minNs * r.samples && r.totalNs <= r.maxNs * r.samples);
  }
});

test('stat rows: HLT kept apart, Time% over the non-halt total, percentiles as bucket bounds', () => {
  const s = aggregateStat(parseAggregate(fx('aggregate-format.agg.txt')));
  assert.equal(s.haltRows.length, 1);
  assert.equal(s.rows.length, 1);
  assert.equal(s.rows[0]!.timePct, 100);
  assert.ok(s.rows[0]!.p50AtMostNs <= s.rows[0]!.p99AtMostNs && s.rows[0]!.p99AtMostNs <= s.rows[0]!.maxNs);
  assert.equal(histQuantileAtMost([{ loNs: 4096, hiNs: 8192, count: 3 }, { loNs: 8192, hiNs: 16384, count: 1 }], 0.5, 10000), 8192);
  assert.equal(histQuantileAtMost([{ loNs: 4096, hiNs: 8192, count: 3 }, { loNs: 8192, hiNs: 16384, count: 1 }], 0.99, 10000), 10000);
});

test('the real aggregate program on a host with no guest prints its header and no exits', () => {
  const p = parseAggregate(fx('aggregate-noguest.agg.txt'));
  assert.deepEqual(p.rows, []);
  assert.deepEqual(p.warnings, []);
});
