import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFieldsRow, decodeRow, fakeReader, missing, realPayload, VHOST_REPORT } from './helpers.js';

test('kvm_vcpu_wakeup wait time with polling valid (real 6.5 line)', (t) => {
  const p = realPayload(VHOST_REPORT, 'kvm_vcpu_wakeup', 'wait time 89859 ns, polling valid');
  if (p === undefined) return t.skip(missing(VHOST_REPORT));
  assert.deepEqual(decodeRow('kvm_vcpu_wakeup', p).row, { flag: true, wait_ns: 89859n, detail: 'valid' });
  assert.deepEqual(decodeRow('kvm_vcpu_wakeup', 'poll time 1200 ns').row, { flag: false, wait_ns: 1200n });
  assert.deepEqual(decodeFieldsRow('kvm_vcpu_wakeup', fakeReader({ ns: 5000, waited: 1, valid: 0 })), { wait_ns: 5000n, flag: true, detail: 'invalid' });
});

test('kvm_halt_poll_ns grow with old value', (t) => {
  const p = realPayload(VHOST_REPORT, 'kvm_halt_poll_ns', 'vcpu 0: halt_poll_ns 40000 (grow 20000)');
  if (p === undefined) return t.skip(missing(VHOST_REPORT));
  assert.deepEqual(decodeRow('kvm_halt_poll_ns', p).row, { vcpu: 0, wait_ns: 40000n, flag: true, value: 20000n });
  assert.deepEqual(decodeFieldsRow('kvm_halt_poll_ns', fakeReader({ grow: 0, vcpu_id: 1, new: 0, old: 10000 })), { vcpu: 1, wait_ns: 0n, flag: false, value: 10000n });
});

test('kvm_userspace_exit reason with number, and restart errno', (t) => {
  const p = realPayload(VHOST_REPORT, 'kvm_userspace_exit', 'reason KVM_EXIT_MMIO (6)');
  if (p === undefined) return t.skip(missing(VHOST_REPORT));
  assert.deepEqual(decodeRow('kvm_userspace_exit', p).row, { reason: 'KVM_EXIT_MMIO', reason_code: 6n });
  assert.deepEqual(decodeRow('kvm_userspace_exit', 'reason restart (4)').row, { reason: 'restart', errno: -4 });
  assert.deepEqual(decodeFieldsRow('kvm_userspace_exit', fakeReader({ reason: 2, errno: 0 })), { errno: 0, reason: 'KVM_EXIT_IO', reason_code: 2n });
  assert.deepEqual(decodeFieldsRow('kvm_userspace_exit', fakeReader({ reason: 2, errno: -4 })), { errno: -4, reason: 'restart' });
});
