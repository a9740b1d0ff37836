// Line memo: a text trace repeats itself. The part of a line after the timestamp
// (": sched:sched_switch: prev_comm=perf prev_pid=16322 ... next_prio=120") recurs for every
// identical event (same threads, same state), and a thread repeats a handful of them. So each
// line's tail (from the timestamp's ':' to the end) is compared in place with the last few tails
// of its thread, then looked up by hash among all tails; a hit gives the event name and payload
// positions and, through the row writer, the event code and the decoded payload columns, without
// reading the payload again. Why per thread first: a compare reads the tail once (natively),
// where the hash lookup reads it twice, and characters cost ~1 ns each to read in JS here. Measured: 97.6 % of the lines of
// the 5.26 M-event `perf script --ns` bench input hit a thread's last 4 tails; on the HIP24 report
// 4 % of kvm_exit tails are distinct, kvm_msr 99.6 % (values vary).
//
// Exactness: the cut is the first timestamp candidate, found by the same nextTimestamp the full
// parser starts with, and eventAndPayload reads only the text after its ':', so equal tails give
// equal results. A line whose first candidate is not accepted goes through the full parser (which
// tries later candidates) and is not memoised. Where it does not pay (mostly distinct tails), a
// gate turns the memo off for a while: a useless memo then costs lookups on one window of lines
// in OFF_WINDOWS + 1.
import type { TracepointDecoder } from '../tracepoints/types.js';
import type { Dictionary, SetColumns } from '../eventBatch.js';
import { ownCopy } from '../tracepoints/intern.js';
import { eventAndPayload, nextTimestamp, type LineHeader } from './header.js';

/** An event name's dictionary code and payload decoder (rowWriter.ts). */
export interface EventEntry {
  readonly name: string;
  readonly code: number;
  readonly decoder: TracepointDecoder | null;
}

/**
 * A key's bytes as little-endian 32-bit words (the last word read at len - 4, overlapping), for
 * comparing with a line through a DataView four bytes at a time: ~20 ns for a 120-byte tail where a
 * string slice and === took ~80 ns here. Null when the key is not pure ASCII (or under 4 chars):
 * such a key is compared as a string.
 */
export class ByteKey {
  /** Hash of the key's bytes (bytesHash: the byte reader hashes a line's bytes the same way). */
  private constructor(readonly words: Int32Array, readonly last: number, readonly hash: number) {}
  static of(text: string): ByteKey | null {
    const n = text.length;
    if (n < 4) return null;
    for (let i = 0; i < n; i++) if (text.charCodeAt(i) > 127) return null;
    const b = Buffer.from(text, 'latin1');
    const dv = new DataView(b.buffer, b.byteOffset, n);
    const words = new Int32Array(n >> 2);
    for (let i = 0; i < words.length; i++) words[i] = dv.getInt32(i << 2, true);
    return new ByteKey(words, dv.getInt32(n - 4, true), bytesHash(dv, 0, n));
  }

  /**
   * Whether bytes [at, at + the key's length) of `dv` are the key's. From the end backwards: keys
   * of one length differ mostly near their end (pid, cpu, irq flags; payload values), while their
   * starts are alike (comm padding, event names).
   */
  matches(dv: DataView, at: number, n: number): boolean {
    if (dv.getInt32(at + n - 4, true) !== this.last) return false;
    const w = this.words;
    for (let i = w.length - 1; i >= 0; i--) if (dv.getInt32(at + (i << 2), true) !== w[i]) return false;
    return true;
  }
}

/** What the text before the timestamp gave; positions relative to the line start. */
export class PrefixEntry {
  /** Comm dictionary code, valid for `commDict` (the row writer fills both on first use). */
  commCode = -1;
  commDict: Dictionary | null = null;
  /** The last few tails seen after this prefix (one thread on one CPU), most used first. */
  readonly recent: TailEntry[] = [];
  readonly key: ByteKey | null;
  constructor(
    /** The prefix's text (own copy), from the line start to the timestamp. */
    readonly text: string,
    readonly commStart: number, readonly commEnd: number,
    readonly pid: number, readonly tid: number, readonly cpu: number, readonly vcpu: number,
    readonly bufferPrefix: boolean,
  ) {
    this.key = ByteKey.of(text);
  }
}

/** Not decoded yet (for this builder's dictionaries). */
export const TAIL_NEW = 0;
/** Payload columns held in `payload`. */
export const TAIL_READY = 1;
/** The payload decoder failed on this text: decode (and warn) on every line, as without a memo. */
export const TAIL_BAD = 2;
/**
 * Decoded once, straight into its row, nothing kept: the columns are captured on the second
 * sighting. Why: in KVM traces a fifth of the tails never repeat (MSR values, timer expiries).
 */
export const TAIL_SEEN = 3;

/** What the text from the timestamp's ':' on gave; positions relative to that ':'. */
export class TailEntry {
  /** Event entry and decoded payload columns, valid for `eventDict` (filled by the row writer). */
  event: EventEntry | null = null;
  eventDict: Dictionary | null = null;
  state = TAIL_NEW;
  payload: SetColumns | null = null;
  private byteKey: ByteKey | null | undefined = undefined;
  constructor(
    /** The tail's text, from the timestamp's ':' to the line end (see ownText). */
    readonly text: string,
    readonly eventStart: number, readonly eventEnd: number, readonly eventColon: boolean, readonly hasSystem: boolean,
    readonly payloadStart: number, readonly payloadEnd: number,
  ) {}
  /** Made on first use (a tail compared by bytes), not for tails that are never seen again. */
  get key(): ByteKey | null {
    if (this.byteKey === undefined) this.byteKey = ByteKey.of(this.text);
    return this.byteKey;
  }
}

/**
 * t[from, to) to keep as a key: a copy when t is a large decoded piece (a kept slice would pin all
 * of it), the slice itself when t is the string of one line (lines.ts hands those out).
 */
function ownText(t: string, from: number, to: number): string {
  const x = t.slice(from, to);
  return t.length > 4096 ? ownCopy(x) : x;
}

/** Lines per hit-rate window, and how many windows a cache stays off after a poor one. */
const WINDOW = 4096;
const OFF_WINDOWS = 32;
/** Entries per cache before it starts over (bounds memory whatever the input). */
const MAX_ENTRIES = 1 << 15;
/** Tails remembered per prefix, prefixes remembered. */
const RECENT_TAILS = 32;
const RECENT_PREFIXES = 16;

/** Turns the memo off for OFF_WINDOWS windows when fewer than half of a window's lookups hit. */
class Gate {
  on = true;
  /** Times the gate turned off (for tests and A/B notes). */
  offs = 0;
  private seen = 0;
  private hits = 0;
  private offLines = 0;

  /** After a lookup (gate on). */
  looked(hit: boolean): void {
    if (hit) this.hits++;
    if (++this.seen < WINDOW) return;
    if (this.hits * 2 < WINDOW) {
      this.on = false;
      this.offs++;
      this.offLines = WINDOW * OFF_WINDOWS;
    }
    this.seen = this.hits = 0;
  }

  /** A line read with the gate off. */
  skipped(): void {
    if (--this.offLines <= 0) this.on = true;
  }
}

/**
 * Whether t[from, to) is `text` (same length already checked): by bytes when both are ASCII, else
 * a slice and === (measured 4-5x faster here than startsWith(text, from) or a charCodeAt loop).
 */
function same(text: string, key: ByteKey | null, t: string, from: number, to: number, bytes: DataView | null): boolean {
  if (bytes !== null) return key !== null && key.matches(bytes, from, to - from);
  return t.slice(from, to) === text;
}

/**
 * A time stamp at i exactly as nextTimestamp accepts it: digits, optionally '.' and 1-9 digits,
 * then ':' followed by a space or the line end. Sets tsStart/tsDot/tsEnd and returns the ':'
 * index, or -1 (then the caller searches as the full parser does). Why this is the full parser's
 * answer after a known prefix: the prefix ends in a space (or is empty) and held no accepted
 * candidate when it was learnt, so the first ':' nextTimestamp accepts is this one.
 */
function timeAt(b: DataView, i: number, e: number, h: LineHeader): number {
  let j = i;
  let c = 0;
  let sec = 0;
  while (j < e && (c = b.getUint8(j)) >= 48 && c <= 57) { sec = sec * 10 + (c - 48); j++; }
  if (j === i || j >= e) return -1;
  let dot = -1;
  let frac = 0;
  if (c === 46) {
    dot = j++;
    const f = j;
    while (j < e && (c = b.getUint8(j)) >= 48 && c <= 57) { frac = frac * 10 + (c - 48); j++; }
    if (j === f || j - f > 9 || j >= e) return -1;
  }
  if (c !== 58) return -1;
  if (j + 1 < e && (c = b.getUint8(j + 1)) !== 32 && c !== 9) return -1;
  h.tsStart = i;
  h.tsDot = dot;
  h.tsEnd = j;
  // the digits' values, read on the way (the row writer uses them when they are exact)
  if ((dot < 0 ? j : dot) - i <= 15) {
    h.tsSec = sec;
    h.tsFrac = frac;
    h.tsValues = true;
  }
  return j;
}

/** Hash of bytes [at, at + n) (n >= 4): of a line in the byte reader, of a key in ByteKey.of. */
function bytesHash(b: DataView, at: number, n: number): number {
  let x = Math.imul(n, 0x9e3779b1) ^ b.getInt32(at + n - 4, true);
  const nw = n >> 2;
  for (let i = 0; i < nw; i++) x = Math.imul(x ^ b.getInt32(at + (i << 2), true), 0x85ebca6b);
  return x;
}

/** The header fields a prefix entry gives, for a line starting at s. */
function fillPrefix(h: LineHeader, pe: PrefixEntry, s: number): void {
  h.commStart = s + pe.commStart;
  h.commEnd = s + pe.commEnd;
  h.pid = pe.pid;
  h.tid = pe.tid;
  h.cpu = pe.cpu;
  h.vcpu = pe.vcpu;
  h.bufferPrefix = pe.bufferPrefix;
  h.prefixMemo = pe;
}

/** The header fields a tail entry gives, for a tail starting at the time's ':' `colon`. */
function fillTail(h: LineHeader, te: TailEntry, colon: number): void {
  h.eventStart = colon + te.eventStart;
  h.eventEnd = colon + te.eventEnd;
  h.eventColon = te.eventColon;
  h.hasSystem = te.hasSystem;
  h.payloadStart = colon + te.payloadStart;
  h.payloadEnd = colon + te.payloadEnd;
  h.tailMemo = te;
}

/** The entry of a recent list whose text is t[from, to), moved one place up; else undefined. */
function findRecent<E extends { readonly text: string; readonly key: ByteKey | null }>(list: E[], t: string, from: number, to: number, bytes: DataView | null): E | undefined {
  const n = to - from;
  for (let k = 0; k < list.length; k++) {
    const x = list[k]!;
    if (x.text.length === n && same(x.text, x.key, t, from, to, bytes)) {
      promote(list, k);
      return x;
    }
  }
  return undefined;
}

/** Move an entry found at k one place up: the common ones gather at the front. */
function promote<T>(list: T[], k: number): void {
  if (k > 0) { const x = list[k]!; list[k] = list[k - 1]!; list[k - 1] = x; }
}

/** Put an entry at the front of a recent list of at most `max` (dropping the last when full). */
function remember<T>(list: T[], x: T, max: number): void {
  if (list.length < max) list.push(x);
  for (let k = list.length - 1; k > 0; k--) list[k] = list[k - 1]!;
  list[0] = x;
}

export type PrefixReader = (t: string, s: number, h: LineHeader) => boolean;
export type FullLineParser = (t: string, s: number, e: number, h: LineHeader) => boolean;

export class LineMemo {
  /** Every tail seen (bounded), by text: V8 hashes a sliced key natively, twice as fast as RangeMap here. */
  private readonly tails = new Map<string, TailEntry>();
  /**
   * Tails seen more than once, by the hash of their bytes: where the byte reader finds a tail that
   * is not among its prefix's recent ones (KVM threads cycle through more than 32: exit reasons and
   * RIPs, MSRs, interrupts), without making the line's string. A cache: a clash keeps the newer.
   */
  private readonly tailsByHash = new Map<number, TailEntry>();
  /** The last few distinct prefixes, most used first (99.7 % of bench lines hit 16). */
  private readonly prefixes: PrefixEntry[] = [];
  /** Every prefix seen (bounded), by text: ftrace prefixes vary more (irq flags) than 8 hold. */
  private readonly prefixByText = new Map<string, PrefixEntry>();
  private readonly prefixGate = new Gate();
  private readonly tailGate = new Gate();

  /**
   * `prefix`: the format's reader of the text before the timestamp (perfPrefix, ftracePrefix);
   * `full`: its whole-line parser, used when the first timestamp candidate is not the one.
   */
  constructor(private readonly prefix: PrefixReader, private readonly full: FullLineParser, private readonly stripSystem: boolean,
    private readonly enabled = true) {}

  /** How often each half of the memo was switched off for a poor hit rate. */
  get switchedOff(): { prefix: number; tail: number } {
    return { prefix: this.prefixGate.offs, tail: this.tailGate.offs };
  }

  /**
   * A line read from its bytes alone: a recent prefix at `p`, a time right after it, then one of
   * that prefix's recent tails ending at a '\n' (or "\r\n"). Fills h as parse() would (memo entries
   * included) and returns the end of the line's content, or -1 when the line is not of a known shape
   * (h is then to be parsed afresh). `limit`: end of the bytes (after a '\n').
   */
  fast(b: DataView, buf: Buffer, p: number, limit: number, h: LineHeader): number {
    if (!this.enabled || !this.prefixGate.on || !this.tailGate.on) return -1;
    h.reset(p, p);
    const pe = this.knownPrefix(b, p, limit, h);
    if (pe === undefined) return -1;
    const colon = h.tsEnd;
    const recent = pe.recent;
    let te: TailEntry | undefined;
    let e = -1;
    for (let k = 0; k < recent.length; k++) {
      const r = recent[k]!;
      e = colon + r.text.length;
      if (e >= limit || r.key === null) continue;
      const c = b.getUint8(e);
      if ((c === 10 || (c === 13 && e + 1 < limit && b.getUint8(e + 1) === 10)) && r.key.matches(b, colon, r.text.length)) {
        te = r;
        promote(recent, k);
        break;
      }
    }
    if (te === undefined) {
      // the line's end (native search), then its tail by the hash of its bytes
      let end = buf.indexOf(10, colon);
      if (end < 0 || end >= limit) return -1;
      if (end > colon && b.getUint8(end - 1) === 13) end--;
      const n = end - colon;
      if (n < 4) return -1;
      const r = this.tailsByHash.get(bytesHash(b, colon, n));
      if (r === undefined || r.text.length !== n || r.key === null || !r.key.matches(b, colon, n)) return -1;
      te = r;
      e = end;
      remember(recent, te, RECENT_TAILS);
    }
    this.prefixGate.looked(true);
    this.tailGate.looked(true);
    h.lineEnd = e;
    fillPrefix(h, pe, p);
    fillTail(h, te, colon);
    return e;
  }

  /**
   * A recent prefix at `s` of the ASCII bytes, followed by a well-formed time (timeAt: then it is
   * where nextTimestamp would stop too, with no search for the ':'); sets the time fields of h.
   */
  private knownPrefix(b: DataView, s: number, limit: number, h: LineHeader): PrefixEntry | undefined {
    const list = this.prefixes;
    for (let k = 0; k < list.length; k++) {
      const x = list[k]!;
      const n = x.text.length;
      if (s + n < limit && x.key !== null && x.key.matches(b, s, n)) {
        if (timeAt(b, s + n, limit, h) < 0) return undefined;
        promote(list, k);
        return x;
      }
    }
    return undefined;
  }

  /**
   * Same contract and results as the full parser; also sets h.prefixMemo and h.tailMemo. `bytes`:
   * the ASCII bytes of `t` (lines.ts), compared four at a time; null: compared as strings.
   */
  parse(t: string, s: number, e: number, h: LineHeader, bytes: DataView | null): boolean {
    if (!this.enabled) return this.full(t, s, e, h);
    h.reset(s, e);
    let pe: PrefixEntry | undefined;
    let colon = -1;
    const pg = this.prefixGate;
    if (pg.on && bytes !== null) {
      pe = this.knownPrefix(bytes, s, e, h);
      if (pe !== undefined) {
        colon = h.tsEnd;
        pg.looked(true);
      }
    }
    if (colon < 0) {
      colon = nextTimestamp(t, s, s, e, h);
      if (colon < 0) return false;
    }

    // the text before the timestamp
    const ts = h.tsStart;
    if (pe === undefined && pg.on) {
      const list = this.prefixes;
      pe = findRecent(list, t, s, ts, bytes);
      if (pe === undefined) {
        // an older prefix (and its recent tails): back to the front
        pe = this.prefixByText.get(t.slice(s, ts));
        if (pe !== undefined) remember(list, pe, RECENT_PREFIXES);
      }
      pg.looked(pe !== undefined);
    } else if (!pg.on) pg.skipped();
    if (pe !== undefined) fillPrefix(h, pe, s);
    else {
      if (!this.prefix(t, s, h)) return this.full(t, s, e, h);
      if (pg.on) {
        pe = new PrefixEntry(ownText(t, s, ts), h.commStart - s, h.commEnd - s, h.pid, h.tid, h.cpu, h.vcpu, h.bufferPrefix);
        remember(this.prefixes, pe, RECENT_PREFIXES);
        if (this.prefixByText.size >= MAX_ENTRIES) this.prefixByText.clear();
        this.prefixByText.set(pe.text, pe);
        h.prefixMemo = pe;
      }
    }

    // the text from the timestamp's ':' on
    const tg = this.tailGate;
    let te: TailEntry | undefined;
    if (tg.on) {
      if (pe !== undefined) te = findRecent(pe.recent, t, colon, e, bytes);
      if (te === undefined) {
        te = this.tails.get(t.slice(colon, e));
        if (te !== undefined) {
          if (pe !== undefined) remember(pe.recent, te, RECENT_TAILS);
          // seen again: findable by the byte reader from now on
          const key = te.key;
          if (key !== null) {
            if (this.tailsByHash.size >= MAX_ENTRIES) this.tailsByHash.clear();
            this.tailsByHash.set(key.hash, te);
          }
        }
      }
      tg.looked(te !== undefined);
    } else tg.skipped();
    if (te !== undefined) {
      fillTail(h, te, colon);
      return true;
    }
    if (!eventAndPayload(t, colon, e, h, this.stripSystem)) return this.full(t, s, e, h);
    if (tg.on) {
      if (this.tails.size >= MAX_ENTRIES) this.tails.clear();
      te = new TailEntry(ownText(t, colon, e), h.eventStart - colon, h.eventEnd - colon, h.eventColon, h.hasSystem, h.payloadStart - colon, h.payloadEnd - colon);
      this.tails.set(te.text, te);
      if (pe !== undefined) remember(pe.recent, te, RECENT_TAILS);
      h.tailMemo = te;
    }
    return true;
  }
}
