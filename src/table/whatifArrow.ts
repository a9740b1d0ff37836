// Arrow IPC output of the what-if model tables. Generic on purpose: the model (src/analyze/whatif)
// lays its tables out as named columns of plain values and this file only turns them into Arrow,
// so table never imports analyze (the pipeline's direction). One IPC file per table; small tables
// (stages, sweep, per-device) and per-row tables (avoided exits, kicks, interrupts) alike.
import { Bool, Dictionary, Float64, Int32, Int64, RecordBatch, Schema, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type ColumnValues =
  | { name: string; type: 'i64'; values: (bigint | null)[] }
  | { name: string; type: 'f64'; values: (number | null)[] }
  | { name: string; type: 'i32'; values: (number | null)[] }
  | { name: string; type: 'utf8'; values: (string | null)[] }
  | { name: string; type: 'bool'; values: (boolean | null)[] };

export interface TableData {
  /** Table name, e.g. "whatif_stages"; also the file name. */
  name: string;
  doc: string;
  columns: ColumnValues[];
}

function vector(c: ColumnValues) {
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
  const n = t.columns[0]?.values.length ?? 0;
  for (const c of t.columns) {
    if (c.values.length !== n) throw new Error(`${t.name}.${c.name}: ${c.values.length} values, expected ${n}`);
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
