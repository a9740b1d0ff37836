// es2scope stat <trace|events.arrow>: perf kvm stat-like per-reason table (or --json).
import type { Argv } from 'yargs';
import { TraceInputError } from '../../../collectors/common/diagnostics.js';
import { createAnalyzer } from '../../analyze/analyzer.js';
import { computeStat, statJson } from '../../analyze/stat.js';
import type { AnalysisResult, AnalyzeOptions, StatBy, StatEvent, StatKey } from '../../analyze/types.js';
import { readEvents, type EventsRun } from '../pipeline.js';
import { formatStat } from '../print/stat.js';
import { isDatasetPath, statDataset } from '../dataset/fromDataset.js';

export interface StatArgs {
  input: string;
  event: StatEvent;
  by: StatBy;
  key: StatKey;
  vcpu?: number;
  vm?: number;
  json: boolean;
  format: string;
  window: number;
}

/** Read and analyse one trace or events .arrow (shared by stat and analyze). */
export async function analyzeTrace(path: string, opts: { format?: string; progress?: boolean; windowNs?: number; keep?: Pick<AnalyzeOptions, 'keepKicks' | 'keepAccesses' | 'exitColumns'> }): Promise<{ run: EventsRun; result: AnalysisResult }> {
  const analyzer = createAnalyzer({ ...(opts.windowNs ? { windowNs: opts.windowNs } : {}), ...opts.keep });
  const run = await readEvents(path, (b) => analyzer.push(b), { format: opts.format, progress: opts.progress ?? false });
  const d = run.diagnostics;
  const result = analyzer.finish({
    path: run.input.path, format: run.input.format, sizeBytes: run.input.sizeBytes,
    diagnostics: { timePrecisionNs: d.timePrecisionNs, lostEventsTotal: d.lostEventsTotal, lostMarkers: d.lostMarkers, notes: d.notes, warningCount: d.warningCount },
  });
  return { run, result };
}

export function registerStat(y: Argv): Argv {
  return y.command<StatArgs>(
    'stat <input>',
    'per-reason VM-exit statistics like perf kvm stat report, with p50/p99, HLT apart and a data-quality footer',
    (a) => a
      .positional('input', { type: 'string', demandOption: true, describe: 'trace (any supported format) or events .arrow' })
      .option('event', { type: 'string', choices: ['vmexit', 'mmio', 'ioport', 'irq'], default: 'vmexit', describe: 'what to time (perf kvm stat --event; irq = interrupt latency)' })
      .option('by', { type: 'string', choices: ['reason', 'device', 'vcpu'], default: 'reason', describe: 'group rows by' })
      .option('key', { type: 'string', choices: ['sample', 'time', 'max', 'min', 'mean', 'p99'], default: 'sample', describe: 'sort key (perf kvm stat -k)' })
      .option('vcpu', { type: 'number', describe: 'only this vCPU id' })
      .option('vm', { type: 'number', describe: 'only this VM (host pid; a derived VM\'s index when the trace has no pid)' })
      .option('window', { type: 'number', default: 1e9, describe: 'EHT window length, ns' })
      .option('json', { type: 'boolean', default: false, describe: `print JSON (schema es2scope.stat/1, see src/analyze/README.md)` })
      .option('format', { type: 'string', default: 'auto', describe: 'input format (auto detects)' }) as Argv<StatArgs>,
    async (args) => {
      if (args.vcpu !== undefined && !Number.isInteger(args.vcpu)) throw new TraceInputError(`--vcpu must be an integer, got ${args.vcpu}`);
      // a folder is a dataset (es2scope ingest --dataset): one table across its traces, plus per host
      if (isDatasetPath(args.input)) { process.stdout.write(await statDataset(args.input, { event: args.event, by: args.by, key: args.key, ...(args.vcpu !== undefined ? { vcpu: args.vcpu } : {}), ...(args.vm !== undefined ? { vm: args.vm } : {}) }, args.json, args.window)); return; }
      // only the table this --event reads is kept (at 10 M exits the others cost ~150 MB)
      const accesses = args.event === 'mmio' || args.event === 'ioport';
      const keep = { keepKicks: false, keepAccesses: accesses, exitColumns: 'stat' as const };
      const { run, result } = await analyzeTrace(args.input, { format: args.format, progress: !args.json, windowNs: args.window, keep });
      const s = computeStat(result, { event: args.event, by: args.by, key: args.key, ...(args.vcpu !== undefined ? { vcpu: args.vcpu } : {}), ...(args.vm !== undefined ? { vm: args.vm } : {}) });
      if (args.json) process.stdout.write(`${JSON.stringify(statJson(s, { path: run.input.path, format: run.input.format }), null, 2)}\n`);
      else process.stdout.write(formatStat(s, `${run.input.path}, ${run.input.format}`));
    },
  );
}
