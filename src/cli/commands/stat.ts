// es2scope stat <trace|events.arrow>: perf kvm stat-like per-reason table (or --json).
import type { Argv } from 'yargs';
import { TraceInputError } from '../../../collectors/common/diagnostics.js';
import { createAnalyzer } from '../../analyze/analyzer.js';
import { computeStat, statJson } from '../../analyze/stat.js';
import { open, readFile } from 'node:fs/promises';
import { AGGREGATE_MAGIC, parseAggregate } from '../../../collectors/bpftrace/aggregate.js';
import { aggregateStat } from '../../analyze/aggregate/aggregateStat.js';
import type { AnalysisResult, AnalyzeOptions, InputMeta, StatBy, StatEvent, StatKey } from '../../analyze/types.js';
import { formatAggregateStat } from '../print/statAggregate.js';
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
  'tsc-hz'?: number;
}

/** Read and analyse one trace or events .arrow (shared by stat and analyze). */
export async function analyzeTrace(path: string, opts: { format?: string; progress?: boolean; windowNs?: number; tscHz?: number; keep?: Pick<AnalyzeOptions, 'keepKicks' | 'keepAccesses' | 'exitColumns'> }): Promise<{ run: EventsRun; result: AnalysisResult }> {
  const analyzer = createAnalyzer({ ...(opts.windowNs ? { windowNs: opts.windowNs } : {}), ...opts.keep });
  const run = await readEvents(path, (b) => analyzer.push(b), { format: opts.format, progress: opts.progress ?? false, ...(opts.tscHz !== undefined ? { tscHz: opts.tscHz } : {}) });
  const result = analyzer.finish(inputMetaOf(run));
  return { run, result };
}

/** What the analyzer is told about the input (shared by stat, analyze, whatif, export). */
export function inputMetaOf(run: EventsRun): InputMeta {
  const d = run.diagnostics;
  return {
    path: run.input.path, format: run.input.format, sizeBytes: run.input.sizeBytes,
    diagnostics: {
      timePrecisionNs: d.timePrecisionNs, lostEventsTotal: d.lostEventsTotal, lostMarkers: d.lostMarkers, notes: d.notes, warningCount: d.warningCount,
      ...(d.timeUnit ? { timeUnit: d.timeUnit } : {}),
    },
  };
}

/** The --tsc-hz option (stat, analyze, whatif, export): passed to readEvents. */
export const TSC_HZ_OPTION = {
  type: 'number', describe: 'TSC frequency in Hz: converts raw-cycle timestamps (x86-tsc clock without TSC2NSEC) to ns; without it such times stay cycles and are labelled so',
} as const;

/** Does the file start with the bpftrace aggregate header (collectors/bpftrace/aggregate.ts)? Reads 4 KB. */
async function readAggregateIfAny(path: string): Promise<string | null> {
  let fh;
  try { fh = await open(path, 'r'); } catch { return null; } // readEvents reports a missing file
  try {
    const st = await fh.stat();
    if (!st.isFile()) return null;
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    // bpftrace prints "Attaching N probes..." first: the header is within the first lines
    const head = buf.subarray(0, bytesRead).toString('utf8').split('\n').slice(0, 5);
    if (!head.some((l) => l.startsWith(AGGREGATE_MAGIC))) return null;
    return await readFile(path, 'utf8'); // aggregate output is small: one histogram per reason
  } finally { await fh.close(); }
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
      .option('format', { type: 'string', default: 'auto', describe: 'input format (auto detects)' })
      .option('tsc-hz', TSC_HZ_OPTION) as Argv<StatArgs>,
    async (args) => {
      if (args.vcpu !== undefined && !Number.isInteger(args.vcpu)) throw new TraceInputError(`--vcpu must be an integer, got ${args.vcpu}`);
      // a folder is a dataset (es2scope ingest --dataset): one table across its traces, plus per host
      if (isDatasetPath(args.input)) { process.stdout.write(await statDataset(args.input, { event: args.event, by: args.by, key: args.key, ...(args.vcpu !== undefined ? { vcpu: args.vcpu } : {}), ...(args.vm !== undefined ? { vm: args.vm } : {}) }, args.json, args.window)); return; }
      // only the table this --event reads is kept (at 10 M exits the others cost ~150 MB)
      const accesses = args.event === 'mmio' || args.event === 'ioport';
      const keep = { keepKicks: false, keepAccesses: accesses, exitColumns: 'stat' as const };
      // bpftrace aggregate mode: per-reason histograms kept in the kernel, not events
      const agg = args.format === 'auto' ? await readAggregateIfAny(args.input) : null;
      if (agg !== null) {
        if (args.event !== 'vmexit' || args.by !== 'reason' || args.vcpu !== undefined || args.vm !== undefined) {
          throw new TraceInputError(`${args.input}: bpftrace aggregate output has per-reason exit histograms only`, undefined, 'use the default --event vmexit --by reason without --vcpu/--vm, or record with the event-mode bpftrace script');
        }
        const a = aggregateStat(parseAggregate(agg, args.input));
        if (args.json) process.stdout.write(`${JSON.stringify({ schema: 'es2scope.stat-aggregate/1', input: { path: args.input, format: 'bpftrace-aggregate' }, ...a }, null, 2)}\n`);
        else process.stdout.write(formatAggregateStat(a, args.input));
        return;
      }
      const { run, result } = await analyzeTrace(args.input, { format: args.format, progress: !args.json, windowNs: args.window, keep, ...(args['tsc-hz'] !== undefined ? { tscHz: args['tsc-hz'] } : {}) });
      const s = computeStat(result, { event: args.event, by: args.by, key: args.key, ...(args.vcpu !== undefined ? { vcpu: args.vcpu } : {}), ...(args.vm !== undefined ? { vm: args.vm } : {}) });
      // a filter that selects nothing is a usage error, not an empty table
      if (s.noMatch) throw new TraceInputError(s.noMatch);
      if (args.json) process.stdout.write(`${JSON.stringify(statJson(s, { path: run.input.path, format: run.input.format }, result.vms), null, 2)}\n`);
      else process.stdout.write(formatStat(s, `${run.input.path}, ${run.input.format}`, result.vms));
    },
  );
}
