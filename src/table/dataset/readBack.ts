// One trace's events back out of a dataset, in the order they were read (by `seq`), as events-table
// Arrow record batches the analyzer accepts: DuckDB sorts the trace's parts (all its vm=...
// partitions) into one temporary Parquet file, parquet-wasm decodes it a row group at a time, and
// string columns become dictionary columns again with append-only dictionaries (the analyzer reads
// dictionary codes and extends its code -> meaning tables as dictionaries grow).
import { DuckDBInstance } from '@duckdb/node-api';
import {
  Data, RecordBatch, Struct, Utf8, makeData, tableFromIPC, vectorFromArray, type Vector,
} from 'apache-arrow';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { COLUMNS } from '../../../collectors/common/columns.js';
import { eventsSchema } from '../eventsArrow.js';
import { readParquetRowGroups } from '../parquet.js';
import type { ManifestEntry } from './manifest.js';
import { sqlString } from './partition.js';

/** Utf8 column -> dictionary codes, keeping one growing dictionary per column across batches. */
class DictEncoder {
  private readonly codes = new Map<string, number>();
  private readonly values: string[] = [];
  private dict: Vector<Utf8> = vectorFromArray([], new Utf8());
  private dictLen = 0;

  encode(type: import('apache-arrow').Dictionary, src: Data<Utf8>): Data {
    const n = src.length;
    const out = new Int32Array(n);
    const offs = src.valueOffsets;
    const bytes = Buffer.from(src.values.buffer, src.values.byteOffset, src.values.byteLength);
    const bm = src.nullCount > 0 ? src.nullBitmap : null;
    for (let i = 0; i < n; i++) {
      const j = src.offset + i;
      if (bm && ((bm[j >> 3]! >> (j & 7)) & 1) === 0) { out[i] = 0; continue; }
      const s = bytes.toString('utf8', offs[j]!, offs[j + 1]!);
      let c = this.codes.get(s);
      if (c === undefined) { c = this.values.length; this.values.push(s); this.codes.set(s, c); }
      out[i] = c;
    }
    if (this.dictLen !== this.values.length) { this.dict = vectorFromArray(this.values, new Utf8()); this.dictLen = this.values.length; }
    return makeData({ type, length: n, nullCount: src.nullCount, nullBitmap: bm ? copyBits(bm, src.offset, n) : undefined, data: out, dictionary: this.dict } as never) as Data;
  }
}

function copyBits(bm: Uint8Array, offset: number, n: number): Uint8Array {
  if (offset === 0) return bm;
  const out = new Uint8Array(((n + 63) >> 6) << 3);
  for (let i = 0; i < n; i++) if ((bm[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/**
 * Stream the events of one manifest entry, in read order, to `onBatch`. `tmpDir` holds the sorted
 * temporary file while it is read. Returns the number of rows.
 */
export async function readTraceEvents(datasetDir: string, entry: ManifestEntry, tmpDir: string, onBatch: (b: RecordBatch) => void): Promise<number> {
  const parts = entry.parts['events'] ?? [];
  if (parts.length === 0) return 0;
  const tmp = join(tmpDir, `events-${entry.traceId.slice(0, 16)}.parquet`);
  let rowGroups = 0;
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const src = `read_parquet([${parts.map((p) => sqlString(join(datasetDir, p))).join(', ')}], hive_partitioning = false)`;
    const cols = COLUMNS.map((c) => `"${c.name}"`).join(', ');
    await conn.run(`COPY (SELECT ${cols} FROM ${src} ORDER BY seq) TO ${sqlString(tmp)} (FORMAT parquet, ROW_GROUP_SIZE 65536)`);
    const md = await conn.runAndReadAll(`SELECT num_row_groups FROM parquet_file_metadata(${sqlString(tmp)})`);
    rowGroups = Number(md.getRowsJS()[0]![0]);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  try {
    const schema = eventsSchema();
    const enc = COLUMNS.map((c) => (c.kind === 'dict' ? new DictEncoder() : null));
    let rows = 0;
    for (const ipc of readParquetRowGroups(readFileSync(tmp), rowGroups)) {
      for (const b of tableFromIPC(ipc).batches) {
        const children = COLUMNS.map((c, i) => {
          const d = b.data.children[i]!;
          return enc[i] ? enc[i]!.encode(schema.fields[i]!.type, d as Data<Utf8>) : d;
        });
        onBatch(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: b.numRows, nullCount: 0, children })));
        rows += b.numRows;
      }
    }
    return rows;
  } finally {
    rmSync(tmp, { force: true });
  }
}
