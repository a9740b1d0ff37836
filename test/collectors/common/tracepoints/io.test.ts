import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFieldsRow, decodeRow, fakeReader, missing, realPayload, REFERENCE, VHOST_REPORT } from './helpers.js';

test('kvm_pio trailing space after val (count 1 prints "")', (t) => {
  const p = realPayload(REFERENCE, 'kvm_pio', 'pio_read at 0x5658 size 4 count 1 val 0x4');
  if (p === undefined) return t.skip(missing(REFERENCE));
  assert.ok(p.endsWith(' '));
  assert.deepEqual(decodeRow('kvm_pio', p).row, { write: false, port: 0x5658, len: 4, count: 1, value: 4n });
});

test('kvm_pio count > 1 with "(...)" and a pre-4.x line without val', () => {
  assert.deepEqual(decodeRow('kvm_pio', 'pio_write at 0x3f8 size 1 count 4 val 0x41 (...)').row, { write: true, port: 0x3f8, len: 1, count: 4, value: 0x41n });
  assert.deepEqual(decodeRow('kvm_pio', 'pio_write at 0x70 size 1 count 1').row, { write: true, port: 0x70, len: 1, count: 1 });
  assert.equal(decodeRow('kvm_pio', 'mmio write len 4').ok, false);
});

test('kvm_pio binary fields', () => {
  assert.deepEqual(decodeFieldsRow('kvm_pio', fakeReader({ rw: 1, port: 0xcf8, size: 4, count: 1, val: 0x80000000 })),
    { write: true, port: 0xcf8, len: 4, count: 1, value: 0x80000000n });
});

test('kvm_mmio type word to detail and write (real 6.5 line)', (t) => {
  const p = realPayload(VHOST_REPORT, 'kvm_mmio', 'mmio write len 4 gpa 0xfec00000 val 0x26');
  if (p === undefined) return t.skip(missing(VHOST_REPORT));
  assert.deepEqual(decodeRow('kvm_mmio', p).row, { detail: 'write', write: true, len: 4, gpa: 0xfec00000n, value: 0x26n });
  assert.equal(decodeRow('kvm_mmio', 'mmio unsatisfied-read len 4 gpa 0xfed00000 val 0x0').row.detail, 'unsatisfied-read');
});

test('kvm_mmio binary type from the print table or the fallback names', () => {
  const row = decodeFieldsRow('kvm_mmio', fakeReader({ type: 1, len: 8, gpa: 0xfee00300n, val: 5 }));
  assert.deepEqual(row, { detail: 'read', write: false, len: 8, gpa: 0xfee00300n, value: 5n });
});

test('kvm_fast_mmio virtio kick gpa (real vhost round trip)', (t) => {
  const p = realPayload(VHOST_REPORT, 'kvm_fast_mmio', 'fast mmio at gpa 0x800007004');
  if (p === undefined) return t.skip(missing(VHOST_REPORT));
  assert.deepEqual(decodeRow('kvm_fast_mmio', p).row, { gpa: 0x800007004n });
  assert.deepEqual(decodeFieldsRow('kvm_fast_mmio', fakeReader({ gpa: 0x180003004n })), { gpa: 0x180003004n });
});
