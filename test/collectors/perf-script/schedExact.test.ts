// sched_switch / sched_wakeup kernel payloads are read right to left with no search when they are
// exactly as TP_printk prints them, and by the general (search) reader otherwise. Both must give
// the same fields; these lines sit on the border between the two (comms with spaces, '=', '==>',
// digits; an empty prev_state; the pre-4.19 "success=1" field).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { perfScript } from '../../../collectors/perf-script/index.js';
import { run, tmpTrace } from '../text/textUtil.js';

const line = (ev: string, payload: string): string => `            perf 16322 [000]  2813.835801138: sched:${ev}: ${payload}\n`;

test('sched_switch and sched_wakeup: exact-form reader and general reader agree at the border', async () => {
  const text = [
    line('sched_switch', 'prev_comm=CPU 0/KVM prev_pid=1234 prev_prio=120 prev_state=S ==> next_comm=swapper/3 next_pid=0 next_prio=120'),
    // a comm holding "==> next_comm=": the last arrow before next_pid wins, state keeps the rest
    line('sched_switch', 'prev_comm=a prev_pid=1 prev_prio=120 prev_state=S ==> next_comm=x ==> next_comm=b next_pid=5 next_prio=120'),
    line('sched_switch', 'prev_comm=x prev_pid=5 prev_prio=1 prev_state=R+ ==> next_comm=y = z next_pid=6 next_prio=2'),
    line('sched_switch', 'prev_comm=a prev_pid=1 prev_prio=2 prev_state= ==> next_comm=b next_pid=3 next_prio=4'),
    line('sched_switch', 'prev_comm=a  prev_pid=7  prev_prio=2 prev_state=D ==> next_comm=b next_pid=8 next_prio=4'),
    line('sched_wakeup', 'comm=fc_vcpu 1 pid=77 prio=120 target_cpu=003'),
    line('sched_wakeup', 'comm=a pid=1 prio=2 success=1 target_cpu=004'),
    line('sched_wakeup', 'comm=p pid=9 prio=120 target_cpu=-1'),
  ].join('');
  const { rows, diag } = await run(perfScript, tmpTrace(text));
  assert.equal(diag.warningCount, 0);
  const pick = (r: Record<string, unknown>): unknown[] => [r.prev_comm, r.prev_pid, r.prev_state, r.next_comm, r.next_pid, r.target_cpu];
  assert.deepEqual(rows.map(pick), [
    ['CPU 0/KVM', 1234, 'S', 'swapper/3', 0, null],
    ['a', 1, 'S ==> next_comm=x', 'b', 5, null],
    ['x', 5, 'R+', 'y = z', 6, null],
    ['a', 1, null, 'b', 3, null],
    ['a ', 7, 'D', 'b', 8, null],
    [null, null, null, 'fc_vcpu 1', 77, 3],
    [null, null, null, 'a', 1, 4],
    [null, null, null, 'p', 9, -1],
  ]);
});
