// The ingest fast path must not change the table: a builder that recycles its arrays (small
// batches, so many batch boundaries) plus the file sink that skips all-zero buffers as sparse
// holes must give the same rows, and a file that arrow-js reads back, as the plain path (fresh
// arrays per batch, rows kept in memory). Real fixtures of each text and binary format.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC, type RecordBatch } from 'apache-arrow';
import { readFileSync } from 'node:fs';
import { readEvents } from '../../src/cli/pipeline.js';
import { ArrowFileSink } from '../../src/table/eventsArrow.js';

const FIXTURES = [
  'fixtures/perf-script/sched-ns.txt',
  'fixtures/trace-cmd/sched-instance-ns.txt',
  'fixtures/ftrace/trace-pipe-lost.txt',
  'fixtures/tracedat/sched-lost-v6.dat',
  'fixtures/perfdata/sched-lost.perf.data',
];

/** Rows as JSON text (BigInt-safe), for a row-by-row comparison. */
function rowsOf(batches: Iterable<RecordBatch>): string[] {
  const out: string[] = [];
  for (const b of batches) {
    for (let i = 0; i < b.numRows; i++) out.push(JSON.stringify(b.get(i)!.toJSON(), (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
  }
  return out;
}

for (const fx of FIXTURES) {
  test(`recycled batches and sparse zero runs give the same rows as fresh arrays: ${fx}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'es2scope-fastpath-'));
    try {
      // plain path: fresh arrays per batch, batches kept
      const kept: RecordBatch[] = [];
      await readEvents(fx, (b) => kept.push(b), { batchRows: 37 });
      const want = rowsOf(kept);
      assert.ok(want.length > 37, `${fx} should span several batches`);

      // fast path: recycled arrays, written batch by batch through the sparse file sink
      const out = join(dir, 'events.arrow');
      let sink: ArrowFileSink | null = null;
      await readEvents(fx, (b) => sink!.write(b), { batchRows: 37, recycleBatches: true }, (c) => { sink = new ArrowFileSink(out, c); });
      await sink!.close();
      const table = tableFromIPC(readFileSync(out));
      assert.equal(statSync(out).size % 8, 2, 'IPC file ends with the 6-byte magic after an aligned footer length');
      const got = rowsOf(table.batches);
      assert.equal(got.length, want.length);
      for (let i = 0; i < want.length; i++) assert.equal(got[i], want[i], `row ${i}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('an output that cannot have holes (a FIFO, /dev/null) gets the zero runs written: same bytes as the sparse file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-fastpath-'));
  const fx = 'fixtures/perfdata/sched-lost.perf.data';
  const writeTo = async (out: string): Promise<void> => {
    let sink: ArrowFileSink | null = null;
    await readEvents(fx, (b) => sink!.write(b), { batchRows: 37, recycleBatches: true }, (c) => { sink = new ArrowFileSink(out, c); });
    await sink!.close();
  };
  try {
    const regular = join(dir, 'regular.arrow');
    await writeTo(regular);
    // a FIFO: positioned writes fail there (ESPIPE); drained by cat in another process
    const fifo = join(dir, 'out.fifo');
    const copy = join(dir, 'from-fifo.arrow');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    const cat = spawn('sh', ['-c', `cat '${fifo}' > '${copy}'`]);
    const catDone = once(cat, 'exit');
    await writeTo(fifo);
    const [code] = await catDone;
    assert.equal(code, 0);
    assert.ok(readFileSync(copy).equals(readFileSync(regular)), 'the FIFO carried the same bytes as the sparse file holds');
    // /dev/null: a character device (its size stays 0; no ftruncate)
    await writeTo('/dev/null');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
