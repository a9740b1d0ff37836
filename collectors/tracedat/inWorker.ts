// A binary collector (trace.dat, perf.data) run whole in one worker thread, so that decoding and
// the main thread's share (Arrow conversion, summary, file writing) use two cores. Built on the
// generic pool in ../common/parallel with one "chunk" = the whole file: rows come back in batches
// with their dictionary codes remapped in the worker's order, so the table is the one a serial
// read makes. Why not per-CPU workers for trace.dat: the time merge and the row writing stay on
// one thread anyway, and they are most of the work left.
// Back-pressure: the worker waits (Atomics.wait) while more than MAX_AHEAD batches are not yet
// merged, so memory stays bounded when the main thread is the slower side.
import type { CollectorContext } from '../common/collector.js';
import type { EventBatchBuilder } from '../common/eventBatch.js';
import { envWorkers } from '../common/parallel/envWorkers.js';
import { runParallel } from '../common/parallel/runner.js';

/** Below this a serial read costs less than starting a worker (module load ~0.1 s). */
export const MIN_WORKER_BYTES = 32 << 20;
const MAX_AHEAD = 4;

/** What the task module receives (structured-cloned). */
export interface BinaryTaskConfig {
  readonly path: string;
  readonly tscHz?: number;
  readonly chunkSize?: number;
  readonly batchRows: number;
  /** [0]: batches the main thread has merged. */
  readonly merged: Int32Array;
}

/**
 * Whether to read in a worker: a regular file (not stdin or gzip, which are spilled to a
 * temporary file first) of at least MIN_WORKER_BYTES, not --strict (which must stop at the first
 * oddity), and more than one worker asked for (ctx.workers, else ES2SCOPE_WORKERS=2 or more).
 */
export function useWorker(ctx: CollectorContext): boolean {
  const size = ctx.source.size;
  if (size === null || ctx.diag.strict) return false;
  const forced = ctx.parallelChunkBytes !== undefined; // tests force the parallel path on small files
  if (!forced && size < MIN_WORKER_BYTES) return false;
  const asked = ctx.workers ?? envWorkers();
  // Unasked: serial. Measured on the 2-CPU build machine (bench/tracedat and perfdata, 3 M events,
  // A/B back to back): the worker took 5-15 % more wall time and 20 % more CPU time than the serial
  // read for both formats. What runs in parallel (Arrow conversion and writing, ~0.3 s) is less than
  // what the worker adds (each batch copied into a wire buffer and again into the main builder,
  // the worker's start-up), and a serial read no longer waits on its reads (they run ahead).
  return asked !== undefined && asked >= 2;
}

/** Read ctx.source in one worker running `taskUrl` (a module exporting runChunk; see binaryTask). */
export async function readInWorker(ctx: CollectorContext, taskUrl: string): Promise<void> {
  const merged = new Int32Array(new SharedArrayBuffer(4));
  // the worker's batches as big as ours: each is merged as one of our batches, as a serial read makes it
  const batchRows = ctx.builder.batchCapacity;
  const config: BinaryTaskConfig = {
    path: ctx.source.name, batchRows, merged,
    ...(ctx.tscHz !== undefined ? { tscHz: ctx.tscHz } : {}),
    ...(ctx.chunkSize !== undefined ? { chunkSize: ctx.chunkSize } : {}),
  };
  const size = ctx.source.size ?? 0;
  await runParallel<null>({
    ctx, path: ctx.source.name, ranges: [{ start: 0, end: size }], taskUrl, config, workers: 1, srcLine: 'as-is', batchRows,
    onBatch: (batch) => {
      ctx.builder.appendRows(batch);
      Atomics.add(merged, 0, 1);
      Atomics.notify(merged, 0);
    },
    onChunkDone: (done) => {
      // the worker's lost markers, in its order (the runner leaves them to us)
      for (const l of done.lost) ctx.diag.lostEvents({ cpu: l.cpu, tsNs: l.tsNs === null ? null : BigInt(l.tsNs), count: l.count, where: l.where });
    },
  });
}

/**
 * A progress callback for the collector inside the worker that blocks while the main thread is
 * more than MAX_AHEAD batches behind (collectors call progress every few ten thousand rows).
 */
export function backPressure(builder: EventBatchBuilder, cfg: BinaryTaskConfig): () => void {
  return () => {
    const produced = Math.floor(builder.rowsFlushed / cfg.batchRows);
    for (;;) {
      const seen = Atomics.load(cfg.merged, 0);
      if (produced - seen <= MAX_AHEAD) return;
      Atomics.wait(cfg.merged, 0, seen, 200);
    }
  };
}
