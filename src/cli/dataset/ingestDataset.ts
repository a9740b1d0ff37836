// es2scope ingest TRACE... --dataset DIR: identify each trace (sha256), skip those already in the
// dataset, ingest the rest in parallel on worker threads, and append each trace's manifest entry
// once its parts are in place. Leftovers of an interrupted ingest are cleaned or reported first.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { TraceInputError } from '../../../collectors/common/diagnostics.js';
import { lockDataset } from '../../table/dataset/lock.js';
import { STAGING_DIR, appendManifest, openOrCreateDataset, orphanParts, readManifest, type ManifestEntry } from '../../table/dataset/manifest.js';
import { HOST_PATTERN } from '../../table/dataset/partition.js';
import type { TraceJob } from './ingestTrace.js';

export interface DatasetIngestOptions {
  host?: string;
  jobs?: number;
  format?: string;
  partRows?: number;
  /** Progress and skip messages (stderr by default). */
  log?: (line: string) => void;
}

export interface DatasetIngestResult {
  dataset: string;
  added: ManifestEntry[];
  skipped: { trace: string; traceId: string; why: string }[];
  orphanParts: string[];
  removedStaging: string[];
}

/** sha256 of a file's bytes, streamed. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * The worker: dist/.../worker.js when compiled; under tsx (tests, `node --import tsx`) worker.ts,
 * started through a tiny bootstrap that registers tsx in the worker first (Node 20 does not pass
 * the main thread's --import loader hooks on to workers).
 */
function newWorker(job: TraceJob): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), { workerData: job });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData: job });
}

function runWorker(job: TraceJob): Promise<ManifestEntry> {
  return new Promise((res, rej) => {
    const w = newWorker(job);
    let done = false;
    w.once('message', (m: { ok: true; entry: ManifestEntry } | { ok: false; name: string; message: string }) => {
      done = true;
      if (m.ok) res(m.entry);
      else rej(m.name === 'TraceInputError' ? new TraceInputError(m.message) : new Error(m.message));
    });
    w.once('error', (e) => { done = true; rej(e); });
    w.once('exit', (code) => { if (!done) rej(new Error(`ingest worker for ${job.trace} exited with code ${code}`)); });
  });
}

export async function ingestDataset(traces: readonly string[], dataset: string, opts: DatasetIngestOptions = {}): Promise<DatasetIngestResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const host = opts.host ?? hostname();
  if (!HOST_PATTERN.test(host)) throw new TraceInputError(`--host "${host}" cannot name a partition folder`, undefined, 'use letters, digits, ".", "_" and "-" (at most 63)');
  for (const t of traces) {
    if (t === '-') throw new TraceInputError('a dataset ingest reads each trace twice (identity, then rows): stdin cannot be used', undefined, 'save the trace to a file first');
    if (!existsSync(t) || !statSync(t).isFile()) throw new TraceInputError('no such trace file', t);
  }
  openOrCreateDataset(dataset);
  const unlock = lockDataset(dataset);
  try {
    const result: DatasetIngestResult = { dataset, added: [], skipped: [], orphanParts: [], removedStaging: [] };
    const stagingRoot = join(dataset, STAGING_DIR);
    if (existsSync(stagingRoot)) {
      // we hold the lock, so any staging folder belongs to an ingest that did not finish
      result.removedStaging = readdirSync(stagingRoot);
      if (result.removedStaging.length) log(`removed leftover staging of an interrupted ingest: ${result.removedStaging.join(', ')}`);
      rmSync(stagingRoot, { recursive: true, force: true });
    }
    const known = new Map(readManifest(dataset).map((e) => [e.traceId, e]));
    result.orphanParts = orphanParts(dataset, [...known.values()]);
    if (result.orphanParts.length) {
      log(`${result.orphanParts.length} part file(s) in ${dataset} are named by no manifest entry (an interrupted ingest); queries ignore them, e.g. ${result.orphanParts[0]}`);
    }

    const jobs: TraceJob[] = [];
    for (const trace of traces) {
      const traceId = await sha256File(trace);
      const old = known.get(traceId) ?? jobs.find((j) => j.traceId === traceId);
      if (old) {
        const why = 'host' in old && 'ingestedAt' in old
          ? `already in the dataset (host ${old.host}, ingested ${old.ingestedAt} from ${old.input.path})`
          : `same bytes as ${old.trace}, given earlier on this command line`;
        log(`skip ${trace}: ${why}`);
        result.skipped.push({ trace, traceId, why });
        continue;
      }
      jobs.push({ trace, datasetDir: dataset, host, traceId, duckThreads: 1, ...(opts.format && opts.format !== 'auto' ? { format: opts.format } : {}), ...(opts.partRows ? { partRows: opts.partRows } : {}) });
    }
    const cpus = availableParallelism();
    const parallel = Math.max(1, Math.min(opts.jobs ?? Math.min(jobs.length, cpus), jobs.length || 1));
    for (const j of jobs) j.duckThreads = Math.max(1, Math.floor(cpus / parallel));

    const failures: string[] = [];
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        try {
          const entry = await runWorker(job);
          appendManifest(dataset, [entry]); // last step: the parts become visible to queries
          result.added.push(entry);
          log(`added ${job.trace}: host ${entry.host}, ${entry.rows.events ?? 0} events, ${entry.rows.exits ?? 0} exits, ${Object.values(entry.parts).flat().length} parts`);
        } catch (e) {
          failures.push(`${job.trace}: ${(e as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: parallel }, lane));
    if (failures.length) {
      throw new TraceInputError(`${failures.length} of ${jobs.length} trace(s) could not be ingested (the others were added):\n${failures.join('\n')}`, undefined,
        'nothing of a failed trace is visible in the dataset; fix the input and run the same ingest again');
    }
    return result;
  } finally {
    unlock();
  }
}
