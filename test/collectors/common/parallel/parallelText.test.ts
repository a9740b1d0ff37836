// Parallel chunked reads of text traces (collectors/common/parallel + text/parallelText) must give
// exactly what a serial read gives: same rows in the same order, same dictionary codes, same
// src_line, same warnings (file:line of later chunks shifted right), same lost markers, including
// a lost marker whose next event on its CPU lies in a later chunk. Tiny chunks force many cut points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Collector } from '../../../../collectors/common/collector.js';
import { Diagnostics } from '../../../../collectors/common/diagnostics.js';
import { EventBatchBuilder, type EventBatch } from '../../../../collectors/common/eventBatch.js';
import { openTraceSource } from '../../../../collectors/common/source.js';
import { perfScript } from '../../../../collectors/perf-script/index.js';
import { traceCmd } from '../../../../collectors/trace-cmd/index.js';
import { ftrace } from '../../../../collectors/ftrace/index.js';
import { fixture, SHARED_TRACES, tmpTrace } from '../../text/textUtil.js';

interface Out { batches: string[]; dicts: string; diag: string; rows: number }

/** Every value of every batch (codes, not strings: the dictionaries must match too). */
function dump(b: EventBatch): string {
  return JSON.stringify(b.columns.map((c) => (c.touched ? [Array.from(c.values as ArrayLike<number | bigint>, String), Array.from(c.valid)] : null)));
}

async function read(c: Collector, path: string, opts: { workers: number; chunkBytes?: number; batchRows?: number }): Promise<Out> {
  const source = await openTraceSource(path);
  const diag = new Diagnostics(source.name);
  const batches: string[] = [];
  let rows = 0;
  const builder = new EventBatchBuilder((b) => { batches.push(dump(b)); rows += b.length; }, opts.batchRows ?? 100);
  try {
    await c.collect({ source, builder, diag, workers: opts.workers, ...(opts.chunkBytes ? { parallelChunkBytes: opts.chunkBytes } : {}) });
    builder.flush();
  } finally {
    await source.dispose();
  }
  return { batches, dicts: JSON.stringify(builder.dictionaries.map((d) => d?.values ?? [])), diag: JSON.stringify(diag.toJSON()), rows };
}

async function assertSame(c: Collector, path: string, chunkBytes: number): Promise<Out> {
  const serial = await read(c, path, { workers: 1 });
  const par = await read(c, path, { workers: 2, chunkBytes });
  assert.ok(serial.rows > 0, `${path}: no rows`);
  assert.equal(par.rows, serial.rows, `${path}: row count`);
  assert.deepEqual(par.batches, serial.batches, `${path}: batches differ (chunk ${chunkBytes})`);
  assert.equal(par.dicts, serial.dicts, `${path}: dictionaries`);
  assert.equal(par.diag, serial.diag, `${path}: diagnostics`);
  return serial;
}

test('perf script fixtures: 2 workers with 1 or 4 KiB chunks give the serial batches, dictionaries and diagnostics', async () => {
  // each read starts two workers (about a second under tsx), so one chunk size per fixture
  const files = ['sched-ns.txt', 'sched-us.txt', 'sched-header.txt', 'sched-nocpu.txt', 'sched-pidtid.txt', 'mixed-ns-pidtid.txt', 'mixed-right-aligned.txt', 'quirks-comm.txt'];
  for (const [i, f] of files.entries()) await assertSame(perfScript, fixture(`perf-script/${f}`), i % 2 ? 4093 : 1024);
});

test('trace-cmd and ftrace fixtures (lost markers, "CPU n is empty", buffer prefix, x86-tsc counts) read in chunks as serially', async () => {
  for (const f of ['events-dropped.txt', 'sched-instance-ns.txt', 'sched-instance-us.txt', 'quirks.txt', 'flags-3.3.txt']) await assertSame(traceCmd, fixture(`trace-cmd/${f}`), 1024);
  for (const f of ['trace.txt', 'trace-pipe.txt', 'trace-pipe-lost.txt', 'trace-buffer-started.txt', 'trace-tgid.txt', 'trace-tgid-noflags.txt', 'trace-x86-tsc.txt', 'quirks.txt']) {
    await assertSame(ftrace, fixture(`ftrace/${f}`), 2048);
  }
});

test('HIP24 vhost report (real, 16,672 lines) in 64 KiB chunks equals the serial read', async (t) => {
  const p = join(SHARED_TRACES, 'hip24', 'vhost-host-report.txt');
  if (!existsSync(p)) { t.skip(`missing ${p}`); return; }
  const s = await assertSame(traceCmd, p, 64 * 1024);
  assert.equal(s.rows, 16_671);
});

test('a lost marker whose next event on its CPU is chunks later gets that event\'s time and row position', async () => {
  // CPU 1 loses events, then only CPU 0 speaks for ~200 lines (several 1 KiB chunks), then CPU 1;
  // CPU 2's marker never sees another CPU 2 event (stamped with the last time at the end).
  const ev = (cpu: number, us: number): string => `          <idle>-0     [00${cpu}] d.h1.  100.${String(us).padStart(6, '0')}: kvm_exit: reason HLT rip 0xffffffff81000000 info 0 0\n`;
  let text = '# tracer: nop\n' + ev(1, 1) + 'CPU:1 [LOST 7 EVENTS]\n' + 'CPU:2 [LOST 3 EVENTS]\n';
  for (let i = 0; i < 200; i++) text += ev(0, 10 + i);
  text += 'this line is garbage\n' + ev(1, 500) + ev(0, 501) + 'CPU:1 [LOST 2 EVENTS]\n' + ev(1, 502);
  const p = tmpTrace(text);
  const s = await assertSame(ftrace, p, 1024);
  const diag = JSON.parse(s.diag);
  assert.deepEqual(diag.lost.map((l: { cpu: number; count: number; tsNs: string; where: string }) => [l.cpu, l.count, l.tsNs, l.where.split(':').pop()]),
    [[1, 7, '100000500000', '3'], [1, 2, '100000502000', '208'], [2, 3, '100000502000', '4']]);
  assert.equal(diag.warnings[0].examples[0].where, `${p}:205`);
  // the chunk cut points really fell between the marker and its event
  assert.ok(readFileSync(p).length > 4 * 1024);
});

test('worker batches larger than the main batch size, and the main batch boundaries kept', async () => {
  const p = fixture('perf-script/sched-ns.txt');
  const a = await read(perfScript, p, { workers: 1, batchRows: 37 });
  const b = await read(perfScript, p, { workers: 3, chunkBytes: 3000, batchRows: 37 });
  assert.deepEqual(b.batches, a.batches);
});

test('perf built without libtraceevent: the parallel read stops with the serial read\'s error', async () => {
  const p = fixture('perf-script/no-libtraceevent.txt');
  const msg = async (workers: number): Promise<string> => {
    try {
      await read(perfScript, p, { workers, chunkBytes: 200 });
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  const serial = await msg(1);
  assert.match(serial, /have no payload/);
  assert.equal(await msg(2), serial);
});
