// Writes one events-table row per parsed text line: header columns (time, cpu, pid, tid, comm,
// event, src_line), then the tracepoint decoder for the payload. Shared by perf script, trace-cmd
// report and raw ftrace text. Hot path: no substring per row for comm or event name (cached by
// tid + text and by a hash of the name), no BigInt unless the time exceeds 2^53 ns.
import { C, LOST_EVENT } from '../columns.js';
import type { CollectorContext } from '../collector.js';
import { EventBatchBuilder } from '../eventBatch.js';
import { RangeMap, ownCopy } from '../tracepoints/intern.js';
import type { TracepointDecoder } from '../tracepoints/types.js';
import type { LineHeader } from './header.js';
import { NONE } from './header.js';
import { TAIL_BAD, TAIL_NEW, TAIL_READY, TAIL_SEEN, type EventEntry, type TailEntry } from './lineMemo.js';

/** Finds the payload decoder of a tracepoint (the registry in collectors/common/tracepoints). */
export type DecoderLookup = (name: string) => TracepointDecoder | undefined;


interface CommEntry {
  s: string;
  code: number;
}

/** A lost marker waiting for the next event on its CPU (lineNo as the line tag gives it). */
export interface PendingLost {
  readonly cpu: number;
  readonly count: number | null;
  readonly lineNo: number;
}

export interface TextRowWriterOptions {
  /** Line number text in messages (a chunk worker tags chunk-relative numbers; see parallel/). */
  readonly lineRef?: (lineNo: number) => string;
}

/** State a chunk worker hands on instead of finishing: markers still waiting, last time written. */
export interface ChunkEnd {
  readonly pending: PendingLost[];
  /** Last event time of the chunk (decimal ns), null when it had no event. */
  readonly lastTsNs: string | null;
}

/** Largest whole seconds whose ns value (plus a fraction) stays below 2^53. */
const MAX_SAFE_SEC = 9_000_000;
const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * A non-negative integer below 2^53 into ts_ns as two 32-bit halves. `>>> 0` is the low word for
 * any integer double (ToUint32 is exact modulo 2^32), which avoids the fmod of `v % 2^32`.
 */
function setNs(b: EventBatchBuilder, v: number): void {
  const lo = v >>> 0;
  b.halves64(C.ts_ns, lo, (v - lo) / TWO32);
}

const TWO32 = 4294967296;

export class TextRowWriter {
  private readonly events = new RangeMap<EventEntry>();
  private readonly commByTid = new Map<number, CommEntry>();
  private readonly commByText = new Map<string, number>();
  private pending: PendingLost[] = [];
  /** Last time written, for lost markers that have no later event on their CPU. */
  private lastTsNum = 0;
  private lastTsBig: bigint | null = null;
  private haveTs = false;
  private lastFracDigits = -1;
  /** Whether every timestamp so far was a raw counter (no fraction). */
  rawCounter = false;
  rows = 0;

  private readonly lineRef: (lineNo: number) => string;
  /** One-row builder sharing ctx.builder's dictionaries: where a memoised payload is first decoded. */
  private scratch: EventBatchBuilder | null = null;

  constructor(private readonly ctx: CollectorContext, private readonly lookup: DecoderLookup, opts: TextRowWriterOptions = {}) {
    this.lineRef = opts.lineRef ?? String;
  }

  /**
   * Write the row for a parsed event line. With h.prefixMemo / h.tailMemo (lineMemo.ts) the comm code, event entry and decoded payload columns come from the memo entry once it holds them for
   * this builder's dictionaries; the row is the same either way.
   */
  event(text: string, h: LineHeader, lineNo: number): void {
    const b = this.ctx.builder;
    if (this.pending.length > 0 && h.cpu !== NONE) this.flushPendingFor(text, h);
    this.writeTs(text, h);
    if (h.cpu !== NONE) b.i32(C.cpu, h.cpu);
    if (h.pid !== NONE) b.i32(C.pid, h.pid);
    if (h.tid !== NONE) b.i32(C.tid, h.tid);
    if (h.vcpu !== NONE) b.i32(C.vcpu, h.vcpu);
    if (h.commEnd > h.commStart) {
      const pe = h.prefixMemo;
      const dict = b.dictionaries[C.comm]!;
      if (pe !== null && pe.commDict === dict) b.dictCode(C.comm, pe.commCode);
      else {
        const code = this.commCode(text, h.commStart, h.commEnd, h.tid);
        b.dictCode(C.comm, code);
        if (pe !== null) { pe.commCode = code; pe.commDict = dict; }
      }
    }
    const te = h.tailMemo;
    let ev: EventEntry;
    if (te !== null) {
      const dict = b.dictionaries[C.event]!;
      if (te.eventDict !== dict) {
        // new entry, or one filled for another builder's dictionaries (its codes would be wrong here)
        te.event = this.eventEntry(text, h.eventStart, h.eventEnd);
        te.eventDict = dict;
        if (te.state === TAIL_READY || te.state === TAIL_SEEN) te.state = TAIL_NEW;
      }
      ev = te.event!;
    } else ev = this.eventEntry(text, h.eventStart, h.eventEnd);
    b.dictCode(C.event, ev.code);
    b.halves64(C.src_line, lineNo >>> 0, 0); // line numbers stay below 2^32
    const dec = ev.decoder;
    if (dec !== null && h.payloadEnd > h.payloadStart) {
      if (te === null || te.state === TAIL_BAD) this.decode(dec, ev, text, h, lineNo, b);
      else if (te.state === TAIL_READY) b.setColumns(te.payload!);
      else if (te.state === TAIL_NEW) te.state = this.decode(dec, ev, text, h, lineNo, b) ? TAIL_SEEN : TAIL_BAD;
      else {
        // second sighting: decode into the scratch row, keep the columns set, copy them to the row
        const scratch = this.scratch ??= new EventBatchBuilder(() => {}, 1, true, b.dictionaries);
        const ok = this.decode(dec, ev, text, h, lineNo, scratch);
        const cols = scratch.takeRow();
        b.setColumns(cols);
        if (ok) { te.payload = cols; te.state = TAIL_READY; } else te.state = TAIL_BAD;
      }
    }
    b.end();
    this.rows++;
  }

  /**
   * The row for a line lineMemo.fast() read from bytes, written only when everything comes from the
   * memo entries (no text at hand): codes for this builder's dictionaries, a decoded payload, a time
   * whose digits' values are exact, no lost marker waiting. Returns false, writing nothing, when
   * the line needs its text (the caller then reads it the usual way).
   */
  eventFast(h: LineHeader, lineNo: number): boolean {
    const pe = h.prefixMemo!;
    const te = h.tailMemo!;
    const b = this.ctx.builder;
    if (this.pending.length > 0) return false;
    if (h.commEnd > h.commStart && pe.commDict !== b.dictionaries[C.comm]) return false;
    if (te.eventDict !== b.dictionaries[C.event]) return false;
    const ev = te.event!;
    const payload = ev.decoder !== null && h.payloadEnd > h.payloadStart;
    if (payload && te.state !== TAIL_READY) return false;
    const ns = this.tsValuesNs(h);
    if (ns < 0) return false;
    const lo = ns >>> 0;
    b.rowHeader(lo, (ns - lo) / TWO32, h.cpu, h.pid, h.tid, h.vcpu, h.commEnd > h.commStart ? pe.commCode : NONE, ev.code, lineNo >>> 0);
    if (payload) b.setColumns(te.payload!);
    b.end();
    this.rows++;
    return true;
  }

  /** Decode a payload into `into`, warning (with file:line) when the decoder fails or throws. */
  private decode(dec: TracepointDecoder, ev: EventEntry, text: string, h: LineHeader, lineNo: number, into: EventBatchBuilder): boolean {
    let ok: boolean;
    try {
      ok = dec.decodeText(text, h.payloadStart, h.payloadEnd, into);
    } catch (e) {
      ok = false;
      this.ctx.diag.warn('decoder-error', `${this.ctx.source.name}:${this.lineRef(lineNo)}`, `${ev.name} decoder failed: ${(e as Error).message}`,
        text.slice(h.lineStart, h.lineEnd), 'the row is kept with its header fields; please report this line');
    }
    if (!ok) {
      this.ctx.diag.warn('payload', `${this.ctx.source.name}:${this.lineRef(lineNo)}`, `${ev.name}: payload not in a known form`,
        text.slice(h.lineStart, h.lineEnd), 'the row is kept with time, thread and event name; payload columns stay null');
    }
    return ok;
  }

  /** A lost-events marker: written as a "[lost]" row at the time of the next event on that CPU. */
  lost(cpu: number | null, count: number | null, lineNo: number): void {
    if (cpu === null) {
      // no CPU to wait for: stamp it with the last time seen
      this.writeLost(null, count, lineNo, this.lastTsBig ?? BigInt(this.lastTsNum));
      return;
    }
    this.pending.push({ cpu, count, lineNo });
  }

  /** End of input: markers still waiting for a later event on their CPU get the last time seen. */
  finish(): void {
    for (const p of this.pending) {
      const ts = this.haveTs ? (this.lastTsBig ?? BigInt(this.lastTsNum)) : 0n;
      this.writeLost(p.cpu, p.count, p.lineNo, ts);
    }
    this.pending = [];
    this.ctx.builder.flush();
  }

  /** End of a chunk (parallel run): flush rows, hand on what is still pending; writes no marker. */
  finishChunk(): ChunkEnd {
    const pending = this.pending;
    this.pending = [];
    this.ctx.builder.flush();
    return { pending, lastTsNs: this.haveTs ? (this.lastTsBig ?? BigInt(this.lastTsNum)).toString() : null };
  }

  private flushPendingFor(text: string, h: LineHeader): void {
    const keep: PendingLost[] = [];
    let ts: bigint | null = null;
    for (const p of this.pending) {
      if (p.cpu !== h.cpu) { keep.push(p); continue; }
      ts ??= this.parseTsBig(text, h);
      this.writeLost(p.cpu, p.count, p.lineNo, ts);
    }
    this.pending = keep;
  }

  private writeLost(cpu: number | null, count: number | null, lineNo: number, tsNs: bigint): void {
    const b = this.ctx.builder;
    b.big64(C.ts_ns, tsNs);
    if (cpu !== null) b.i32(C.cpu, cpu);
    if (count !== null) b.i32(C.count, count);
    b.dict(C.event, LOST_EVENT);
    b.num64(C.src_line, lineNo);
    b.end();
    this.rows++;
    this.ctx.diag.lostEvents({ cpu, tsNs, count, where: `${this.ctx.source.name}:${this.lineRef(lineNo)}` });
  }

  private parseTsBig(text: string, h: LineHeader): bigint {
    const dot = h.tsDot;
    if (dot < 0) return BigInt(text.slice(h.tsStart, h.tsEnd));
    const fd = h.tsEnd - dot - 1;
    return BigInt(text.slice(h.tsStart, dot)) * 1_000_000_000n + BigInt(text.slice(dot + 1, h.tsEnd)) * BigInt(POW10[9 - fd]!);
  }

  /** Seconds.fraction (any number of fraction digits up to 9) or a raw counter, into ts_ns. */
  private writeTs(text: string, h: LineHeader): void {
    const s = h.tsStart;
    const dot = h.tsDot;
    const e = h.tsEnd;
    if (!h.tsValues && (dot < 0 ? e : dot) - s <= 15) {
      // the digits' values, as lineMemo.ts reads them on the way (then they are there already)
      let sec = 0;
      for (let i = s; i < (dot < 0 ? e : dot); i++) sec = sec * 10 + (text.charCodeAt(i) - 48);
      let frac = 0;
      if (dot >= 0) for (let i = dot + 1; i < e; i++) frac = frac * 10 + (text.charCodeAt(i) - 48);
      h.tsSec = sec;
      h.tsFrac = frac;
      h.tsValues = true;
    }
    if (dot < 0 && !this.rawCounter) {
      // x86-tsc / counter clock: an integer count, not ns
      this.rawCounter = true;
      this.ctx.diag.timeUnit = 'cycles';
      this.ctx.diag.note('timestamps are raw trace-clock counts (x86-tsc or counter clock), not nanoseconds; ts_ns holds the count as printed');
    }
    const b = this.ctx.builder;
    const ns = this.tsValuesNs(h);
    if (ns >= 0) {
      setNs(b, ns);
      return;
    }
    // past 2^53 ns, or more digits than a double holds: exact in BigInt
    if (dot >= 0) this.notePrecision(e - dot - 1);
    const big = dot < 0 ? BigInt(text.slice(s, e)) : this.parseTsBig(text, h);
    b.big64(C.ts_ns, big);
    this.noteTs(0, big);
  }

  /**
   * The time from h.tsSec / h.tsFrac alone (lineMemo.ts or writeTs read them), when they are
   * there, exact and below 2^53 ns; -1 otherwise. Notes the fraction's precision either way.
   */
  private tsValuesNs(h: LineHeader): number {
    if (!h.tsValues) return -1;
    const dot = h.tsDot;
    if (dot < 0) {
      if (h.tsEnd - h.tsStart > 15) return -1;
      if (!this.rawCounter) return -1; // writeTs makes the one-time note
      this.noteTs(h.tsSec, null);
      return h.tsSec;
    }
    const fd = h.tsEnd - dot - 1;
    this.notePrecision(fd);
    if (!(h.tsSec < MAX_SAFE_SEC && dot - h.tsStart <= 7)) return -1;
    const ns = h.tsSec * 1e9 + h.tsFrac * POW10[9 - fd]!;
    this.noteTs(ns, null);
    return ns;
  }

  /** The time resolution `fractionDigits` printed digits give (noted once per change of digits). */
  private notePrecision(fractionDigits: number): void {
    if (fractionDigits !== this.lastFracDigits) {
      this.lastFracDigits = fractionDigits;
      this.ctx.diag.precision(POW10[9 - fractionDigits]!);
    }
  }

  private noteTs(num: number, big: bigint | null): void {
    this.lastTsNum = num;
    this.lastTsBig = big;
    this.haveTs = true;
  }

  private eventEntry(text: string, s: number, e: number): EventEntry {
    return this.events.get(text, s, e) ?? this.events.getOr(text, s, e, (name) => ({
      name,
      code: this.ctx.builder.dictionaries[C.event]!.code(name),
      decoder: this.lookup(name) ?? null,
    }));
  }

  private commCode(text: string, s: number, e: number, tid: number): number {
    if (tid === NONE) {
      let str = text.slice(s, e);
      let c = this.commByText.get(str);
      if (c === undefined) {
        str = ownCopy(str);
        this.commByText.set(str, (c = this.ctx.builder.dictionaries[C.comm]!.code(str)));
      }
      return c;
    }
    const hit = this.commByTid.get(tid);
    if (hit !== undefined && hit.s.length === e - s && text.startsWith(hit.s, s)) return hit.code;
    // new thread, or the thread was renamed (exec, prctl): cache the new name
    const str = ownCopy(text.slice(s, e));
    const code = this.ctx.builder.dictionaries[C.comm]!.code(str);
    if (hit !== undefined) { hit.s = str; hit.code = code; } else this.commByTid.set(tid, { s: str, code });
    return code;
  }
}
