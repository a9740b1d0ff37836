// Line-header parsers for the text trace formats. Each one anchors on the timestamp (the first
// `<digits>[.<digits>]:` token that is followed by a space and preceded by a valid prefix), then
// reads the prefix backwards (cpu, pid/tid, comm) and the event name forwards. Anchoring on the
// time, not on column positions, is what survives comms with spaces, digits, brackets, colons and
// hyphens ("CPU 0/KVM", "fc_vcpu 1", "kworker/u16:2", "vhost-150742"). Nothing here allocates.
// lineMemo.ts runs the same pieces (nextTimestamp, the prefix reader, eventAndPayload) through
// caches keyed by the text before and after the timestamp.
import { ABSENT } from '../eventBatch.js';
import type { PrefixEntry, TailEntry } from './lineMemo.js';

/** "No value" for the integer header fields (pid can legitimately be -1 in perf). */
export const NONE = ABSENT;

/** Positions and values found in one line; reused for every line (no allocation per row). */
export class LineHeader {
  lineStart = 0;
  lineEnd = 0;
  commStart = 0;
  commEnd = 0;
  pid = NONE;
  tid = NONE;
  cpu = NONE;
  vcpu = NONE;
  tsStart = 0;
  /** Index of the '.' in the timestamp, or -1 for a raw counter. */
  tsDot = -1;
  tsEnd = 0;
  /** tsSec / tsFrac hold the values of the integer and fraction digits (set by lineMemo.ts). */
  tsValues = false;
  tsSec = 0;
  tsFrac = 0;
  eventStart = 0;
  eventEnd = 0;
  /** The event name ended with ':' (false for function-tracer lines, or a line cut inside the name). */
  eventColon = false;
  /** perf: the event token had a "system:" part (tracepoints do; see the empty-payload check). */
  hasSystem = false;
  payloadStart = 0;
  payloadEnd = 0;
  /** ftrace/trace-cmd: a "<buffer>: " prefix was skipped (trace-cmd with instances). */
  bufferPrefix = false;
  /** Scratch for digitsBack: the number read and the index before it. */
  num = 0;
  numBefore = 0;
  /** The memo entries this line's prefix and tail were read through (lineMemo.ts), or null. */
  prefixMemo: PrefixEntry | null = null;
  tailMemo: TailEntry | null = null;

  reset(s: number, e: number): void {
    this.lineStart = s;
    this.lineEnd = e;
    this.commStart = this.commEnd = s;
    this.pid = this.tid = this.cpu = this.vcpu = NONE;
    this.tsDot = -1;
    this.tsValues = false;
    this.hasSystem = false;
    this.bufferPrefix = false;
    this.prefixMemo = null;
    this.tailMemo = null;
  }
}

const SP = 32;
const TAB = 9;
const COLON = 58;
const DOT = 46;
const LBRACK = 91;
const RBRACK = 93;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isSpace = (c: number): boolean => c === SP || c === TAB;

function skipSpBack(t: string, i: number, s: number): number {
  while (i >= s && isSpace(t.charCodeAt(i))) i--;
  return i;
}

function skipSp(t: string, i: number, e: number): number {
  while (i < e && isSpace(t.charCodeAt(i))) i++;
  return i;
}

/**
 * Next timestamp candidate at or after `from`: digits, optionally '.' digits, then ':' followed by
 * a space or the end of the line, and preceded by a space or the line start. Sets tsStart/tsDot/
 * tsEnd and returns the index of the ':' (or -1).
 */
export function nextTimestamp(t: string, from: number, s: number, e: number, h: LineHeader): number {
  let c = from;
  for (;;) {
    c = t.indexOf(':', c);
    if (c < 0 || c >= e) return -1;
    if (c + 1 === e || isSpace(t.charCodeAt(c + 1))) {
      let i = c - 1;
      while (i >= s && isDigit(t.charCodeAt(i))) i--;
      let dot = -1;
      if (i < c - 1 && i >= s && t.charCodeAt(i) === DOT) {
        dot = i;
        i--;
        const intEnd = i;
        while (i >= s && isDigit(t.charCodeAt(i))) i--;
        if (i === intEnd) dot = -2; // "." with no integer part
      }
      if (i < c - 1 && dot !== -2 && (i < s || isSpace(t.charCodeAt(i)))) {
        const fd = dot >= 0 ? c - dot - 1 : 0;
        if (fd <= 9) {
          h.tsStart = i + 1;
          h.tsDot = dot;
          h.tsEnd = c;
          return c;
        }
      }
    }
    c++;
  }
}

/** Event name and payload after the timestamp's ':'. Returns false when there is no name. */
export function eventAndPayload(t: string, colon: number, e: number, h: LineHeader, stripSystem: boolean): boolean {
  let i = skipSp(t, colon + 1, e);
  const start = i;
  let firstColon = -1;
  let end = -1;
  while (i < e) {
    const ch = t.charCodeAt(i);
    if (ch === COLON) {
      if (i + 1 === e || isSpace(t.charCodeAt(i + 1))) { end = i; break; }
      if (firstColon < 0) firstColon = i;
    } else if (isSpace(ch)) {
      // a name without ':' (function tracer lines, "cycles" with odd -F): the token is the name
      end = i;
      break;
    }
    i++;
  }
  if (end < 0) end = e;
  if (end === start) return false;
  h.eventStart = start;
  h.eventEnd = end;
  h.eventColon = end < e && t.charCodeAt(end) === COLON;
  if (stripSystem && firstColon > start && firstColon < end - 1) {
    h.hasSystem = true;
    h.eventStart = firstColon + 1;
  }
  let p = h.eventColon ? end + 1 : end;
  p = skipSp(t, p, e);
  let q = e;
  while (q > p && isSpace(t.charCodeAt(q - 1))) q--;
  h.payloadStart = p;
  h.payloadEnd = q;
  return true;
}

/**
 * Digits ending at index i (inclusive), read backwards into h.num (value) and h.numBefore (the
 * index before them). False when there is no digit or more than 10. Results go into the reused
 * header rather than a returned object: this runs three times per line.
 */
function digitsBack(t: string, i: number, s: number, h: LineHeader): boolean {
  let v = 0;
  let mul = 1;
  const end = i;
  while (i >= s) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) break;
    v += (c - 48) * mul;
    mul *= 10;
    i--;
  }
  if (i === end || end - i > 10) return false;
  h.num = v;
  h.numBefore = i;
  return true;
}

// ---------------------------------------------------------------------------------------------
// perf script
//   "       fc_vcpu 1  599500 [039] 1377662.550600: kvm:kvm_entry:  vcpu 1 rip 0xffffffff81036706"
//   "            perf 13371/13371 [000]   812.628297708: sched:sched_wakeup: comm=migration/0 ..."
// printed by tools/perf/builtin-script.c perf_sample__fprintf_start(): "%16s " comm, "%7d/%-7d " or
// "%7d " pid/tid, "[%03d] " cpu, "%12s: " time (sec.usec, or "%5lu.%09llu: " with --ns), then
// process_event(): "%*s: " event name right-aligned to the longest one, then the tep payload.
// Guest samples (perf inject) start with "VM:%5d " and "VCPU:%03d ".
// ---------------------------------------------------------------------------------------------

/** Parse a perf script line header. False when the line is not an event line. */
export function parsePerfLine(t: string, s: number, e: number, h: LineHeader): boolean {
  h.reset(s, e);
  let from = s;
  for (;;) {
    const colon = nextTimestamp(t, from, s, e, h);
    if (colon < 0) return false;
    if (perfPrefix(t, s, h) && eventAndPayload(t, colon, e, h, true)) return true;
    h.pid = h.tid = h.cpu = h.vcpu = NONE;
    from = colon + 1;
  }
}

export function perfPrefix(t: string, s: number, h: LineHeader): boolean {
  let i = skipSpBack(t, h.tsStart - 1, s);
  // optional "[cpu]"
  if (i >= s && t.charCodeAt(i) === RBRACK) {
    if (!digitsBack(t, i - 1, s, h) || h.numBefore < s || t.charCodeAt(h.numBefore) !== LBRACK) return false;
    h.cpu = h.num;
    i = skipSpBack(t, h.numBefore - 1, s);
  }
  // optional "tid" or "pid/tid" (tid may be -1 for unknown threads)
  let commEnd = i + 1;
  if (i >= s && isDigit(t.charCodeAt(i)) && digitsBack(t, i, s, h)) {
    let b = h.numBefore;
    let tid = h.num;
    if (b >= s && t.charCodeAt(b) === 45 && (b === s || isSpace(t.charCodeAt(b - 1)) || t.charCodeAt(b - 1) === 47)) {
      tid = -tid;
      b--;
    }
    let pid = NONE;
    if (b >= s && t.charCodeAt(b) === 47) {
      if (digitsBack(t, b - 1, s, h)) {
        pid = h.num;
        b = h.numBefore;
        if (b >= s && t.charCodeAt(b) === 45 && (b === s || isSpace(t.charCodeAt(b - 1)))) { pid = -pid; b--; }
      } else {
        b = -1; // "x/123" is part of a comm, not pid/tid
      }
    }
    if (b >= s - 1 && (b < s || isSpace(t.charCodeAt(b)))) {
      h.tid = tid;
      h.pid = pid;
      commEnd = skipSpBack(t, b, s) + 1;
    }
  }
  // comm, after optional guest prefixes "VM:%5d " "VCPU:%03d "
  let c = skipSp(t, s, commEnd);
  // one charCode test keeps the two startsWith calls off the common path (a comm rarely starts with V)
  if (t.charCodeAt(c) === 86 /* V */ && t.startsWith('VM:', c)) {
    c = skipSp(t, c + 3, commEnd);
    while (c < commEnd && isDigit(t.charCodeAt(c))) c++;
    c = skipSp(t, c, commEnd);
  }
  if (t.charCodeAt(c) === 86 && t.startsWith('VCPU:', c)) {
    let v = 0;
    c += 5;
    while (c < commEnd && isDigit(t.charCodeAt(c))) v = v * 10 + (t.charCodeAt(c++) - 48);
    h.vcpu = v;
    c = skipSp(t, c, commEnd);
  }
  h.commStart = c;
  h.commEnd = commEnd > c ? commEnd : c;
  return true;
}

// ---------------------------------------------------------------------------------------------
// raw ftrace and trace-cmd report
//   "            bash-13186   [000] d..2.   798.030725: sched_switch: prev_comm=bash prev_pid=13186 ..."
//     kernel/trace/trace_output.c trace_print_context(): "%16s-%-7d ", "(%7d) " with record-tgid,
//     "[%03d] ", irq flags (trace_print_lat_fmt, 4 or 5 chars) unless options/irq-info=0,
//     " %5lu.%06lu: " (or " %12llu: " for counter clocks), then "<event>: <TP_printk>".
//   " qemu-system-x86-150750 [019] 16062.943940: kvm_exit:             reason HLT rip 0x... info 0 0"
//     trace-cmd tracecmd/trace-read.c: "%16s-%-5d [%03d]", flags (3.3+), " %6.1000d:" (or "%9.1d"
//     with -t), " %-20s " event name padded; a "<buffer>: " prefix with instances / several inputs.
// comm-pid is split at the LAST "-<digits>" before the cpu column: comms hold hyphens.
// ---------------------------------------------------------------------------------------------

/** Flags look like "d..2.", "dNs3.", "....": 3-8 chars, never starting with a digit. */
function isFlagsToken(t: string, a: number, b: number): boolean {
  const n = b - a;
  if (n < 3 || n > 8 || isDigit(t.charCodeAt(a))) return false;
  for (let i = a; i < b; i++) {
    const c = t.charCodeAt(i);
    if (!(c === DOT || isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
  }
  return true;
}

/** Parse a raw ftrace / trace-cmd report line header. False when the line is not an event line. */
export function parseFtraceLine(t: string, s: number, e: number, h: LineHeader): boolean {
  h.reset(s, e);
  let from = s;
  for (;;) {
    const colon = nextTimestamp(t, from, s, e, h);
    if (colon < 0) return false;
    if (ftracePrefix(t, s, h) && eventAndPayload(t, colon, e, h, false)) return true;
    h.pid = h.tid = h.cpu = NONE;
    from = colon + 1;
  }
}

export function ftracePrefix(t: string, s: number, h: LineHeader): boolean {
  let i = skipSpBack(t, h.tsStart - 1, s);
  if (i < s) return false;
  if (t.charCodeAt(i) !== RBRACK) {
    let j = i;
    while (j >= s && !isSpace(t.charCodeAt(j))) j--;
    if (!isFlagsToken(t, j + 1, i + 1)) return false;
    i = skipSpBack(t, j, s);
    if (i < s || t.charCodeAt(i) !== RBRACK) return false;
  }
  if (!digitsBack(t, i - 1, s, h) || h.numBefore < s || t.charCodeAt(h.numBefore) !== LBRACK) return false;
  const cpu = h.num;
  i = skipSpBack(t, h.numBefore - 1, s);
  // optional "(tgid)" or "(-------)"
  let tgid = NONE;
  if (i >= s && t.charCodeAt(i) === 41) {
    const open = t.lastIndexOf('(', i);
    if (open < s || i - open > 12) return false;
    if (digitsBack(t, i - 1, s, h) && h.numBefore >= open && skipSpBack(t, h.numBefore, open + 1) === open) tgid = h.num;
    i = skipSpBack(t, open - 1, s);
  }
  // "%16s-%d": the comm touches the '-' (a space there is perf's "comm tid", e.g. ":-1    -1")
  if (!digitsBack(t, i, s, h)) return false;
  const dash = h.numBefore;
  if (dash <= s || t.charCodeAt(dash) !== 45 || isSpace(t.charCodeAt(dash - 1))) return false;
  let c = skipSp(t, s, dash);
  if (c === s && c < dash) {
    // comms are at most 15 chars printed "%16s", so a line starting without a space carries a
    // "<buffer>: " prefix (trace-cmd report with instances or several input files)
    const sp = t.indexOf(' ', s);
    if (sp > s && sp < dash && t.charCodeAt(sp - 1) === COLON) {
      c = skipSp(t, sp, dash);
      h.bufferPrefix = true;
    }
  }
  if (c >= dash) return false;
  h.tid = h.num;
  h.commStart = c;
  h.commEnd = dash;
  h.pid = tgid;
  h.cpu = cpu;
  return true;
}
