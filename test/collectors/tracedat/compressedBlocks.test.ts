// Compressed CPU data (v7 zstd, zlib) is read in blocks of many chunks, not one file read per
// chunk header and body. Quirks covered: a chunk cut by a block's end (tiny blocks: every chunk
// straddles several reads), a block smaller than one chunk, and a zstd frame the WebAssembly
// decoder cannot decode (it reports no error itself: fzstd then names what is wrong).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { traceDat } from '../../../collectors/tracedat/index.js';
import { collectTable } from '../../helpers/collect.js';

const FIX = join(import.meta.dirname, '../../../fixtures/tracedat');
const HIP24 = join(import.meta.dirname, '../../../../shared/traces/hip24/apicv-6.5-trace.dat');

const rowsJson = async (path: string, chunkSize?: number): Promise<string[]> => {
  const { table } = await collectTable(traceDat, path, chunkSize ? { chunkSize } : {});
  return table.toArray().map((r) => JSON.stringify(r.toJSON(), (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
};

for (const [name, path] of [['v7 zstd fixture', join(FIX, 'sched-lost-v7-zstd.dat')], ['v7 zlib hip24 apicv (shared trace)', HIP24]] as const) {
  test(`${name}: chunks cut by block ends give the table of whole-block reads`, async (t) => {
    if (!existsSync(path)) return t.skip(`shared trace missing: ${path}`);
    const want = await rowsJson(path);
    assert.ok(want.length > 100);
    // 1: every chunk is larger than a block; 13 and 4099: chunk headers and bodies cut at odd places
    for (const block of [1, 13, 4099]) {
      const got = await rowsJson(path, block);
      assert.equal(got.length, want.length, `block ${block}: row count`);
      for (let i = 0; i < want.length; i++) assert.equal(got[i], want[i], `block ${block}: row ${i}`);
    }
  });
}

/**
 * Where a CPU-data chunk's zstd frame starts in the v7 zstd fixture: the metadata sections' frames
 * come first, the CPU data's chunks last (the end of the file); one with chunks after it.
 */
function cpuChunkFrame(file: Buffer): number {
  const magic = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
  const frames: number[] = [];
  for (let at = -1; (at = file.indexOf(magic, at + 1)) >= 0;) frames.push(at);
  assert.ok(frames.length >= 6, `zstd frames: ${frames.length}`);
  return frames[frames.length - 3]!;
}

test('a damaged zstd chunk: counted warning naming the decoder\'s reason, rows before it kept', async () => {
  const file = readFileSync(join(FIX, 'sched-lost-v7-zstd.dat'));
  const whole = await collectTable(traceDat, join(FIX, 'sched-lost-v7-zstd.dat'));
  const victim = cpuChunkFrame(file);
  const bad = Buffer.from(file);
  // a CPU-data chunk's first block header: block type 3 (reserved) makes the frame undecodable
  const fhd = bad[victim + 4]!;
  const fcsBytes = [fhd & 0x20 ? 1 : 0, 2, 4, 8][fhd >> 6]!;
  const blockAt = victim + 5 + (fhd & 0x20 ? 0 : 1) + [0, 1, 2, 4][fhd & 3]! + fcsBytes;
  bad[blockAt] = (bad[blockAt]! & ~0x06) | 0x06;
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-zstd-'));
  try {
    const p = join(dir, 'bad.dat');
    writeFileSync(p, bad);
    const { table, diag } = await collectTable(traceDat, p);
    const w = diag.toJSON().warnings.find((x) => x.kind === 'tracedat-truncated');
    assert.ok(w, `warnings: ${JSON.stringify(diag.toJSON().warnings)}`);
    assert.match(w.examples[0]!.message, /chunk does not decompress \(.+\)/);
    assert.ok(diag.truncated);
    assert.ok(table.numRows > 0 && table.numRows < whole.table.numRows, `${table.numRows} of ${whole.table.numRows} rows`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a chunk header whose uncompressed size disagrees with its frame: the frame\'s bytes, a counted warning, every row', async () => {
  const file = readFileSync(join(FIX, 'sched-lost-v7-zstd.dat'));
  const whole = await collectTable(traceDat, join(FIX, 'sched-lost-v7-zstd.dat'));
  const victim = cpuChunkFrame(file); // {u32 csize, u32 usize} precede the frame
  const usize = file.readUInt32LE(victim - 4);
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-zstd-'));
  try {
    // more than the frame holds (the frame does not say its size), less (the output would not fit), far more
    for (const claim of [usize * 2, usize / 2, usize * 1000]) {
      const bad = Buffer.from(file);
      bad.writeUInt32LE(claim, victim - 4);
      const p = join(dir, 'bad.dat');
      writeFileSync(p, bad);
      const { table, diag } = await collectTable(traceDat, p);
      const w = diag.toJSON().warnings.find((x) => x.kind === 'tracedat-chunk');
      assert.match(w?.examples[0]?.message ?? '', new RegExp(`chunk decompressed to ${usize} bytes, header says ${claim}`), `claim ${claim}`);
      assert.equal(table.numRows, whole.table.numRows, `claim ${claim}: every row`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
