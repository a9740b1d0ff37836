// Events record batches -> staging Parquet parts of bounded size, each row numbered (`seq`, the
// row's position in the trace as read). Why seq: the dataset splits one trace's events over
// host/vm partitions, and the analyzer needs them back in read order (binary formats merge CPUs
// by time, so src_line alone does not give that order).
import { Field, Int64, RecordBatch, Schema, Struct, makeData } from 'apache-arrow';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { batchesToParquet, type ParquetOptions } from '../parquet.js';

export const SEQ_COLUMN = 'seq';
/**
 * Rows per staging part: bounds the memory held before a part is encoded (the batches, plus the
 * IPC copy and parquet-wasm's copy while encoding; wasm memory never shrinks, so this is also its
 * size). Staging parts are temporary: DuckDB's COPY decides the dataset's part layout.
 */
export const DEFAULT_PART_ROWS = 1 << 16;

/**
 * Codec of the staging parts (DuckDB's COPY re-encodes them into the dataset). Measured on 1.3 M
 * rows: snappy and none are not faster than zstd here, and take 2-3x the temporary disk.
 */
export const STAGING_COMPRESSION = 'zstd' as const;

/** `batch` with an extra Int64 column `seq` = firstSeq, firstSeq + 1, ... */
export function withSeq(batch: RecordBatch, schema: Schema, firstSeq: number): RecordBatch {
  const n = batch.numRows;
  const seq = new BigInt64Array(n);
  // seq stays far below 2^53, so a number counter is exact; written as two 32-bit halves
  const h = new Uint32Array(seq.buffer);
  for (let i = 0; i < n; i++) {
    const v = firstSeq + i;
    h[i << 1] = v % 4294967296;
    h[(i << 1) + 1] = Math.floor(v / 4294967296);
  }
  const children = [...batch.data.children, makeData({ type: new Int64(), length: n, nullCount: 0, data: seq })];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
}

/** The events schema plus `seq`. */
export function schemaWithSeq(events: Schema): Schema {
  return new Schema([...events.fields, new Field(SEQ_COLUMN, new Int64(), false)], events.metadata);
}

/** Accumulates events batches and writes `events-<n>.parquet` into `dir` every ~partRows rows. */
export class EventsStagingWriter {
  private pending: RecordBatch[] = [];
  private pendingRows = 0;
  private seq = 0;
  private schema: Schema | null = null;
  readonly files: string[] = [];

  constructor(private readonly dir: string, private readonly partRows = DEFAULT_PART_ROWS, private readonly opts: ParquetOptions = { compression: STAGING_COMPRESSION }) {}

  get rows(): number { return this.seq; }

  push(batch: RecordBatch): void {
    this.schema ??= schemaWithSeq(batch.schema);
    this.pending.push(withSeq(batch, this.schema, this.seq));
    this.seq += batch.numRows;
    this.pendingRows += batch.numRows;
    if (this.pendingRows >= this.partRows) this.flush();
  }

  /** Write what is pending (also at the end). */
  flush(): void {
    if (this.pending.length === 0 || !this.schema) return;
    const file = join(this.dir, `events-${this.files.length}.parquet`);
    writeFileSync(file, batchesToParquet(this.schema, this.pending, this.opts));
    this.files.push(file);
    this.pending = [];
    this.pendingRows = 0;
  }
}
