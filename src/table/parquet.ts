// Arrow record batches -> Parquet bytes, through parquet-wasm (the Rust arrow/parquet writer
// compiled to WebAssembly; no native build, no network). Dictionary columns are re-pointed at one
// final dictionary first: codes are stable (append-only dictionaries), so no row is touched and
// the IPC stream handed to the writer carries no delta dictionaries.
import { Data, RecordBatch, Struct, Table, tableToIPC, vectorFromArray, Utf8, makeData, type Schema, type Vector } from 'apache-arrow';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as pq from 'parquet-wasm/esm';

let ready = false;
function init(): void {
  if (ready) return;
  const require = createRequire(import.meta.url);
  pq.initSync({ module: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });
  ready = true;
}

/** For each dictionary-typed field, the union of the dictionaries seen in `batches` (append-only, so the longest). */
function finalDictionaries(schema: Schema, batches: readonly RecordBatch[]): Map<number, Vector> {
  const out = new Map<number, Vector>();
  schema.fields.forEach((f, i) => {
    if (f.typeId !== -1) return; // Type.Dictionary
    let longest: Vector | null = null;
    for (const b of batches) {
      const d = b.data.children[i]!.dictionary;
      if (d && (!longest || d.length > longest.length)) longest = d;
    }
    const values: string[] = longest ? (longest.toArray() as string[]) : [];
    // an all-null dictionary column: arrow-js writes a zero-length data buffer for a dictionary
    // with no character in it, which arrow-rs rejects ("failed to fill whole buffer"); one unused,
    // non-empty entry avoids it (no row points at it: every row of the column is null)
    if (values.length === 0 || values.every((v) => v === '')) values.push('?');
    out.set(i, vectorFromArray(values, new Utf8()));
  });
  return out;
}

function repoint(batch: RecordBatch, dicts: Map<number, Vector>): RecordBatch {
  if (dicts.size === 0) return batch;
  const children = batch.data.children.map((c, i) => {
    const d = dicts.get(i);
    // the events builder may keep a column's null bitmap and values in one ArrayBuffer; arrow-js then
    // writes an IPC body arrow-rs cannot read ("failed to fill whole buffer"): give the bitmap its own
    const bm0 = c.nullBitmap as Uint8Array | undefined;
    const shared = !!bm0 && !!c.values && bm0.buffer === (c.values as Uint8Array).buffer;
    if (!d && !shared) return c;
    const nullBitmap = shared ? bm0!.slice() : c.nullBitmap;
    return makeData({ type: c.type, offset: c.offset, length: c.length, nullCount: c.nullCount, nullBitmap, data: c.values, ...(d ? { dictionary: d } : {}) } as never) as Data;
  });
  return new RecordBatch(batch.schema, makeData({ type: new Struct(batch.schema.fields), length: batch.numRows, nullCount: 0, children }));
}

export interface ParquetOptions {
  /** zstd by default: about the size of gzip, much faster to read. */
  compression?: 'zstd' | 'snappy' | 'none';
}

/** Encode record batches (one schema) as one Parquet file's bytes. */
export function batchesToParquet(schema: Schema, batches: readonly RecordBatch[], opts: ParquetOptions = {}): Uint8Array {
  init();
  const dicts = finalDictionaries(schema, batches);
  const table = new Table(schema, batches.map((b) => repoint(b, dicts)));
  const wasmTable = pq.Table.fromIPCStream(tableToIPC(table, 'stream'));
  const compression = opts.compression === 'none' ? pq.Compression.UNCOMPRESSED : opts.compression === 'snappy' ? pq.Compression.SNAPPY : pq.Compression.ZSTD;
  const props = new pq.WriterPropertiesBuilder().setCompression(compression).build();
  return pq.writeParquet(wasmTable, props);
}

/**
 * Decode Parquet bytes one row group at a time (`rowGroups` of them: the caller knows the count
 * from the file's metadata; parquet-wasm traps on an index past the end), each as Arrow IPC
 * stream bytes for tableFromIPC. Holds one row group's Arrow data at a time.
 */
export function* readParquetRowGroups(bytes: Uint8Array, rowGroups: number, batchRows = 65536): Generator<Uint8Array> {
  init();
  for (let g = 0; g < rowGroups; g++) yield pq.readParquet(bytes, { rowGroups: [g], batchSize: batchRows }).intoIPCStream();
}
