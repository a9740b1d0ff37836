// Every line of a real trace-cmd report (6.5 host, plugins active) whose event has a decoder must
// decode; counts come from ../shared/traces/README.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { C } from '../../../../collectors/common/columns.js';
import { tracepointDecoder } from '../../../../collectors/common/tracepoints/index.js';
import { missing, newBuilder, VHOST_REPORT } from './helpers.js';

test('vhost-net trace-cmd report: every decodable payload decodes (plugin forms, 6.5 host)', (t) => {
  if (!existsSync(VHOST_REPORT)) return t.skip(missing(VHOST_REPORT));
  const { b, rows } = newBuilder();
  const counts = new Map<string, number>();
  const failed: string[] = [];
  const lines = readFileSync(VHOST_REPORT, 'utf8').split('\n');
  lines.forEach((line, n) => {
    // header "comm-pid [cpu] sec.usec: event: payload" (the collectors' job; minimal here)
    const m = /^\s*.*?-\d+\s+\[\d{3}\]\s+\d+\.\d+: (\w+):/.exec(line);
    if (!m) return;
    const d = tracepointDecoder(m[1]!);
    if (!d) return;
    b.big64(C.ts_ns, 0n);
    b.dict(C.event, d.name);
    b.num64(C.src_line, n + 1);
    if (!d.decodeText(line, m[0].length, line.length, b)) failed.push(`${n + 1}: ${line}`);
    b.end();
    counts.set(d.name, (counts.get(d.name) ?? 0) + 1);
  });
  assert.deepEqual(failed, []);
  assert.equal(counts.get('kvm_exit'), 810);
  assert.equal(counts.get('kvm_entry'), 806);
  assert.equal(counts.get('sched_switch'), 515);
  assert.equal(counts.get('kvm_msr'), 505);
  assert.equal(counts.get('kvm_msi_set_irq'), 44);
  assert.equal(counts.get('kvm_fast_mmio'), 43);
  const all = rows();
  const exits = all.filter((r) => r.event === 'kvm_exit');
  assert.ok(exits.every((r) => r.isa === 'VMX' && typeof r.reason_code === 'bigint' && typeof r.rip === 'bigint'));
  assert.equal(exits.filter((r) => r.reason === 'EPT_MISCONFIG').length, 66);
  assert.ok(all.filter((r) => r.event === 'kvm_entry').every((r) => r.vcpu === 0 && typeof r.rip === 'bigint'));
  const sw = all.filter((r) => r.event === 'sched_switch');
  assert.ok(sw.every((r) => typeof r.prev_pid === 'number' && typeof r.next_pid === 'number' && typeof r.prev_state === 'string'));
  assert.ok(all.filter((r) => r.event === 'kvm_fast_mmio').every((r) => r.gpa === 0x800007004n || typeof r.gpa === 'bigint'));
});
