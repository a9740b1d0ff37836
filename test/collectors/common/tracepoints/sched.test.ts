import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFieldsRow, decodeRow, fakeReader, missing, realPayload, VHOST_REPORT } from './helpers.js';

test('sched_switch kernel form with comms holding spaces and "="', () => {
  const { ok, row } = decodeRow('sched_switch', 'prev_comm=CPU 0/KVM prev_pid=7289 prev_prio=120 prev_state=R+ ==> next_comm=a=b c next_pid=12 next_prio=120');
  assert.ok(ok);
  assert.deepEqual(row, { next_comm: 'a=b c', next_pid: 12, prev_comm: 'CPU 0/KVM', prev_pid: 7289, prev_state: 'R+' });
});

test('sched_switch sched plugin form (real 6.5 trace-cmd line)', (t) => {
  const p = realPayload(VHOST_REPORT, 'sched_switch', 'qemu-system-x86:150750 [120] R ==> vhost-150742:150787 [120]');
  if (p === undefined) return t.skip(missing(VHOST_REPORT));
  assert.deepEqual(decodeRow('sched_switch', p).row, { next_comm: 'vhost-150742', next_pid: 150787, prev_state: 'R', prev_comm: 'qemu-system-x86', prev_pid: 150750 });
  assert.deepEqual(decodeRow('sched_switch', 'CPU 1/KVM:99 [120] S ==> swapper/19:0 [120]').row,
    { next_comm: 'swapper/19', next_pid: 0, prev_state: 'S', prev_comm: 'CPU 1/KVM', prev_pid: 99 });
});

test('sched_switch binary prev_state flags and preempted "+"', () => {
  const row = decodeFieldsRow('sched_switch', fakeReader({ prev_comm: 'CPU 0/KVM', prev_pid: 5, prev_state: 0x100, next_comm: 'swapper/1', next_pid: 0 }));
  assert.deepEqual(row, { prev_comm: 'CPU 0/KVM', prev_pid: 5, prev_state: 'R+', next_comm: 'swapper/1', next_pid: 0 });
  assert.equal(decodeFieldsRow('sched_switch', fakeReader({ prev_pid: 5, prev_state: 0x2, next_pid: 0 })).prev_state, 'D');
});

test('sched_waking kernel form target_cpu=019', (t) => {
  const p = realPayload(VHOST_REPORT, 'sched_waking', 'comm=vhost-150742 pid=150787 prio=120 target_cpu=019');
  if (p === undefined) return t.skip(missing(VHOST_REPORT));
  assert.deepEqual(decodeRow('sched_waking', p).row, { next_comm: 'vhost-150742', next_pid: 150787, target_cpu: 19 });
  assert.deepEqual(decodeRow('sched_wakeup', 'comm=CPU 0/KVM pid=7 prio=120 success=1 target_cpu=003').row, { next_comm: 'CPU 0/KVM', next_pid: 7, target_cpu: 3 });
});

test('sched_wakeup plugin form with CPU:019 and old success=1', (t) => {
  const p = realPayload(VHOST_REPORT, 'sched_wakeup', 'vhost-150742:150787 [120] CPU:019');
  if (p === undefined) return t.skip(missing(VHOST_REPORT));
  assert.deepEqual(decodeRow('sched_wakeup', p).row, { target_cpu: 19, next_comm: 'vhost-150742', next_pid: 150787 });
  assert.deepEqual(decodeRow('sched_wakeup', 'kworker/u16:2:311 [120] success=1 CPU:072').row, { target_cpu: 72, next_comm: 'kworker/u16:2', next_pid: 311 });
  assert.deepEqual(decodeFieldsRow('sched_wakeup', fakeReader({ comm: 'qemu', pid: 9, prio: 120, target_cpu: 2 })), { next_comm: 'qemu', next_pid: 9, target_cpu: 2 });
});
