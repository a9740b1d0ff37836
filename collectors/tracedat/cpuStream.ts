// One CPU's ring-buffer pages, read lazily (a block of pages or one compressed chunk at a time)
// and walked record by record. Page layout (kernel/trace/ring_buffer.c struct buffer_data_page;
// libtraceevent src/kbuffer-parse.c kbuffer_load_subbuffer/translate_data, which we follow):
//   u64 timestamp | long commit (size | bit31 MISSING_EVENTS | bit30 MISSING_STORED) | data...
//   event header u32: type_len:5 time_delta:27 (little-endian: type_len in the low bits)
//     type_len 1..28: payload type_len*4 bytes; 0: u32 length (counts itself) then payload;
//     29 padding (u32 length follows); 30 time extend (delta += u32 << 27); 31 absolute time stamp.
// Example (first record of a page, kvm_entry, 6.5): 44 4f 01 00 | 31 08 01 00 5a eb 00 00 ...
//   type_len 4 (16 bytes), time_delta 0x27a, then common_type 2097, flags 1, preempt 0, pid 60250
// Record offsets (`offset`) count bytes of this CPU's *uncompressed* data from its first page, so
// they stay meaningful for compressed files; they are what the events table keeps as src_line.
import type { Diagnostics } from '../common/diagnostics.js';
import type { RandomAccess } from '../common/source.js';
import type { Decompressor } from './decompress.js';
import type { PageLayout } from './meta.js';

const COMMIT_MASK = (1 << 27) - 1;
const MISSING_EVENTS = 0x80000000;
const MISSING_STORED = 0x40000000;
const TS_MSB = ~((1n << 59n) - 1n) & ((1n << 64n) - 1n);
/**
 * Read size per CPU stream: all streams' read buffers together stay within READ_BUDGET_BYTES
 * (a 256-CPU file must not hold 256 big buffers), between MIN and MAX pages. Why big reads: each
 * read is a thread-pool round trip; with 64 pages (256 KiB) the main thread sat idle for about a
 * quarter of a 3 M-event ingest, with 512 pages (2 MiB) the ingest took 10-20 % less wall time.
 */
const READ_BUDGET_BYTES = 32 << 20;
/** Each stream holds two read buffers (the block walked, the block read ahead). */
const BUFFERS_PER_STREAM = 2;
const MIN_PAGES_PER_READ = 16;
const MAX_PAGES_PER_READ = 512;

export function pagesPerRead(streams: number, pageSize: number): number {
  const fit = Math.floor(READ_BUDGET_BYTES / BUFFERS_PER_STREAM / Math.max(1, streams) / Math.max(1, pageSize));
  return Math.max(MIN_PAGES_PER_READ, Math.min(MAX_PAGES_PER_READ, fit));
}
/** Pages of a stream's first block read (then twice as many per read, up to its read size). */
const FIRST_READ_PAGES = 16;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Compressed CPU data is read this much at a time (about 50 of trace-cmd's 10-page chunks). */
const COMPRESSED_BLOCK = 256 << 10;
/** Decompressed chunks up to this size reuse the stream's output buffer (trace-cmd: 10 pages). */
const MAX_REUSED_CHUNK = 16 << 20;

export const REC_EVENT = 0;
export const REC_LOST = 1;

export class CpuStream {
  // current block of uncompressed pages
  private buf: Buffer = Buffer.alloc(0);
  private dv: DataView = new DataView(this.buf.buffer, this.buf.byteOffset, 0);
  private blockBase = 0; // uncompressed offset of buf[0]
  private pagePos = -1; // start of the current page in buf; -1 = no page loaded
  private pos = 0; // next event header
  private dataEnd = 0;
  // Time of the last record: a double while below 2^53 (exact; no BigInt allocated per record,
  // which was most of the GC work), else the BigInt tsBig.
  private tsN = 0;
  private tsBig: bigint | null = null;
  // source position
  private fileNext: number; // next file byte to read
  private readonly fileEnd: number;
  private chunksLeft = -1; // compressed: chunks still to read (-1 = chunk count not read yet)
  /**
   * Uncompressed reads land in two buffers in turn: the block being walked, and the next block,
   * read ahead in libuv's thread pool meanwhile (`ahead`). Why: a serial ingest sat idle on every
   * block read, about 6 % of it. The block before is dead once refill() is called.
   */
  private readBuf: Buffer | null = null;
  private spareBuf: Buffer | null = null;
  private ahead: { buf: Buffer; want: number; bytes: Promise<number> } | null = null;
  /** Compressed data: a block of the file from cblockAt, cblockLen bytes valid (compressedBytes). */
  private cblock: Buffer | null = null;
  private cblockAt = 0;
  private cblockLen = 0;
  /** Where a compressed chunk is decompressed to (when the decompressor can write into it). */
  private chunkOut: Buffer | null = null;
  private done = false;

  /** The current record (valid after advance() returned true). */
  kind = REC_EVENT;
  /** The current record's time as a double, exact when tsBigCur is null. */
  tsNum = 0;
  /** The current record's time above 2^53, else null (then tsNum is exact). */
  tsBigCur: bigint | null = null;
  /** The current record's time as a BigInt (allocates: not for the per-record path). */
  get ts(): bigint { return this.tsBigCur ?? BigInt(this.tsNum); }
  recStart = 0;
  recLen = 0;
  /** Uncompressed CPU-data offset of the current record's header. */
  offset = 0;
  lostCount: number | null = null;
  /** Bytes of the current block (records point into it). */
  get block(): Buffer { return this.buf; }
  /** A DataView of exactly `block` (made once per block). */
  get view(): DataView { return this.dv; }

  /** Merge order among streams of equal time: (instance, cpu) as one number. */
  readonly order: number;
  records = 0;
  missingPages = 0;
  lostReported = 0;
  private lostUnknown = false;

  constructor(
    readonly cpu: number,
    private readonly ra: RandomAccess,
    offset: number,
    size: number,
    private readonly pageSize: number,
    private readonly layout: PageLayout,
    private readonly le: boolean,
    private readonly dec: Decompressor | null,
    private readonly diag: Diagnostics,
    private readonly where: (fileOffset: number) => string,
    private readonly readPages: number = MAX_PAGES_PER_READ,
    /** Bytes per read of compressed data (tests: tiny, so chunks straddle reads). */
    private readonly compressedBlock: number = COMPRESSED_BLOCK,
    /** Maps each record's raw time (TIME_SHIFT: guest -> host clock); absent: times as stored. */
    private readonly correct?: (raw: bigint) => bigint,
    /** Which instance of the file (0 = top, then in BUFFER option order). */
    readonly bufferIndex = 0,
  ) {
    // ties in the time merge go to the earlier instance, then the lower CPU (as in trace-cmd)
    this.order = bufferIndex * 0x100000000 + cpu;
    this.fileNext = offset;
    // trace-cmd 3.1 stores a compressed CPU's size without its u32 chunk count (3.2 includes it):
    // allow those 4 bytes, the chunk count still bounds the walk.
    this.fileEnd = offset + size + (dec ? 4 : 0);
    if (dec && this.fileEnd > ra.size && offset + size <= ra.size) this.fileEnd = ra.size;
    if (this.fileEnd > ra.size) {
      diag.truncated = true;
      diag.warn('tracedat-truncated', where(ra.size), `CPU ${cpu} data runs to 0x${this.fileEnd.toString(16)} but the file ends at 0x${ra.size.toString(16)}; events after the cut are missing`,
        undefined, 'the trace.dat was cut; the table holds what the file has');
      this.fileEnd = ra.size;
    }
  }

  private setCur(v: bigint): void {
    if (v <= MAX_SAFE) { this.tsN = Number(v); this.tsBig = null; } else this.tsBig = v;
  }
  private getCur(): bigint { return this.tsBig ?? BigInt(this.tsN); }
  /** Add a delta below 2^32 (exact while the sum stays below 2^53). */
  private addDelta(d: number): void {
    if (this.tsBig === null) {
      const v = this.tsN + d;
      if (v <= Number.MAX_SAFE_INTEGER) { this.tsN = v; return; }
      this.tsBig = BigInt(this.tsN) + BigInt(d);
    } else {
      this.tsBig += BigInt(d);
    }
  }
  private markCur(): void {
    if (this.correct !== undefined) {
      // a guest file's TIME_SHIFT: the record's time on the host clock (then the merge orders by it)
      const v = this.correct(this.getCur());
      if (v <= MAX_SAFE) { this.tsNum = Number(v); this.tsBigCur = null; } else { this.tsNum = 0; this.tsBigCur = v; }
      return;
    }
    this.tsNum = this.tsN;
    this.tsBigCur = this.tsBig;
  }

  private u32(o: number): number { return this.dv.getUint32(o, this.le); }
  private u64(o: number): bigint { return this.le ? this.buf.readBigUInt64LE(o) : this.buf.readBigUInt64BE(o); }

  /** Uncompressed block reads so far (the first ones are smaller, see pagesForRead). */
  private reads = 0;
  /**
   * Pages of the k-th block read: 16, 32, 64, ... up to readPages. Why: the first reads land in
   * fresh memory (page faults in the thread pool, ~16 µs per 4 KiB here), and with every stream
   * asking for 2 MiB at once the parsing thread sat idle ~20 ms before its first record.
   */
  private pagesForRead(k: number): number {
    return Math.min(this.readPages, FIRST_READ_PAGES << Math.min(k, 16));
  }

  /** Load the next block of pages. False when this CPU has no more data. */
  async refill(): Promise<boolean> {
    if (this.done) return false;
    const nextBase = this.blockBase + this.buf.length;
    if (!this.dec) {
      const left = this.fileEnd - this.fileNext;
      if (left <= 0) { this.done = true; return false; }
      const n = Math.min(left, this.pageSize * this.pagesForRead(this.reads++));
      let b: Buffer;
      if (this.ra.readInto) {
        // no record of the previous block is referenced once refill() is called: reuse its bytes
        if (this.ahead !== null) {
          const a = this.ahead;
          this.ahead = null;
          b = a.buf.subarray(0, await a.bytes);
          this.spareBuf = this.readBuf;
          this.readBuf = a.buf;
        } else {
          if (!this.readBuf || this.readBuf.length < n) this.readBuf = Buffer.allocUnsafeSlow(this.pageSize * this.readPages);
          b = this.readBuf.subarray(0, await this.ra.readInto(this.readBuf, this.fileNext, n));
        }
        this.fileNext += n;
        const next = Math.min(this.fileEnd - this.fileNext, this.pageSize * this.pagesForRead(this.reads));
        if (next > 0 && b.length === n) {
          const buf = this.spareBuf ??= Buffer.allocUnsafeSlow(this.pageSize * this.readPages);
          const bytes = this.ra.readInto(buf, this.fileNext, next);
          bytes.catch(() => 0); // awaited by the next refill; a stream given up early leaves it be
          this.ahead = { buf, want: next, bytes };
        }
        return this.load(b, nextBase);
      }
      b = await this.ra.read(this.fileNext, n);
      this.fileNext += n;
      return this.load(b, nextBase);
    }
    if (this.chunksLeft < 0) {
      if (this.fileNext + 4 > this.fileEnd) return this.stop(this.fileNext, 'compressed CPU data has no chunk count');
      const h = await this.compressedBytes(4);
      this.chunksLeft = this.le ? h.readUInt32LE(0) : h.readUInt32BE(0);
      this.fileNext += 4;
    }
    if (this.chunksLeft === 0) { this.done = true; return false; }
    if (this.fileNext + 8 > this.fileEnd) return this.stop(this.fileNext, `${this.chunksLeft} compressed chunks announced but the CPU data ends`);
    const h = await this.compressedBytes(8);
    const csize = this.le ? h.readUInt32LE(0) : h.readUInt32BE(0);
    const usize = this.le ? h.readUInt32LE(4) : h.readUInt32BE(4);
    if (this.fileNext + 8 + csize > this.fileEnd) return this.stop(this.fileNext, `chunk of ${csize} compressed bytes runs past the CPU data end`);
    if (usize > 1 << 30) return this.stop(this.fileNext, `chunk claims ${usize} uncompressed bytes`);
    const c = await this.compressedBytes(csize, 8);
    const at = this.fileNext;
    this.fileNext += 8 + csize;
    this.chunksLeft--;
    let out: Buffer;
    try {
      // one output buffer per stream: the block before is dead once refill() is called (a chunk
      // claiming more than trace-cmd ever writes gets a buffer of its own, not a lasting one)
      let into: Buffer | undefined;
      if (usize <= MAX_REUSED_CHUNK) {
        if (!this.chunkOut || this.chunkOut.length < usize) this.chunkOut = Buffer.allocUnsafeSlow(Math.max(usize, 1 << 16));
        into = this.chunkOut;
      }
      out = this.dec(c, usize, into);
    } catch (e) {
      return this.stop(at, `chunk does not decompress (${(e as Error).message})`);
    }
    if (out.length !== usize) this.diag.warn('tracedat-chunk', this.where(at), `chunk decompressed to ${out.length} bytes, header says ${usize}`);
    return this.load(out, nextBase);
  }

  /**
   * `n` bytes of compressed CPU data at fileNext + `skip` (fileNext itself is advanced by the
   * caller), a view valid until the next call. Read in blocks of COMPRESSED_BLOCK bytes: trace-cmd
   * compresses 10 pages per chunk (~4 KiB each compressed), and one file read per chunk header and
   * body made a 20 MB zstd trace.dat spend ~0.8 s in ~9 000 reads.
   */
  private async compressedBytes(n: number, skip = 0): Promise<Buffer> {
    const at = this.fileNext + skip;
    const have = this.cblockAt + this.cblockLen;
    if (this.cblock === null || at < this.cblockAt || at + n > have) {
      // the bytes from `at` on that the block holds move to its start; the rest is read
      const keep = at >= this.cblockAt && at < have ? have - at : 0;
      const old = this.cblock;
      const size = Math.max(n, this.compressedBlock);
      const cb = old !== null && old.length >= size ? old : Buffer.allocUnsafeSlow(size);
      if (keep > 0) old!.copy(cb, 0, at - this.cblockAt, this.cblockLen);
      this.cblock = cb;
      this.cblockAt = at;
      this.cblockLen = keep;
      const want = Math.min(cb.length, this.fileEnd - at) - keep;
      if (want > 0) {
        if (this.ra.readInto) this.cblockLen += await this.ra.readInto(cb.subarray(keep), at + keep, want);
        else this.cblockLen += (await this.ra.read(at + keep, want)).copy(cb, keep);
      }
      if (n > this.cblockLen) return cb.subarray(0, this.cblockLen); // the file ended first: a short view
    }
    const o = at - this.cblockAt;
    return this.cblock.subarray(o, o + n);
  }

  private stop(at: number, msg: string): boolean {
    this.done = true;
    this.diag.truncated = true;
    this.diag.warn('tracedat-truncated', this.where(at), `CPU ${this.cpu}: ${msg}; the rest of this CPU's events is missing`, undefined, 'the file is cut or corrupt');
    return false;
  }

  private load(b: Buffer, base: number): boolean {
    if (b.length === 0) { this.done = true; return false; }
    if (b.length % this.pageSize !== 0) {
      this.diag.warn('tracedat-partial-page', this.where(this.fileNext), `CPU ${this.cpu}: data block of ${b.length} bytes is not a whole number of ${this.pageSize}-byte pages; the last page is read as far as it goes`);
    }
    this.buf = b;
    this.dv = new DataView(b.buffer, b.byteOffset, b.length);
    this.blockBase = base;
    this.pagePos = -1;
    this.pos = 0;
    this.dataEnd = 0;
    return true;
  }

  /** Start the page at buf[p]. Returns true when it sets a lost-events marker as the current record. */
  private loadPage(p: number): boolean {
    const L = this.layout;
    this.pagePos = p;
    if (p + L.dataOffset > this.buf.length) { this.pos = this.dataEnd = this.buf.length; return false; }
    // page time stamp: a double when below 2^53 (no BigInt per page), else the exact BigInt
    const lo = this.dv.getUint32(this.le ? p : p + 4, this.le);
    const hi = this.dv.getUint32(this.le ? p + 4 : p, this.le);
    if (hi < 0x200000) { this.tsN = hi * 4294967296 + lo; this.tsBig = null; } else this.setCur(this.u64(p));
    const flags = L.commitSize === 8 ? (this.le ? this.buf.readUInt32LE(p + L.commitOffset) : this.buf.readUInt32BE(p + L.commitOffset + 4)) : this.u32(p + L.commitOffset);
    let size = flags & COMMIT_MASK;
    const start = p + L.dataOffset;
    const room = Math.min(this.pageSize - L.dataOffset, this.buf.length - start);
    if (size > room) {
      this.diag.warn('tracedat-page-header', this.where(-1), `CPU ${this.cpu} page at data offset 0x${(this.blockBase + p).toString(16)}: commit size ${size} exceeds the page (${room} bytes of data); page read up to its end`,
        undefined, 'corrupt page header');
      size = room;
    }
    this.pos = start;
    this.dataEnd = start + size;
    if (flags & MISSING_EVENTS) {
      this.missingPages++;
      let count: number | null = null;
      if (flags & MISSING_STORED) {
        const o = start + size;
        if (o + L.commitSize <= Math.min(this.buf.length, p + this.pageSize)) {
          count = L.commitSize === 8 ? Number(this.u64(o)) : this.u32(o);
          this.lostReported += count;
        }
      }
      if (count === null) this.lostUnknown = true;
      this.kind = REC_LOST;
      this.markCur();
      this.lostCount = count;
      this.offset = this.blockBase + p;
      return true;
    }
    return false;
  }

  /**
   * Move to the next record of the loaded block. False when the block is used up (then call
   * refill()). Every step moves forward by at least 4 bytes, so a corrupt page cannot loop.
   */
  advance(): boolean {
    const buf = this.buf;
    for (;;) {
      if (this.pos >= this.dataEnd) {
        const next = this.pagePos < 0 ? 0 : this.pagePos + this.pageSize;
        if (next >= buf.length) return false;
        if (this.loadPage(next)) return true;
        continue;
      }
      const h = this.pos;
      if (h + 4 > this.dataEnd) { this.corrupt(h, 'event header cut by the page end'); continue; }
      const w = this.u32(h);
      const typeLen = this.le ? w & 31 : w >>> 27;
      const delta = this.le ? w >>> 5 : w & COMMIT_MASK;
      if (typeLen >= 29) {
        if (h + 8 > this.dataEnd) { this.corrupt(h, `type ${typeLen} cut by the page end`); continue; }
        const arg = this.u32(h + 4);
        if (typeLen === 29) {
          // padding: kbuffer adds its delta and skips 4 + length (delta 0: rest of the page)
          this.addDelta(delta);
          this.pos = delta === 0 || arg === 0 ? this.dataEnd : h + 4 + arg;
        } else if (typeLen === 30) {
          this.setCur(this.getCur() + (BigInt(arg) << 27n) + BigInt(delta));
          this.pos = h + 8;
        } else {
          this.setCur(((BigInt(arg) << 27n) + BigInt(delta)) | (this.getCur() & TS_MSB));
          this.pos = h + 8;
        }
        continue;
      }
      let start: number;
      let len: number;
      if (typeLen === 0) {
        if (h + 8 > this.dataEnd) { this.corrupt(h, 'long record length cut by the page end'); continue; }
        len = ((this.u32(h + 4) - 4 + 3) & ~3);
        start = h + 8;
      } else {
        len = typeLen * 4;
        start = h + 4;
      }
      if (len <= 0 || start + len > this.dataEnd) { this.corrupt(h, `record length ${len} runs past the page data`); continue; }
      this.addDelta(delta);
      this.pos = start + len;
      this.kind = REC_EVENT;
      this.markCur();
      this.recStart = start;
      this.recLen = len;
      this.offset = this.blockBase + h;
      this.records++;
      return true;
    }
  }

  private corrupt(h: number, msg: string): void {
    this.diag.warn('tracedat-record', this.where(-1), `CPU ${this.cpu} data offset 0x${(this.blockBase + h).toString(16)}: ${msg}; rest of the page skipped`, undefined, 'corrupt ring-buffer page');
    this.pos = this.dataEnd;
  }

  get lostCountUnknown(): boolean { return this.lostUnknown; }
}
