// Bad datasets: a folder that is not one, a part with no manifest line and a leftover .staging
// (an ingest killed half way), a part named by the manifest but cut short, a manifest line of
// another schema version. Each gives a clear message, and nothing already in the dataset changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../helpers/cli.js';
import { ingestDataset } from '../../../src/cli/dataset/ingestDataset.js';
import { analyzeDataset } from '../../../src/cli/dataset/fromDataset.js';
import { runSql } from '../../../src/table/sql.js';
import { openOrCreateDataset, readManifest } from '../../../src/table/dataset/manifest.js';

// two small traces recorded on this machine (fixtures/README.md)
const FTRACE = join(ROOT, 'fixtures', 'tracedat', 'sched-lost-v6.dat');
const PERF = join(ROOT, 'fixtures', 'tracedat', 'sched-lost-v7-zstd.dat');
let dir = '';
const quiet = { log: () => {} };

before(() => { dir = mkdtempSync(join(tmpdir(), 'es2scope-ds-bad-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

const count = async (ds: string) => Number((await runSql(ds, 'SELECT count(*) FROM events')).rows[0]![0]);

test('a folder that is not a dataset: stat-side and ingest-side errors say so, nothing is written', async () => {
  const plain = join(dir, 'plain');
  mkdirSync(plain);
  writeFileSync(join(plain, 'notes.txt'), 'mine\n');
  await assert.rejects(analyzeDataset(plain), /is not an es2scope dataset \(no es2scope-dataset\.json\)[\s\S]*hint: create one with: es2scope ingest/);
  assert.throws(() => openOrCreateDataset(plain), /exists and is not an es2scope dataset/);
  await assert.rejects(ingestDataset([FTRACE], plain, quiet), /not an es2scope dataset/);
  assert.deepEqual(readFileSync(join(plain, 'notes.txt'), 'utf8'), 'mine\n');
});

test('orphan part and leftover .staging of a killed ingest: ignored by queries, cleaned/reported by the next ingest', async () => {
  const ds = join(dir, 'crash');
  await ingestDataset([FTRACE], ds, { ...quiet, host: 'h1' });
  const n = await count(ds);
  assert.ok(n > 0);
  const [entry] = readManifest(ds);
  const part = entry!.parts['events']![0]!;
  // a part from a trace whose manifest line was never written, and its half-done staging folder
  copyFileSync(join(ds, part), join(ds, part.replace(/part-[0-9a-f]+-/, 'part-deadbeefdeadbeef-')));
  mkdirSync(join(ds, '.staging', 'deadbeef', 'staged'), { recursive: true });
  writeFileSync(join(ds, '.staging', 'deadbeef', 'staged', 'events-0.parquet'), 'PAR1 half');
  assert.equal(await count(ds), n, 'the orphan part must not be read');

  const logs: string[] = [];
  const r = await ingestDataset([PERF], ds, { host: 'h2', log: (l) => logs.push(l) });
  assert.deepEqual(r.removedStaging, ['deadbeef']);
  assert.equal(r.orphanParts.length, 1);
  assert.match(logs.join('\n'), /named by no manifest entry[\s\S]*queries ignore them/);
  assert.equal(readManifest(ds).length, 2);
  assert.equal(await count(ds), n + r.added[0]!.rows['events']!);
});

test('a part named by the manifest but truncated: a clear error naming it and the trace, dataset untouched', async () => {
  const ds = join(dir, 'trunc');
  await ingestDataset([FTRACE], ds, { ...quiet, host: 'h1' });
  const manifest = readFileSync(join(ds, 'manifest.jsonl'), 'utf8');
  const part = join(ds, readManifest(ds)[0]!.parts['exits']?.[0] ?? readManifest(ds)[0]!.parts['events']![0]!);
  truncateSync(part, Math.floor(statSync(part).size / 2));
  await assert.rejects(runSql(ds, 'SELECT 1'), (e: Error) => {
    assert.match(e.message, /not a complete Parquet file \(\d+ bytes, no PAR1 footer\)/);
    assert.match(e.message, /hint: the dataset lost or damaged a part of trace [0-9a-f]{16} \(.*sched-lost-v6\.dat, host h1\)/);
    return true;
  });
  await assert.rejects(analyzeDataset(ds), /not a complete Parquet file/);
  assert.equal(readFileSync(join(ds, 'manifest.jsonl'), 'utf8'), manifest);
});

test('mixed schema versions in one manifest: refused with the line number, nothing appended', async () => {
  const ds = join(dir, 'mixed');
  await ingestDataset([FTRACE], ds, { ...quiet, host: 'h1' });
  const line = JSON.parse(readFileSync(join(ds, 'manifest.jsonl'), 'utf8')) as Record<string, unknown>;
  appendFileSync(join(ds, 'manifest.jsonl'), `${JSON.stringify({ ...line, traceId: 'f'.repeat(64), schemaVersion: 2 })}\n`);
  const before = readFileSync(join(ds, 'manifest.jsonl'), 'utf8');
  await assert.rejects(runSql(ds, 'SELECT 1'), /manifest\.jsonl:2: trace f+ has schema version 2, expected 1[\s\S]*hint: mixed schema versions/);
  await assert.rejects(ingestDataset([PERF], ds, quiet), /schema version 2/);
  assert.equal(readFileSync(join(ds, 'manifest.jsonl'), 'utf8'), before);
});
