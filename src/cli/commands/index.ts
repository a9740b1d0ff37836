// The es2scope subcommands, loaded on demand: each module registers one command on the yargs
// instance. Why lazy: report, export, sql and datasets pull in charting, OpenTelemetry, DuckDB and
// WebAssembly, about a second of start-up that `ingest` or `stat` never use.
import type { Argv } from 'yargs';

type Register = (y: Argv) => Argv;

export const COMMAND_LOADERS: Readonly<Record<string, () => Promise<Register>>> = {
  ingest: async () => (await import('./ingest.js')).registerIngest,
  stat: async () => (await import('./stat.js')).registerStat,
  analyze: async () => (await import('./analyze.js')).registerAnalyze,
  whatif: async () => (await import('./whatif.js')).registerWhatif,
  report: async () => (await import('./report.js')).registerReport,
  export: async () => (await import('./export.js')).registerExport,
  record: async () => (await import('./record.js')).registerRecord,
  sql: async () => (await import('./sql.js')).registerSql,
};

/** The commands to register for this argv: only the named one, or all (for --help, typos, none). */
export async function commandsFor(argv: readonly string[]): Promise<Register[]> {
  const first = argv[0];
  if (first === '--version') return [];
  const one = first !== undefined ? COMMAND_LOADERS[first] : undefined;
  if (one) return [await one()];
  return Promise.all(Object.values(COMMAND_LOADERS).map((load) => load()));
}
