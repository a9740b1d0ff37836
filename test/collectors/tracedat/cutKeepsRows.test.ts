// A trace.dat cut inside its ring-buffer data keeps the records before the cut (like perf.data),
// with diag.truncated and a warning naming the byte offset. v7 files lose their BUFFER option to
// the cut (trace-cmd writes it after the data): the CPU blocks are then found by walking sections.
// Only a file too short for its headers/formats is fatal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceInputError } from '../../../collectors/common/diagnostics.js';
import { traceDat } from '../../../collectors/tracedat/index.js';
import { collectTable } from '../../helpers/collect.js';

const FIX = join(import.meta.dirname, '../../../fixtures/tracedat');
const APICV = join(import.meta.dirname, '../../../../shared/traces/hip24/apicv-6.5-trace.dat');

type Key = string;
async function rowsOf(bytes: Buffer) {
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-cut-'));
  const p = join(dir, 'cut.dat');
  writeFileSync(p, bytes);
  try {
    const { table, diag } = await collectTable(traceDat, p);
    const ts = table.getChild('ts_ns')!.toArray() as BigInt64Array;
    const cpu = [...table.getChild('cpu')!] as number[];
    const ev = [...table.getChild('event')!] as string[];
    const keys: Key[] = ev.map((e, i) => `${cpu[i]}|${ts[i]}|${e}`);
    return { keys, diag };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every row of the cut table is a row of the whole table (same cpu, time and event). */
function assertSubset(cut: Key[], whole: Key[], what: string): void {
  const have = new Map<Key, number>();
  for (const k of whole) have.set(k, (have.get(k) ?? 0) + 1);
  for (const k of cut) {
    const n = have.get(k) ?? 0;
    assert.ok(n > 0, `${what}: row ${k} is not in the whole file`);
    have.set(k, n - 1);
  }
}

async function cutSeries(file: string, fractions: number[], minRowsAt: Map<number, number>): Promise<void> {
  const full = readFileSync(file);
  const whole = await rowsOf(full);
  assert.ok(whole.keys.length > 0 && !whole.diag.truncated);
  for (const f of fractions) {
    const at = Math.floor(full.length * f);
    const r = await rowsOf(full.subarray(0, at)).catch((e: unknown) => e);
    if (r instanceof TraceInputError) {
      assert.ok(!minRowsAt.has(f), `cut at ${at} (${f}): must keep rows, got ${r.message}`);
      assert.match(r.message, /@0x[0-9a-f]+/);
      continue;
    }
    if (r instanceof Error) throw r;
    const { keys, diag } = r as Awaited<ReturnType<typeof rowsOf>>;
    assert.ok(keys.length >= (minRowsAt.get(f) ?? 0), `cut at ${at} (${f}): ${keys.length} rows`);
    // a cut in the unused tail of the last page may lose no record
    assert.ok(keys.length <= whole.keys.length, `cut at ${at}: no more rows than the whole file`);
    assert.equal(diag.truncated, true, `cut at ${at}`);
    const w = diag.toJSON().warnings.find((x) => x.kind === 'tracedat-truncated');
    assert.ok(w && /@0x[0-9a-f]+$/.test(w.examples[0]!.where), `cut at ${at}: ${JSON.stringify(diag.toJSON().warnings)}`);
    assertSubset(keys, whole.keys, `cut at ${at}`);
  }
}

test('v6 cut in its pages keeps every complete record before the cut', async () => {
  await cutSeries(join(FIX, 'sched-lost-v6.dat'), [0.3, 0.5, 0.7, 0.9, 0.99], new Map([[0.3, 100], [0.5, 500], [0.7, 1000], [0.9, 1500], [0.99, 2000]]));
});

test('v7 zstd cut after its first compressed chunks keeps their records although the BUFFER option is lost', async () => {
  // chunks of CPU 0 end at 0x3e39: cuts after it keep CPU 0 whole; the CPU numbers are unknown
  // (no CPUSTAT in this file), which the warning says
  await cutSeries(join(FIX, 'sched-lost-v7-zstd.dat'), [0.7, 0.9, 0.99], new Map([[0.7, 1000], [0.9, 1500], [0.99, 1500]]));
});

test('v7 zlib (HIP24 apicv) cut inside CPU 6 data: CPU 5 kept whole, CPU numbers from CPUSTAT', async (t) => {
  if (!existsSync(APICV)) return t.skip(`shared trace missing: ${APICV}`);
  const full = readFileSync(APICV);
  const whole = await rowsOf(full);
  const cut = await rowsOf(full.subarray(0, 0x286c4e));
  assertSubset(cut.keys, whole.keys, 'apicv cut');
  const cpu5 = whole.keys.filter((k) => k.startsWith('5|')).length;
  assert.ok(cpu5 > 0 && cut.keys.filter((k) => k.startsWith('5|')).length === cpu5);
  assert.ok(cut.keys.every((k) => k.startsWith('5|') || k.startsWith('6|')));
  assert.equal(cut.diag.truncated, true);
  assert.ok(cut.diag.toJSON().warnings[0]!.examples.some((e) => e.message.includes('CPU numbers from CPUSTAT')));
});

test('a cut before the headers and formats end is fatal, with the byte offset', async () => {
  const v7 = readFileSync(join(FIX, 'sched-lost-v7-zstd.dat'));
  for (const at of [100, 2466]) {
    await assert.rejects(rowsOf(v7.subarray(0, at)), (e: unknown) => e instanceof TraceInputError && /@0x[0-9a-f]+/.test(e.message));
  }
});
