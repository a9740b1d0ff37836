import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFieldsRow, decodeRow, fakeReader, missing, realPayload, REFERENCE, VHOST_REPORT } from './helpers.js';

test('kvm_entry <=5.9 vcpu only (raw ftrace 4.x)', (t) => {
  const p = realPayload(REFERENCE, 'kvm_entry', 'd..1 83184.290326: kvm_entry: vcpu 0');
  if (p === undefined) return t.skip(missing(REFERENCE));
  const { ok, row } = decodeRow('kvm_entry', p);
  assert.ok(ok);
  assert.deepEqual(row, { vcpu: 0 });
});

test('kvm_entry 5.10 "vcpu N, rip" with comma', (t) => {
  const p = realPayload(REFERENCE, 'kvm_entry', 'kvm_entry: vcpu 0, rip 0xf7d6b');
  if (p === undefined) return t.skip(missing(REFERENCE));
  assert.deepEqual(decodeRow('kvm_entry', p).row, { vcpu: 0, rip: 0xf7d6bn });
});

test('kvm_entry plugin form with leading space and no comma (trace-cmd 6.5 host)', (t) => {
  const p = realPayload(VHOST_REPORT, 'kvm_entry', 'vcpu 0 rip 0xffffffffb33f2e60');
  if (p === undefined) return t.skip(missing(VHOST_REPORT));
  assert.match(p, /^ {12}vcpu/); // 11 pad + the plugin's own leading space
  assert.deepEqual(decodeRow('kvm_entry', p).row, { vcpu: 0, rip: 0xffffffffb33f2e60n });
});

test('kvm_entry 6.9 [immediate exit] suffix glued to rip', () => {
  const { ok, row } = decodeRow('kvm_entry', 'vcpu 1, rip 0xffffffff81000aa0[immediate exit]');
  assert.ok(ok);
  assert.deepEqual(row, { vcpu: 1, rip: 0xffffffff81000aa0n, flag: true });
});

test('kvm_entry 6.14 intr_info and error_code (real mail line)', (t) => {
  const p = realPayload(REFERENCE, 'kvm_entry', 'rip 0xffffffff81000aa0 intr_info 0x80000b0e');
  if (p === undefined) return t.skip(missing(REFERENCE));
  assert.deepEqual(decodeRow('kvm_entry', p).row, { vcpu: 0, rip: 0xffffffff81000aa0n, intr_info: 0x80000b0e, error_code: 0 });
  const imm = decodeRow('kvm_entry', 'vcpu 0, rip 0x10 intr_info 0x00000000 error_code 0x00000000[immediate exit]').row;
  assert.equal(imm.flag, true);
  assert.equal(imm.error_code, 0);
});

test('kvm_entry unknown [guest] suffix and L1 token are tolerated', () => {
  const { ok, row } = decodeRow('kvm_entry', 'vcpu 2 => L1, rip 0x10 [guest]');
  assert.ok(ok);
  assert.equal(row.vcpu, 2);
  assert.equal(row.rip, 0x10n);
});

test('kvm_entry text without vcpu returns false', () => {
  assert.equal(decodeRow('kvm_entry', 'rip 0x10').ok, false);
});

test('kvm_entry binary 6.18 layout with immediate_exit', () => {
  const row = decodeFieldsRow('kvm_entry', fakeReader({ vcpu_id: 1, rip: 0xffffffff81000000n, immediate_exit: 1, intr_info: 0x80000b0e, error_code: 0 }));
  assert.deepEqual(row, { vcpu: 1, rip: 0xffffffff81000000n, flag: true, intr_info: 0x80000b0e, error_code: 0 });
  assert.deepEqual(decodeFieldsRow('kvm_entry', fakeReader({ vcpu_id: 3 })), { vcpu: 3 });
});
