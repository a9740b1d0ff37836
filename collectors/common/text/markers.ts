// Non-event lines that ftrace and trace-cmd print between events. They are counted (and lost
// markers become "[lost]" rows), never treated as parse errors.
//   "CPU:3 [LOST 1208 EVENTS]"           kernel/trace/trace.c print_trace_line() (trace, trace_pipe)
//   "CPU:3 [1208 EVENTS DROPPED]"        trace-cmd trace-read.c (missed events with a count)
//   "CPU:3 [EVENTS DROPPED]"             trace-cmd trace-read.c (count unknown)
//   "##### CPU 2 buffer started ####"    kernel/trace/trace.c (older events on that CPU overwritten)
//   "CPU 3 is empty"                     trace-cmd trace-input.c
//   "cpus=20", "version = 6"             trace-cmd report preamble
//   "# tracer: nop", "#   TASK-PID ..."  ftrace headers

export type MarkerKind = 'comment' | 'buffer-started' | 'lost' | 'cpu-empty' | 'cpus' | 'version' | 'blank';

export interface Marker {
  kind: MarkerKind;
  cpu: number | null;
  /** Lost/dropped count, or cpus=N; null when not given. */
  count: number | null;
}

function intAt(t: string, i: number, e: number): { v: number; end: number } | null {
  let v = 0;
  const s = i;
  while (i < e) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    i++;
  }
  return i === s ? null : { v, end: i };
}

/** Recognise a marker line; null when the line is something else (an event, or garbage). */
export function parseMarker(t: string, s: number, e: number): Marker | null {
  let i = s;
  while (i < e && (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9)) i++;
  if (i === e) return { kind: 'blank', cpu: null, count: null };
  if (i === s) {
    // trace-cmd with instances: "es2lost: CPU:0 [16225 EVENTS DROPPED]"
    const sp = t.indexOf(' ', s);
    if (sp > s + 1 && sp < e && t.charCodeAt(sp - 1) === 58 && t.charCodeAt(s) !== 35 && !t.startsWith('CPU:', s)) {
      const inner = parseMarker(t, sp + 1, e);
      if (inner !== null && inner.kind !== 'blank') return inner;
    }
  }
  const c0 = t.charCodeAt(i);
  if (c0 === 35 /* # */) {
    if (t.startsWith('##### CPU ', i)) {
      const n = intAt(t, i + 10, e);
      if (n && t.startsWith(' buffer started', n.end)) return { kind: 'buffer-started', cpu: n.v, count: null };
    }
    return { kind: 'comment', cpu: null, count: null };
  }
  if (t.startsWith('CPU:', i)) {
    const n = intAt(t, i + 4, e);
    if (!n || !t.startsWith(' [', n.end)) return null;
    const p = n.end + 2;
    if (t.startsWith('LOST ', p)) {
      const k = intAt(t, p + 5, e);
      if (k && t.startsWith(' EVENTS]', k.end)) return { kind: 'lost', cpu: n.v, count: k.v };
      return null;
    }
    if (t.startsWith('EVENTS DROPPED]', p)) return { kind: 'lost', cpu: n.v, count: null };
    const k = intAt(t, p, e);
    if (k && t.startsWith(' EVENTS DROPPED]', k.end)) return { kind: 'lost', cpu: n.v, count: k.v };
    return null;
  }
  if (t.startsWith('CPU ', i)) {
    const n = intAt(t, i + 4, e);
    if (n && t.startsWith(' is empty', n.end)) return { kind: 'cpu-empty', cpu: n.v, count: null };
    return null;
  }
  if (t.startsWith('cpus=', i)) {
    const n = intAt(t, i + 5, e);
    if (n) return { kind: 'cpus', cpu: null, count: n.v };
    return null;
  }
  if (t.startsWith('version = ', i)) return { kind: 'version', cpu: null, count: null };
  return null;
}
