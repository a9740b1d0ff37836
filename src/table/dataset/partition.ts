// Staging Parquet -> Hive-partitioned parts (<table>/host=H/vm=V/part-<tag>-<i>.parquet), written
// by DuckDB's partitioned COPY into the trace's staging folder, then renamed into the dataset.
// Each row's VM: events by tid through the analyzer's thread -> VM map, else their pid, else
// "unknown"; derived tables by their per-trace VM index. The VM key is the QEMU pid, or
// "derived<i>" when the trace gave no pid.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync, readdirSync, renameSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export const HOST_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** The VM partition keys of one analysis: index -> key. */
export function vmKeys(vms: readonly { pid: number }[]): string[] {
  return vms.map((v, i) => (v.pid >= 0 ? String(v.pid) : `derived${i}`));
}

export interface PartitionContext {
  conn: DuckDBConnection;
  close(): void;
}

/** An in-memory DuckDB holding the trace's tid -> vm and vm index -> vm key maps. */
/**
 * DuckDB's memory for one trace's COPY. Why a limit: a partitioned COPY buffers rows per partition,
 * and by default DuckDB may take most of the machine's RAM (measured: +450 MB on a 1.3 M-event
 * trace); with a limit (and no insertion order to keep) it flushes partitions sooner and spills
 * to `tempDir` instead.
 */
export const DUCK_MEMORY_LIMIT = '128MB';

export async function openPartitioner(threads: readonly { tid: number; vm: number }[], keys: readonly string[], duckThreads: number, tempDir?: string): Promise<PartitionContext> {
  const db = await DuckDBInstance.create(':memory:', {
    threads: String(Math.max(1, duckThreads)), memory_limit: DUCK_MEMORY_LIMIT, preserve_insertion_order: 'false',
    ...(tempDir ? { temp_directory: tempDir } : {}),
  });
  const conn = await db.connect();
  await conn.run('CREATE TABLE tid_vm (tid INTEGER, vm VARCHAR)');
  await conn.run('CREATE TABLE vm_key (idx INTEGER, vm VARCHAR)');
  const tv = threads.filter((t) => t.vm >= 0 && keys[t.vm] !== undefined).map((t) => `(${t.tid | 0}, ${sqlString(keys[t.vm]!)})`);
  // a tid seen twice (reused) keeps its first VM: the join must not duplicate event rows
  if (tv.length) await conn.run(`INSERT INTO tid_vm SELECT tid, first(vm) FROM (VALUES ${tv.join(', ')}) v(tid, vm) GROUP BY tid`);
  if (keys.length) await conn.run(`INSERT INTO vm_key VALUES ${keys.map((k, i) => `(${i}, ${sqlString(k)})`).join(', ')}`);
  return { conn, close: () => { conn.closeSync(); db.closeSync(); } };
}

/** Every file below `dir`, relative to it. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p); else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Partitioned COPY of one table's staging files into `outDir` (which must not exist yet).
 * Returns the part paths relative to `outDir`, e.g. "host=a/vm=4242/part-ab12-0.parquet".
 */
export async function copyPartitioned(ctx: PartitionContext, opts: { table: string; staged: readonly string[]; outDir: string; host: string; fileTag: string }): Promise<string[]> {
  const src = `read_parquet([${opts.staged.map(sqlString).join(', ')}], hive_partitioning = false)`;
  const host = sqlString(opts.host);
  const select = opts.table === 'events'
    ? `SELECT s.*, ${host} AS host, coalesce(m.vm, CAST(s.pid AS VARCHAR), 'unknown') AS vm FROM ${src} s LEFT JOIN tid_vm m ON s.tid = m.tid`
    : `SELECT s.* EXCLUDE (vm), ${host} AS host, coalesce(k.vm, 'unknown') AS vm FROM ${src} s LEFT JOIN vm_key k ON s.vm = k.idx`;
  await ctx.conn.run(`COPY (${select}) TO ${sqlString(opts.outDir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (host, vm), FILENAME_PATTERN ${sqlString(`part-${opts.fileTag}-{i}`)})`);
  return listFiles(opts.outDir).filter((f) => f.endsWith('.parquet'));
}

/** Rename staged parts into `<datasetDir>/<table>/...`; returns their paths relative to the dataset. */
export function moveIntoDataset(outDir: string, parts: readonly string[], datasetDir: string, table: string): string[] {
  return parts.map((p) => {
    const to = join(datasetDir, table, p);
    mkdirSync(dirname(to), { recursive: true });
    renameSync(join(outDir, p), to);
    return relative(datasetDir, to);
  });
}
