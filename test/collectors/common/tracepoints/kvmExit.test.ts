import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFieldsRow, decodeRow, fakeReader, missing, realPayload, REFERENCE, VHOST_REPORT } from './helpers.js';

function real(file: string, event: string, needle: string, t: { skip: (m: string) => void }): string | undefined {
  const p = realPayload(file, event, needle);
  if (p === undefined) t.skip(missing(file));
  return p;
}

test('kvm_exit 4.x reason rip info without vcpu (raw ftrace)', (t) => {
  const p = real(REFERENCE, 'kvm_exit', 'reason IO_INSTRUCTION rip 0xff info e90008 0', t);
  if (!p) return;
  const { ok, row } = decodeRow('kvm_exit', p);
  assert.ok(ok);
  assert.deepEqual(row, { reason: 'IO_INSTRUCTION', reason_code: 30n, isa: 'VMX', rip: 0xffn, info1: 0xe90008n, info2: 0n });
});

test('kvm_exit plugin form on a 6.5 host (trace-cmd report, 13-space padding)', (t) => {
  const p = real(VHOST_REPORT, 'kvm_exit', 'reason EPT_MISCONFIG rip 0xffffffffb2633af9', t);
  if (!p) return;
  assert.match(p, /^ {2,}reason/, 'trace-cmd padding kept in the payload');
  const { ok, row } = decodeRow('kvm_exit', p);
  assert.ok(ok);
  assert.deepEqual(row, { reason: 'EPT_MISCONFIG', reason_code: 49n, isa: 'VMX', rip: 0xffffffffb2633af9n, info1: 0n, info2: 0n });
});

test('kvm_exit pre-5.6 name PENDING_INTERRUPT maps to code 7', (t) => {
  const p = real(REFERENCE, 'kvm_exit', 'reason PENDING_INTERRUPT rip 0x22da', t);
  if (!p) return;
  const { row } = decodeRow('kvm_exit', p);
  assert.equal(row.reason, 'PENDING_INTERRUPT');
  assert.equal(row.reason_code, 7n);
  assert.equal(row.isa, 'VMX');
});

test('kvm_exit 5.4 vcpu before reason', () => {
  // 5.4 TP_printk "vcpu %u reason %s rip 0x%lx info %llx %llx" (Peter Xu, "KVM: X86: Trace vcpu_id for vmexit")
  const { ok, row } = decodeRow('kvm_exit', 'vcpu 3 reason HLT rip 0xffffffff81a3e8ee info 0 0');
  assert.ok(ok);
  assert.deepEqual(row, { vcpu: 3, reason: 'HLT', reason_code: 12n, isa: 'VMX', rip: 0xffffffff81a3e8een, info1: 0n, info2: 0n });
});

test('kvm_exit 5.8 reason with FAILED_VMENTRY flag', () => {
  const { ok, row } = decodeRow('kvm_exit', 'vcpu 0 reason INVALID_STATE FAILED_VMENTRY rip 0xfff0 info 0 0');
  assert.ok(ok);
  assert.equal(row.reason, 'INVALID_STATE');
  assert.equal(row.reason_code, 33n);
  assert.equal(row.detail, 'FAILED_VMENTRY');
  assert.equal(row.rip, 0xfff0n);
});

test('kvm_exit 5.10 info1 info2 intr_info error_code (real mail line)', (t) => {
  const p = real(REFERENCE, 'kvm_exit', 'kvm_exit: vcpu 0 reason EXCEPTION_NMI rip 0xfd0bd', t);
  if (!p) return;
  const { ok, row } = decodeRow('kvm_exit', p);
  assert.ok(ok);
  assert.deepEqual(row, {
    vcpu: 0, reason: 'EXCEPTION_NMI', reason_code: 0n, isa: 'VMX', rip: 0xfd0bdn, info1: 0n, info2: 0x413n,
    intr_info: 0x80000306, error_code: 0,
  });
});

test('kvm_exit 6.14 requests field', () => {
  const { row } = decodeRow('kvm_exit', 'vcpu 1 reason EPT_VIOLATION rip 0xffffffff8100 info1 0x0000000000000181 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000 requests 0x0000000000000100');
  assert.equal(row.requests, 0x100n);
  assert.equal(row.info1, 0x181n);
  assert.equal(row.reason_code, 48n);
});

test('kvm_exit abbreviated line without rip keeps the one-token reason', (t) => {
  const p = real(REFERENCE, 'kvm_exit', 'reason EXTERNAL_INTERRUPT intr_info 0x800000ec', t);
  if (!p) return;
  const { ok, row } = decodeRow('kvm_exit', p);
  assert.ok(ok);
  assert.equal(row.reason, 'EXTERNAL_INTERRUPT');
  assert.equal(row.intr_info, 0x800000ec);
  assert.equal(row.rip, undefined);
});

test('kvm_exit SVM plugin EXIT_MSR and EXIT_EXCP_GP names', (t) => {
  const p = real(REFERENCE, 'kvm_exit', 'reason EXIT_EXCP_GP rip 0x4015c2 info 6a 0', t);
  if (!p) return;
  const { row } = decodeRow('kvm_exit', p);
  assert.deepEqual(row, { reason: 'EXIT_EXCP_GP', reason_code: 0x4dn, isa: 'SVM', rip: 0x4015c2n, info1: 0x6an, info2: 0n });
  assert.equal(decodeRow('kvm_exit', 'reason EXIT_NPF rip 0x1 info 1 fee00000').row.reason_code, 0x400n);
});

test('kvm_exit SVM kernel name with a space (GP excp)', () => {
  const { ok, row } = decodeRow('kvm_exit', 'vcpu 1 reason GP excp rip 0xffffffff81 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000');
  assert.ok(ok);
  assert.equal(row.reason, 'GP excp');
  assert.equal(row.reason_code, 0x4dn);
  assert.equal(row.isa, 'SVM');
  assert.equal(row.rip, 0xffffffff81n);
});

test('kvm_exit unknown reason as hex (0x4c) and as plugin UNKNOWN (76)', () => {
  const a = decodeRow('kvm_exit', 'vcpu 0 reason 0x4c rip 0x10 info 0 0').row;
  assert.equal(a.reason, '0x4c');
  assert.equal(a.reason_code, 76n);
  assert.equal(a.isa, undefined);
  const b = decodeRow('kvm_exit', 'reason UNKNOWN (76) rip 0x10 info 0 0').row;
  assert.equal(b.reason, 'UNKNOWN (76)');
  assert.equal(b.reason_code, 76n);
  assert.equal(b.rip, 0x10n);
});

test('kvm_exit plugin guest symbol between rip and info is skipped', () => {
  const { row } = decodeRow('kvm_exit', 'reason HLT rip 0xffffffff81 default_idle+0x10 info 0 0');
  assert.equal(row.rip, 0xffffffff81n);
  assert.equal(row.info1, 0n);
});

test('kvm_exit private variant with trailing unknown key (intr 0)', (t) => {
  const p = real(REFERENCE, 'kvm:kvm_exit', 'reason PREEMPTION_TIMER rip 0x40274d info 0 0 intr 0', t);
  if (!p) return;
  const { ok, row } = decodeRow('kvm_exit', p);
  assert.ok(ok);
  assert.equal(row.reason, 'PREEMPTION_TIMER');
  assert.equal(row.info2, 0n);
});

test('kvm_exit text that is not a kvm_exit payload returns false', () => {
  assert.equal(decodeRow('kvm_exit', 'something else entirely').ok, false);
});

test('kvm_nested_vmexit 5.10+ kernel form (real mail line)', (t) => {
  const p = real(REFERENCE, 'kvm_nested_vmexit', 'kvm_nested_vmexit: vcpu 0 reason EXCEPTION_NMI rip 0x1', t);
  if (!p) return;
  const { ok, row } = decodeRow('kvm_nested_vmexit', p);
  assert.ok(ok);
  assert.equal(row.info1, 0x4000n);
  assert.equal(row.intr_info, 0x80000301);
  assert.equal(row.rip, 1n);
});

test('kvm_nested_vmexit plugin form: rip before reason, bare hex, int_info', (t) => {
  const p = real(REFERENCE, 'kvm_nested_vmexit', 'rip 7fa9ee5224e4 reason IO_INSTRUCTION info1 5658000b', t);
  if (!p) return;
  const { ok, row } = decodeRow('kvm_nested_vmexit', p);
  assert.ok(ok);
  assert.deepEqual(row, { rip: 0x7fa9ee5224e4n, reason: 'IO_INSTRUCTION', reason_code: 30n, isa: 'VMX', info1: 0x5658000bn, info2: 0n, intr_info: 0, error_code: 0 });
});

test('kvm_nested_vmexit pre-5.10 kernel form with colons (ext_inf1:)', () => {
  const { ok, row } = decodeRow('kvm_nested_vmexit', 'rip: 0x00000000004004d8 reason: EXTERNAL_INTERRUPT ext_inf1: 0x0000000000000000 ext_inf2: 0x0000000000000000 ext_int: 0x800000f6 ext_int_err: 0x00000000');
  assert.ok(ok);
  assert.equal(row.reason, 'EXTERNAL_INTERRUPT');
  assert.equal(row.rip, 0x4004d8n);
  assert.equal(row.intr_info, 0x800000f6);
});

const VMX_T = { kind: 'symbolic' as const, table: new Map([[12, 'HLT'], [33, 'INVALID_STATE']]) };
const SVM_T = { kind: 'symbolic' as const, table: new Map([[0x78, 'hlt'], [-1, 'invalid_guest_state']]) };
const FLAGS_T = { kind: 'flags' as const, table: new Map([[0x80000000, 'FAILED_VMENTRY']]) };

test('kvm_exit binary VMX reason from the file table, FAILED_VMENTRY flag to detail', () => {
  const row = decodeFieldsRow('kvm_exit', fakeReader(
    { exit_reason: 0x80000021, isa: 1, guest_rip: 0xfff0n, info1: 0, info2: 0, intr_info: 0, error_code: 0, vcpu_id: 2, requests: 0 },
    { exit_reason: [VMX_T, SVM_T, FLAGS_T] }));
  assert.deepEqual(row, {
    vcpu: 2, reason: 'INVALID_STATE', reason_code: 33n, isa: 'VMX', rip: 0xfff0n, info1: 0n, info2: 0n,
    intr_info: 0, error_code: 0, requests: 0n, detail: 'FAILED_VMENTRY',
  });
});

test('kvm_exit binary SVM uses the second table; -1 is invalid_guest_state', () => {
  const r1 = decodeFieldsRow('kvm_exit', fakeReader({ exit_reason: 0x78, isa: 2, guest_rip: 1 }, { exit_reason: [VMX_T, SVM_T, FLAGS_T] }));
  assert.equal(r1.reason, 'hlt');
  assert.equal(r1.isa, 'SVM');
  const r2 = decodeFieldsRow('kvm_exit', fakeReader({ exit_reason: 0xffffffff, isa: 2, guest_rip: 1 }, { exit_reason: [VMX_T, SVM_T] }));
  assert.equal(r2.reason, 'invalid_guest_state');
  assert.equal(r2.reason_code, -1n);
});

test('kvm_exit binary without print tables falls back to exitReasons (old 4.x layout, no vcpu_id)', () => {
  const row = decodeFieldsRow('kvm_exit', fakeReader({ exit_reason: 49, isa: 1, guest_rip: 5, info1: 0, info2: 0 }));
  assert.deepEqual(row, { reason: 'EPT_MISCONFIG', reason_code: 49n, isa: 'VMX', rip: 5n, info1: 0n, info2: 0n });
  const unk = decodeFieldsRow('kvm_exit', fakeReader({ exit_reason: 76, isa: 1, guest_rip: 5 }));
  assert.equal(unk.reason, '0x4c');
});

test('kvm_exit [FAILED TO PARSE] payload decodes field=value pairs by name', () => {
  const { ok, row } = decodeRow('kvm_exit', '[FAILED TO PARSE] exit_reason=30 guest_rip=0xffffffff81 isa=1 info1=0x5658000b info2=0 intr_info=0 error_code=0 vcpu_id=1');
  assert.ok(ok);
  assert.equal(row.reason, 'IO_INSTRUCTION');
  assert.equal(row.rip, 0xffffffff81n);
  assert.equal(row.info1, 0x5658000bn);
  assert.equal(row.vcpu, 1);
  assert.equal(decodeRow('kvm_exit', '[FAILED TO PARSE] foo=1').ok, false);
});
