// SQL over an es2scope dataset with an embedded engine (DuckDB's Node package). Each table folder
// (events, exits, irqs, vcpu_runs) becomes a view over its Hive-partitioned Parquet files, and
// the manifest a view of its own, so a query names tables, not paths.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import { MANIFEST_FILE, checkDataset, readManifest } from './dataset/manifest.js';

export const DATASET_TABLES = ['events', 'exits', 'irqs', 'vcpu_runs', 'io_kicks'] as const;

export interface SqlResult {
  columns: string[];
  rows: unknown[][];
}

function quote(path: string): string {
  return `'${path.replaceAll("'", "''")}'`;
}

/** Open an in-memory DuckDB with the dataset's tables as views. */
export async function openDataset(datasetDir: string): Promise<{ conn: DuckDBConnection; tables: string[]; close(): void }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  checkDataset(datasetDir);
  const entries = readManifest(datasetDir);
  const tables: string[] = [];
  // only the parts the manifest names: a part left by a crash before its manifest line is never read
  for (const t of DATASET_TABLES) {
    const parts = entries.flatMap((e) => e.parts[t] ?? []).map((p) => quote(join(datasetDir, p)));
    if (parts.length === 0) continue;
    await conn.run(`CREATE VIEW ${t} AS SELECT * FROM read_parquet([${parts.join(', ')}], hive_partitioning = true, union_by_name = true)`);
    tables.push(t);
  }
  if (entries.length > 0) {
    await conn.run(`CREATE VIEW manifest AS SELECT * FROM read_json_auto(${quote(join(datasetDir, MANIFEST_FILE))}, format = 'newline_delimited')`);
    tables.push('manifest');
  }
  return { conn, tables, close: () => { conn.closeSync(); db.closeSync(); } };
}

/** Run one query; values come back as DuckDB's JS values (BIGINT as bigint). */
export async function runSql(datasetDir: string, query: string): Promise<SqlResult> {
  const ds = await openDataset(datasetDir);
  try {
    const reader = await ds.conn.runAndReadAll(query);
    return { columns: reader.columnNames(), rows: reader.getRowsJS() as unknown[][] };
  } finally {
    ds.close();
  }
}
