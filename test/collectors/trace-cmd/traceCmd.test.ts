// trace-cmd report text: the real HIP24 vhost report (counts from ../shared/traces/README.md), real
// reports recorded on this machine (instance prefix, -t ns, EVENTS DROPPED) and hand-made quirk lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { traceCmd } from '../../../collectors/trace-cmd/index.js';
import { ftrace } from '../../../collectors/ftrace/index.js';
import { perfScript } from '../../../collectors/perf-script/index.js';
import { countBy, fixture, nsOf, run, SHARED_TRACES, warningsOf } from '../text/textUtil.js';

const VHOST = join(SHARED_TRACES, 'hip24', 'vhost-host-report.txt');

test('HIP24 vhost-host-report.txt: 16,672 lines -> cpus=20 preamble + 16,671 events with the README counts', async (t) => {
  if (!existsSync(VHOST)) { t.skip(`${VHOST} not present (shared traces are read in place, never copied)`); return; }
  const { rows, diag } = await run(traceCmd, VHOST);
  assert.equal(rows.length, 16671);
  const by = countBy(rows, 'event');
  const want = { kvm_exit: 810, kvm_entry: 806, sched_switch: 515, kvm_msr: 505, kvm_apic_accept_irq: 278, kvm_apicv_accept_irq: 278, kvm_vcpu_wakeup: 215, kvm_msi_set_irq: 44, kvm_fast_mmio: 43 };
  for (const [ev, n] of Object.entries(want)) assert.equal(by.get(ev), n, ev);
  assert.equal(diag.warningCount, 0);
  assert.equal(diag.timePrecisionNs, 1000);
  assert.ok(diag.notes.includes('trace-cmd preamble: cpus=20'));
  // comm with a hyphen: split at the last "-<digits>"
  const vhost = rows.find((r) => r.event === 'kvm_msi_set_irq')!;
  assert.equal(vhost.comm, 'vhost-150742');
  assert.equal(vhost.tid, 150787);
  assert.equal(vhost.cpu, 19);
  assert.equal(rows[0]!.ts_ns, 16062943940000n);
  assert.equal(rows[0]!.comm, 'qemu-system-x86');
  assert.equal(rows[0]!.tid, 150750);
  assert.equal(rows[0]!.src_line, 2n);
});

test('real report of a tracefs instance: "<buffer>: " prefix stripped and noted; -t ns agrees with the (rounded) µs report', async () => {
  const us = await run(traceCmd, fixture('trace-cmd/sched-instance-us.txt'));
  const ns = await run(traceCmd, fixture('trace-cmd/sched-instance-ns.txt'));
  assert.equal(us.rows.length, 291);
  assert.equal(ns.rows.length, 291);
  assert.equal(us.diag.timePrecisionNs, 1000);
  assert.equal(ns.diag.timePrecisionNs, 1);
  assert.ok(us.diag.notes.some((n) => /<buffer>/.test(n)));
  assert.deepEqual(us.rows[0]!.comm, 'cat');
  assert.deepEqual(ns.rows.map((r) => r.comm), us.rows.map((r) => r.comm));
  const nsLines = readFileSync(fixture('trace-cmd/sched-instance-ns.txt'), 'utf8').split('\n');
  ns.rows.forEach((r, i) => {
    const m = / (\d+\.\d{9}): /.exec(nsLines[Number(r.src_line) - 1]!)!;
    assert.equal(r.ts_ns, nsOf(m[1]!));
    // trace-cmd rounds to the µs ("%6.1000d"), perf and ftrace truncate: 798.741579707 prints 798.741580
    const d = (us.rows[i]!.ts_ns as bigint) - (r.ts_ns as bigint);
    assert.ok(d > -500n && d <= 500n, `row ${i}: µs ${us.rows[i]!.ts_ns} vs ns ${r.ts_ns}`);
  });
});

test('CPU:n [k EVENTS DROPPED] (real, with buffer prefix): a "[lost]" row at the next event time on that CPU', async () => {
  const { rows, diag } = await run(traceCmd, fixture('trace-cmd/events-dropped.txt'));
  const lost = rows.filter((r) => r.event === '[lost]');
  assert.deepEqual(lost.map((r) => [r.cpu, r.count, Number(r.src_line)]), [[0, 16225, 2], [1, 13873, 14]]);
  for (const l of lost) {
    const next = rows.find((r) => r.event !== '[lost]' && r.cpu === l.cpu && r.src_line > l.src_line)!;
    assert.equal(l.ts_ns, next.ts_ns);
  }
  assert.equal(diag.toJSON().lostEventsTotal, 16225 + 13873);
  assert.equal(diag.warningCount, 0);
});

test('quirks: "CPU n is empty", "<...>" comm, comm-pid split at the last -digits, comm with a space, [EVENTS DROPPED] without count', async () => {
  const { rows, diag } = await run(traceCmd, fixture('trace-cmd/quirks.txt'));
  assert.deepEqual(rows.map((r) => [r.event, r.comm, r.tid, r.cpu, r.count]), [
    ['kvm_exit', '<...>', 43752, 1, null],
    ['kvm_msi_set_irq', 'vhost-150742', 150787, 19, null],
    ['[lost]', null, null, 1, null],
    ['kvm_msr', 'CPU 1/KVM', 1578, 1, null],
    ['print', 'python3', 3519, 1, null],
    ['[lost]', null, null, 0, 77],
    ['sched_switch', 'bash', 1601, 0, null],
  ]);
  assert.equal(rows[2]!.ts_ns, rows[3]!.ts_ns);
  assert.ok(diag.notes.some((n) => /is empty.*2/.test(n)));
  assert.equal(diag.toJSON().lostEventsTotal, null); // one marker had no count
  assert.equal(diag.warningCount, 0);
});

test('trace-cmd 3.3+ irq-flags column (d..1.) is read as flags, not as part of the time', async () => {
  const { rows, diag } = await run(traceCmd, fixture('trace-cmd/flags-3.3.txt'));
  assert.deepEqual(rows.map((r) => [r.comm, r.tid, r.cpu, r.ts_ns, r.event]), [
    ['qemu-system-x86', 150750, 19, 16062943940000n, 'kvm_exit'],
    ['qemu-system-x86', 150750, 19, 16062944033000n, 'kvm_entry'],
    ['<idle>', 0, 19, 16062944029000n, 'sched_wakeup'],
    ['vhost-150742', 150787, 19, 16063478175000n, 'kvm_msi_set_irq'],
  ]);
  assert.equal(diag.warningCount, 0);
});

test('tiny and odd chunk sizes (1, 7, 4093) give identical tables', async () => {
  const j = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  for (const f of ['trace-cmd/quirks.txt', 'trace-cmd/flags-3.3.txt', 'trace-cmd/events-dropped.txt']) {
    const base = j((await run(traceCmd, fixture(f))).rows);
    for (const cs of f.includes('dropped') ? [7, 4093] : [1, 7, 4093]) assert.equal(j((await run(traceCmd, fixture(f), { chunkSize: cs })).rows), base, `${f} chunk ${cs}`);
  }
});

test('sniffer: yes after "cpus=N", a reason otherwise; ftrace and perf decline trace-cmd reports', () => {
  for (const f of ['trace-cmd/quirks.txt', 'trace-cmd/flags-3.3.txt', 'trace-cmd/sched-instance-ns.txt', 'trace-cmd/events-dropped.txt']) {
    const head = readFileSync(fixture(f));
    assert.deepEqual(traceCmd.sniff(head), { ok: true }, f);
    assert.equal(ftrace.sniff(head).ok, false, f);
    assert.equal(perfScript.sniff(head).ok, false, f);
  }
  const r = traceCmd.sniff(readFileSync(fixture('ftrace/trace.txt')));
  assert.equal(r.ok, false);
  assert.match((r as { why: string }).why, /cpus=N/);
  void warningsOf;
});
