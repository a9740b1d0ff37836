// The es2scope subcommands. Each module registers one command on the yargs instance.
import type { Argv } from 'yargs';
import { registerIngest } from './ingest.js';
import { registerStat } from './stat.js';
import { registerAnalyze } from './analyze.js';
import { registerRecord } from './record.js';
import { registerSql } from './sql.js';
import { registerReport } from './report.js';
import { registerWhatif } from './whatif.js';
import { registerExport } from './export.js';

export const COMMANDS: readonly ((y: Argv) => Argv)[] = [
  registerIngest,
  registerStat,
  registerAnalyze,
  registerRecord,
  registerSql,
  registerReport,
  registerWhatif,
  registerExport,
];
