import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFieldsRow, decodeRow, fakeReader } from './helpers.js';

test('kvm_pi_irte_update < 6.10 "VT-d PI is enabled and being updated"', () => {
  const { ok, row } = decodeRow('kvm_pi_irte_update', 'VT-d PI is enabled and being updated for irq 24, vcpu 0, gsi: 0x18, gvec: 0x22, pi_desc_addr: 0x1f3a4c040');
  assert.ok(ok);
  assert.deepEqual(row, { flag: true, level: 24, vcpu: 0, gsi: 0x18, vector: 0x22, gpa: 0x1f3a4c040n });
});

test('kvm_pi_irte_update >= 6.10 "PI is disabled" without pi_desc_addr', () => {
  assert.deepEqual(decodeRow('kvm_pi_irte_update', 'PI is disabled for irq 30, vcpu -1, gsi: 0x19, gvec: 0x0').row,
    { flag: false, level: 30, vcpu: -1, gsi: 0x19, vector: 0 });
  assert.deepEqual(decodeFieldsRow('kvm_pi_irte_update', fakeReader({ host_irq: 30, vcpu_id: 1, gsi: 25, gvec: 34, set: 1 })),
    { level: 30, vcpu: 1, gsi: 25, vector: 34, flag: true });
});

test('kvm_avic_incomplete_ipi icrh:icrl pair and failure cause', () => {
  assert.deepEqual(decodeRow('kvm_avic_incomplete_ipi', 'vcpu=0, icrh:icrl=0x00000001:000400ec, id=1, index=0').row,
    { vcpu: 0, info1: 0x400ecn, info2: 1n, vector: 0xec, detail: 'TARGET_NOT_RUNNING' });
});

test('kvm_avic_unaccelerated_access register name in parentheses, bare words trap/write', () => {
  assert.deepEqual(decodeRow('kvm_avic_unaccelerated_access', 'vcpu=1, offset=0xb0(APIC_EOI), trap, write, vec=0x0').row,
    { vcpu: 1, info1: 0xb0n, detail: 'APIC_EOI', write: true, vector: 0 });
  assert.deepEqual(decodeFieldsRow('kvm_avic_unaccelerated_access', fakeReader({ vcpu: 1, offset: 0x300, ft: 0, rw: 1, vec: 0 })),
    { vcpu: 1, info1: 0x300n, detail: 'APIC_ICR', write: true, vector: 0 });
});

test('kvm_avic_ga_log, kick_vcpu_slowpath, doorbell', () => {
  assert.deepEqual(decodeRow('kvm_avic_ga_log', 'vmid=1, vcpuid=2').row, { info1: 1n, vcpu: 2 });
  assert.deepEqual(decodeRow('kvm_avic_kick_vcpu_slowpath', 'icrh:icrl=0x000001:000400ec, index=0').row, { info1: 0x400ecn, info2: 1n, vector: 0xec });
  assert.deepEqual(decodeRow('kvm_avic_doorbell', 'vcpuid=3, apicid=3').row, { vcpu: 3, apicid: 3 });
  assert.deepEqual(decodeFieldsRow('kvm_avic_doorbell', fakeReader({ vcpuid: 3, apicid: 4 })), { vcpu: 3, apicid: 4 });
});
