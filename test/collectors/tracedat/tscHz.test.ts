// Raw TSC cycles must not pass for ns: an x86-tsc trace.dat without TSC2NSEC says timeUnit
// 'cycles', and --tsc-hz (CollectorContext.tscHz) converts exactly: floor(cycles * 1e9 / hz).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { C } from '../../../collectors/common/columns.js';
import { Diagnostics, TraceInputError } from '../../../collectors/common/diagnostics.js';
import { EventBatchBuilder } from '../../../collectors/common/eventBatch.js';
import { openTraceSource } from '../../../collectors/common/source.js';
import { traceDat } from '../../../collectors/tracedat/index.js';
import { collectTable } from '../../helpers/collect.js';

const APICV = join(import.meta.dirname, '../../../../shared/traces/hip24/apicv-6.5-trace.dat');
const TSC2NSEC = join(import.meta.dirname, '../../../../shared/traces/hip24/exits-6.5-tsc2nsec-trace.dat');

async function collectWithHz(path: string, tscHz: number): Promise<{ ts: bigint[]; diag: Diagnostics }> {
  const source = await openTraceSource(path);
  const diag = new Diagnostics(source.name);
  const ts: bigint[] = [];
  const b = new EventBatchBuilder((batch) => {
    const v = batch.columns[C.ts_ns]!.values as BigInt64Array;
    for (let i = 0; i < batch.length; i++) ts.push(v[i]!);
  }, 4096);
  try {
    await traceDat.collect({ source, builder: b, diag, tscHz });
    b.flush();
  } finally {
    await source.dispose();
  }
  return { ts, diag };
}

test('x86-tsc clock without TSC2NSEC: timeUnit is cycles, and --tsc-hz 2.4e9 gives exact ns (floor)', async (t) => {
  if (!existsSync(APICV)) return t.skip(`shared trace missing: ${APICV}`);
  const raw = await collectTable(traceDat, APICV);
  assert.equal(raw.diag.timeUnit, 'cycles');
  assert.equal(raw.diag.toJSON().timeUnit, 'cycles');
  const rawTs = raw.table.getChild('ts_ns')!.toArray() as BigInt64Array;
  // first record (kvm_halt_poll_ns on CPU 5) as stored in the file: 303280081900681 cycles
  assert.equal(rawTs[0], 303280081900681n);

  const conv = await collectWithHz(APICV, 2_400_000_000);
  assert.equal(conv.diag.timeUnit, 'ns');
  assert.ok(conv.diag.notes.some((n) => n.includes('--tsc-hz 2400000000')), conv.diag.notes.join('\n'));
  assert.ok(!conv.diag.notes.some((n) => n.includes('TIME UNIT = CYCLES')));
  assert.equal(conv.ts.length, rawTs.length);
  // by hand: 303280081900681 / 2.4 = 126366700791950.416..., truncated
  assert.equal(conv.ts[0], 126366700791950n);
  // every row: the same exact rule, never a float
  for (let i = 0; i < rawTs.length; i += 97) assert.equal(conv.ts[i], (rawTs[i]! * 1_000_000_000n) / 2_400_000_000n, `row ${i}`);
  // span in ns is the cycle span / 2.4 (within one ns of rounding)
  const spanNs = conv.ts[conv.ts.length - 1]! - conv.ts[0]!;
  const spanCycles = rawTs[rawTs.length - 1]! - rawTs[0]!;
  assert.ok(spanNs * 24n <= spanCycles * 10n + 24n && spanNs * 24n >= spanCycles * 10n - 24n);
});

test('--tsc-hz that is not a whole positive number of Hz is a clear error', async (t) => {
  if (!existsSync(APICV)) return t.skip(`shared trace missing: ${APICV}`);
  for (const bad of [2.4e9 + 0.5, 0, -1]) {
    await assert.rejects(collectWithHz(APICV, bad), (e: unknown) => e instanceof TraceInputError && /--tsc-hz/.test(e.message));
  }
});

test('a file with TSC2NSEC keeps its own conversion: --tsc-hz is ignored with a note', async (t) => {
  if (!existsSync(TSC2NSEC)) return t.skip(`shared trace missing: ${TSC2NSEC}`);
  const plain = await collectTable(traceDat, TSC2NSEC);
  const withHz = await collectWithHz(TSC2NSEC, 1_000_000_000);
  assert.equal(withHz.diag.timeUnit, 'ns');
  assert.ok(withHz.diag.notes.some((n) => n.startsWith('--tsc-hz ignored')), withHz.diag.notes.join('\n'));
  assert.equal(withHz.ts[0], (plain.table.getChild('ts_ns')!.toArray() as BigInt64Array)[0]);
});
