// es2scope ingest <trace> [-o events.arrow]: a trace in any supported format -> events Arrow IPC file.
import type { Argv } from 'yargs';
import { TraceInputError } from '../../../collectors/common/diagnostics.js';
import { ArrowFileSink } from '../../table/eventsArrow.js';
import { readEvents, type EventsRun } from '../pipeline.js';
import { printIngestSummary } from '../print/ingestSummary.js';
import { workComplete } from '../exitAtOnce.js';
import { datasetIngestOptions, ingestDatasetCommand, type DatasetIngestArgs } from '../dataset/ingestCommand.js';

export interface IngestArgs extends DatasetIngestArgs {
  trace: string;
  output?: string;
  format: string;
  strict: boolean;
  json: boolean;
  quiet: boolean;
  tscHz?: number;
}

export function defaultOutputPath(trace: string): string {
  if (trace === '-' || trace === '/dev/stdin') return 'events.arrow';
  return `${trace.replace(/\.(gz)$/, '').replace(/\.(txt|dat|data|log|trace)$/, '')}.events.arrow`;
}

/** Ingest one trace into an Arrow file; returns what was read. */
export async function ingestToArrow(trace: string, output: string, opts: { format?: string; strict?: boolean; progress?: boolean; tscHz?: number }): Promise<EventsRun> {
  let sink: ArrowFileSink | null = null;
  // readEvents makes a converter (and so a sink) only for a trace; an events .arrow comes back as is
  const alreadyArrow = (): TraceInputError => new TraceInputError('this is already an events Arrow file (written by "es2scope ingest"): there is nothing to ingest', trace,
    'pass it directly to stat/report/whatif (they read .arrow files), or copy it with cp');
  // the sink has written every batch before write() returns, so the builder may recycle its arrays
  const run = await readEvents(trace, (b) => { if (!sink) throw alreadyArrow(); sink.write(b); }, { ...opts, recycleBatches: true }, (converter) => { sink = new ArrowFileSink(output, converter); });
  if (!sink) throw alreadyArrow();
  await (sink as ArrowFileSink).close(new Map([
    ['es2scope.input', JSON.stringify(run.input)],
    ['es2scope.diagnostics', JSON.stringify(run.diagnostics)],
    ['es2scope.summary', JSON.stringify(run.summary)],
  ]));
  return run;
}

export function registerIngest(y: Argv): Argv {
  return y.command<IngestArgs>(
    'ingest <trace> [more..]',
    'read a trace (perf script, trace-cmd report, ftrace, trace.dat, perf.data, bpftrace; "-" = stdin; .gz ok) into an events Arrow file',
    (a) => datasetIngestOptions(a
      .positional('trace', { type: 'string', demandOption: true, describe: 'trace file, or - for stdin' })
      .option('output', { alias: 'o', type: 'string', describe: 'events Arrow IPC file, - for stdout (default: <trace>.events.arrow)' })
      .option('format', { type: 'string', default: 'auto', describe: 'input format (auto detects)' })
      .option('strict', { type: 'boolean', default: false, describe: 'stop at the first malformed line' })
      .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print nothing on success' })
      .option('tsc-hz', { type: 'number', describe: 'TSC frequency in Hz: converts raw x86-tsc/counter timestamps (no TSC2NSEC) to ns, e.g. 2400000000' })) as Argv<IngestArgs>,
    async (args) => {
      if (args.dataset !== undefined || args.more?.length) return ingestDatasetCommand([args.trace, ...(args.more ?? [])], args);
      const output = args.output ?? defaultOutputPath(args.trace);
      const run = await ingestToArrow(args.trace, output, { format: args.format, strict: args.strict, progress: !args.quiet, ...(args.tscHz !== undefined ? { tscHz: args.tscHz } : {}) });
      // `-o -`: the Arrow file goes to stdout, so the summary goes to stderr
      const say = output === '/dev/stdout' ? process.stderr : process.stdout;
      if (args.json) say.write(`${JSON.stringify({ output, ...run, schema: undefined }, null, 2)}\n`);
      else if (!args.quiet) printIngestSummary(run, output, say);
      // the Arrow file is closed and the summary written (stdout and stderr are synchronous on Linux)
      workComplete();
    },
  );
}
