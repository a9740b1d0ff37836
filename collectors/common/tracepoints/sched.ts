// Scheduler payloads (include/trace/events/sched.h; libtraceevent plugin_sched_switch.c).
// sched_switch, kernel:
//   prev_comm=qemu-system-x86 prev_pid=150750 prev_prio=120 prev_state=S ==> next_comm=swapper/19 next_pid=0 next_prio=120
// sched_switch, sched plugin (trace-cmd report / perf script with plugins):
//   qemu-system-x86:150750 [120] S ==> swapper/19:0 [120]
// sched_wakeup / sched_waking / sched_wakeup_new, kernel (success= only before ~4.19):
//   comm=qemu-system-x86 pid=150750 prio=120 [success=1 ]target_cpu=019
// plugin:
//   vhost-150742:150787 [120] CPU:019          (older: "... [120] success=1 CPU:072")
// Comms may hold spaces, ':' and '=', so every field is found from the right, anchored on the
// fixed keys that follow the comm.
import { C } from '../columns.js';
import type { Dictionary, EventBatchBuilder } from '../eventBatch.js';
import { defineDecoder } from './define.js';
import { DictSetter } from './intern.js';
import { decI, find, findLast, skipSp, tokEnd, trimEnd } from './scan.js';
import type { FieldReader, PrintTable, TracepointDecoder } from './types.js';

/** Start of the last space-separated token in t[s, e) (e trimmed). */
function lastTok(t: string, s: number, e: number): number {
  let i = e;
  while (i > s) {
    const c = t.charCodeAt(i - 1);
    if (c === 32 || c === 9) break;
    i--;
  }
  return i;
}

function trimStart(t: string, s: number, e: number): number {
  return skipSp(t, s, e);
}

/** "comm:pid" in t[s, e): sets comm via `comm` and pid via `pidCol`; false without ':'. */
function commPid(t: string, s: number, e: number, b: EventBatchBuilder, comm: DictSetter, pidCol: number): boolean {
  const colon = findLast(t, ':', s, e);
  if (colon < 0) return false;
  const pid = decI(t, colon + 1, e);
  if (pid !== pid) return false;
  comm.set(b, t, s, colon);
  b.i32(pidCol, pid);
  return true;
}

/** Before "[prio]" in "comm:pid [prio]..." : end of "comm:pid". */
function beforePrio(t: string, s: number, e: number): number {
  const br = findLast(t, ' [', s, e);
  return br;
}

/** A string field into a dict column, through the reader's byte-keyed code cache when it has one. */
function dictStr(r: FieldReader, field: string, col: number, b: EventBatchBuilder): void {
  if (r.dictStr !== undefined) { r.dictStr(field, col, b); return; }
  const v = r.str(field);
  if (v !== undefined) b.dict(col, v);
}

function makeSwitch(): TracepointDecoder {
  const prevComm = new DictSetter(C.prev_comm);
  const nextComm = new DictSetter(C.next_comm);
  const state = new DictSetter(C.prev_state);
  const kernel = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    // right half: " ==> next_comm=X next_pid=N next_prio=P"
    const np = findLast(t, ' next_pid=', s, e);
    const arrow = np < 0 ? -1 : findLast(t, ' ==> next_comm=', s, np);
    if (arrow < 0) return false;
    nextComm.set(b, t, arrow + 15, np);
    const npe = tokEnd(t, np + 10, e);
    const npid = decI(t, np + 10, npe);
    if (npid !== npid) return false;
    b.i32(C.next_pid, npid);
    // left half: "prev_comm=X prev_pid=N prev_prio=P prev_state=S"
    const pp = findLast(t, ' prev_pid=', s, arrow);
    const pc = skipSp(t, s, e);
    if (pp < 0 || !t.startsWith('prev_comm=', pc)) return false;
    prevComm.set(b, t, pc + 10, pp);
    const ppid = decI(t, pp + 10, tokEnd(t, pp + 10, arrow));
    if (ppid !== ppid) return false;
    b.i32(C.prev_pid, ppid);
    const st = find(t, ' prev_state=', pp, arrow);
    if (st >= 0 && st + 12 < arrow) state.set(b, t, st + 12, arrow);
    return true;
  };
  const plugin = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    const arrow = findLast(t, ' ==> ', s, e);
    if (arrow < 0) return false;
    // right: "comm:pid [prio]"
    const rs = skipSp(t, arrow + 5, e);
    const rb = beforePrio(t, rs, e);
    if (rb < 0 || !commPid(t, rs, rb, b, nextComm, C.next_pid)) return false;
    // left: "comm:pid [prio] STATE"
    const ls = trimStart(t, s, arrow);
    const stS = lastTok(t, ls, arrow);
    if (stS <= ls) return false;
    state.set(b, t, stS, arrow);
    const lb = beforePrio(t, ls, stS - 1);
    if (lb < 0 || !commPid(t, ls, lb, b, prevComm, C.prev_pid)) return false;
    return true;
  };
  const text = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    e = trimEnd(t, s, e);
    const i = skipSp(t, s, e);
    return t.startsWith('prev_comm=', i) ? kernel(t, i, e, b) : plugin(t, i, e, b);
  };
  // prev_state code by value, for the print tables and dictionary it was made with
  let stateTables: readonly PrintTable[] | null = null;
  let stateDict: Dictionary | null = null;
  let stateCode = new Map<number, number>();
  const fields = (r: FieldReader, b: EventBatchBuilder): void => {
    dictStr(r, 'prev_comm', C.prev_comm, b);
    const pp = r.num('prev_pid');
    if (pp !== undefined) b.i32(C.prev_pid, pp);
    const ps = r.num('prev_state');
    if (ps !== undefined) {
      const tables = r.printTables('prev_state');
      const dict = b.dictionaries[C.prev_state]!;
      if (tables !== stateTables || dict !== stateDict) { stateTables = tables; stateDict = dict; stateCode = new Map(); }
      let code = stateCode.get(ps);
      if (code === undefined) stateCode.set(ps, (code = dict.code(prevStateText(ps, r))));
      b.dictCode(C.prev_state, code);
    }
    dictStr(r, 'next_comm', C.next_comm, b);
    const np = r.num('next_pid');
    if (np !== undefined) b.i32(C.next_pid, np);
  };
  return defineDecoder('sched_switch', text, fields, ['prev_pid', 'next_pid']);
}

const TASK_STATES: ReadonlyMap<number, string> = new Map([
  [0x01, 'S'], [0x02, 'D'], [0x04, 'T'], [0x08, 't'], [0x10, 'X'], [0x20, 'Z'], [0x40, 'P'], [0x80, 'I'],
]);

/** prev_state as the kernel prints it: "R", flags joined by "|", "+" when preempted (TASK_REPORT_MAX). */
export function prevStateText(state: number, r: FieldReader): string {
  let table = TASK_STATES;
  for (const pt of r.printTables('prev_state')) if (pt.kind === 'flags') table = pt.table;
  let maxBit = 0;
  for (const bit of table.keys()) if (bit > maxBit) maxBit = bit;
  const mask = maxBit * 2 - 1;
  const parts: string[] = [];
  for (const [bit, name] of table) if (state & mask & bit) parts.push(name);
  return (parts.length ? parts.join('|') : 'R') + (state & (maxBit * 2) ? '+' : '');
}

function makeWakeup(name: string): TracepointDecoder {
  const comm = new DictSetter(C.next_comm);
  const kernel = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    const tc = findLast(t, ' target_cpu=', s, e);
    const prio = findLast(t, ' prio=', s, tc < 0 ? e : tc);
    const pid = prio < 0 ? -1 : findLast(t, ' pid=', s, prio);
    if (pid < 0) return false;
    comm.set(b, t, s + 5, pid);
    const p = decI(t, pid + 5, prio);
    if (p !== p) return false;
    b.i32(C.next_pid, p);
    if (tc >= 0) {
      const c = decI(t, tc + 12, tokEnd(t, tc + 12, e));
      if (c === c) b.i32(C.target_cpu, c);
    }
    return true;
  };
  const plugin = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    const last = lastTok(t, s, e);
    let end = e;
    if (t.startsWith('CPU:', last)) {
      const c = decI(t, last + 4, e);
      if (c === c) b.i32(C.target_cpu, c);
      end = last;
    }
    const br = beforePrio(t, s, end);
    if (br < 0) return false;
    return commPid(t, s, br, b, comm, C.next_pid);
  };
  const text = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    e = trimEnd(t, s, e);
    const i = skipSp(t, s, e);
    return t.startsWith('comm=', i) ? kernel(t, i, e, b) : plugin(t, i, e, b);
  };
  const fields = (r: FieldReader, b: EventBatchBuilder): void => {
    dictStr(r, 'comm', C.next_comm, b);
    const p = r.num('pid');
    if (p !== undefined) b.i32(C.next_pid, p);
    const tc = r.num('target_cpu');
    if (tc !== undefined) b.i32(C.target_cpu, tc);
  };
  return defineDecoder(name, text, fields, ['pid']);
}

export function schedDecoders(): TracepointDecoder[] {
  return [makeSwitch(), makeWakeup('sched_wakeup'), makeWakeup('sched_waking'), makeWakeup('sched_wakeup_new')];
}
