// SQL over an es2scope dataset with an embedded engine (DuckDB's Node package). Each table folder
// (events, exits, irqs, vcpu_runs) becomes a view over its Hive-partitioned Parquet files, and
// the manifest a view of its own, so a query names tables, not paths.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError, MANIFEST_FILE, checkDataset, readManifest, type ManifestEntry } from './dataset/manifest.js';

export const DATASET_TABLES = ['events', 'exits', 'irqs', 'vcpu_runs', 'io_kicks'] as const;

export interface SqlResult {
  columns: string[];
  rows: unknown[][];
}

function quote(path: string): string {
  return `'${path.replaceAll("'", "''")}'`;
}

/**
 * Every part the manifest names must exist and end with Parquet's footer magic "PAR1": a part cut
 * short (disk full, copied while written) is named here instead of failing deep inside a query.
 */
export function checkParts(datasetDir: string, entries: readonly ManifestEntry[]): void {
  const tail = Buffer.alloc(4);
  for (const e of entries) {
    for (const p of Object.values(e.parts).flat()) {
      const f = join(datasetDir, p);
      const hint = `the dataset lost or damaged a part of trace ${e.traceId.slice(0, 16)} (${e.input.path}, host ${e.host}): restore the file, or remove that trace's line from ${MANIFEST_FILE} and ingest the trace again`;
      if (!existsSync(f)) throw new DatasetError(`${f}: part named by the manifest is missing`, hint);
      const size = statSync(f).size;
      const fd = openSync(f, 'r');
      try {
        if (size < 12 || readSync(fd, tail, 0, 4, size - 4) !== 4 || tail.toString('latin1') !== 'PAR1') {
          throw new DatasetError(`${f}: not a complete Parquet file (${size} bytes, no PAR1 footer)`, hint);
        }
      } finally {
        closeSync(fd);
      }
    }
  }
}

/** Open an in-memory DuckDB with the dataset's tables as views. */
export async function openDataset(datasetDir: string): Promise<{ conn: DuckDBConnection; tables: string[]; close(): void }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  checkDataset(datasetDir);
  const entries = readManifest(datasetDir);
  const tables: string[] = [];
  checkParts(datasetDir, entries);
  // only the parts the manifest names: a part left by a crash before its manifest line is never
  // read. One SELECT per trace adds its trace_id (the sha256 the manifest names it by).
  for (const t of DATASET_TABLES) {
    const perTrace = entries.filter((e) => (e.parts[t] ?? []).length > 0).map((e) => {
      const parts = e.parts[t]!.map((p) => quote(join(datasetDir, p)));
      return `SELECT *, ${quote(e.traceId)} AS trace_id FROM read_parquet([${parts.join(', ')}], hive_partitioning = true, union_by_name = true)`;
    });
    if (perTrace.length === 0) continue;
    await conn.run(`CREATE VIEW ${t} AS ${perTrace.join(' UNION ALL BY NAME ')}`);
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
