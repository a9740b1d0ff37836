import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFieldsRow, decodeRow, fakeReader, missing, realPayload, REFERENCE, VHOST_REPORT } from './helpers.js';

test('kvm_msr write of x2APIC TSC deadline (real 6.5 line)', (t) => {
  const p = realPayload(VHOST_REPORT, 'kvm_msr', 'msr_write 6e0 = 0x4dcfc45840');
  if (p === undefined) return t.skip(missing(VHOST_REPORT));
  assert.deepEqual(decodeRow('kvm_msr', p).row, { msr: 0x6e0, write: true, value: 0x4dcfc45840n, flag: false });
});

test('kvm_msr " (#GP)" suffix sets flag (AMD mail line)', (t) => {
  const p = realPayload(REFERENCE, 'kvm_msr', 'msr_read ce = 0x0 (#GP)');
  if (p === undefined) return t.skip(missing(REFERENCE));
  assert.deepEqual(decodeRow('kvm_msr', p).row, { msr: 0xce, write: false, value: 0n, flag: true });
});

test('kvm_msr binary with exception field', () => {
  assert.deepEqual(decodeFieldsRow('kvm_msr', fakeReader({ write: 1, ecx: 0x830, data: 0x2f00000000n, exception: 0 })),
    { write: true, msr: 0x830, value: 0x2f00000000n, flag: false });
});

test('kvm_cr register number to detail CRn', () => {
  assert.deepEqual(decodeRow('kvm_cr', 'cr_write 4 = 0x3606f0').row, { detail: 'CR4', write: true, value: 0x3606f0n });
  assert.deepEqual(decodeFieldsRow('kvm_cr', fakeReader({ rw: 0, cr: 0, val: 0x80050033 })), { write: false, detail: 'CR0', value: 0x80050033n });
});

test('kvm_apic register name to detail', () => {
  assert.deepEqual(decodeRow('kvm_apic', 'apic_write APIC_EOI = 0x0').row, { detail: 'APIC_EOI', write: true, value: 0n });
  assert.deepEqual(decodeRow('kvm_apic', 'apic_write APIC_ICR = 0x4000000fd').row.value, 0x4000000fdn);
});

test('kvm_apic binary register name from the file table, fallback table, or hex', () => {
  const tb = { reg: [{ kind: 'symbolic' as const, table: new Map([[0xb0, 'APIC_EOI']]) }] };
  assert.equal(decodeFieldsRow('kvm_apic', fakeReader({ rw: 1, reg: 0xb0, val: 0 }, tb)).detail, 'APIC_EOI');
  assert.equal(decodeFieldsRow('kvm_apic', fakeReader({ rw: 1, reg: 0x300, val: 0 })).detail, 'APIC_ICR');
  assert.equal(decodeFieldsRow('kvm_apic', fakeReader({ rw: 1, reg: 0x4f0, val: 0 })).detail, '0x4f0');
});
