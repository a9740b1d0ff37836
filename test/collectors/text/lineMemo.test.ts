// The line memo (collectors/common/text/lineMemo.ts) must be invisible: the same header fields as
// the full parsers on every line, and the same table as a read without it, whatever the input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Collector } from '../../../collectors/common/collector.js';
import { ftracePrefix, LineHeader, parseFtraceLine, parsePerfLine, perfPrefix } from '../../../collectors/common/text/header.js';
import { LineMemo } from '../../../collectors/common/text/lineMemo.js';
import { ftrace } from '../../../collectors/ftrace/index.js';
import { perfScript } from '../../../collectors/perf-script/index.js';
import { traceCmd } from '../../../collectors/trace-cmd/index.js';
import { fixture, run, SHARED_TRACES, tmpTrace, warningsOf } from './textUtil.js';

const HIP24_REPORT = join(SHARED_TRACES, 'hip24', 'vhost-host-report.txt');

const FIELDS = ['lineStart', 'lineEnd', 'commStart', 'commEnd', 'pid', 'tid', 'cpu', 'vcpu', 'tsStart', 'tsDot', 'tsEnd',
  'eventStart', 'eventEnd', 'eventColon', 'hasSystem', 'payloadStart', 'payloadEnd', 'bufferPrefix'] as const;

function snapshot(h: LineHeader): unknown[] {
  return FIELDS.map((f) => h[f]);
}

/**
 * Every line through the memo (twice: first sightings, then hits) and through the full parser;
 * in the second pass also through memo.fast (bytes only), which must agree wherever it answers.
 */
function compareHeaders(text: string, perf: boolean, memo = new LineMemo(perf ? perfPrefix : ftracePrefix, perf ? parsePerfLine : parseFtraceLine, perf)): number {
  const full = perf ? parsePerfLine : parseFtraceLine;
  const bytes = Buffer.from(text, 'latin1');
  const view = /^[\x00-\x7f]*$/.test(text) ? new DataView(bytes.buffer, bytes.byteOffset, bytes.length) : null;
  const a = new LineHeader();
  const b = new LineHeader();
  let events = 0;
  const fastHits = { n: 0 };
  for (let pass = 0; pass < 2; pass++) {
    let p = 0;
    while (p < text.length) {
      let nl = text.indexOf('\n', p);
      if (nl < 0) nl = text.length;
      if (pass === 1 && view !== null && nl < text.length) {
        const fe = memo.fast(view, bytes, p, text.length, a);
        if (fe >= 0) {
          assert.ok(full(text, p, nl - (text.charCodeAt(nl - 1) === 13 ? 1 : 0), b), `fast read a line the full parser rejects: ${text.slice(p, nl)}`);
          assert.deepEqual(snapshot(a), snapshot(b), `fast, line at ${p}: ${text.slice(p, nl)}`);
          fastHits.n++;
        }
      }
      const okMemo = memo.parse(text, p, nl, a, view);
      const okFull = full(text, p, nl, b);
      assert.equal(okMemo, okFull, `line at ${p}: ${text.slice(p, nl)}`);
      if (okFull) {
        assert.deepEqual(snapshot(a), snapshot(b), `line at ${p}: ${text.slice(p, nl)}`);
        events++;
      }
      p = nl + 1;
    }
  }
  lastFastHits = fastHits.n;
  return events;
}
let lastFastHits = 0;

function textFixtures(dir: string): string[] {
  return readdirSync(fixture(dir)).filter((f) => f.endsWith('.txt')).map((f) => fixture(join(dir, f)));
}

test('memo and full parser give the same header fields on every line of every text fixture (misses, then hits)', () => {
  let events = 0;
  for (const f of textFixtures('perf-script')) events += compareHeaders(readFileSync(f, 'latin1'), true);
  for (const f of [...textFixtures('ftrace'), ...textFixtures('trace-cmd')]) events += compareHeaders(readFileSync(f, 'latin1'), false);
  assert.ok(events > 1000, `${events} event lines compared`);
});

test('memo and full parser agree on the HIP24 trace-cmd report, line by line', (t) => {
  if (!existsSync(HIP24_REPORT)) return t.skip(`${HIP24_REPORT} not found (../shared/traces)`);
  assert.equal(compareHeaders(readFileSync(HIP24_REPORT, 'latin1'), false), 2 * 16671);
  assert.ok(lastFastHits > 1000, `${lastFastHits} lines read from bytes alone`);
});

async function sameTable(c: Collector, path: string, opts: { chunkSize?: number } = {}): Promise<number> {
  const on = await run(c, path, opts);
  const off = await run(c, path, { ...opts, lineMemo: false });
  assert.deepEqual(on.rows, off.rows, path);
  assert.deepEqual(on.diag.toJSON(), off.diag.toJSON(), path);
  return on.rows.length;
}

test('tables with and without the memo are identical: perf script, ftrace and trace-cmd fixtures', async () => {
  let rows = 0;
  for (const f of textFixtures('perf-script')) {
    if (f.endsWith('no-libtraceevent.txt')) continue; // stops with an error by design (no payloads)
    rows += await sameTable(perfScript, f);
  }
  for (const f of textFixtures('ftrace')) rows += await sameTable(ftrace, f);
  for (const f of textFixtures('trace-cmd')) rows += await sameTable(traceCmd, f);
  assert.ok(rows > 1000, `${rows} rows compared`);
});

test('tables with and without the memo are identical on the HIP24 report, also with 7-byte chunks', async (t) => {
  if (!existsSync(HIP24_REPORT)) return t.skip(`${HIP24_REPORT} not found (../shared/traces)`);
  assert.equal(await sameTable(traceCmd, HIP24_REPORT), 16671);
  assert.equal(await sameTable(traceCmd, HIP24_REPORT, { chunkSize: 7 }), 16671);
});

test('a repeated payload the decoder rejects is warned on every line, with its own line number', async () => {
  const line = (i: number): string => `CPU 0/KVM 4242 [001] 100.00000${i}: kvm:kvm_exit: reason\n`;
  const path = tmpTrace([1, 2, 3, 4].map(line).join(''));
  const { rows, diag } = await run(perfScript, path);
  assert.equal(rows.length, 4);
  assert.equal(warningsOf(diag).get('payload'), 4);
  const lineNos = diag.toJSON().warnings.find((w) => w.kind === 'payload')!.examples.map((e) => Number(e.where.split(':').pop()));
  assert.deepEqual(lineNos, [1, 2, 3, 4].slice(0, lineNos.length));
  assert.ok(lineNos.length >= 2, 'at least two examples kept');
  await sameTable(perfScript, path);
});

test('mostly distinct tails (kvm_msr values) switch the memo off; the table and the headers stay exact', async () => {
  let text = '';
  for (let i = 0; i < 40_000; i++) {
    const sec = 200 + Math.floor(i / 1000);
    const frac = String((i % 1000) * 1000).padStart(9, '0');
    text += i % 5 === 0 || i >= 30_000
      ? `CPU 1/KVM 4243 [002] ${sec}.${frac}: sched:sched_switch: prev_comm=CPU 1/KVM prev_pid=4243 prev_prio=120 prev_state=S ==> next_comm=swapper/2 next_pid=0 next_prio=120\n`
      : `CPU 1/KVM 4243 [002] ${sec}.${frac}: kvm:kvm_msr: msr_write 6e0 = 0x${(0x1000 + i * 7919).toString(16)}\n`;
  }
  const memo = new LineMemo(perfPrefix, parsePerfLine, true);
  compareHeaders(text, true, memo);
  assert.ok(memo.switchedOff.tail >= 1, 'the tail memo switched itself off');
  assert.equal(memo.switchedOff.prefix, 0, 'one thread on one CPU: the prefix memo always hits');
  const path = tmpTrace(text);
  assert.equal(await sameTable(perfScript, path), 40_000);
});

test('a non-ASCII comm (UTF-8 text, compared as strings) reads the same with and without the memo', async () => {
  const lines = [];
  for (let i = 0; i < 50; i++) lines.push(`  wörker-ü 77 [000] 300.${String(i).padStart(6, '0')}: sched:sched_wakeup: comm=wörker-ü pid=77 prio=120 target_cpu=001`);
  const path = tmpTrace(`${lines.join('\n')}\n`);
  assert.equal(await sameTable(perfScript, path), 50);
  const { rows } = await run(perfScript, path);
  assert.equal(rows[49]!.comm, 'wörker-ü');
});
