// Real trace.dat v7 (zlib) files from Linux 6.5 KVM hosts (HIP24/Masterarbeit, read from
// ../shared/traces, never copied). Expected counts come from /work/shared/traces/README.md (an
// independent decoder); reason names come from each file's own kvm_exit print fmt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { traceDat } from '../../../collectors/tracedat/index.js';
import { collectTable } from '../../helpers/collect.js';

const DIR = join(import.meta.dirname, '../../../../shared/traces/hip24');

function counts(values: Iterable<unknown>): Record<string, number> {
  const m: Record<string, number> = {};
  for (const v of values) m[String(v)] = (m[String(v)] ?? 0) + 1;
  return m;
}

async function load(name: string) {
  const path = join(DIR, name);
  const { table, diag } = await collectTable(traceDat, path);
  const event = [...table.getChild('event')!];
  const reason = [...table.getChild('reason')!];
  const ts = table.getChild('ts_ns')!.toArray() as BigInt64Array;
  const exitReasons = counts(event.flatMap((e, i) => (e === 'kvm_exit' ? [reason[i]] : [])));
  return { table, diag, byEvent: counts(event), exitReasons, ts };
}

function assertTimeOrdered(ts: BigInt64Array): void {
  for (let i = 1; i < ts.length; i++) if (ts[i]! < ts[i - 1]!) assert.fail(`row ${i}: ${ts[i]} < ${ts[i - 1]}`);
}

test('v7 zlib, x86-tsc clock without TSC2NSEC: every event and exit reason counted, time unit flagged as cycles', async (t) => {
  if (!existsSync(join(DIR, 'apicv-6.5-trace.dat'))) return t.skip(`shared trace missing: ${DIR}/apicv-6.5-trace.dat`);
  const r = await load('apicv-6.5-trace.dat');
  assert.equal(r.table.numRows, 7792);
  assert.deepEqual(r.byEvent, {
    kvm_entry: 1558, kvm_exit: 1558, kvm_hv_timer_state: 1528, kvm_apic: 1055, kvm_apicv_accept_irq: 481,
    kvm_apic_accept_irq: 480, kvm_pv_tlb_flush: 477, kvm_vcpu_wakeup: 472, kvm_halt_poll_ns: 105, kvm_mmio: 14,
    kvm_emulate_insn: 11, kvm_set_irq: 6, kvm_pic_set_irq: 6, kvm_ioapic_set_irq: 6, kvm_userspace_exit: 5,
    kvm_msi_set_irq: 1, kvm_eoi: 1, vcpu_match_mmio: 11, kvm_fpu: 10, kvm_wait_lapic_expire: 6, kvm_ack_irq: 1,
  });
  assert.deepEqual(r.exitReasons, { APIC_WRITE: 1055, HLT: 472, EXTERNAL_INTERRUPT: 16, EPT_MISCONFIG: 11, PREEMPTION_TIMER: 3, EOI_INDUCED: 1 });
  assertTimeOrdered(r.ts);
  assert.ok(r.diag.notes.some((n) => n.includes('TIME UNIT = CYCLES')), r.diag.notes.join('\n'));
  assert.equal(r.diag.truncated, false);
  assert.equal(r.diag.lost.length, 0);
  // CPUSTAT read back for the 4 CPUs with data, next to the records found
  assert.deepEqual(r.diag.cpuStats.map((c) => c.cpu), [5, 6, 8, 10]);
  assert.equal(r.diag.cpuStats.reduce((a, c) => a + c.recordsInFile, 0), 7792);
  assert.equal(r.diag.cpuStats[0]!.entries, 5664);
});

test('v7 zlib, tsc2nsec clock: TSC2NSEC applied (ns, not cycles), GUEST vCPU map exposed', async (t) => {
  if (!existsSync(join(DIR, 'exits-6.5-tsc2nsec-trace.dat'))) return t.skip(`shared trace missing: ${DIR}/exits-6.5-tsc2nsec-trace.dat`);
  const r = await load('exits-6.5-tsc2nsec-trace.dat');
  assert.equal(r.table.numRows, 45543);
  assert.deepEqual(r.byEvent, { kvm_exit: 22772, kvm_entry: 22771 });
  assert.deepEqual(r.exitReasons, {
    APIC_WRITE: 8251, HLT: 7590, MSR_WRITE: 4726, EPT_MISCONFIG: 983, PAUSE_INSTRUCTION: 772, PREEMPTION_TIMER: 176,
    EXTERNAL_INTERRUPT: 101, IO_INSTRUCTION: 84, EOI_INDUCED: 61, MSR_READ: 20, EPT_VIOLATION: 8,
  });
  assertTimeOrdered(r.ts);
  assert.ok(!r.diag.notes.some((n) => n.includes('CYCLES')));
  assert.equal(new Set([...r.table.getChild('cpu')!]).size, 13);
  assert.ok(r.diag.notes.some((n) => n.includes('vCPU 0 -> host tid 60250') && n.includes('vCPU 1 -> host tid 60251')), r.diag.notes.join('\n'));
});
