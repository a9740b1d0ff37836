// Damaged perf.data files: cut short, corrupt record sizes, wrong magic. The reader must answer
// with a TraceInputError or a counted warning that names the byte offset, keep the rows it could
// read, flag truncation, and never hang or read outside a buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceInputError } from '../../../collectors/common/diagnostics.js';
import { perfDataCollector } from '../../../collectors/perfdata/index.js';
import { collectTable, type Row } from '../../helpers/collect.js';

const FIX = join(import.meta.dirname, '../../../fixtures/perfdata');
const FILE = join(FIX, 'sched-file.perf.data');
const PIPE = join(FIX, 'sched-pipe.perf.data');

async function rowsOf(path: string, opts: { chunkSize?: number; strict?: boolean } = {}) {
  const { table, diag } = await collectTable(perfDataCollector, path, opts);
  return { rows: table.toArray().map((r) => r.toJSON() as Row), diag: diag.toJSON() };
}

function withCopy(bytes: Uint8Array, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-perfdata-'));
  const p = join(dir, 'damaged.perf.data');
  writeFileSync(p, bytes);
  return fn(p).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** Byte offsets of the records in the data section of a regular (non-pipe) little-endian file. */
function recordOffsets(b: Buffer): number[] {
  const start = Number(b.readBigUInt64LE(40));
  const end = start + Number(b.readBigUInt64LE(48));
  const out: number[] = [];
  for (let p = start; p + 8 <= end; p += b.readUInt16LE(p + 6)) out.push(p);
  return out;
}

// comm is left out: a COMM record past the cut may name a thread for an earlier sample
const key = (r: Row) => `${r.src_line}|${r.ts_ns}|${r.cpu}|${r.pid}|${r.tid}|${r.event === '[lost]' ? 'lost' : ''}`;

test('file cut in the middle of the data section: rows before the cut are kept, truncated is flagged', async (t) => {
  if (!existsSync(FILE)) { t.skip('fixture missing'); return; }
  const full = readFileSync(FILE);
  const all = await rowsOf(FILE);
  const offs = recordOffsets(full);
  const cut = offs[Math.floor(offs.length / 2)]! + 5; // inside a record header
  await withCopy(full.subarray(0, cut), async (p) => {
    const { rows, diag } = await rowsOf(p);
    assert.equal(diag.truncated, true);
    const w = diag.warnings.find((x) => x.kind === 'truncated');
    assert.ok(w, `warnings: ${JSON.stringify(diag.warnings)}`);
    assert.match(w.examples[0]!.where, /@0x[0-9a-f]+$/);
    assert.ok(rows.length > 0 && rows.length < all.rows.length, `${rows.length} of ${all.rows.length}`);
    // every row read is a row of the whole file (the cut lost the formats at the end, not the headers)
    const known = new Set(all.rows.map(key));
    for (const r of rows) assert.ok(known.has(key(r)), key(r));
  });
});

test('pipe-mode stream cut short still decodes payloads (formats come first in pipe mode)', async (t) => {
  if (!existsSync(PIPE)) { t.skip('fixture missing'); return; }
  const full = readFileSync(PIPE);
  const all = await rowsOf(PIPE);
  await withCopy(full.subarray(0, Math.floor(full.length * 0.6) + 3), async (p) => {
    const { rows, diag } = await rowsOf(p);
    assert.equal(diag.truncated, true);
    assert.ok(rows.length > 0 && rows.length < all.rows.length);
    const byKey = new Map(all.rows.map((r) => [key(r), r]));
    for (const r of rows) assert.deepEqual(r, byKey.get(key(r)));
  });
});

test('record size 0 stops framing with a counted warning at its offset (no endless loop)', async (t) => {
  if (!existsSync(FILE)) { t.skip('fixture missing'); return; }
  const b = Buffer.from(readFileSync(FILE));
  const samples = recordOffsets(b).filter((o) => b.readUInt32LE(o) === 9); // PERF_RECORD_SAMPLE
  const at = samples[Math.floor(samples.length / 2)]!;
  b.writeUInt16LE(0, at + 6);
  await withCopy(b, async (p) => {
    const { rows, diag } = await rowsOf(p);
    const w = diag.warnings.find((x) => x.kind === 'corrupt-record');
    assert.ok(w);
    assert.equal(w.examples[0]!.where.endsWith(`@0x${at.toString(16)}`), true, w.examples[0]!.where);
    assert.equal(diag.truncated, true);
    assert.ok(rows.length > 0);
    for (const r of rows) assert.ok(Number(r.src_line) < at);
    await assert.rejects(rowsOf(p, { strict: true }), (e: unknown) => e instanceof TraceInputError && /@0x/.test((e as Error).message));
  });
});

test('data section size past the end of the file: read to EOF, flag truncation', async (t) => {
  if (!existsSync(FILE)) { t.skip('fixture missing'); return; }
  const b = Buffer.from(readFileSync(FILE));
  b.writeBigUInt64LE(BigInt(b.length * 4), 48);
  await withCopy(b, async (p) => {
    const { rows, diag } = await rowsOf(p);
    assert.equal(diag.truncated, true);
    assert.ok(diag.warnings.some((w) => w.kind === 'truncated'));
    assert.ok(rows.length > 0);
  });
});

test('data size 0 (perf record killed before it rewrote the header): records up to EOF, flagged', async (t) => {
  if (!existsSync(FILE)) { t.skip('fixture missing'); return; }
  const b = Buffer.from(readFileSync(FILE));
  const dataEnd = Number(b.readBigUInt64LE(40)) + Number(b.readBigUInt64LE(48));
  b.writeBigUInt64LE(0n, 48);
  await withCopy(b.subarray(0, dataEnd), async (p) => {
    const { rows, diag } = await rowsOf(p);
    assert.ok(diag.warnings.some((w) => w.kind === 'data-size-zero'));
    assert.equal(diag.truncated, true);
    const all = await rowsOf(FILE);
    assert.equal(rows.length, all.rows.length);
  });
});

test('header cut short, wrong magic, bad header size: TraceInputError naming the offset', async (t) => {
  if (!existsSync(FILE)) { t.skip('fixture missing'); return; }
  const full = readFileSync(FILE);
  await withCopy(full.subarray(0, 50), async (p) => {
    await assert.rejects(rowsOf(p), (e: unknown) => e instanceof TraceInputError && /@0x0.*104 bytes/s.test((e as Error).message));
  });
  const wrong = Buffer.from(full);
  wrong.write('PERFFILE', 0, 'latin1');
  await withCopy(wrong, async (p) => {
    await assert.rejects(rowsOf(p), (e: unknown) => e instanceof TraceInputError && /PERFFILE/.test((e as Error).message));
  });
  const badSize = Buffer.from(full);
  badSize.writeBigUInt64LE(77n, 8);
  await withCopy(badSize, async (p) => {
    await assert.rejects(rowsOf(p), (e: unknown) => e instanceof TraceInputError && /@0x8/.test((e as Error).message));
  });
});

test('attrs section pointing past the end of the file: TraceInputError, not a read outside the file', async (t) => {
  if (!existsSync(FILE)) { t.skip('fixture missing'); return; }
  const b = Buffer.from(readFileSync(FILE));
  b.writeBigUInt64LE(BigInt(b.length + 1000), 24);
  await withCopy(b, async (p) => {
    await assert.rejects(rowsOf(p), (e: unknown) => e instanceof TraceInputError && /attrs section/.test((e as Error).message));
  });
});

test('tiny read chunks (records larger than a chunk) give the same rows', async (t) => {
  if (!existsSync(FILE)) { t.skip('fixture missing'); return; }
  const a = await rowsOf(FILE);
  const b = await rowsOf(FILE, { chunkSize: 100 });
  assert.deepEqual(b.rows, a.rows);
});

test('sniff: PERFILE2 in either byte order yes; PERFFILE and text no, with the reason', () => {
  assert.deepEqual(perfDataCollector.sniff(Buffer.from('PERFILE2\x68\0\0\0')), { ok: true });
  assert.deepEqual(perfDataCollector.sniff(Buffer.from('2ELIFREP\0\0\0\x68')), { ok: true });
  const old = perfDataCollector.sniff(Buffer.from('PERFFILE........'));
  assert.equal(old.ok, false);
  assert.match((old as { why: string }).why, /PERFFILE/);
  const txt = perfDataCollector.sniff(Buffer.from('            perf 11909/11909 [000]   733.785958816: sched:sched_wakeup:'));
  assert.equal(txt.ok, false);
});

test('lost events: one "[lost]" row per LOST record with cpu, time and count; end-of-run LOST_SAMPLES not counted twice', async (t) => {
  const path = join(FIX, 'sched-lost.perf.data');
  if (!existsSync(path)) { t.skip('fixture missing'); return; }
  const { rows, diag } = await rowsOf(path);
  const lost = rows.filter((r) => r.event === '[lost]');
  assert.ok(lost.length > 0);
  assert.equal(lost.length, diag.lostMarkers);
  for (const r of lost) {
    assert.equal(typeof r.cpu, 'number');
    assert.ok(r.ts_ns > 0n && r.count > 0);
  }
  // LOST records (per buffer, timed) and LOST_SAMPLES totals (per event, at the end) count the same losses
  const totalNote = diag.notes.find((n) => /lost samples in total/.test(n));
  assert.ok(totalNote);
  assert.equal(Number(/(\d+) lost samples/.exec(totalNote)![1]), diag.lostEventsTotal);
  // a lost row sits in time order among the samples
  const i = rows.indexOf(lost[0]!);
  assert.ok(rows[i - 1]!.ts_ns <= lost[0]!.ts_ns);
});
