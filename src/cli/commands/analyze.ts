// es2scope analyze <trace|events.arrow> -o DIR: the derived tables (exits, irqs, vcpu_runs,
// io_kicks) as Arrow IPC files plus summary.json.
import { mkdir, writeFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { analysisSummaryJson } from '../../analyze/summary.js';
import { CATEGORIES, EXIT_FLAG, IRQ_DELIVERIES, IRQ_SOURCES, VCPU_STATES } from '../../analyze/types.js';
import { writeDerivedTables } from '../../table/derivedArrow.js';
import { cyclesWarning } from '../../analyze/quality.js';
import { analyzeTrace, TSC_HZ_OPTION } from './stat.js';

export interface AnalyzeArgs {
  input: string;
  output: string;
  format: string;
  window: number;
  quiet: boolean;
  'tsc-hz'?: number;
}

export function registerAnalyze(y: Argv): Argv {
  return y.command<AnalyzeArgs>(
    'analyze <input>',
    'write exits.arrow, irqs.arrow, vcpu_runs.arrow, io_kicks.arrow and summary.json for a trace or events .arrow',
    (a) => a
      .positional('input', { type: 'string', demandOption: true, describe: 'trace (any supported format) or events .arrow' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'output directory (created)' })
      .option('window', { type: 'number', default: 1e9, describe: 'EHT window length, ns' })
      .option('format', { type: 'string', default: 'auto', describe: 'input format (auto detects)' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print nothing on success' })
      .option('tsc-hz', TSC_HZ_OPTION) as Argv<AnalyzeArgs>,
    async (args) => {
      const { run, result } = await analyzeTrace(args.input, { format: args.format, progress: !args.quiet, windowNs: args.window, ...(args['tsc-hz'] !== undefined ? { tscHz: args['tsc-hz'] } : {}) });
      const cyclesNote = cyclesWarning(result.quality.timeUnit);
      if (cyclesNote && !args.quiet) process.stdout.write(`${cyclesNote}\n`);
      await mkdir(args.output, { recursive: true });
      const md = new Map([['es2scope.input', JSON.stringify(run.input)]]);
      const rows = await writeDerivedTables(args.output, result, {
        categories: CATEGORIES, irqSources: IRQ_SOURCES, irqDeliveries: IRQ_DELIVERIES, vcpuStates: VCPU_STATES,
        exitFlagBrokenByLost: EXIT_FLAG.BROKEN_BY_LOST, exitFlagNoEntryAtEnd: EXIT_FLAG.NO_ENTRY_AT_END,
      }, md);
      const summary = analysisSummaryJson(result);
      await writeFile(`${args.output}/summary.json`, `${JSON.stringify(summary, null, 2)}\n`);
      if (!args.quiet) {
        const e = result.eht.total;
        process.stdout.write(`${run.input.path} (${run.input.format}) -> ${args.output}/\n`);
        for (const [f, n] of Object.entries(rows)) process.stdout.write(`  ${f.padEnd(16)} ${String(n).padStart(10)} rows\n`);
        process.stdout.write(`  summary.json\n  EHT: ${result.eht.traced && e ? `busy ${fmtPct(e.ehtBusy)}, wall ${fmtPct(e.ehtWall)}` : 'not traced (no kvm_exit in this trace)'}\n`);
      }
    },
  );
}

const fmtPct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(3)} %`);
