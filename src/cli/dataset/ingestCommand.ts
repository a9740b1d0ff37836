// The dataset side of `es2scope ingest`: options and handler, called from commands/ingest.ts when
// --dataset is given (kept here so that file only gains a hook).
import type { Argv } from 'yargs';
import { TraceInputError } from '../../../collectors/common/diagnostics.js';
import { DatasetError } from '../../table/dataset/manifest.js';

export interface DatasetIngestArgs {
  dataset?: string;
  host?: string;
  jobs?: number;
  more?: string[];
}

export function datasetIngestOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .positional('more', { type: 'string', array: true, describe: 'more traces (with --dataset)' })
    .option('dataset', { type: 'string', describe: 'append to this Hive-partitioned Parquet dataset folder (DIR/<table>/host=H/vm=V/part-*.parquet) instead of writing an .arrow file' })
    .option('host', { type: 'string', describe: 'host name recorded for these traces (--dataset; default: this machine\'s hostname)' })
    .option('jobs', { alias: 'j', type: 'number', describe: 'traces ingested in parallel on worker threads (--dataset; default: number of traces, at most the CPU count)' }) as Argv<T>;
}

/** Handle `ingest TRACE... --dataset DIR`. */
export async function ingestDatasetCommand(traces: string[], a: DatasetIngestArgs & { format: string; json: boolean; quiet: boolean }): Promise<void> {
  if (a.dataset === undefined) throw new TraceInputError(`${traces.length} traces given: several traces need --dataset DIR`, undefined, 'without --dataset, ingest writes one trace to one .arrow file');
  if (a.jobs !== undefined && (!Number.isInteger(a.jobs) || a.jobs < 1)) throw new TraceInputError(`--jobs must be a positive integer, got ${a.jobs}`);
  try {
    // loaded here, not at start-up: it pulls in DuckDB (~0.4 s CPU), which a one-file ingest never uses
    const { ingestDataset } = await import('./ingestDataset.js');
    const r = await ingestDataset(traces, a.dataset!, {
      ...(a.host !== undefined ? { host: a.host } : {}), ...(a.jobs !== undefined ? { jobs: a.jobs } : {}), format: a.format,
      log: a.quiet || a.json ? () => {} : (l) => process.stderr.write(`${l}\n`),
    });
    if (a.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else if (!a.quiet) process.stdout.write(`${a.dataset}: ${r.added.length} trace(s) added, ${r.skipped.length} skipped (already there)\n`);
  } catch (e) {
    if (e instanceof DatasetError) throw new TraceInputError(e.message);
    throw e;
  }
}
