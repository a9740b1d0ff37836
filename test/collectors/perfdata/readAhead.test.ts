// perf.data is read in chunks, the next one read ahead from 64 KiB before the end of the one being
// parsed (collectors/perfdata/reader.ts scan). The rows must not depend on where chunks end: the
// record cut by a chunk's end, a HEADER_TRACING_DATA record that jumps past the read-ahead (pipe
// mode), and the read-ahead reaching the end of the data. Real recordings; one chunk as reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import type { RecordBatch } from 'apache-arrow';
import { readEvents } from '../../../src/cli/pipeline.js';

const FIXTURES = ['fixtures/perfdata/sched-lost.perf.data', 'fixtures/perfdata/sched-pipe.perf.data', 'fixtures/perfdata/sched-file.perf.data'];

async function rows(path: string, chunkSize: number): Promise<{ rows: string[]; diagnostics: string }> {
  const out: string[] = [];
  const run = await readEvents(path, (b: RecordBatch) => {
    for (let i = 0; i < b.numRows; i++) out.push(JSON.stringify(b.get(i)!.toJSON(), (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
  }, { format: 'perfdata', chunkSize });
  return { rows: out, diagnostics: JSON.stringify(run.diagnostics) };
}

for (const fx of FIXTURES) {
  test(`chunks read ahead across record boundaries give the rows of a single chunk: ${fx}`, async () => {
    const size = statSync(fx).size;
    const whole = await rows(fx, 64 << 20);
    assert.ok(whole.rows.length > 100, `${fx} has rows`);
    // 128 KiB and an odd size just above it: several chunk ends, each cutting some record
    for (const chunkSize of [128 << 10, (128 << 10) + 4093]) {
      assert.ok(size > chunkSize, `${fx} spans more than one ${chunkSize}-byte chunk`);
      const got = await rows(fx, chunkSize);
      assert.equal(got.rows.length, whole.rows.length, `row count with ${chunkSize}-byte chunks`);
      for (let i = 0; i < got.rows.length; i++) assert.equal(got.rows[i], whole.rows[i], `row ${i} with ${chunkSize}-byte chunks`);
      assert.equal(got.diagnostics, whole.diagnostics);
    }
  });
}
