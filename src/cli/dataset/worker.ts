// Worker-thread entry: ingest one trace into the dataset and post back its manifest entry (or the
// error's message). Loaded as worker.js from dist, or worker.ts under tsx (see ingestDataset.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { ingestTraceToDataset, type TraceJob } from './ingestTrace.js';

ingestTraceToDataset(workerData as TraceJob).then(
  (entry) => parentPort!.postMessage({ ok: true, entry }),
  (e: unknown) => parentPort!.postMessage({ ok: false, name: (e as Error).name, message: (e as Error).message ?? String(e) }),
);
