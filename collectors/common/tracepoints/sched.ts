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
import type { CompiledFieldReader, FieldReader, PrintTable, TracepointDecoder } from './types.js';

/** Start of the decimal (digits, optionally one '-') ending at e, or -1 when no digit ends there. */
function numBefore(t: string, s: number, e: number): number {
  let i = e;
  while (i > s) {
    const c = t.charCodeAt(i - 1);
    if (c < 48 || c > 57) break;
    i--;
  }
  if (i === e) return -1;
  return i > s && t.charCodeAt(i - 1) === 45 ? i - 1 : i;
}

/** Start of `key` when it ends exactly at `end` (inside [s, end)), else -1. */
function keyAt(t: string, key: string, s: number, end: number): number {
  const k = end - key.length;
  return k >= s && t.startsWith(key, k) ? k : -1;
}

/** Start of `key` when it ends where the decimal ending at `end` begins ("... key=123"), else -1 (end < 0 too). */
function keyBeforeNum(t: string, key: string, s: number, end: number): number {
  const d = end < 0 ? -1 : numBefore(t, s, end);
  return d < 0 ? -1 : keyAt(t, key, s, d);
}

/** Last start of lit lying wholly inside L[0, end), or -1. */
function lastIn(L: string, lit: string, end: number): number {
  return end < lit.length ? -1 : L.lastIndexOf(lit, end - lit.length);
}

/** First start of lit lying wholly inside L[from, end), or -1. */
function firstIn(L: string, lit: string, from: number, end: number): number {
  const i = L.indexOf(lit, from);
  return i >= 0 && i + lit.length <= end ? i : -1;
}

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
  /**
   * The kernel form exactly as TP_printk prints it, read from the right with no search: each
   * number is followed by the key found at a known place. Where that holds, the positions are the
   * ones the general reader below finds (only digits lie between the keys); anything else
   * (a space in prev_state, odd spacing) returns false before writing and goes the general way.
   */
  const kernelExact = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    const npr = keyBeforeNum(t, ' next_prio=', s, e);
    const np = keyBeforeNum(t, ' next_pid=', s, npr);
    if (np < 0) return false;
    let arrow = -1;
    for (let i = np - 15; i >= s; i--) {
      if (t.charCodeAt(i + 3) === 62 /* > */ && t.charCodeAt(i) === 32 && t.startsWith(' ==> next_comm=', i)) { arrow = i; break; }
    }
    if (arrow < 0) return false;
    let j = arrow;
    while (j > s && t.charCodeAt(j - 1) !== 32) j--;
    const st = j - 1 >= s && t.startsWith(' prev_state=', j - 1) ? j - 1 : -1;
    const ppr = keyBeforeNum(t, ' prev_prio=', s, st);
    const pp = keyBeforeNum(t, ' prev_pid=', s, ppr);
    if (pp < 0) return false;
    nextComm.set(b, t, arrow + 15, np);
    b.i32(C.next_pid, decI(t, np + 10, npr));
    prevComm.set(b, t, s + 10, pp);
    b.i32(C.prev_pid, decI(t, pp + 10, ppr));
    if (st + 12 < arrow) state.set(b, t, st + 12, arrow);
    return true;
  };
  const kernel = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    if (kernelExact(t, s, e, b)) return true;
    // the payload as its own (sliced) string: native searches bounded to it, one slice per row
    const L = t.substring(s, e);
    // right half: " ==> next_comm=X next_pid=N next_prio=P"
    const np = lastIn(L, ' next_pid=', L.length);
    const arrow = np < 0 ? -1 : lastIn(L, ' ==> next_comm=', np);
    if (arrow < 0) return false;
    nextComm.set(b, t, s + arrow + 15, s + np);
    const npe = tokEnd(t, s + np + 10, e);
    const npid = decI(t, s + np + 10, npe);
    if (npid !== npid) return false;
    b.i32(C.next_pid, npid);
    // left half: "prev_comm=X prev_pid=N prev_prio=P prev_state=S"
    const pp = lastIn(L, ' prev_pid=', arrow);
    const pc = skipSp(t, s, e);
    if (pp < 0 || !t.startsWith('prev_comm=', pc)) return false;
    prevComm.set(b, t, pc + 10, s + pp);
    const ppid = decI(t, s + pp + 10, tokEnd(t, s + pp + 10, s + arrow));
    if (ppid !== ppid) return false;
    b.i32(C.prev_pid, ppid);
    const st = firstIn(L, ' prev_state=', pp, arrow);
    if (st >= 0 && st + 12 < arrow) state.set(b, t, s + st + 12, s + arrow);
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
  const setState = (r: FieldReader, ps: number, b: EventBatchBuilder): void => {
    const tables = r.printTables('prev_state');
    const dict = b.dictionaries[C.prev_state]!;
    if (tables !== stateTables || dict !== stateDict) { stateTables = tables; stateDict = dict; stateCode = new Map(); }
    let code = stateCode.get(ps);
    if (code === undefined) stateCode.set(ps, (code = dict.code(prevStateText(ps, r))));
    b.dictCode(C.prev_state, code);
  };
  const fields = (r: FieldReader, b: EventBatchBuilder): void => {
    dictStr(r, 'prev_comm', C.prev_comm, b);
    const pp = r.num('prev_pid');
    if (pp !== undefined) b.i32(C.prev_pid, pp);
    const ps = r.num('prev_state');
    if (ps !== undefined) setState(r, ps, b);
    dictStr(r, 'next_comm', C.next_comm, b);
    const np = r.num('next_pid');
    if (np !== undefined) b.i32(C.next_pid, np);
  };
  // binary fast path: the same fields, resolved once per format
  const compile = (r: CompiledFieldReader) => {
    const prevComm = r.ref('prev_comm'), prevPid = r.ref('prev_pid'), prevState = r.ref('prev_state');
    const nextComm = r.ref('next_comm'), nextPid = r.ref('next_pid');
    // prev_state code by value (+1; 0 = not yet) for the dictionary it was made with; the print
    // tables are the format's, fixed for this compiled decoder
    const codes = new Int32Array(1024);
    let codesDict: Dictionary | null = null;
    return (b: EventBatchBuilder): void => {
      r.dictStrAt(prevComm, C.prev_comm, b);
      const pp = r.numAt(prevPid);
      if (pp !== undefined) b.i32(C.prev_pid, pp);
      const ps = r.numAt(prevState);
      if (ps !== undefined) {
        const dict = b.dictionaries[C.prev_state]!;
        if (dict !== codesDict) { codesDict = dict; codes.fill(0); }
        const small = ps >= 0 && ps < 1024;
        let code = small ? codes[ps]! - 1 : -1;
        if (code < 0) {
          code = dict.code(prevStateText(ps, r));
          if (small) codes[ps] = code + 1;
        }
        b.dictCode(C.prev_state, code);
      }
      r.dictStrAt(nextComm, C.next_comm, b);
      const np = r.numAt(nextPid);
      if (np !== undefined) b.i32(C.next_pid, np);
    };
  };
  return defineDecoder('sched_switch', text, fields, ['prev_pid', 'next_pid'], compile);
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
  /** "comm=C pid=P prio=R target_cpu=T" read from the right without search (see makeSwitch). */
  const kernelExact = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    const tc = keyBeforeNum(t, ' target_cpu=', s, e);
    const prio = keyBeforeNum(t, ' prio=', s, tc);
    const pid = keyBeforeNum(t, ' pid=', s, prio);
    if (pid < 0) return false;
    comm.set(b, t, s + 5, pid);
    b.i32(C.next_pid, decI(t, pid + 5, prio));
    b.i32(C.target_cpu, decI(t, tc + 12, e));
    return true;
  };
  const kernel = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    if (kernelExact(t, s, e, b)) return true;
    const L = t.substring(s, e); // native searches bounded to the payload (see makeSwitch)
    const tc = lastIn(L, ' target_cpu=', L.length);
    const prio = lastIn(L, ' prio=', tc < 0 ? L.length : tc);
    const pid = prio < 0 ? -1 : lastIn(L, ' pid=', prio);
    if (pid < 0) return false;
    comm.set(b, t, s + 5, s + pid);
    const p = decI(t, s + pid + 5, s + prio);
    if (p !== p) return false;
    b.i32(C.next_pid, p);
    if (tc >= 0) {
      const c = decI(t, s + tc + 12, tokEnd(t, s + tc + 12, e));
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
  const compile = (r: CompiledFieldReader) => {
    const commF = r.ref('comm'), pidF = r.ref('pid'), targetF = r.ref('target_cpu');
    return (b: EventBatchBuilder): void => {
      r.dictStrAt(commF, C.next_comm, b);
      const p = r.numAt(pidF);
      if (p !== undefined) b.i32(C.next_pid, p);
      const tc = r.numAt(targetF);
      if (tc !== undefined) b.i32(C.target_cpu, tc);
    };
  };
  return defineDecoder(name, text, fields, ['pid'], compile);
}

export function schedDecoders(): TracepointDecoder[] {
  return [makeSwitch(), makeWakeup('sched_wakeup'), makeWakeup('sched_waking'), makeWakeup('sched_wakeup_new')];
}
