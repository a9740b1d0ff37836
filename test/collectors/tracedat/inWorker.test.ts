// Large binary files are decoded in a worker thread (collectors/tracedat/inWorker.ts). Forced
// here on small fixtures (parallelChunkBytes set, workers 2): the rows, dictionaries, lost markers
// and diagnostics must be exactly those of the serial read, and input errors must surface as the
// same TraceInputError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Collector } from '../../../collectors/common/collector.js';
import { Diagnostics, TraceInputError } from '../../../collectors/common/diagnostics.js';
import { EventBatchBuilder, type EventBatch } from '../../../collectors/common/eventBatch.js';
import { openTraceSource } from '../../../collectors/common/source.js';
import { perfDataCollector } from '../../../collectors/perfdata/index.js';
import { traceDat } from '../../../collectors/tracedat/index.js';

const ROOT = join(import.meta.dirname, '../../..');
const HIP24 = join(ROOT, '../shared/traces/hip24/apicv-6.5-trace.dat');

/** Every batch's touched columns copied out, the final dictionaries, and the diagnostics JSON. */
async function read(collector: Collector, path: string, inWorker: boolean) {
  const source = await openTraceSource(path);
  const diag = new Diagnostics(source.name, false);
  const rows: unknown[][] = [];
  let dicts: readonly (readonly string[])[] = [];
  // small batches: many batches cross the thread boundary and exercise the back-pressure wait
  const builder = new EventBatchBuilder((b: EventBatch) => {
    rows.push(b.columns.map((c) => (c.touched ? [Array.from(c.values as ArrayLike<unknown>), Array.from(c.valid)] : null)));
    dicts = b.dictionaries.map((d) => [...d]);
  }, 1000);
  try {
    await collector.collect({ source, builder, diag, ...(inWorker ? { workers: 2, parallelChunkBytes: 1 } : { workers: 1 }) });
    builder.flush();
  } finally {
    await source.dispose();
  }
  return { rows, dicts, diag: JSON.stringify(diag.toJSON()), n: builder.rowCount };
}

async function sameAsSerial(collector: Collector, path: string): Promise<number> {
  const serial = await read(collector, path, false);
  const worker = await read(collector, path, true);
  assert.ok(serial.n > 0);
  assert.equal(worker.n, serial.n);
  assert.deepEqual(worker.dicts, serial.dicts);
  assert.equal(worker.diag, serial.diag);
  assert.deepEqual(worker.rows, serial.rows);
  return serial.n;
}

test('trace.dat with lost-event pages (v6, v7 zstd): the worker read equals the serial read, lost markers included', async () => {
  await sameAsSerial(traceDat, join(ROOT, 'fixtures/tracedat/sched-lost-v6.dat'));
  await sameAsSerial(traceDat, join(ROOT, 'fixtures/tracedat/sched-lost-v7-zstd.dat'));
});

test('trace.dat of a real KVM host (hip24 apicv, x86-tsc clock notes): worker read equals serial', async (t) => {
  if (!existsSync(HIP24)) return t.skip(`shared trace missing: ${HIP24}`);
  assert.equal(await sameAsSerial(traceDat, HIP24), 7792);
});

test('perf.data with LOST records and zstd records: the worker read equals the serial read', async () => {
  await sameAsSerial(perfDataCollector, join(ROOT, 'fixtures/perfdata/sched-lost.perf.data'));
  await sameAsSerial(perfDataCollector, join(ROOT, 'fixtures/perfdata/sched-zstd.perf.data'));
});

test('a cut perf.data read in the worker fails with the TraceInputError of the serial read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-inworker-'));
  try {
    const cut = join(dir, 'cut.perf.data');
    writeFileSync(cut, readFileSync(join(ROOT, 'fixtures/perfdata/sched-file.perf.data')).subarray(0, 40));
    const message = async (inWorker: boolean): Promise<string> => {
      try {
        await read(perfDataCollector, cut, inWorker);
      } catch (e) {
        assert.ok(e instanceof TraceInputError, String(e));
        return e.message;
      }
      return assert.fail('no error');
    };
    assert.equal(await message(true), await message(false));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
