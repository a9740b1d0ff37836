// perf.data -> event rows. One row per PERF_RECORD_SAMPLE (tracepoint payloads decoded through the
// format embedded in HEADER_TRACING_DATA), one "[lost]" row per LOST / LOST_SAMPLES record; COMM
// and FORK only name threads. Layout: tools/perf/Documentation/perf.data-file-format.txt and
// include/uapi/linux/perf_event.h. Example record (perf 6.1, sched:sched_switch, little-endian):
//   09 00 00 00 02 00 98 00 | 0c 00 00 00 00 00 00 00 | <ip> | 25 2e 00 00 25 2e 00 00 | <time> ...
//   type=SAMPLE misc=2 size=152 | IDENTIFIER=12          |      | pid=11813 tid=11813     | TIME, CPU, PERIOD, RAW
// Input is read in chunks with random access (never the whole file), every size is checked
// against the bytes that are really there, and src_line is the record's byte offset in the file
// (for records inside a COMPRESSED record: that record's offset).
import { C, LOST_EVENT } from '../common/columns.js';
import type { CollectorContext } from '../common/collector.js';
import { ABSENT, type EventBatchBuilder } from '../common/eventBatch.js';
import { TraceInputError } from '../common/diagnostics.js';
import type { RandomAccess } from '../common/source.js';
import { parseTracingData, type EventFormatSet } from '../common/tepformat/formatSet.js';
import type { RecordFieldReader } from '../common/tepformat/fieldReader.js';
import { tracepointDecoder } from '../common/tracepoints/index.js';
import type { TracepointDecoder } from '../common/tracepoints/types.js';
import { loadZstdWasm } from '../common/zstdWasm.js';
import { parseAttr, u64num, type PerfAttr } from './attr.js';
import {
  FEAT_BITS, FILE_HEADER_BYTES, Feat, MAGIC, MAGIC_SWAPPED, PERF_TYPE_TRACEPOINT, PIPE_HEADER_BYTES,
  RECORD_HEADER_BYTES, RF, Rec, S, USER_TYPE_START,
} from './constants.js';
import { readFeature, type PerfFeatures } from './features.js';
import { OrderedQueue } from './orderedQueue.js';
import { Threads } from './threads.js';
import { ZstdRecords } from './zstdRecords.js';

/**
 * Bytes read per chunk; a record (at most 64 KiB) never straddles two chunks: we re-read from its
 * start. 2 MiB, not 8: a chunk stays alive while one queued record points into it, so smaller
 * chunks pin less beyond the queued records themselves (peak RSS of the bench ingest -8 MB).
 */
const CHUNK_BYTES = 2 << 20;
/** Chunk backings kept for reuse, in bytes: all a peak needs (fresh pages cost more than holding them). */
const FREE_BYTES = 64 << 20;
/** The read-ahead starts this far before the end of the chunk being parsed (above any record's size, a u16). */
const SPEC_OVERLAP = 1 << 16;
/** Read ahead only with chunks of at least this size (a chunk must reach past the overlap). */
const SPEC_MIN_CHUNK = 2 * SPEC_OVERLAP;

interface AttrInfo {
  eventCode: number;
  reader: RecordFieldReader | undefined;
  decoder: TracepointDecoder | undefined;
  /** The decoder compiled for the reader's format (binary fast path), else undefined. */
  decode: ((b: EventBatchBuilder) => void) | undefined;
}

/** Direct-mapped sample id -> attr index cache in front of idToAttr (a few ids repeat all along). */
const ID_CACHE = 256;

const latin1 = new TextDecoder('latin1');

export class PerfDataReader {
  private le = true;
  private readonly attrs: PerfAttr[] = [];
  private readonly idToAttr = new Map<number, number>();
  private readonly idCacheKeys = new Float64Array(ID_CACHE).fill(NaN); // NaN: matches no id
  private readonly idCacheAttr = new Int32Array(ID_CACHE);
  private infos: AttrInfo[] = [];
  private resolved = false;
  private formats: EventFormatSet | null = null;
  private readonly features: PerfFeatures = {};
  /** Event names by attr index (EVENT_DESC or EVENT_UPDATE), "sched:sched_switch". */
  private readonly names = new Map<number, string>();
  private readonly threads: Threads;
  private readonly queue: OrderedQueue;
  private zstd: ZstdRecords | null = null;
  private lastTsLo = 0;
  private lastTsHi = 0;
  private noTimeWarned = false;
  private readonly skippedTypes = new Map<number, number>();
  /** Samples per CPU (index = cpu; perf CPUs are small numbers). */
  private readonly cpuRecords = new Float64Array(8192);
  private lostRecords = 0;
  /** Byte offset of the event id in a SAMPLE (from the first attr), -1 when samples carry none. */
  private sampleIdOff = -1;
  private lostSamplesTotal = 0;

  constructor(private readonly ctx: CollectorContext) {
    this.threads = new Threads(ctx.builder);
    this.queue = new OrderedQueue((buf, dv, off, ai, src, tsLo, tsHi) => this.emit(buf, dv, off, ai, src, tsLo, tsHi));
  }

  private where(off: number): string { return `${this.ctx.source.name}@0x${off.toString(16)}`; }

  async run(): Promise<void> {
    const ra = await this.ctx.source.random();
    try {
      await this.read(ra);
    } finally {
      await ra.close();
    }
  }

  private async read(ra: RandomAccess): Promise<void> {
    const { diag } = this.ctx;
    const head = await ra.read(0, FILE_HEADER_BYTES);
    if (head.length < PIPE_HEADER_BYTES) {
      throw new TraceInputError(`perf.data header needs ${PIPE_HEADER_BYTES} bytes, the file has ${head.length}`, this.where(0), 'the file is empty or was cut off');
    }
    const magic = latin1.decode(head.subarray(0, 8));
    if (magic === MAGIC) this.le = true;
    else if (magic === MAGIC_SWAPPED) this.le = false;
    else {
      throw new TraceInputError(`not a perf.data file: magic is "${magic.replace(/[^\x20-\x7e]/g, '.')}", expected "PERFILE2"`, this.where(0),
        magic === 'PERFFILE' ? 'this is the pre-2.6.37 "PERFFILE" format; re-record with a current perf' : 'pass --format to pick another reader');
    }
    const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const headerSize = u64num(dv, 8, this.le);
    if (headerSize === PIPE_HEADER_BYTES) {
      diag.note('perf.data in pipe mode (perf record -o -): attributes and formats come as records');
      await this.scan(ra, PIPE_HEADER_BYTES, ra.size);
    } else if (headerSize === FILE_HEADER_BYTES) {
      if (head.length < FILE_HEADER_BYTES) {
        diag.truncated = true;
        throw new TraceInputError(`perf.data header needs ${FILE_HEADER_BYTES} bytes, the file has ${head.length}`, this.where(0), 'the file was cut off');
      }
      await this.readFile(ra, dv);
    } else {
      throw new TraceInputError(`perf.data header size is ${headerSize}, expected ${FILE_HEADER_BYTES} (file) or ${PIPE_HEADER_BYTES} (pipe)`,
        this.where(8), 'the header is corrupt or from an unknown perf version');
    }
    this.queue.finish();
    this.zstd?.dispose();
    this.zstd = null;
    if (this.queue.belowFlush > 0) {
      diag.warn('out-of-order', this.ctx.source.name, `${this.queue.belowFlush} records were older than records already emitted (perf: "Timestamp below last flush")`,
        undefined, 'perf script orders them the same way (its ordered-events queue); time may step back there');
    }
    if (this.skippedTypes.size > 0) {
      diag.note(`perf.data records not turned into rows (by type): ${[...this.skippedTypes].map(([t, n]) => `${t}:${n}`).join(' ')}`);
    }
    if (this.lostSamplesTotal > 0) {
      diag.note(`perf counted ${this.lostSamplesTotal} lost samples in total (LOST_SAMPLES at the end of the recording)`);
      if (this.lostRecords === 0) diag.lostEvents({ cpu: null, tsNs: null, count: this.lostSamplesTotal, where: this.ctx.source.name });
    }
    this.cpuRecords.forEach((n, cpu) => { if (n > 0) diag.cpuStats.push({ cpu, recordsInFile: n }); });
  }

  /** A regular (seekable) perf.data: attrs section, feature sections, then the data section. */
  private async readFile(ra: RandomAccess, dv: DataView): Promise<void> {
    const { diag } = this.ctx;
    const le = this.le;
    const attrSize = u64num(dv, 16, le);
    const attrsOff = u64num(dv, 24, le);
    const attrsSize = u64num(dv, 32, le);
    const dataOff = u64num(dv, 40, le);
    let dataSize = u64num(dv, 48, le);
    const fileSize = ra.size;
    // attrs: perf_file_attr = perf_event_attr (attr_size - 16 bytes) + perf_file_section ids
    if (attrSize < 64 || attrSize > 4096 || attrsSize % attrSize !== 0 || attrsOff + attrsSize > fileSize) {
      throw new TraceInputError(`attrs section (offset ${attrsOff}, size ${attrsSize}, entry size ${attrSize}) does not fit the file (${fileSize} bytes)`,
        this.where(16), 'the header is corrupt, or the file was cut off before its attributes');
    }
    const attrBytes = await ra.read(attrsOff, attrsSize);
    const adv = new DataView(attrBytes.buffer, attrBytes.byteOffset, attrBytes.byteLength);
    for (let o = 0; o + attrSize <= attrBytes.length; o += attrSize) {
      const attr = parseAttr(adv, o, attrSize - 16, le);
      if (!attr) continue;
      const idsOff = u64num(adv, o + attrSize - 16, le);
      const idsSize = u64num(adv, o + attrSize - 8, le);
      const ids: number[] = [];
      if (idsOff + idsSize <= fileSize && idsSize <= 1 << 24) {
        const b = await ra.read(idsOff, idsSize);
        const idv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        for (let k = 0; k + 8 <= b.length; k += 8) ids.push(u64num(idv, k, le));
      } else {
        diag.warn('attr-ids', this.where(attrsOff + o), `ids of attribute ${this.attrs.length} (offset ${idsOff}, size ${idsSize}) lie outside the file`);
      }
      this.addAttr(attr, ids);
    }
    // data section; a size of 0 means perf record did not finish writing the header
    let dataEnd = dataOff + dataSize;
    if (dataSize === 0) {
      diag.warn('data-size-zero', this.where(48), 'the data section size is 0: perf record did not finish (killed?); reading records up to the end of the file',
        undefined, 'stop perf record with Ctrl-C or let its command end');
      diag.truncated = true;
      dataEnd = fileSize;
      dataSize = fileSize - dataOff;
    } else if (dataEnd > fileSize) {
      diag.warn('truncated', this.where(dataOff), `the data section should end at byte ${dataEnd}, the file has ${fileSize} bytes`, undefined, 'the file was cut off; rows up to the cut are kept');
      diag.truncated = true;
      dataEnd = fileSize;
    } else {
      await this.readFeatures(ra, dv, dataEnd);
    }
    await this.scan(ra, dataOff, dataEnd);
  }

  private async readFeatures(ra: RandomAccess, dv: DataView, at: number): Promise<void> {
    const { diag } = this.ctx;
    const le = this.le;
    const feats: number[] = [];
    for (let bit = 0; bit < FEAT_BITS; bit++) {
      const word = dv.getUint32(72 + (bit >>> 5) * 4 + (le ? 0 : ((bit >>> 5) & 1 ? -4 : 4)), le);
      if (word & (1 << (bit & 31))) feats.push(bit);
    }
    if (feats.length === 0) return;
    const table = await ra.read(at, feats.length * 16);
    if (table.length < feats.length * 16) {
      diag.warn('features', this.where(at), `the feature table (${feats.length} entries) runs past the end of the file`, undefined, 'event names and formats may be missing');
      diag.truncated = true;
      return;
    }
    const tdv = new DataView(table.buffer, table.byteOffset, table.byteLength);
    for (let i = 0; i < feats.length; i++) {
      const feat = feats[i]!;
      const off = u64num(tdv, i * 16, le);
      const size = u64num(tdv, i * 16 + 8, le);
      if (![Feat.TRACING_DATA, Feat.HOSTNAME, Feat.OSRELEASE, Feat.VERSION, Feat.ARCH, Feat.NRCPUS, Feat.CPUDESC,
        Feat.CMDLINE, Feat.EVENT_DESC, Feat.CLOCKID, Feat.COMPRESSED].includes(feat)) continue;
      if (off + size > ra.size || size > 1 << 30) {
        diag.warn('features', this.where(at + i * 16), `feature ${feat} (offset ${off}, size ${size}) lies outside the file`);
        diag.truncated = true;
        continue;
      }
      const b = await ra.read(off, size);
      this.feature(feat, b, 0, b.length, off);
    }
    this.noteFeatures();
  }

  private feature(feat: number, b: Uint8Array, start: number, size: number, fileOff: number): void {
    if (feat === Feat.TRACING_DATA) {
      this.tracingData(Buffer.from(b.buffer, b.byteOffset + start, size), fileOff);
      return;
    }
    try {
      readFeature(feat, new DataView(b.buffer, b.byteOffset, b.byteLength), start, size, this.le, this.features);
    } catch (e) {
      this.ctx.diag.warn('features', this.where(fileOff), `feature ${feat} is malformed: ${(e as Error).message}`);
    }
    if (feat === Feat.EVENT_DESC && this.features.eventDesc) {
      for (const d of this.features.eventDesc) {
        for (const id of d.ids) {
          const ai = this.idToAttr.get(id);
          if (ai !== undefined) this.names.set(ai, d.name);
        }
      }
      // files with a single attr and no ids: names in attr order
      this.features.eventDesc.forEach((d, i) => { if (!this.names.has(i) && i < this.attrs.length && d.ids.length === 0) this.names.set(i, d.name); });
      this.resolved = false;
    }
  }

  private noteFeatures(): void {
    const f = this.features;
    const bits = [
      f.hostname && `host ${f.hostname}`, f.osRelease && `kernel ${f.osRelease}`, f.perfVersion && `perf ${f.perfVersion}`,
      f.arch, f.nrCpusOnline !== undefined && `${f.nrCpusOnline} CPUs online`,
    ].filter(Boolean);
    if (bits.length) this.ctx.diag.note(`recorded on ${bits.join(', ')}`);
    if (f.cmdline) this.ctx.diag.note(`perf command: ${f.cmdline.join(' ')}`);
    if (f.clockId !== undefined) this.ctx.diag.note(`perf clock id ${f.clockId} (perf record -k); timestamps are that clock's ns`);
  }

  private tracingData(buf: Buffer, fileOff: number): void {
    const td = parseTracingData(buf, (o, m) => this.ctx.diag.warn('tracing-data', this.where(fileOff + o), m, undefined,
      'tracepoint payloads cannot be decoded without their formats; rows keep their header fields'));
    if (!td) return;
    this.formats = td.formats;
    this.resolved = false;
  }

  private addAttr(attr: PerfAttr, ids: readonly number[]): void {
    const ai = this.attrs.length;
    // perf finds a sample's event by the id at the first event's id position (evlist id_pos)
    if (ai === 0) this.sampleIdOff = attr.offIdentifier >= 0 ? attr.offIdentifier : attr.offId;
    this.attrs.push(attr);
    for (const id of ids) this.idToAttr.set(id, ai);
    this.idCacheKeys.fill(NaN); // an id may now belong to another attr
    if (ai > 0 && !(attr.sampleType & (S.IDENTIFIER | S.ID))) {
      this.ctx.diag.warn('attr-no-id', this.ctx.source.name, `several events recorded, but event ${ai} has neither IDENTIFIER nor ID in its sample_type`,
        undefined, 'samples are attributed to the first event');
    }
    this.resolved = false;
  }

  /** Event name, field reader and payload decoder of every attr (again after new formats/names). */
  private resolve(): void {
    const b = this.ctx.builder;
    this.infos = this.attrs.map((a, ai) => {
      let name: string | undefined;
      let reader: RecordFieldReader | undefined;
      if (a.type === PERF_TYPE_TRACEPOINT) {
        const f = this.formats?.get(a.config);
        if (f) {
          name = f.name;
          reader = this.formats!.reader(a.config);
        } else {
          const n = this.names.get(ai);
          if (n !== undefined) name = n.slice(n.indexOf(':') + 1);
        }
        name ??= `tracepoint#${a.config}`;
      } else {
        name = this.names.get(ai) ?? `type${a.type}:0x${a.config.toString(16)}`;
      }
      const decoder = tracepointDecoder(name);
      return { eventCode: b.dictionaries[C.event]!.code(name), reader, decoder, decode: reader && decoder?.compileFields?.(reader) };
    });
    this.resolved = true;
    const missing = this.attrs.filter((a, i) => a.type === PERF_TYPE_TRACEPOINT && !this.infos[i]!.reader).length;
    if (missing > 0) {
      this.ctx.diag.warn('no-format', this.ctx.source.name, `${missing} tracepoint event(s) have no format in HEADER_TRACING_DATA`, undefined,
        'their rows keep comm/pid/cpu/time but no payload columns');
    }
  }

  // ---- the data stream ---------------------------------------------------------------------

  /** Read records in [start, end) chunk by chunk. */
  private async scan(ra: RandomAccess, start: number, end: number): Promise<void> {
    const { diag } = this.ctx;
    let pos = start;
    const chunkBytes = Math.max(64, this.ctx.chunkSize ?? CHUNK_BYTES);
    let minRead = 0; // a record bigger than a chunk: read at least this much next time
    // Chunk buffers are reused once no queued record points into them: a fresh chunk per read
    // cost page faults (system time) and full GCs. `lent`: chunks handed out, with their buffer.
    const free: Uint8Array[] = [];
    const freeMax = Math.max(4, Math.floor(FREE_BYTES / chunkBytes));
    const keep = (backing: Uint8Array): void => { if (free.length < freeMax) free.push(backing); };
    const lent: { chunk: Uint8Array; backing: Uint8Array }[] = [];
    const backingFor = (want: number): Uint8Array => {
      for (let i = lent.length - 1; i >= 0; i--) {
        if (this.queue.holds(lent[i]!.chunk)) continue;
        keep(lent[i]!.backing);
        lent.splice(i, 1);
      }
      const backing = free.pop();
      return backing && backing.length >= want ? backing : new Uint8Array(Math.max(chunkBytes, want));
    };
    // Read-ahead: while a chunk is parsed, the next one is read (in libuv's thread pool) from
    // SPEC_OVERLAP bytes before its end. The record cut by a chunk's end is shorter than that (a
    // record's size is a u16), so the next chunk starts inside the read-ahead; else (a tracing-data
    // record jumped ahead) it is dropped. Why: the reader sat idle for every chunk read, about a
    // tenth of a perf.data ingest.
    let ahead: { pos: number; backing: Uint8Array; bytes: Promise<number> } | null = null;
    const dropAhead = async (): Promise<void> => {
      if (!ahead) return;
      const a = ahead;
      ahead = null;
      await a.bytes.catch(() => 0);
      keep(a.backing);
    };
    try {
      while (pos < end) {
        const want = Math.min(Math.max(chunkBytes, minRead), end - pos);
        let chunk: Uint8Array;
        if (ra.readInto) {
          let got: { chunk: Uint8Array; backing: Uint8Array } | null = null;
          if (ahead !== null && ahead.pos <= pos && minRead === 0) {
            const a = ahead;
            ahead = null;
            const n = await a.bytes;
            if (pos < a.pos + n) got = { chunk: a.backing.subarray(pos - a.pos, n), backing: a.backing };
            else keep(a.backing);
          }
          await dropAhead();
          if (got === null) {
            const backing = backingFor(want);
            got = { chunk: backing.subarray(0, await ra.readInto(backing, pos, want)), backing };
          }
          chunk = got.chunk;
          if (chunkBytes >= SPEC_MIN_CHUNK && pos + chunk.length < end && chunk.length > SPEC_OVERLAP) {
            // the backing is taken before this chunk is lent: backingFor would recycle it (no queued record yet)
            const at = pos + chunk.length - SPEC_OVERLAP;
            const backing = backingFor(chunkBytes);
            const bytes = ra.readInto(backing, at, Math.min(chunkBytes, end - at));
            bytes.catch(() => 0); // awaited later, or dropped: no unhandled rejection meanwhile
            ahead = { pos: at, backing, bytes };
          }
          lent.push(got);
        } else {
          const raw = await ra.read(pos, want);
          // a plain Uint8Array, not a Buffer: Buffer#slice is a view, and a decoder that keeps a
          // "copy" made with slice() would pin the whole chunk
          chunk = new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
        }
        minRead = 0;
        if (chunk.length === 0) {
          diag.warn('truncated', this.where(pos), `no bytes could be read at offset ${pos} (expected data up to ${end})`);
          diag.truncated = true;
          return;
        }
        const atEnd = pos + chunk.length >= end;
        const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        const le = this.le;
        let p = 0;
        let stop = false;
        while (p + RECORD_HEADER_BYTES <= chunk.length) {
          const type = dv.getUint32(p, le);
          const size = dv.getUint16(p + 6, le);
          if (size < RECORD_HEADER_BYTES) {
            diag.warn('corrupt-record', this.where(pos + p), `record size ${size} is smaller than its 8-byte header (type ${type}); the rest of the data cannot be framed`,
              undefined, 'the file is corrupt from here on; rows before this offset are kept');
            diag.truncated = true;
            return;
          }
          if (p + size > chunk.length) break; // needs the next chunk (or the file ends inside it)
          if (type === Rec.HEADER_TRACING_DATA || type === Rec.AUXTRACE) {
            // the payload follows the record and is not counted in header.size
            if (size < 16) { diag.warn('corrupt-record', this.where(pos + p), `record type ${type} has size ${size}, too small`); p += size; continue; }
            const extra = type === Rec.AUXTRACE ? u64num(dv, p + 8, le) : (dv.getUint32(p + 8, le) + 7) & ~7;
            if (pos + p + size + extra > end) {
              diag.warn('truncated', this.where(pos + p), `record type ${type} announces ${extra} payload bytes past the end of the data`);
              diag.truncated = true;
              return;
            }
            if (type === Rec.HEADER_TRACING_DATA) {
              const payload = await ra.read(pos + p + size, dv.getUint32(p + 8, le));
              this.tracingData(payload, pos + p + size);
            }
            pos += p + size + extra;
            stop = true;
            break;
          }
          // the first compressed record: load the WebAssembly decoder for the stream (fzstd if it fails)
          if ((type === Rec.COMPRESSED || type === Rec.COMPRESSED2) && this.zstd === null) await loadZstdWasm().catch(() => null);
          this.record(chunk, dv, p, type, size, pos + p);
          p += size;
        }
        if (stop) continue;
        if (p === 0 && chunk.length > 0 && atEnd) {
          diag.warn('truncated', this.where(pos), `the last record is cut off (${chunk.length} bytes left${chunk.length >= 8 ? `, record says ${dv.getUint16(6, this.le)}` : ''})`,
            undefined, 'the file was cut off; rows up to the cut are kept');
          diag.truncated = true;
          return;
        }
        if (p === 0 && !atEnd) minRead = chunk.length >= 8 ? dv.getUint16(6, le) + 16 : 16;
        pos += p;
        this.ctx.progress?.(pos);
        if (atEnd && p === chunk.length) return;
        if (atEnd && p < chunk.length) continue; // loop re-reads from the partial record and reports it
      }
    } finally {
      await dropAhead();
    }
  }

  /** One record, in file order. Kernel records with a time go through the ordered queue. */
  private record(buf: Uint8Array, dv: DataView, off: number, type: number, size: number, src: number): void {
    if (type < USER_TYPE_START) {
      if (type !== Rec.SAMPLE && type !== Rec.COMM && type !== Rec.FORK && type !== Rec.LOST && type !== Rec.LOST_SAMPLES) {
        this.skippedTypes.set(type, (this.skippedTypes.get(type) ?? 0) + 1);
        return;
      }
      if (this.attrs.length === 0) {
        this.ctx.diag.warn('no-attr', this.where(src), `record type ${type} before any event attribute`, undefined, 'the file lacks its attrs section or HEADER_ATTR records');
        return;
      }
      const le = this.le;
      let ai = 0;
      let tOff = -1;
      if (type === Rec.SAMPLE) {
        if (this.attrs.length > 1) {
          const io = this.sampleIdOff;
          if (io >= 0 && io + 8 <= size) {
            const id = u64num(dv, off + io, le);
            const slot = id & (ID_CACHE - 1);
            if (this.idCacheKeys[slot] === id) ai = this.idCacheAttr[slot]!;
            else {
              const found = this.idToAttr.get(id);
              if (found === undefined) {
                this.ctx.diag.warn('unknown-id', this.where(src), `sample id ${id} belongs to no recorded event; sample skipped`);
                return;
              }
              ai = found;
              this.idCacheKeys[slot] = id;
              this.idCacheAttr[slot] = ai;
            }
          }
        }
        const a = this.attrs[ai]!;
        if (a.offTime >= 0 && a.offTime + 8 <= size) tOff = off + a.offTime;
      } else {
        const a0 = this.attrs[0]!;
        if (a0.sampleIdAll && a0.trailerBytes + 8 <= size) {
          if (this.attrs.length > 1 && a0.tId >= 0) {
            const found = this.idToAttr.get(u64num(dv, off + size - a0.tId, le));
            if (found !== undefined) ai = found;
          }
          const a = this.attrs[ai]!;
          if (a.sampleIdAll && a.tTime >= 0 && a.trailerBytes + 8 <= size) tOff = off + size - a.tTime;
        }
      }
      if (tOff < 0) {
        // no time: perf delivers such records at once (ordered_events cannot place them); a SAMPLE
        // here has no TIME field or is too short for it, so sample() does not use the 0, 0
        this.emit(buf, dv, off, ai, src, 0, 0);
        return;
      }
      const lo = dv.getUint32(le ? tOff : tOff + 4, le);
      const hi = dv.getUint32(le ? tOff + 4 : tOff, le);
      this.queue.push(buf, dv, off, ai, lo, hi, src);
      return;
    }
    switch (type) {
      case Rec.FINISHED_ROUND: this.queue.round(); break;
      case Rec.HEADER_ATTR: {
        const attr = parseAttr(dv, off + 8, size - 8, this.le);
        if (!attr || attr.size < 64 || 8 + attr.size > size) {
          this.ctx.diag.warn('corrupt-record', this.where(src), `HEADER_ATTR record (size ${size}) holds no valid attribute`);
          break;
        }
        const ids: number[] = [];
        for (let o = off + 8 + attr.size; o + 8 <= off + size; o += 8) ids.push(u64num(dv, o, this.le));
        this.addAttr(attr, ids);
        break;
      }
      case Rec.HEADER_FEATURE: {
        if (size < 16) break;
        const feat = u64num(dv, off + 8, this.le);
        this.feature(feat, buf, off + 16, size - 16, src + 16);
        if (feat === Feat.CMDLINE) this.noteFeatures();
        break;
      }
      case Rec.EVENT_UPDATE: {
        // {u64 type; u64 id; ...}; type 3 = NAME, a NUL-terminated string (tools/lib/perf/include/perf/event.h)
        if (size < 24 || u64num(dv, off + 8, this.le) !== 3) break;
        const ai = this.idToAttr.get(u64num(dv, off + 16, this.le));
        if (ai === undefined) break;
        const bytes = buf.subarray(off + 24, off + size);
        const z = bytes.indexOf(0);
        this.names.set(ai, latin1.decode(z < 0 ? bytes : bytes.subarray(0, z)));
        this.resolved = false;
        break;
      }
      case Rec.COMPRESSED:
      case Rec.COMPRESSED2: {
        const from = off + (type === Rec.COMPRESSED2 ? 16 : 8);
        let to = off + size;
        if (type === Rec.COMPRESSED2 && size >= 16) to = Math.min(to, from + u64num(dv, off + 8, this.le));
        this.compressed(buf.subarray(from, to), src);
        break;
      }
      default:
        this.skippedTypes.set(type, (this.skippedTypes.get(type) ?? 0) + 1);
    }
  }

  /** COMPRESSED(2): decompressed records go through record() like the others, with this record's offset. */
  private compressed(data: Uint8Array, src: number): void {
    this.zstd ??= new ZstdRecords(this.le, (view) => this.queue.holds(view));
    let got;
    try {
      got = this.zstd.push(data);
    } catch (e) {
      this.ctx.diag.warn('zstd', this.where(src), `zstd data does not decompress: ${(e as Error).message}`, undefined, 'the compressed record is skipped');
      return;
    }
    if (!got) return;
    const { buf, complete } = got;
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let p = 0; p + RECORD_HEADER_BYTES <= complete;) {
      const type = dv.getUint32(p, this.le);
      const size = dv.getUint16(p + 6, this.le);
      if (size < RECORD_HEADER_BYTES || p + size > complete) {
        this.ctx.diag.warn('corrupt-record', this.where(src), `record of size ${size} inside compressed data; the rest of this stream is skipped`);
        return;
      }
      this.record(buf, dv, p, type, size, src);
      p += size;
    }
  }

  // ---- rows ----------------------------------------------------------------------------------

  /** A record in time order; (tsLo, tsHi): the time record() queued it by. */
  private emit(buf: Uint8Array, dv: DataView, off: number, ai: number, src: number, tsLo: number, tsHi: number): void {
    const le = this.le;
    const type = dv.getUint32(off, le);
    const size = dv.getUint16(off + 6, le);
    switch (type) {
      case Rec.SAMPLE: this.sample(buf, dv, off, size, ai, src, tsLo, tsHi); return;
      case Rec.COMM: {
        if (size < 16) return;
        const tid = dv.getInt32(off + 12, le);
        const a = this.attrs[ai]!;
        const strEnd = off + size - (a.sampleIdAll ? a.trailerBytes : 0);
        const bytes = buf.subarray(off + 16, Math.max(off + 16, strEnd));
        const z = bytes.indexOf(0);
        this.threads.setComm(tid, latin1.decode(z < 0 ? bytes : bytes.subarray(0, z)));
        return;
      }
      case Rec.FORK: {
        if (size < 24) return;
        // {u32 pid, ppid, tid, ptid; u64 time}
        this.threads.fork(dv.getInt32(off + 16, le), dv.getInt32(off + 20, le));
        return;
      }
      case Rec.LOST:
      case Rec.LOST_SAMPLES: this.lost(dv, off, size, type, ai, src); return;
      default: return;
    }
  }

  private sample(buf: Uint8Array, dv: DataView, off: number, size: number, ai: number, src: number, tsLo: number, tsHi: number): void {
    if (!this.resolved) this.resolve();
    const a = this.attrs[ai]!;
    const info = this.infos[ai]!;
    const b = this.ctx.builder;
    const le = this.le;
    if (a.offVariable > size) {
      this.ctx.diag.warn('short-sample', this.where(src), `sample of ${size} bytes is shorter than its sample_type needs (${a.offVariable})`);
      return;
    }
    if (a.offTime >= 0) {
      // the TIME field, as record() read it for the queue (offVariable >= offTime + 8 was checked)
      this.lastTsLo = tsLo;
      this.lastTsHi = tsHi;
    } else if (!this.noTimeWarned) {
      this.noTimeWarned = true;
      this.ctx.diag.warn('no-time', this.where(src), 'samples carry no TIME (perf record without -T on a non-tracepoint event?); ts_ns repeats the last known time');
    }
    let pid = ABSENT;
    let tid = ABSENT;
    let comm = ABSENT;
    if (a.offTid >= 0) {
      tid = dv.getInt32(off + a.offTid + 4, le);
      pid = dv.getInt32(off + a.offTid, le);
      comm = this.threads.commCode(tid);
    }
    let cpu = ABSENT;
    if (a.offCpu >= 0) {
      const c = dv.getUint32(off + a.offCpu, le);
      cpu = c | 0; // as b.i32 stores it
      if (c < 8192) this.cpuRecords[c]++;
    }
    // the low half as an int32 (same bits in the column; see EmitFn)
    b.rowHeader(this.lastTsLo | 0, this.lastTsHi, cpu, pid, tid, ABSENT, comm, info.eventCode, src);
    // values that look like ABSENT to rowHeader (a cpu of 2^31, a pid or tid of -2^31) are kept
    if (cpu === ABSENT && a.offCpu >= 0) b.i32(C.cpu, cpu);
    if (tid === ABSENT && a.offTid >= 0) { b.i32(C.tid, tid); b.dictCode(C.comm, comm); }
    if (pid === ABSENT && a.offTid >= 0) b.i32(C.pid, pid);
    if (a.sampleType & S.RAW) {
      let p = off + a.offVariable;
      const end = off + size;
      if (a.sampleType & S.READ) {
        const rf = a.readFormat;
        const per = 8 + (rf & RF.ID ? 8 : 0) + (rf & RF.LOST ? 8 : 0);
        const times = (rf & RF.TOTAL_TIME_ENABLED ? 8 : 0) + (rf & RF.TOTAL_TIME_RUNNING ? 8 : 0);
        if (rf & RF.GROUP) p += p + 8 <= end ? 8 + times + u64num(dv, p, le) * per : 8;
        else p += per + times;
      }
      if (a.sampleType & S.CALLCHAIN) p += p + 8 <= end ? 8 + u64num(dv, p, le) * 8 : 8;
      if (p + 4 <= end) {
        const rawSize = dv.getUint32(p, le);
        if (p + 4 + rawSize <= end) {
          if (info.decode !== undefined) {
            info.reader!.bindView(buf, dv, p + 4, rawSize);
            info.decode(b);
          } else if (info.reader && info.decoder) info.decoder.decodeFields(info.reader.bindView(buf, dv, p + 4, rawSize), b);
        } else {
          this.ctx.diag.warn('short-sample', this.where(src), `RAW payload of ${rawSize} bytes runs past the sample's end`, undefined, 'row kept without payload fields');
        }
      } else {
        this.ctx.diag.warn('short-sample', this.where(src), 'sample ends before its RAW payload', undefined, 'row kept without payload fields');
      }
    }
    b.end();
  }

  private lost(dv: DataView, off: number, size: number, type: number, ai: number, src: number): void {
    const le = this.le;
    // LOST: {u64 id; u64 lost}; LOST_SAMPLES: {u64 lost}; then the sample_id_all trailer
    const countOff = type === Rec.LOST ? 16 : 8;
    if (size < countOff + 8) return;
    const count = u64num(dv, off + countOff, le);
    const a = this.attrs[ai]!;
    const end = off + size;
    let cpu: number | null = null;
    let tsNs: bigint | null = null;
    const b = this.ctx.builder;
    if (a.sampleIdAll && a.trailerBytes + countOff + 8 <= size) {
      if (a.tCpu >= 0) cpu = dv.getUint32(end - a.tCpu, le);
      if (a.tTime >= 0) {
        const lo = dv.getUint32(le ? end - a.tTime : end - a.tTime + 4, le);
        const hi = dv.getUint32(le ? end - a.tTime + 4 : end - a.tTime, le);
        tsNs = BigInt(hi) * 4294967296n + BigInt(lo);
      }
    }
    if (type === Rec.LOST_SAMPLES && (tsNs === null || tsNs === 0n)) {
      // perf record's end-of-run totals per event (read_format LOST): the same losses the LOST
      // records already reported per buffer with a time, so no row and no second count.
      this.lostSamplesTotal += count;
      return;
    }
    if (type === Rec.LOST) this.lostRecords++;
    if (tsNs !== null) b.big64(C.ts_ns, tsNs);
    else b.halves64(C.ts_ns, this.lastTsLo, this.lastTsHi);
    if (cpu !== null) b.i32(C.cpu, cpu);
    b.dict(C.event, LOST_EVENT);
    b.i32(C.count, Math.min(count, 0x7fffffff));
    b.num64(C.src_line, src);
    b.end();
    this.ctx.diag.lostEvents({ cpu, tsNs, count, where: this.where(src) });
  }
}

/** True when `head` starts with a perf.data magic (either byte order). */
export function isPerfData(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  const m = latin1.decode(head.subarray(0, 8));
  return m === MAGIC || m === MAGIC_SWAPPED;
}

