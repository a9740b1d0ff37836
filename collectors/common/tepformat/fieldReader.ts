// FieldReader over one raw ftrace event record (the bytes after the ring-buffer event header in
// trace.dat, or a perf.data PERF_SAMPLE_RAW payload), laid out by the event's `format`. Example
// record (kvm_exit, 6.5, little-endian; offsets from its format):
//   e0 07 | 01 | 00 | 5a eb 00 00 | 0c 00 00 00 | ... guest_rip @16 ... isa @24 ... vcpu_id @56
//   common_type=2016, flags, preempt, common_pid=60250, exit_reason=12 (HLT)
// The reader is reused for every record of its event: bind() points it at new bytes without
// allocating. Reads past the record's end answer "absent" instead of reading a neighbour.
import type { Dictionary, EventBatchBuilder } from '../eventBatch.js';
import type { CompiledFieldReader, FieldReader, PrintTable } from '../tracepoints/types.js';
import type { EventFormat, FieldLayout } from './parseFormat.js';

const TWO32 = 4294967296;
const STR_CACHE = 1024;
const NO_TABLES: readonly PrintTable[] = [];
const utf8 = new TextDecoder('utf-8', { fatal: false });

export interface FieldReaderOptions {
  /** Byte order of the records (trace.dat header byte / perf.data magic). Default little-endian. */
  readonly littleEndian?: boolean;
}

/** Comm-sized (16-byte) char arrays key the word cache; TASK_COMM_LEN in include/linux/sched.h. */
const WORD_KEY_BYTES = 16;

export class RecordFieldReader implements FieldReader, CompiledFieldReader {
  private buf: Uint8Array = new Uint8Array(0);
  private dv: DataView = new DataView(this.buf.buffer);
  private start = 0;
  private length = 0;
  private readonly le: boolean;
  /** Recently decoded short strings by content hash (per reader, so no shared state). */
  private readonly strCache: ({ bytes: Uint8Array; text: string } | undefined)[] = new Array(STR_CACHE);
  /** Dictionary codes of recently seen short strings by content hash (see dictStr). */
  private readonly codeCache: ({ bytes: Uint8Array; dict: Dictionary; code: number } | undefined)[] = new Array(STR_CACHE);
  /**
   * dictStrAt's cache for 16-byte char arrays, keyed by the array's four 32-bit words (bytes after
   * the NUL included: a hit is then exact without finding the NUL). Typed arrays, no object per entry.
   */
  private readonly wordKeys = new Int32Array(STR_CACHE * 4);
  private readonly wordCodes = new Int32Array(STR_CACHE);
  private readonly wordDicts: (Dictionary | undefined)[] = new Array<Dictionary | undefined>(STR_CACHE).fill(undefined);

  constructor(readonly format: EventFormat, opts: FieldReaderOptions = {}) {
    this.le = opts.littleEndian ?? true;
  }

  /** Point the reader at the record in buf[start, start + length). Returns this. */
  bind(buf: Uint8Array, start: number, length: number): this {
    if (buf !== this.buf) {
      this.buf = buf;
      this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    this.start = start;
    this.length = Math.max(0, Math.min(length, buf.length - start));
    return this;
  }

  /**
   * bind() with the caller's DataView of `buf` (it must view exactly buf's bytes). Why: readers are
   * bound alternately to the blocks of several CPUs, and a new DataView per switch was garbage.
   */
  bindView(buf: Uint8Array, dv: DataView, start: number, length: number): this {
    this.buf = buf;
    this.dv = dv;
    this.start = start;
    const room = buf.length - start;
    this.length = length < room ? (length > 0 ? length : 0) : (room > 0 ? room : 0);
    return this;
  }

  /** Record length in bytes. */
  get recordLength(): number { return this.length; }

  private field(name: string): FieldLayout | undefined {
    const f = this.format.byName.get(name);
    return f && f.offset + f.size <= this.length ? f : undefined;
  }

  has(name: string): boolean { return this.field(name) !== undefined; }

  // ---- compiled access (CompiledFieldReader): fields resolved once per format, not per record ----

  /** The layout of a field of this format (no record bound needed); undefined when the format lacks it. */
  ref(name: string): FieldLayout | undefined { return this.format.byName.get(name); }

  /**
   * num() of a resolved field: the same answer, without the name lookup. The common cases (a 4- or
   * 8-byte scalar inside the record) are short enough for V8 to inline into the compiled decoders.
   */
  numAt(f: FieldLayout | undefined): number | undefined {
    if (f !== undefined && f.arrayLen === null && f.location === 'inline' && f.offset + f.size <= this.length) {
      const o = this.start + f.offset;
      if (f.size === 4) return f.signed ? this.dv.getInt32(o, this.le) : this.dv.getUint32(o, this.le);
      // 8-byte little-endian (a `long`, e.g. sched_switch prev_state): as numAtAny computes it
      if (f.size === 8 && this.le) return (f.signed ? this.dv.getInt32(o + 4, true) : this.dv.getUint32(o + 4, true)) * TWO32 + this.dv.getUint32(o, true);
    }
    return this.numAtAny(f);
  }

  private numAtAny(f: FieldLayout | undefined): number | undefined {
    if (f === undefined || f.offset + f.size > this.length || f.location !== 'inline' || (f.arrayLen !== null && f.arrayLen !== 1)) return undefined;
    const o = this.start + f.offset;
    const dv = this.dv;
    switch (f.size) {
      case 4: return f.signed ? dv.getInt32(o, this.le) : dv.getUint32(o, this.le);
      case 1: return f.signed ? dv.getInt8(o) : dv.getUint8(o);
      case 2: return f.signed ? dv.getInt16(o, this.le) : dv.getUint16(o, this.le);
      case 8: {
        const lo = dv.getUint32(this.le ? o : o + 4, this.le);
        const hi = this.le ? (f.signed ? dv.getInt32(o + 4, true) : dv.getUint32(o + 4, true))
          : (f.signed ? dv.getInt32(o, false) : dv.getUint32(o, false));
        return hi * TWO32 + lo;
      }
      default: return undefined;
    }
  }

  /** set64() of a resolved field. */
  set64At(f: FieldLayout | undefined, col: number, b: EventBatchBuilder): boolean {
    if (f === undefined || f.offset + f.size > this.length || f.location !== 'inline' || (f.arrayLen !== null && f.arrayLen !== 1)) return false;
    // words() without its [lo, hi] array: this runs for rip/info1/info2 of every kvm_exit
    const o = this.start + f.offset;
    const dv = this.dv;
    const le = this.le;
    let v: number;
    switch (f.size) {
      case 8: {
        const a = dv.getUint32(o, le);
        const c = dv.getUint32(o + 4, le);
        if (le) b.halves64(col, a, c); else b.halves64(col, c, a);
        return true;
      }
      case 4: v = f.signed ? dv.getInt32(o, le) : dv.getUint32(o, le); break;
      case 2: v = f.signed ? dv.getInt16(o, le) : dv.getUint16(o, le); break;
      case 1: v = f.signed ? dv.getInt8(o) : dv.getUint8(o); break;
      default: return false;
    }
    b.halves64(col, v >>> 0, v < 0 ? 0xffffffff : 0);
    return true;
  }

  /**
   * dictStr() of a resolved field. A 16-byte char array (every comm) is looked up by its four
   * words in a typed-array cache: no byte loop, no string, no Map on a hit. Same codes as dictStr.
   */
  dictStrAt(f: FieldLayout | undefined, col: number, b: EventBatchBuilder): boolean {
    if (f === undefined) return false;
    if (f.location !== 'inline' || f.size !== WORD_KEY_BYTES || f.offset + WORD_KEY_BYTES > this.length) return this.dictStr(f.name, col, b);
    // the hit path stays short (V8 inlines it into the compiled decoders); a miss decodes the text
    const o = this.start + f.offset;
    const dv = this.dv;
    const w0 = dv.getInt32(o, true);
    const w1 = dv.getInt32(o + 4, true);
    const w2 = dv.getInt32(o + 8, true);
    const w3 = dv.getInt32(o + 12, true);
    let h = w0 ^ Math.imul(w1, 0x9e3779b1) ^ Math.imul(w2, 0x85ebca6b) ^ Math.imul(w3, 0xc2b2ae35) ^ Math.imul(col + 1, 0x27d4eb2f);
    h ^= h >>> 15;
    const slot = h & (STR_CACHE - 1);
    const k = slot << 2;
    const keys = this.wordKeys;
    if (keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2 && keys[k + 3] === w3 && this.wordDicts[slot] === b.dictionaries[col]) {
      b.dictCode(col, this.wordCodes[slot]!);
      return true;
    }
    return this.dictStrMiss(o, slot, w0, w1, w2, w3, col, b);
  }

  /** dictStrAt's cache miss: decode the text, remember its code under its four words. */
  private dictStrMiss(o: number, slot: number, w0: number, w1: number, w2: number, w3: number, col: number, b: EventBatchBuilder): boolean {
    const dict = b.dictionaries[col]!;
    this.rs = o;
    this.re = o + WORD_KEY_BYTES;
    const code = dict.code(utf8.decode(this.buf.subarray(o, this.strEnd())));
    const keys = this.wordKeys;
    const k = slot << 2;
    keys[k] = w0; keys[k + 1] = w1; keys[k + 2] = w2; keys[k + 3] = w3;
    this.wordCodes[slot] = code;
    this.wordDicts[slot] = dict;
    b.dictCode(col, code);
    return true;
  }

  /** Low and high 32-bit words of an integer field (sign-extended when signed), or null. */
  private words(f: FieldLayout): [number, number] | null {
    const o = this.start + f.offset;
    const dv = this.dv;
    switch (f.size) {
      case 1: {
        const v = f.signed ? dv.getInt8(o) : dv.getUint8(o);
        return [v >>> 0, v < 0 ? 0xffffffff : 0];
      }
      case 2: {
        const v = f.signed ? dv.getInt16(o, this.le) : dv.getUint16(o, this.le);
        return [v >>> 0, v < 0 ? 0xffffffff : 0];
      }
      case 4: {
        const v = f.signed ? dv.getInt32(o, this.le) : dv.getUint32(o, this.le);
        return [v >>> 0, v < 0 ? 0xffffffff : 0];
      }
      case 8: {
        const a = dv.getUint32(o, this.le);
        const b = dv.getUint32(o + 4, this.le);
        return this.le ? [a, b] : [b, a];
      }
      default:
        return null;
    }
  }

  num(name: string): number | undefined {
    // numAt checks the record bound that field() checks
    return this.numAt(this.format.byName.get(name));
  }


  set64(name: string, col: number, b: EventBatchBuilder): boolean {
    const f = this.field(name);
    if (!f || f.location !== 'inline' || (f.arrayLen !== null && f.arrayLen !== 1)) return false;
    const w = this.words(f);
    if (!w) return false;
    b.halves64(col, w[0], w[1]);
    return true;
  }

  /** Absolute byte range [rs, re) of a field's payload, set by locate(). */
  private rs = 0;
  private re = 0;

  /**
   * Find a field's payload (inline array or __data_loc/__rel_loc target) into rs/re; false when
   * absent. Why not bytes(): a subarray per field per record is garbage on the hottest path.
   */
  private locate(name: string): boolean {
    const f = this.field(name);
    if (!f) return false;
    if (f.location === 'inline') {
      // a flexible array ("char buf[]", size 0) runs to the record end
      const end = f.arrayLen === 0 && f.size === 0 ? this.length : f.offset + f.size;
      this.rs = this.start + f.offset;
      this.re = this.start + end;
      return true;
    }
    if (f.size !== 4) return false;
    const loc = this.dv.getUint32(this.start + f.offset, this.le);
    const len = loc >>> 16;
    // __rel_loc offsets count from the end of the locator field (include/trace/stages/stage5_get_offsets.h)
    const off = (loc & 0xffff) + (f.location === 'rel_loc' ? f.offset + 4 : 0);
    if (off + len > this.length) return false;
    this.rs = this.start + off;
    this.re = this.start + off + len;
    return true;
  }

  /** Byte range of a field's payload (inline array or __data_loc/__rel_loc target), or null. */
  bytes(name: string): Uint8Array | null {
    return this.locate(name) ? this.buf.subarray(this.rs, this.re) : null;
  }

  /** End of the NUL-terminated string at rs (re when there is no NUL). */
  private strEnd(): number {
    const buf = this.buf;
    const re = this.re;
    let i = this.rs;
    while (i < re && buf[i] !== 0) i++;
    return i;
  }

  /** Hash of buf[s, e) for the short-string caches. */
  private static hash(buf: Uint8Array, s: number, e: number): number {
    let h = e - s;
    for (let i = s; i < e; i++) h = (Math.imul(h, 31) + buf[i]!) | 0;
    return h;
  }

  private static same(a: Uint8Array, buf: Uint8Array, s: number, e: number): boolean {
    if (a.length !== e - s) return false;
    for (let i = s; i < e; i++) if (a[i - s] !== buf[i]) return false;
    return true;
  }

  str(name: string): string | undefined {
    if (!this.locate(name)) return undefined;
    const s = this.rs;
    const end = this.strEnd();
    if (end - s > 32) return utf8.decode(this.buf.subarray(s, end));
    // Short strings (comm names) repeat endlessly: look them up by content instead of decoding.
    const slot = RecordFieldReader.hash(this.buf, s, end) & (STR_CACHE - 1);
    const cached = this.strCache[slot];
    if (cached && RecordFieldReader.same(cached.bytes, this.buf, s, end)) return cached.text;
    const text = utf8.decode(this.buf.subarray(s, end));
    // a copy: Buffer#slice is a view and would keep the whole read chunk alive in the cache
    this.strCache[slot] = { bytes: Uint8Array.prototype.slice.call(this.buf, s, end), text };
    return text;
  }

  /**
   * A string field straight into a dict column: the code is cached by the field's bytes, so a
   * repeated comm costs a hash and a compare, no string and no Map lookup. Same codes as
   * `b.dict(col, str(name))`. False when the field is absent.
   */
  dictStr(name: string, col: number, b: EventBatchBuilder): boolean {
    if (!this.locate(name)) return false;
    const s = this.rs;
    const end = this.strEnd();
    const dict = b.dictionaries[col]!;
    if (end - s > 32) {
      b.dictCode(col, dict.code(utf8.decode(this.buf.subarray(s, end))));
      return true;
    }
    // the column is mixed into the slot: prev_comm and next_comm hold the same names, and would
    // evict each other's entries (different dictionaries) in a shared slot
    const slot = (RecordFieldReader.hash(this.buf, s, end) + Math.imul(col, 0x9e3779b1)) & (STR_CACHE - 1);
    const cached = this.codeCache[slot];
    if (cached && cached.dict === dict && RecordFieldReader.same(cached.bytes, this.buf, s, end)) {
      b.dictCode(col, cached.code);
      return true;
    }
    const code = dict.code(utf8.decode(this.buf.subarray(s, end)));
    this.codeCache[slot] = { bytes: Uint8Array.prototype.slice.call(this.buf, s, end), dict, code };
    b.dictCode(col, code);
    return true;
  }

  printTables(name: string): readonly PrintTable[] {
    return this.format.printTables.get(name) ?? NO_TABLES;
  }
}

/** A reusable FieldReader for records of `format`; call `.bind(buf, start, length)` per record. */
export function makeFieldReader(format: EventFormat, opts: FieldReaderOptions = {}): RecordFieldReader {
  return new RecordFieldReader(format, opts);
}
