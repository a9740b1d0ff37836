// Events batches (typed arrays from collectors/common/eventBatch) -> Arrow record batches, zero-copy
// for values, and an Arrow IPC file writer that streams them to disk. Dictionary columns grow
// append-only, so each batch adds a delta dictionary chunk (valid in the IPC file format).
import {
  Bool, Data, Dictionary as ArrowDictionary, Field, Int32, Int64, RecordBatch, RecordBatchFileWriter,
  Schema, Struct, Uint32, Uint64, Utf8, Vector, makeData, vectorFromArray, type DataType,
} from 'apache-arrow';
import { closeSync, fstatSync, ftruncateSync, lstatSync, openSync, unlinkSync, writevSync } from 'node:fs';
import { COLUMNS, SCHEMA_VERSION, type ColumnKind } from '../../collectors/common/columns.js';
import type { EventBatch } from '../../collectors/common/eventBatch.js';

function arrowType(kind: ColumnKind, dictId: number): DataType {
  switch (kind) {
    case 'i64': return new Int64();
    case 'u64': return new Uint64();
    case 'i32': return new Int32();
    case 'u32': return new Uint32();
    case 'bool': return new Bool();
    case 'dict': return new ArrowDictionary(new Utf8(), new Int32(), dictId, false);
  }
}

/** The Arrow schema of the events table, with es2scope metadata. */
export function eventsSchema(metadata: Map<string, string> = new Map()): Schema {
  let dictId = 0;
  const fields = COLUMNS.map((c) => new Field(c.name, arrowType(c.kind, c.kind === 'dict' ? dictId++ : -1), !('required' in c && c.required)));
  const md = new Map(metadata);
  md.set('es2scope.schema_version', String(SCHEMA_VERSION));
  md.set('es2scope.table', 'events');
  return new Schema(fields, md);
}

/**
 * Pack one byte per row (0 or 1) into an Arrow bitmap; returns null when every row is set.
 * `into`: a scratch buffer to pack into (when big enough) instead of a new array.
 */
export function packBits(bytes: Uint8Array, into?: Uint8Array): { bitmap: Uint8Array | null; unset: number } {
  const n = bytes.length;
  // most set columns are set on every row (ts_ns, event, cpu, ...): a native scan answers that
  if (bytes.indexOf(0) < 0) return { bitmap: null, unset: 0 };
  const size = ((n + 63) >> 6) << 3;
  let bitmap: Uint8Array;
  if (into !== undefined && into.length >= size) {
    bitmap = into.subarray(0, size);
    // the word loop below writes every full byte (when it runs); bytes after those are or-ed into
    bitmap.fill(0, (bytes.byteOffset & 3) === 0 ? n >> 3 : 0);
  } else bitmap = new Uint8Array(size);
  let set = 0;
  let i = 0;
  if ((bytes.byteOffset & 3) === 0) {
    // eight rows at a time through two 32-bit words: byte k of a word is row k's 0/1. Multiplying
    // by 0x01020408 shifts byte k's bit to bit 24 + k, and no partial product carries into those
    // bits, so the top byte of the product is the four rows' bits.
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, n >> 2);
    const full = n >> 3;
    for (let k = 0; k < full; k++) {
      const bits = (Math.imul(words[2 * k]!, 0x01020408) >>> 24) | ((Math.imul(words[2 * k + 1]!, 0x01020408) >>> 24) << 4);
      bitmap[k] = bits;
      set += POPCOUNT8[bits]!;
    }
    i = full << 3;
  }
  for (; i < n; i++) {
    if (bytes[i]) {
      bitmap[i >> 3]! |= 1 << (i & 7);
      set++;
    }
  }
  return { bitmap: set === n ? null : bitmap, unset: n - set };
}

const POPCOUNT8 = Uint8Array.from({ length: 256 }, (_, v) => {
  let c = 0;
  for (let x = v; x; x >>= 1) c += x & 1;
  return c;
});

/** Converts builder batches to RecordBatches, tracking dictionary chunks across batches. */
export class EventsBatchConverter {
  readonly schema: Schema;
  private readonly dictChunks = new Map<number, Data<Utf8>[]>();
  private readonly dictSent = new Map<number, number>();
  private readonly lastValues = new Map<number, readonly string[]>();

  /** Per column: scratch bitmaps for validity and bool values (reuseBuffers only). */
  private readonly validScratch: (Uint8Array | undefined)[] = [];
  private readonly boolScratch: (Uint8Array | undefined)[] = [];

  /**
   * `reuseBuffers`: the consumer keeps nothing of a RecordBatch once it has handled it (the file
   * sink writes it out at once), so the bitmaps packed per batch are reused for the next one.
   */
  constructor(metadata?: Map<string, string>, private readonly opts: { reuseBuffers?: boolean } = {}) {
    this.schema = eventsSchema(metadata);
  }

  /** A scratch bitmap of `col` for `length` rows (undefined: pack into a new array). */
  private scratch(list: (Uint8Array | undefined)[], col: number, length: number): Uint8Array | undefined {
    if (!this.opts.reuseBuffers) return undefined;
    const size = ((length + 63) >> 6) << 3;
    let b = list[col];
    if (b === undefined || b.length < size) list[col] = b = new Uint8Array(size);
    return b;
  }

  convert(batch: EventBatch): RecordBatch {
    const length = batch.length;
    const children: Data[] = COLUMNS.map((spec, col) => {
      const column = batch.columns[col]!;
      const field = this.schema.fields[col]!;
      if (!column.touched) return this.allNull(spec.kind, field.type, col, length, batch.dictionaries[col]!);
      const { bitmap, unset } = packBits(column.valid, this.scratch(this.validScratch, col, length));
      const nullBitmap = bitmap ?? undefined;
      switch (spec.kind) {
        case 'bool': {
          const scratch = this.scratch(this.boolScratch, col, length);
          const { bitmap: bits } = packBits(column.values as Uint8Array, scratch);
          const values = bits ?? (scratch ? scratch.subarray(0, ((length + 63) >> 6) << 3).fill(0xff) : packAllSet(length));
          return makeData({ type: field.type as Bool, length, nullCount: unset, nullBitmap, data: values });
        }
        case 'dict': {
          const dictionary = this.dictionary(col, batch.dictionaries[col]!);
          return makeData({ type: field.type as ArrowDictionary<Utf8, Int32>, length, nullCount: unset, nullBitmap, data: column.values as Int32Array, dictionary });
        }
        default:
          return makeData({ type: field.type as Int32, length, nullCount: unset, nullBitmap, data: column.values as Int32Array });
      }
    });
    const data = makeData({ type: new Struct(this.schema.fields), length, nullCount: 0, children });
    return new RecordBatch(this.schema, data);
  }

  private zeros = new ArrayBuffer(0);
  /** Every all-zero buffer handed out for all-null columns (the file sink skips over them). */
  readonly zeroBuffers = new WeakSet<ArrayBufferLike>();
  /** A column no row set: zero values and an all-zero validity bitmap, from one shared buffer. */
  private allNull(kind: ColumnKind, type: DataType, col: number, length: number, dict: readonly string[]): Data {
    const bytes = length * 8 + 64;
    if (this.zeros.byteLength < bytes) this.zeroBuffers.add(this.zeros = new ArrayBuffer(bytes));
    const nullBitmap = new Uint8Array(this.zeros, 0, ((length + 63) >> 6) << 3);
    switch (kind) {
      case 'i64': case 'u64': {
        const data = kind === 'i64' ? new BigInt64Array(this.zeros, 0, length) : new BigUint64Array(this.zeros, 0, length);
        return makeData({ type: type as Int64, length, nullCount: length, nullBitmap, data } as never);
      }
      case 'bool':
        return makeData({ type: type as Bool, length, nullCount: length, nullBitmap, data: nullBitmap });
      case 'dict': {
        const dictionary = this.dictionary(col, dict);
        return makeData({ type: type as ArrowDictionary<Utf8, Int32>, length, nullCount: length, nullBitmap, data: new Int32Array(this.zeros, 0, length), dictionary });
      }
      default:
        return makeData({ type: type as Int32, length, nullCount: length, nullBitmap, data: new Int32Array(this.zeros, 0, length) });
    }
  }

  /** Every dictionary column's id and complete values so far. */
  finalDictionaries(): [number, readonly string[]][] {
    const out: [number, readonly string[]][] = [];
    COLUMNS.forEach((c, col) => {
      if (c.kind !== 'dict') return;
      const type = this.schema.fields[col]!.type as ArrowDictionary;
      out.push([type.id, this.lastValues.get(col) ?? []]);
    });
    return out;
  }

  /** A zero-row batch (so that an empty input still gives a valid file with the schema). */
  emptyBatch(): EventBatch {
    return {
      length: 0,
      columns: COLUMNS.map((c) => ({ kind: c.kind, touched: false, values: new Int32Array(0), valid: new Uint8Array(0) })),
      dictionaries: COLUMNS.map(() => []),
    };
  }

  private dictionary(col: number, values: readonly string[]): Vector<Utf8> {
    let chunks = this.dictChunks.get(col);
    if (!chunks) this.dictChunks.set(col, (chunks = []));
    this.lastValues.set(col, values);
    const sent = this.dictSent.get(col) ?? 0;
    if (chunks.length === 0 || values.length > sent) {
      chunks.push(vectorFromArray(values.slice(sent), new Utf8()).data[0]!);
      this.dictSent.set(col, values.length);
    }
    return new Vector(chunks);
  }
}

function packAllSet(n: number): Uint8Array {
  const b = new Uint8Array(((n + 63) >> 6) << 3).fill(0xff);
  return b;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * writevSync that waits out EAGAIN: a pipe or socket handed to us may be non-blocking (Node sets
 * its own stdout so once touched), and a full one is not an error but a slow reader.
 */
function writevRetry(fd: number, bufs: Uint8Array[], position: number | undefined): number {
  for (;;) {
    try {
      return writevSync(fd, bufs, position);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1); // 1 ms
    }
  }
}

/** Zeros written for a skipped run where the output cannot have holes. */
const ZERO_RUN = new Uint8Array(1 << 20);

/** IOV_MAX on Linux: more buffers than this per writev call is EINVAL. */
const IOV_MAX = 1024;

/**
 * Write every buffer, in order, at `position` (not `seekable`, a pipe or a device: where the
 * descriptor is), resuming after short writes. Returns the end position.
 */
function writeAllV(fd: number, bufs: Uint8Array[], position: number, seekable: boolean): number {
  for (let i = 0; i < bufs.length; i += IOV_MAX) {
    const group = bufs.slice(i, i + IOV_MAX);
    let left = group.reduce((n, b) => n + b.byteLength, 0);
    let wrote = writevRetry(fd, group, seekable ? position : undefined);
    position += wrote;
    left -= wrote;
    while (left > 0) {
      // short write: drop the buffers already written, cut the one written in part
      while (wrote >= group[0]!.byteLength) wrote -= group.shift()!.byteLength;
      group[0] = group[0]!.subarray(wrote);
      wrote = writevRetry(fd, group, seekable ? position : undefined);
      position += wrote;
      left -= wrote;
    }
  }
  return position;
}

/**
 * An IPC file writer that writes each dictionary once, complete, after the record batches, and
 * writes bytes straight to a file descriptor.
 * Why late dictionaries: dictionaries grow while we stream, and delta dictionaries are not read by
 * Polars; readers of the file format (pyarrow, Polars, arrow-js) load dictionaries from the footer.
 * Why a descriptor: arrow-js queues output for an async consumer; a producer that never yields
 * would queue the whole file in memory.
 * Why holes: most columns are null in most batches, and their value and validity buffers are all
 * zeros (the converter's shared zero buffers). Those bytes are skipped with the file offset instead
 * of written, leaving a sparse hole that reads back as the same zeros: same file, about a third of
 * the bytes copied into the page cache. Not in a pipe or a device (`-o /dev/null`, a FIFO): there
 * the zeros are written.
 */
class LateDictionaryFileWriter extends RecordBatchFileWriter {
  /** A regular file: positioned writes, holes for zero runs. */
  private readonly seekable: boolean;
  /** Buffers to write at filePos, in order; a number is that many zero bytes to skip. */
  private pending: (Uint8Array | number)[] = [];
  private pendingBytes = 0;
  private filePos = 0;
  constructor(private readonly fd: number, private readonly zeroBuffers: WeakSet<ArrayBufferLike>) {
    super();
    this.seekable = fstatSync(fd).isFile();
  }
  protected override _writeDictionaries(): this { return this; }
  protected override _write(chunk: ArrayBufferView): this {
    const self = this as unknown as { _started: boolean; _position: number };
    if (!self._started) return this;
    const n = chunk.byteLength;
    if (n === 0) return this;
    if (this.zeroBuffers.has(chunk.buffer)) {
      const last = this.pending.length - 1;
      if (last >= 0 && typeof this.pending[last] === 'number') (this.pending[last] as number) += n;
      else this.pending.push(n);
    } else {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, n);
      // small metadata writes are copied (their buffers are reused), large bodies referenced
      this.pending.push(n < 4096 ? bytes.slice() : bytes);
    }
    this.pendingBytes += n;
    self._position += n;
    if (this.pendingBytes >= 1 << 20) this.flushToFile();
    return this;
  }
  flushToFile(): void {
    if (this.pendingBytes === 0) return;
    // writev hands the buffers to the kernel as they are: no concatenated copy per flush
    let run: Uint8Array[] = [];
    for (const p of this.pending) {
      if (typeof p === 'number' && this.seekable) {
        this.filePos = writeAllV(this.fd, run, this.filePos, true) + p;
        run = [];
      } else if (typeof p === 'number') {
        for (let left = p; left > 0; left -= ZERO_RUN.length) run.push(left >= ZERO_RUN.length ? ZERO_RUN : ZERO_RUN.subarray(0, left));
      } else {
        run.push(p);
      }
    }
    this.filePos = writeAllV(this.fd, run, this.filePos, this.seekable);
    this.pending = [];
    this.pendingBytes = 0;
  }
  /** Flush, and give the file its full length when it ends in a skipped (zero) run. */
  finishFile(): void {
    this.flushToFile();
    if (this.seekable && fstatSync(this.fd).size < this.filePos) ftruncateSync(this.fd, this.filePos);
  }
  writeFinalDictionary(id: number, values: readonly string[]): void {
    (this as unknown as { _writeDictionaryBatch(d: Data, id: number, isDelta: boolean): void })
      ._writeDictionaryBatch(vectorFromArray([...values], new Utf8()).data[0]!, id, false);
  }
}

/**
 * Streams record batches into an Arrow IPC file. Metadata known only at the end (diagnostics,
 * summary) is added to the schema written in the file footer, which is what readers of the
 * file format (pyarrow.ipc.open_file, polars.read_ipc) use.
 */
export class ArrowFileSink {
  private readonly fd: number;
  private readonly writer: LateDictionaryFileWriter;
  private wrote = false;

  constructor(readonly path: string, private readonly converter: EventsBatchConverter) {
    // An existing file is unlinked, not truncated: ext4 (auto_da_alloc) writes a truncated file's
    // data back at close, 0.1-0.25 s for an ingest's few hundred MB. Only a regular file with a
    // single link (replacing it is then the same as rewriting it); else, or when unlinking fails
    // (e.g. a read-only directory), it is truncated as before.
    try {
      const st = lstatSync(path);
      if (st.isFile() && st.nlink === 1) unlinkSync(path);
    } catch { /* absent or not removable: openSync below creates or truncates it */ }
    // standard output (`-o -`) is written through fd 1: opening /dev/stdout fails for a socket
    // (ENXIO), and a pipe opened again would not be ours to close
    this.fd = path === '/dev/stdout' ? 1 : openSync(path, 'w');
    this.writer = new LateDictionaryFileWriter(this.fd, converter.zeroBuffers);
  }

  /** Write one batch; nothing of it is referenced after this returns (the builder may reuse its arrays). */
  write(batch: RecordBatch): void {
    this.wrote = true;
    this.writer.write(batch);
    this.writer.flushToFile();
  }

  /** Close the file; `footerMetadata` is merged into the footer schema's metadata. */
  async close(footerMetadata: Map<string, string> = new Map()): Promise<void> {
    try {
      if (!this.wrote) this.write(this.converter.convert(this.converter.emptyBatch()));
      // the footer is encoded from the writer's own schema (the first batch's), so set it there
      const schema = (this.writer as unknown as { _schema: Schema | null })._schema ?? this.converter.schema;
      for (const [k, v] of footerMetadata) schema.metadata.set(k, v);
      for (const [id, values] of this.converter.finalDictionaries()) this.writer.writeFinalDictionary(id, values);
      this.writer.finish();
      this.writer.finishFile();
    } finally {
      if (this.fd !== 1) closeSync(this.fd);
    }
  }
}
