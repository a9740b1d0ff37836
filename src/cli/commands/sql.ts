// es2scope sql "<query>" DIR: SQL over a dataset (DuckDB, embedded), printed as a table, CSV or JSON.
import type { Argv } from 'yargs';
import { runSql, type SqlResult } from '../../table/sql.js';
import { DatasetError } from '../../table/dataset/manifest.js';
import { TraceInputError } from '../../../collectors/common/diagnostics.js';

interface SqlArgs { query: string; dataset: string; format: 'table' | 'csv' | 'json' }

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'object') return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

function csvCell(v: unknown): string {
  const s = cell(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function formatSqlResult(r: SqlResult, format: SqlArgs['format']): string {
  if (format === 'json') {
    const rows = r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])));
    // integers: numbers while exact (below 2^53), strings beyond; also inside structs and lists
    const replacer = (_k: string, v: unknown) => (typeof v === 'bigint'
      ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v);
    return `${JSON.stringify(rows, replacer, 2)}\n`;
  }
  if (format === 'csv') return [r.columns.map(csvCell).join(','), ...r.rows.map((row) => row.map(csvCell).join(','))].join('\n') + '\n';
  const cells = [r.columns, ...r.rows.map((row) => row.map(cell))];
  const widths = r.columns.map((_, i) => Math.max(...cells.map((row) => (row[i] as string).length)));
  const numeric = r.columns.map((_, i) => r.rows.length > 0 && r.rows.every((row) => typeof row[i] === 'number' || typeof row[i] === 'bigint' || row[i] === null));
  const line = (row: string[]) => row.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(r.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map((row) => line(row as string[])), `(${r.rows.length} rows)`].join('\n') + '\n';
}

export function registerSql(y: Argv): Argv {
  return y.command<SqlArgs>(
    'sql <query> <dataset>',
    'run SQL over a dataset written by "ingest --dataset" (tables: events, exits, irqs, vcpu_runs, io_kicks, manifest)',
    (a) => a
      .positional('query', { type: 'string', demandOption: true })
      .positional('dataset', { type: 'string', demandOption: true, describe: 'dataset folder' })
      .option('format', { choices: ['table', 'csv', 'json'] as const, default: 'table' as const }) as Argv<SqlArgs>,
    async (args) => {
      try {
        process.stdout.write(formatSqlResult(await runSql(args.dataset, args.query), args.format));
      } catch (e) {
        if (e instanceof DatasetError) throw new TraceInputError(e.message);
        if (e instanceof Error && /Error:/.test(e.message) && !(e instanceof TypeError)) throw new TraceInputError(`SQL failed: ${e.message}`, undefined, 'tables: events, exits, irqs, vcpu_runs, io_kicks, manifest');
        throw e;
      }
    },
  );
}
