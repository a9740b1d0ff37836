// perf script text: every quirk from pitfalls.md §3.1 that applies, on real lines from this machine
// (fixtures/perf-script, provenance in fixtures/README.md) and hand-made lines quoted from real output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TraceInputError } from '../../../collectors/common/diagnostics.js';
import type { TracepointDecoder } from '../../../collectors/common/tracepoints/types.js';
import { perfScript, perfScriptCollector } from '../../../collectors/perf-script/index.js';
import { ftrace } from '../../../collectors/ftrace/index.js';
import { traceCmd } from '../../../collectors/trace-cmd/index.js';
import { countBy, fixture, nsOf, run, tmpTrace, warningsOf } from '../text/textUtil.js';

/** The test's own reading of default perf script lines (comms without spaces in these fixtures). */
function expected(path: string): { comm: string; tid: number; cpu: number | null; ts: bigint; event: string; line: number }[] {
  const out = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*(\S+)\s+(?:\d+\/)?(-?\d+)\s+(?:\[(\d+)\]\s+)?(\d+\.\d+):\s+\w+:(\w+):/.exec(lines[i]!);
    if (m) out.push({ comm: m[1]!, tid: Number(m[2]), cpu: m[3] === undefined ? null : Number(m[3]), ts: nsOf(m[4]!), event: m[5]!, line: i + 1 });
  }
  return out;
}

function recordingDecoder(name: string, seen: string[], ok = true): TracepointDecoder {
  return {
    name,
    decodeText: (t, s, e) => { seen.push(t.slice(s, e)); return ok; },
    decodeFields: () => {},
  };
}

test('real perf script (µs): every line becomes a row with exact integer-ns time, tid, cpu, comm, event', async () => {
  const path = fixture('perf-script/sched-us.txt');
  const { rows, diag } = await run(perfScript, path);
  const want = expected(path);
  assert.equal(rows.length, 362);
  assert.equal(want.length, 362);
  rows.forEach((r, i) => {
    const w = want[i]!;
    assert.deepEqual([r.ts_ns, r.tid, r.cpu, r.comm, r.event, Number(r.src_line)], [w.ts, w.tid, w.cpu, w.comm, w.event, w.line], `row ${i}`);
  });
  assert.equal(diag.timePrecisionNs, 1000);
  assert.equal(diag.warningCount, 0);
});

test('perf script --ns keeps all nine digits and says the precision is 1 ns', async () => {
  const us = (await run(perfScript, fixture('perf-script/sched-us.txt'))).rows;
  const { rows, diag } = await run(perfScript, fixture('perf-script/sched-ns.txt'));
  assert.equal(diag.timePrecisionNs, 1);
  assert.equal(rows.length, us.length);
  assert.deepEqual(rows.map((r) => r.ts_ns), expected(fixture('perf-script/sched-ns.txt')).map((w) => w.ts));
  // the µs file is the same recording, truncated
  rows.forEach((r, i) => assert.equal((r.ts_ns as bigint) / 1000n, (us[i]!.ts_ns as bigint) / 1000n));
  assert.ok(rows.some((r) => (r.ts_ns as bigint) % 1000n !== 0n));
});

test('pid/tid column ("%7d/%-7d") fills pid and tid; without it pid stays null', async () => {
  const a = (await run(perfScript, fixture('perf-script/sched-pidtid.txt'))).rows;
  const b = (await run(perfScript, fixture('perf-script/sched-us.txt'))).rows;
  assert.deepEqual(a.map((r) => [r.tid, r.comm, r.cpu, r.ts_ns]), b.map((r) => [r.tid, r.comm, r.cpu, r.ts_ns]));
  assert.ok(a.every((r) => typeof r.pid === 'number'));
  assert.ok(b.every((r) => r.pid === null));
});

test('without the [cpu] column the cpu is null and nothing else shifts', async () => {
  const a = (await run(perfScript, fixture('perf-script/sched-nocpu.txt'))).rows;
  const b = (await run(perfScript, fixture('perf-script/sched-us.txt'))).rows;
  assert.ok(a.every((r) => r.cpu === null));
  assert.deepEqual(a.map((r) => [r.tid, r.comm, r.ts_ns, r.event]), b.map((r) => [r.tid, r.comm, r.ts_ns, r.event]));
});

test('"# ========" header block (perf script --header) is skipped and counted, not warned', async () => {
  const { rows, diag } = await run(perfScript, fixture('perf-script/sched-header.txt'));
  assert.equal(rows.length, 362);
  assert.equal(diag.warningCount, 0);
  assert.ok(diag.notes.some((n) => /30 "#" header/.test(n)));
});

test('event names right-aligned to the longest name: the payload handed to the decoder starts at its first field', async () => {
  const seen: string[] = [];
  const c = perfScriptCollector((n) => (n === 'sched_wakeup_new' ? recordingDecoder(n, seen) : undefined));
  const { rows } = await run(c, fixture('perf-script/mixed-right-aligned.txt'));
  const byEvent = countBy(rows, 'event');
  assert.deepEqual([...byEvent.keys()].sort(), ['sched_process_exit', 'sched_switch', 'sched_wakeup_new']);
  assert.equal(seen.length, byEvent.get('sched_wakeup_new'));
  for (const p of seen) assert.match(p, /^comm=\S+ pid=\d+ prio=\d+ target_cpu=\d+$/);
});

test('comm with spaces, digits, brackets and colons; ":-1 -1" unknown thread; VM:/VCPU: guest prefixes', async () => {
  const { rows } = await run(perfScript, fixture('perf-script/quirks-comm.txt'));
  assert.deepEqual(rows.map((r) => [r.comm, r.tid, r.cpu]), [
    ['fc_vcpu 1', 599500, 39],
    ['CPU 0/KVM', 1577, 0],
    [':-1', -1, 1],
    ['kworker/u16:2', 120, 1],
    ['foobar [worker]', 121, 1],
    ['1234 5678', 4242, 1],
    ['CPU 2/KVM', 1579, 2],
    ['CPU 0/KVM', 1577, 0],
  ]);
  assert.equal(rows[6]!.vcpu, 2);
  assert.equal(rows[0]!.ts_ns, 1377662550600000n);
});

test('[FAILED TO PARSE] payloads: row kept, counted as a warning with file:line', async () => {
  const { rows, diag } = await run(perfScript, fixture('perf-script/quirks-comm.txt'));
  const r = rows.find((x) => x.event === 'kvm_inj_exception');
  assert.ok(r);
  assert.equal(warningsOf(diag).get('failed-to-parse'), 1);
  assert.match(diag.toJSON().warnings.find((w) => w.kind === 'failed-to-parse')!.examples[0]!.where, /quirks-comm\.txt:9$/);
});

test('perf built without libtraceevent (tracepoints with empty payloads): stops with a hint', async () => {
  await assert.rejects(run(perfScript, fixture('perf-script/no-libtraceevent.txt')), (e: Error) => {
    assert.ok(e instanceof TraceInputError);
    assert.match(e.message, /no payload/);
    assert.match(e.message, /libtraceevent/);
    return true;
  });
});

test('a payload the decoder rejects keeps the row and counts a payload warning', async () => {
  const seen: string[] = [];
  const c = perfScriptCollector((n) => (n === 'sched_switch' ? recordingDecoder(n, seen, false) : undefined));
  const { rows, diag } = await run(c, fixture('perf-script/sched-us.txt'));
  assert.equal(rows.length, 362);
  assert.equal(warningsOf(diag).get('payload'), seen.length);
  assert.ok(seen.length > 0);
});

test('malformed and binary lines: counted warnings with file:line, other rows kept', async () => {
  const good = '            perf 13371 [000]   812.628297: sched:sched_wakeup: comm=migration/0 pid=18 prio=0 target_cpu=000\n';
  const path = tmpTrace(Buffer.concat([Buffer.from(good + 'this is not a perf line\n'), Buffer.from([0, 1, 2, 0xff, 10]), Buffer.from(good)]));
  const { rows, diag } = await run(perfScript, path);
  assert.equal(rows.length, 2);
  const w = diag.toJSON().warnings;
  assert.deepEqual(w.map((x) => [x.kind, x.count]), [['malformed', 1], ['binary', 1]]);
  assert.match(w[0]!.examples[0]!.where, /trace\.txt:2$/);
  assert.match(w[1]!.examples[0]!.where, /trace\.txt:3$/);
});

test('out-of-order times are kept as read; equal times keep source order', async () => {
  const l = (ts: string, tid: number) => `            perf ${tid} [000]   ${ts}: sched:sched_wakeup: comm=a pid=1 prio=0 target_cpu=000\n`;
  const { rows } = await run(perfScript, tmpTrace(l('5.000002', 1) + l('5.000001', 2) + l('5.000001', 3)));
  assert.deepEqual(rows.map((r) => [r.ts_ns, r.tid]), [[5000002000n, 1], [5000001000n, 2], [5000001000n, 3]]);
});

test('tiny and odd chunk sizes (1, 7, 4093) give identical tables', async () => {
  for (const f of ['perf-script/sched-ns.txt', 'perf-script/quirks-comm.txt', 'perf-script/mixed-ns-pidtid.txt']) {
    const base = JSON.stringify((await run(perfScript, fixture(f))).rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    // chunk size 1 reads through fs one byte per read: only on the small files, to keep the test fast
    for (const cs of f.includes('sched-ns') ? [7, 4093] : [1, 7, 4093]) {
      const got = JSON.stringify((await run(perfScript, fixture(f), { chunkSize: cs })).rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
      assert.equal(got, base, `${f} chunk ${cs}`);
    }
  }
});

test('sniffer: yes for perf script, a reason for ftrace and trace-cmd text', () => {
  const head = (f: string) => readFileSync(fixture(f));
  for (const f of ['perf-script/sched-us.txt', 'perf-script/sched-ns.txt', 'perf-script/sched-header.txt', 'perf-script/sched-nocpu.txt', 'perf-script/quirks-comm.txt']) {
    assert.deepEqual(perfScript.sniff(head(f)), { ok: true }, f);
    assert.equal(ftrace.sniff(head(f)).ok, false, f);
    assert.equal(traceCmd.sniff(head(f)).ok, false, f);
  }
  for (const f of ['ftrace/trace.txt', 'trace-cmd/flags-3.3.txt']) {
    const r = perfScript.sniff(head(f));
    assert.equal(r.ok, false);
    assert.match((r as { why: string }).why, /ftrace|comm/);
  }
});
