// Cut and damaged trace.dat files: a clear TraceInputError with a byte offset, or a table with
// counted warnings and the truncated flag. Never a hang, a crash, or a silently short table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceInputError } from '../../../collectors/common/diagnostics.js';
import { traceDat } from '../../../collectors/tracedat/index.js';
import { collectTable } from '../../helpers/collect.js';

const FIX = join(import.meta.dirname, '../../../fixtures/tracedat');

async function outcome(bytes: Buffer): Promise<{ error?: TraceInputError; rows?: number; warnings?: number; truncated?: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-corrupt-'));
  const p = join(dir, 'cut.dat');
  writeFileSync(p, bytes);
  try {
    const { table, diag } = await collectTable(traceDat, p);
    return { rows: table.numRows, warnings: diag.warningCount, truncated: diag.truncated };
  } catch (e) {
    if (e instanceof TraceInputError) return { error: e };
    throw e; // anything else is a crash
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const name of ['sched-lost-v6.dat', 'sched-lost-v7-zstd.dat', 'sched-instance-v6.dat', 'sched-instance-v7-zstd.dat']) {
  test(`${name} cut at many offsets: error with offset, or truncated table with a warning`, async () => {
    const full = readFileSync(join(FIX, name));
    const whole = await outcome(full);
    assert.ok(whole.rows! > 0 && !whole.truncated);
    const cuts = [0, 5, 11, 20, 64, 300, 2000, 5000, full.length >> 2, full.length >> 1, full.length - 4096, full.length - 100, full.length - 1];
    for (const cut of cuts) {
      const r = await outcome(full.subarray(0, cut));
      if (r.error) {
        assert.match(r.error.message, /@0x[0-9a-f]+|not a trace\.dat|truncated/, `cut ${cut}: ${r.error.message}`);
      } else {
        assert.ok(r.rows! <= whole.rows!, `cut ${cut}: ${r.rows} rows of ${whole.rows}`);
        // a cut inside unused page tails may lose no record; a shorter table must say so
        if (r.rows! < whole.rows!) assert.ok(r.truncated && r.warnings! > 0, `cut ${cut}: shorter table must say truncated and warn`);
      }
    }
  });
}

test('wrong magic, unsupported version and unknown compression are clear errors', async () => {
  const v7 = readFileSync(join(FIX, 'sched-lost-v7-zstd.dat'));
  const badMagic = Buffer.from(v7); badMagic[1] = 0x09;
  assert.match((await outcome(badMagic)).error!.message, /not a trace\.dat/);
  const v8 = Buffer.from(v7); v8[10] = 0x38; // "8"
  assert.match((await outcome(v8)).error!.message, /unsupported trace\.dat version "8"/);
  const lz4 = Buffer.from(v7); lz4.write('lz4d', 18, 'latin1'); // "zstd" -> "lz4d"
  assert.match((await outcome(lz4)).error!.message, /unsupported compression "lz4d"/);
});

test('flipped bytes in page headers and records: counted warnings, never a hang or a read outside the page', async () => {
  const v6 = readFileSync(join(FIX, 'sched-lost-v6.dat'));
  const whole = await outcome(v6);
  // the first CPU's pages start at the first page boundary after the header
  const dataStart = Math.ceil(v6.indexOf('flyrecord\0', 0, 'latin1') / 4096) * 4096;
  let warned = 0;
  for (const [at, value] of [[dataStart + 8, 0xff], [dataStart + 10, 0xff], [dataStart + 16, 0x00], [dataStart + 16, 0x1d], [dataStart + 4096 + 20, 0x1f], [dataStart + 8192 + 17, 0xff]] as const) {
    const b = Buffer.from(v6);
    b[at] = value;
    const r = await outcome(b);
    assert.ok(!r.error || /@0x|cpu/.test(r.error.message), r.error?.message);
    if (r.rows !== undefined) {
      assert.ok(r.rows <= whole.rows! + 200, `flip at ${at}: ${r.rows} rows`);
      if (r.warnings! > 0) warned++;
    }
  }
  assert.ok(warned > 0, 'at least the commit-size corruption is reported');
});
