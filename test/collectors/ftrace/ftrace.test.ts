// Raw ftrace text (tracefs trace / trace_pipe): real captures from this machine (kernel 6.18) and
// hand-made lines quoted from real mails, one test per quirk of pitfalls.md §3.2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ftrace } from '../../../collectors/ftrace/index.js';
import { traceCmd } from '../../../collectors/trace-cmd/index.js';
import { perfScript } from '../../../collectors/perf-script/index.js';
import { countBy, fixture, nsOf, run, tmpTrace, warningsOf } from '../text/textUtil.js';

/** The test's own reading of ftrace lines (comms without spaces in the real fixtures). */
function expected(path: string): { comm: string; tid: number; tgid: number | null; cpu: number; ts: string; event: string }[] {
  const out = [];
  for (const l of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\s*(\S+)-(\d+)\s+(?:\(\s*(\d+|-+)\)\s+)?\[(\d+)\]\s+(?:\S+\s+)?(\d+(?:\.\d+)?):\s+(\w+):/.exec(l);
    if (m) out.push({ comm: m[1]!, tid: Number(m[2]), tgid: m[3] === undefined || m[3].startsWith('-') ? null : Number(m[3]), cpu: Number(m[4]), ts: m[5]!, event: m[6]! });
  }
  return out;
}

for (const [name, file, n] of [
  ['tracefs "trace" with the 5-char irq-flags header', 'ftrace/trace.txt', 97],
  ['trace_pipe (no header)', 'ftrace/trace-pipe.txt', 97],
  ['options/record-tgid: "(  tgid)" column fills pid', 'ftrace/trace-tgid.txt', 63],
  ['record-tgid with options/irq-info=0: no flags column, time digits are not read as flags', 'ftrace/trace-tgid-noflags.txt', 63],
] as const) {
  test(`real ${name}: every event line becomes an exact row`, async () => {
    const { rows, diag } = await run(ftrace, fixture(file));
    const want = expected(fixture(file));
    assert.equal(rows.length, n);
    assert.equal(want.length, n);
    rows.forEach((r, i) => {
      const w = want[i]!;
      assert.deepEqual([r.comm, r.tid, r.pid, r.cpu, r.ts_ns, r.event], [w.comm, w.tid, w.tgid, w.cpu, nsOf(w.ts), w.event], `row ${i}`);
    });
    assert.equal(diag.warningCount, 0);
    assert.equal(diag.timePrecisionNs, 1000);
  });
}

test('x86-tsc clock: raw integer counts kept as printed and noted as not-ns', async () => {
  const { rows, diag } = await run(ftrace, fixture('ftrace/trace-x86-tsc.txt'));
  const want = expected(fixture('ftrace/trace-x86-tsc.txt'));
  assert.equal(rows.length, 112);
  rows.forEach((r, i) => assert.equal(r.ts_ns, BigInt(want[i]!.ts)));
  assert.ok(want.every((w) => !w.ts.includes('.')));
  assert.ok(diag.notes.some((x) => /raw trace-clock counts/.test(x)));
  assert.equal(diag.timePrecisionNs, 1);
});

test('trace_pipe "CPU:n [LOST k EVENTS]" (real): "[lost]" rows at the next event time on that CPU, counts in diagnostics', async () => {
  const { rows, diag } = await run(ftrace, fixture('ftrace/trace-pipe-lost.txt'));
  const lost = rows.filter((r) => r.event === '[lost]');
  assert.deepEqual(lost.map((r) => [r.cpu, r.count, Number(r.src_line)]), [[1, 29433, 1], [0, 32030, 99]]);
  for (const l of lost) {
    const next = rows.find((r) => r.event !== '[lost]' && r.cpu === l.cpu && r.src_line > l.src_line)!;
    assert.equal(l.ts_ns, next.ts_ns);
  }
  assert.equal(diag.toJSON().lostEventsTotal, 29433 + 32030);
  assert.equal(rows.length, 300);
});

test('"##### CPU n buffer started ####" (real, wrapped buffer) is noted, not warned', async () => {
  const { rows, diag } = await run(ftrace, fixture('ftrace/trace-buffer-started.txt'));
  assert.equal(rows.length, expected(fixture('ftrace/trace-buffer-started.txt')).length);
  assert.equal(diag.warningCount, 0);
  assert.ok(diag.notes.some((x) => /buffer started.*CPU 1/.test(x)));
});

test('quirks: 4-char flags (old kernels), comm with spaces/hyphens/digits, tgid "(-------)", 8-char RT flags, LOST before buffer started', async () => {
  const { rows, diag } = await run(ftrace, fixture('ftrace/quirks.txt'));
  assert.deepEqual(rows.map((r) => [r.comm, r.tid, r.pid, r.cpu, r.event]), [
    ['challenge', 24797, null, 3, 'kvm_entry'],
    ['challenge', 24797, null, 3, 'kvm_exit'],
    ['CPU 0/KVM', 7289, null, 23, 'kvm_exit'],
    ['kworker/0:1H-kblockd', 123, null, 1, 'sched_switch'],
    ['1234-56', 7, 7, 1, 'sched_wakeup'],
    ['<...>', 99, null, 0, 'sched_wakeup'],
    ['rt', 1, null, 0, 'sched_wakeup'],
    [null, null, null, 1, '[lost]'],
    ['rt', 1, null, 1, 'sched_wakeup'],
  ]);
  assert.equal(rows[0]!.ts_ns, 83184290326000n);
  assert.equal(rows[7]!.count, 12);
  assert.equal(rows[7]!.ts_ns, rows[8]!.ts_ns);
  assert.equal(diag.warningCount, 0);
});

test('flags never start with a digit: "12345" before the time is not taken as flags', async () => {
  const path = tmpTrace('            bash-1   [000] 12345   100.000001: sched_wakeup: comm=x pid=5 prio=120 target_cpu=000\n');
  const { rows, diag } = await run(ftrace, path);
  assert.equal(rows.length, 0);
  assert.equal(warningsOf(diag).get('malformed'), 1);
  const ex = diag.toJSON().warnings[0]!.examples[0]!;
  assert.match(ex.where, /trace\.txt:1$/);
  assert.match(ex.message, /expected an ftrace line/);
  assert.ok(ex.hint);
});

test('CRLF, a truncated last line (cut inside the event name) and binary garbage: counted, never fatal', async () => {
  const good = '            bash-13186   [000] d..2.   798.030725: sched_switch: prev_comm=bash prev_pid=13186 prev_prio=120 prev_state=S ==> next_comm=bash next_pid=13190 next_prio=120';
  const path = tmpTrace(Buffer.concat([Buffer.from(`${good}\r\n`), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0xff, 10]), Buffer.from(`${good}\r\n${good.slice(0, 60)}`)]));
  const { rows, diag } = await run(ftrace, path);
  // the cut line stops inside the event name ("sched_swi"): not kept, so no invented event name
  assert.deepEqual(rows.map((r) => r.event), ['sched_switch', 'sched_switch']);
  assert.deepEqual([...warningsOf(diag)].sort(), [['binary', 1], ['truncated', 1]]);
});

test('empty file: 0 rows, no warnings', async () => {
  const { rows, diag } = await run(ftrace, tmpTrace(''));
  assert.equal(rows.length, 0);
  assert.equal(diag.warningCount, 0);
});

test('events without a decoder are kept with name, time and thread', async () => {
  const { rows } = await run(ftrace, fixture('ftrace/trace.txt'));
  const by = countBy(rows, 'event');
  assert.ok((by.get('sched_switch') ?? 0) > 0 && (by.get('sched_wakeup') ?? 0) > 0);
  assert.ok(rows.every((r) => r.ts_ns > 0n && r.tid !== null && r.comm !== null));
});

test('tiny and odd chunk sizes (1, 7, 4093) give identical tables', async () => {
  const j = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  for (const f of ['ftrace/quirks.txt', 'ftrace/trace-tgid.txt', 'ftrace/trace-pipe-lost.txt']) {
    const base = j((await run(ftrace, fixture(f))).rows);
    for (const cs of f.includes('quirks') ? [1, 7, 4093] : [7, 4093]) assert.equal(j((await run(ftrace, fixture(f), { chunkSize: cs })).rows), base, `${f} chunk ${cs}`);
  }
});

test('sniffer: yes for trace and trace_pipe text, a reason for trace-cmd and perf', () => {
  for (const f of ['ftrace/trace.txt', 'ftrace/trace-pipe.txt', 'ftrace/trace-tgid-noflags.txt', 'ftrace/trace-x86-tsc.txt', 'ftrace/quirks.txt', 'ftrace/trace-pipe-lost.txt']) {
    const head = readFileSync(fixture(f));
    assert.deepEqual(ftrace.sniff(head), { ok: true }, f);
    assert.equal(traceCmd.sniff(head).ok, false, f);
    assert.equal(perfScript.sniff(head).ok, false, f);
  }
  const r = ftrace.sniff(readFileSync(fixture('trace-cmd/quirks.txt')));
  assert.equal(r.ok, false);
  assert.match((r as { why: string }).why, /trace-cmd/);
});
