import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BPF_EVENTS, bpftraceScript } from '../../../collectors/bpftrace/script.js';
import { bpftraceCollector } from '../../../collectors/bpftrace/index.js';
import { collectRows } from '../../helpers/collect.js';

const root = join(import.meta.dirname, '..', '..', '..');

test('shipped es2scope.bt is the generated script (they cannot drift apart)', () => {
  assert.equal(readFileSync(join(root, 'collectors/bpftrace/es2scope.bt'), 'utf8'), bpftraceScript());
});

test('every printf prints as many values as its "# fields" line declares', () => {
  const script = bpftraceScript();
  for (const s of BPF_EVENTS) {
    const m = new RegExp(`tracepoint:${s.system}:${s.event} \\{\\n  printf\\("([^"]*)"`).exec(script);
    assert.ok(m, s.event);
    const conversions = (m[1]!.match(/%[a-z]+/g) ?? []).length;
    assert.equal(conversions, 4 + s.nums.length + (s.strs?.length ?? 0) + 1, s.event);
  }
});

test('pid filter keeps sched events of the threads that emitted kvm events', () => {
  const s = bpftraceScript({ pid: 1575 });
  assert.match(s, /tracepoint:kvm:kvm_exit \/pid == 1575\//);
  assert.match(s, /tracepoint:sched:sched_switch \/pid == 1575 \|\| @es2_tids\[args->next_pid\]\//);
  assert.match(s, /clear\(@es2_tids\)/);
});

test('sniffer wants the header line and says why not', () => {
  assert.equal(bpftraceCollector.sniff(Buffer.from('Attaching 23 probes...\n# es2scope-bpftrace 1 clock=monotonic\n')).ok, true);
  const r = bpftraceCollector.sniff(Buffer.from('cpus=4\n'));
  assert.equal(r.ok, false);
  assert.match((r as { why: string }).why, /es2scope-bpftrace/);
});

test('real sched recording: comm with spaces, string fields after tabs, lost-events line', async () => {
  const rows = await collectRows(bpftraceCollector, join(root, 'fixtures/bpftrace/sched-quirks.bpf.txt'));
  const sw = rows.filter((r) => r.event === 'sched_switch');
  assert.ok(sw.length > 0);
  for (const r of sw) {
    assert.equal(typeof r.prev_pid, 'number');
    assert.equal(typeof r.next_pid, 'number');
    assert.ok(r.ts_ns > 0n);
  }
  const spaced = rows.find((r) => r.comm === 'CPU 0/KVM');
  assert.ok(spaced, 'comm with a space survives');
  const lost = rows.filter((r) => r.event === '[lost]');
  assert.equal(lost.length, 1);
  assert.equal(lost[0]!.count, 7);
});
