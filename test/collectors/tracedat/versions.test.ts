// One recording (sched_switch/sched_wakeup with a 64 KiB buffer, so pages carry lost-event flags)
// stored three ways: v6 uncompressed, v7 uncompressed, v7 zstd (fixtures/README.md). All three
// must give the same table, lost markers included; the counts come from trace-cmd's own report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { traceDat } from '../../../collectors/tracedat/index.js';
import { collectTable, type Row } from '../../helpers/collect.js';

const FIX = join(import.meta.dirname, '../../../fixtures/tracedat');
const rowsOf = async (f: string): Promise<{ rows: Row[]; diag: Awaited<ReturnType<typeof collectTable>>['diag'] }> => {
  const { table, diag } = await collectTable(traceDat, join(FIX, f));
  return { rows: table.toArray().map((r) => r.toJSON() as Row), diag };
};
const key = (r: Row): string => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

test('v6, v7 and v7+zstd copies of one trace give identical tables (src_line = uncompressed CPU-data offset)', async () => {
  const v6 = await rowsOf('sched-lost-v6.dat');
  const v7 = await rowsOf('sched-lost-v7-none.dat');
  const zstd = await rowsOf('sched-lost-v7-zstd.dat');
  assert.ok(v6.rows.length > 2000);
  assert.equal(v7.rows.length, v6.rows.length);
  assert.equal(zstd.rows.length, v6.rows.length);
  for (let i = 0; i < v6.rows.length; i++) {
    assert.equal(key(v7.rows[i]!), key(v6.rows[i]!), `v7 row ${i}`);
    assert.equal(key(zstd.rows[i]!), key(v6.rows[i]!), `zstd row ${i}`);
  }
});

test('pages flagged MISSING_EVENTS become "[lost]" rows with cpu, page time and the stored count', async () => {
  const { rows, diag } = await rowsOf('sched-lost-v7-zstd.dat');
  // trace-cmd report prints "CPU:1 [1486 EVENTS DROPPED]" for the same pages
  const text = readFileSync(join(FIX, 'sched-lost-v6.report-t.txt'), 'latin1');
  const dropped = [...text.matchAll(/^CPU:(\d+) \[(\d+) EVENTS DROPPED\]$/gm)].map((m) => ({ cpu: Number(m[1]), count: Number(m[2]) }));
  assert.ok(dropped.length > 0);
  const lost = rows.filter((r) => r.event === '[lost]');
  assert.deepEqual(lost.map((r) => ({ cpu: r.cpu, count: r.count })), dropped);
  assert.deepEqual(diag.lost.map((l) => ({ cpu: l.cpu, count: l.count })), dropped);
  for (const l of lost) assert.equal(typeof l.ts_ns, 'bigint');
  const stats = diag.cpuStats.find((c) => c.cpu === dropped[0]!.cpu)!;
  assert.equal(stats.lostReported, dropped[0]!.count);
  assert.equal(stats.missingPages, 1);
});

test('ring-buffer time order across CPUs: merged stream never goes back in time', async () => {
  const { rows } = await rowsOf('sched-lost-v6.dat');
  const cpus = new Set(rows.map((r) => r.cpu));
  assert.ok(cpus.size >= 2, 'fixture has several CPUs');
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i]!.ts_ns >= rows[i - 1]!.ts_ns, `row ${i}`);
});
