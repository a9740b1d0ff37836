// The tracefs `format` parser and FieldReader, on the kvm_exit format a 6.5 kernel embeds in
// trace.dat (fixtures/tracedat/kvm_exit-6.5.format) and on small hand-made formats for the quirks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { C } from '../../../../collectors/common/columns.js';
import { EventBatchBuilder } from '../../../../collectors/common/eventBatch.js';
import { evalConstExpr, makeFieldReader, parseEventFormat } from '../../../../collectors/common/tepformat/index.js';

const KVM_EXIT = readFileSync(join(import.meta.dirname, '../../../../fixtures/tracedat/kvm_exit-6.5.format'), 'latin1');

test('kvm_exit 6.5 format: fields, id and the VMX, SVM, flags tables on exit_reason in print-fmt order', () => {
  const f = parseEventFormat(KVM_EXIT, 'kvm');
  assert.equal(f.name, 'kvm_exit');
  assert.equal(f.id, 2088);
  assert.deepEqual(f.problems, []);
  assert.deepEqual(f.fields.map((x) => [x.name, x.offset, x.size, x.signed]), [
    ['common_type', 0, 2, false], ['common_flags', 2, 1, false], ['common_preempt_count', 3, 1, false], ['common_pid', 4, 4, true],
    ['exit_reason', 8, 4, false], ['guest_rip', 16, 8, false], ['isa', 24, 4, false], ['info1', 32, 8, false],
    ['info2', 40, 8, false], ['intr_info', 48, 4, false], ['error_code', 52, 4, false], ['vcpu_id', 56, 4, false],
  ]);
  const t = f.printTables.get('exit_reason')!;
  assert.deepEqual(t.map((x) => x.kind), ['symbolic', 'symbolic', 'flags']);
  assert.equal(t[0]!.table.get(12), 'HLT');
  assert.equal(t[0]!.table.get(56), 'APIC_WRITE');
  assert.equal(t[1]!.table.get(0x078), 'hlt');
  assert.equal(t[1]!.table.get(0x041), 'DB excp'); // "{ 0x040 + 1, ... }"
  assert.equal(t[1]!.table.get(-1), 'invalid_guest_state');
  assert.equal(t[2]!.table.get(0x80000000), 'FAILED_VMENTRY');
  assert.equal(f.printTables.get('guest_rip'), undefined);
});

test('FieldReader reads signed/unsigned/64-bit fields little-endian and never past the record', () => {
  const f = parseEventFormat(KVM_EXIT, 'kvm');
  const rec = Buffer.alloc(64);
  rec.writeUInt16LE(2088, 0); rec.writeInt32LE(60250, 4); rec.writeUInt32LE(0x8000000c, 8);
  rec.writeBigUInt64LE(0xffffffff81234567n, 16); rec.writeUInt32LE(1, 24); rec.writeUInt32LE(3, 56);
  const buf = Buffer.concat([Buffer.alloc(5, 0xee), rec]); // records do not start at 0
  const r = makeFieldReader(f).bind(buf, 5, 60);
  assert.equal(r.num('common_pid'), 60250);
  assert.equal(r.num('exit_reason'), 0x8000000c);
  assert.equal(r.num('vcpu_id'), 3);
  const b = new EventBatchBuilder(() => {}, 4);
  assert.equal(r.set64('guest_rip', C.rip, b), true);
  b.end(); b.flush();
  // record shorter than the field: absent, not a neighbour's bytes
  const short = makeFieldReader(f).bind(buf, 5, 56);
  assert.equal(short.has('vcpu_id'), false);
  assert.equal(short.num('vcpu_id'), undefined);
  assert.equal(r.num('no_such_field'), undefined);
});

test('set64 writes the exact 64-bit value (no float rounding) and sign-extends small signed fields', () => {
  const f = parseEventFormat('name: t\nID: 7\nformat:\n\tfield:u64 big;\toffset:8;\tsize:8;\tsigned:0;\n\tfield:int neg;\toffset:16;\tsize:4;\tsigned:1;\n\nprint fmt: "x"');
  const rec = Buffer.alloc(20);
  rec.writeBigUInt64LE(0xfedcba9876543211n, 8); rec.writeInt32LE(-2, 16);
  let got: bigint[] = [];
  const b = new EventBatchBuilder((batch) => { got = [...(batch.columns[C.rip]!.values as BigUint64Array), ...(batch.columns[C.info1]!.values as BigUint64Array)]; }, 4);
  const r = makeFieldReader(f).bind(rec, 0, 20);
  r.set64('big', C.rip, b); r.set64('neg', C.info1, b); b.end(); b.flush();
  assert.deepEqual(got, [0xfedcba9876543211n, 0xfffffffffffffffen]);
  assert.equal(r.num('neg'), -2);
});

test('char arrays, __data_loc and __rel_loc strings, and big-endian records', () => {
  const text = [
    'name: s', 'ID: 9', 'format:',
    '\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:1;',
    '\tfield:__data_loc char[] name;\toffset:24;\tsize:4;\tsigned:1;',
    '\tfield:__rel_loc char[] rel;\toffset:28;\tsize:4;\tsigned:1;',
    '\tfield:unsigned short port;\toffset:32;\tsize:2;\tsigned:0;',
    '', 'print fmt: "%s", __get_str(name)',
  ].join('\n');
  const f = parseEventFormat(text);
  assert.equal(f.byName.get('comm')!.arrayLen, 16);
  assert.equal(f.byName.get('name')!.location, 'data_loc');
  assert.equal(f.byName.get('rel')!.location, 'rel_loc');
  const rec = Buffer.alloc(64);
  rec.write('CPU 0/KVM\0', 8, 'latin1');
  rec.write('virtio0\0', 40, 'latin1');
  rec.writeUInt32LE((8 << 16) | 40, 24);
  rec.write('abc\0', 48, 'latin1');
  rec.writeUInt32LE((4 << 16) | (48 - 32), 28); // relative to the end of the field (28 + 4)
  rec.writeUInt16LE(0x3f8, 32);
  const r = makeFieldReader(f).bind(rec, 0, 64);
  assert.equal(r.str('comm'), 'CPU 0/KVM');
  assert.equal(r.str('name'), 'virtio0');
  assert.equal(r.str('rel'), 'abc');
  // a locator pointing past the record is absent
  rec.writeUInt32LE((8 << 16) | 60, 24);
  assert.equal(r.str('name'), undefined);
  const be = Buffer.alloc(64); be.writeUInt16BE(0x3f8, 32);
  assert.equal(makeFieldReader(f, { littleEndian: false }).bind(be, 0, 64).num('port'), 0x3f8);
});

test('unreadable field lines are reported with their line number, not thrown', () => {
  const f = parseEventFormat('name: x\nID: abc\nformat:\n\tfield:int;\toffset:8;\tsize:4;\tsigned:1;\n\tfield:char buf[];\toffset:12;\tsize:0;\tsigned:0;\n');
  assert.equal(f.id, -1);
  assert.equal(f.problems.length, 2);
  assert.match(f.problems[0]!, /^line 2: ID is not a number/);
  assert.match(f.problems[1]!, /^line 4: unreadable field/);
  assert.equal(f.byName.get('buf')!.arrayLen, 0); // flexible array is fine
});

test('print-table values are C constant expressions', () => {
  assert.equal(evalConstExpr('0x040 + 19'), 0x53n);
  assert.equal(evalConstExpr('-1'), -1n);
  assert.equal(evalConstExpr('(1UL << 3) | 0x1'), 9n);
  assert.equal(evalConstExpr('~0xffff & 0xffffffff'), 0xffff0000n);
  assert.equal(evalConstExpr('VDSO_CLOCKMODE_TSC'), null);
});
