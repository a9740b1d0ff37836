// Arrow IPC output of the what-if model tables. Generic on purpose: the model (src/analyze/whatif)
// lays its tables out as named columns of plain values and this file only turns them into Arrow,
// so table never imports analyze (the pipeline's direction). One IPC file per table; small tables
// (stages, sweep, per-device) and per-row tables (avoided exits, kicks, interrupts) alike.
import { Bool, Dictionary, Float64, Int32, Int64, makeData, makeVector, RecordBatch, Schema, Table, Utf8, tableToIPC, vectorFromArray, type DataType, type Vector } from 'apache-arrow';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A column as plain values (small tables). */
export type PlainColumn =
  | { name: string; type: 'i64'; values: (bigint | null)[] }
  | { name: string; type: 'f64'; values: (number | null)[] }
  | { name: string; type: 'i32'; values: (number | null)[] }
  | { name: string; type: 'utf8'; values: (string | null)[] }
  | { name: string; type: 'bool'; values: (boolean | null)[] };

/**
 * A column as typed arrays (per-row tables of millions of rows: no JS value per row). `valid`
 * (1 = value, 0 = null; absent = no nulls) has one byte per row; `bool` data is 0/1 per row;
 * `utf8` rows are codes into `dict` (-1 = null), written dictionary-encoded like a plain column.
 */
export type TypedColumn =
  | { name: string; type: 'i64'; data: BigInt64Array; valid?: Uint8Array }
  | { name: string; type: 'f64'; data: Float64Array; valid?: Uint8Array }
  | { name: string; type: 'i32'; data: Int32Array; valid?: Uint8Array }
  | { name: string; type: 'bool'; data: Uint8Array; valid?: Uint8Array }
  | { name: string; type: 'utf8'; codes: Int32Array; dict: readonly string[] };

export type ColumnValues = PlainColumn | TypedColumn;

export interface TableData {
  /** Table name, e.g. "whatif_stages"; also the file name. */
  name: string;
  doc: string;
  columns: ColumnValues[];
}

function lengthOf(c: ColumnValues): number {
  if ('values' in c) return c.values.length;
  return 'codes' in c ? c.codes.length : c.data.length;
}

/** Bytes a builder's bitmap of n bits takes (arrow-js rounds buffers up to 64 bytes): the same IPC bytes as vectorFromArray. */
const bitmapBytes = (n: number): number => Math.max(64, Math.ceil(Math.ceil(n / 8) / 64) * 64);

/** Validity bitmap and null count from one byte per row, or none when every row is valid. */
function nullBitmap(valid: Uint8Array | undefined, n: number): { nullBitmap?: Uint8Array; nullCount: number } {
  if (!valid) return { nullCount: 0 };
  const bits = new Uint8Array(bitmapBytes(n));
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (valid[i]) bits[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return nulls > 0 ? { nullBitmap: bits, nullCount: nulls } : { nullCount: 0 };
}

/** A typed column as an Arrow vector, buffer for buffer what vectorFromArray makes of the same values. */
function typedVector(c: TypedColumn): Vector {
  const n = lengthOf(c);
  if (c.type === 'utf8') {
    // dictionary in first-seen order, as the dictionary builder makes it; null rows index 0
    const remap = new Int32Array(c.dict.length).fill(-1);
    const dict: string[] = [];
    const indices = new Int32Array(n);
    const valid = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const code = c.codes[i]!;
      if (code < 0) continue;
      if (remap[code] === -1) { remap[code] = dict.length; dict.push(c.dict[code]!); }
      indices[i] = remap[code]!;
      valid[i] = 1;
    }
    if (n === 0) return vectorFromArray([] as string[], new Utf8()); // as a plain empty column (see vector())
    const type = new Dictionary(new Utf8(), new Int32());
    return makeVector(makeData({ type, length: n, ...nullBitmap(valid, n), data: indices, dictionary: vectorFromArray(dict, new Utf8()) }));
  }
  const nb = nullBitmap(c.valid, n);
  const zeroNulls = <T extends { length: number; [i: number]: number | bigint }>(data: T, zero: number | bigint): T => {
    if (!c.valid) return data;
    const out = (data as unknown as { slice(): T }).slice();
    for (let i = 0; i < n; i++) if (!c.valid[i]) out[i] = zero;
    return out;
  };
  switch (c.type) {
    case 'i64': return makeVector(makeData({ type: new Int64() as DataType as Int64, length: n, ...nb, data: zeroNulls(c.data, 0n) }));
    case 'f64': return makeVector(makeData({ type: new Float64(), length: n, ...nb, data: zeroNulls(c.data, 0) }));
    case 'i32': return makeVector(makeData({ type: new Int32(), length: n, ...nb, data: zeroNulls(c.data, 0) }));
    case 'bool': {
      const bits = new Uint8Array(bitmapBytes(n));
      for (let i = 0; i < n; i++) if (c.data[i] && (!c.valid || c.valid[i])) bits[i >> 3]! |= 1 << (i & 7);
      return makeVector(makeData({ type: new Bool(), length: n, ...nb, data: bits }));
    }
  }
}

function vector(c: ColumnValues) {
  if (!('values' in c)) return typedVector(c);
  switch (c.type) {
    case 'i64': return vectorFromArray(c.values, new Int64());
    case 'f64': return vectorFromArray(c.values, new Float64());
    case 'i32': return vectorFromArray(c.values, new Int32());
    // Dictionary-encoded: reason, device, mechanism repeat a lot. An empty column stays plain
    // Utf8: arrow-js writes no dictionary batch for it and pyarrow then cannot open the file.
    case 'utf8': return c.values.length ? vectorFromArray(c.values, new Dictionary(new Utf8(), new Int32())) : vectorFromArray(c.values, new Utf8());
    case 'bool': return vectorFromArray(c.values, new Bool());
  }
}

/** One table as an Arrow Table with es2scope metadata (table name, schema version, params, input). */
export function toArrowTable(t: TableData, metadata: ReadonlyMap<string, string>): Table {
  const n = t.columns[0] ? lengthOf(t.columns[0]) : 0;
  for (const c of t.columns) {
    if (lengthOf(c) !== n) throw new Error(`${t.name}.${c.name}: ${lengthOf(c)} values, expected ${n}`);
  }
  const plain = new Table(Object.fromEntries(t.columns.map((c) => [c.name, vector(c)])));
  const md = new Map(metadata);
  md.set('es2scope.table', t.name);
  md.set('es2scope.table_doc', t.doc);
  const schema = new Schema(plain.schema.fields, md);
  return new Table(schema, plain.batches.map((b) => new RecordBatch(schema, b.data)));
}

/** Write every table to `<dir>/<name>.arrow`; returns the paths written. */
export async function writeArrowTables(dir: string, tables: readonly TableData[], metadata: ReadonlyMap<string, string>): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const t of tables) {
    const p = join(dir, `${t.name}.arrow`);
    await writeFile(p, tableToIPC(toArrowTable(t, metadata), 'file'));
    paths.push(p);
  }
  return paths;
}
