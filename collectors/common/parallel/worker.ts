// Entry point of a chunk worker thread. It loads the task module named by the runner, then for
// each chunk order: a fresh Diagnostics (the builder and its dictionaries are the worker's), runs the
// task's `runChunk` over a source limited to the chunk's bytes, and posts the batches (buffers
// transferred), the chunk's diagnostics and the task's result back. Chunks run one at a time.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { Diagnostics, TraceInputError } from '../diagnostics.js';
import { EventBatchBuilder } from '../eventBatch.js';
import type { CollectorContext } from '../collector.js';
import { dictDelta, toWire, type ChunkOrder, type FromWorker, type ToWorker, type WireDiag, type WireLost, type WorkerInit } from './protocol.js';
import { rangeSource } from './rangeSource.js';

/** What a chunk task sees: a collector context over its chunk, plus the chunk and a line tag. */
export interface ChunkContext extends CollectorContext {
  readonly order: ChunkOrder;
  /**
   * Text for a line number in messages: the runner adds the lines of earlier chunks, so a task
   * writes `${name}:${lineRef(n)}` with n counted from its chunk's start (1-based).
   */
  readonly lineRef: (lineNo: number) => string;
  /**
   * Lives as long as the worker thread: a task keeps caches here that stay valid from chunk to
   * chunk (e.g. the text line memo). The builder's dictionaries, and so its codes, are per worker.
   */
  readonly perWorker: Record<string, unknown>;
}

/** The task module's export: read the chunk into ctx.builder; `lines` = lines in the chunk (text). */
export type ChunkRunner = (ctx: ChunkContext, config: unknown) => Promise<{ lines?: number; result: unknown }>;

/** Placeholder for a chunk-relative line number; runner.ts rewrites it to the absolute number. */
export const chunkLineRef = (n: number): string => `\u0000${n}\u0000`;

/** Diagnostics that remember at which output row each lost marker was recorded. */
class ChunkDiagnostics extends Diagnostics {
  readonly lostRows: number[] = [];
  builder: EventBatchBuilder | null = null;
  /** builder.rowCount when the chunk started (the builder outlives chunks). */
  rowBase = 0;
  override lostEvents(m: Parameters<Diagnostics['lostEvents']>[0]): void {
    super.lostEvents(m);
    // the "[lost]" row was just ended, or is about to be: the row before the current count
    this.lostRows.push(Math.max(0, (this.builder?.rowCount ?? 1) - 1 - this.rowBase));
  }
}

function wireDiag(d: ChunkDiagnostics): WireDiag {
  const j = d.toJSON();
  const lost: WireLost[] = d.lost.map((l, i) => ({ cpu: l.cpu, tsNs: l.tsNs === null ? null : l.tsNs.toString(), count: l.count, where: l.where, row: d.lostRows[i]! }));
  return { warnings: j.warnings, notes: j.notes, timePrecisionNs: j.timePrecisionNs, timeUnit: j.timeUnit, truncated: j.truncated, cpuStats: j.cpuStats, lost };
}

async function main(): Promise<void> {
  const port = parentPort!;
  const init = workerData as WorkerInit;
  const task = (await import(init.taskUrl)) as { runChunk: ChunkRunner };
  const post = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  const pool: ArrayBuffer[] = [];
  // one builder (and so one set of arrays and one set of dictionaries) for every chunk: the main
  // thread keeps a code map per worker (runner.ts), and caches keyed by codes stay valid
  let current: ChunkOrder | null = null;
  const sent: number[] = [];
  const perWorker: Record<string, unknown> = {};
  const builder = new EventBatchBuilder((b) => {
    // buffers the main thread has merged come back here; polled, so that they are back in the
    // pool when needed whether or not the event loop ran since
    for (let m = receiveMessageOnPort(init.freePort); m !== undefined; m = receiveMessageOnPort(init.freePort)) pool.push(m.message as ArrayBuffer);
    const batch = toWire(b, sent, pool);
    post({ type: 'batch', index: current!.index, batch }, [batch.buffer]);
  }, init.batchRows, true);
  let queue = Promise.resolve();

  const run = async (order: ChunkOrder): Promise<void> => {
    current = order;
    const diag = new ChunkDiagnostics(init.name, false);
    diag.builder = builder;
    diag.rowBase = builder.rowCount;
    try {
      const ctx: ChunkContext = { source: rangeSource(init.path, init.name, order), builder, diag, order, lineRef: chunkLineRef, perWorker, ...(init.chunkSize ? { chunkSize: init.chunkSize } : {}), ...(init.lineMemo !== undefined ? { lineMemo: init.lineMemo } : {}) };
      const { lines, result } = await task.runChunk(ctx, init.config);
      builder.flush();
      const dictAdded = dictDelta(builder.dictionaries.map((d) => (d ? d.values : [])), sent);
      post({ type: 'done', index: order.index, lines: lines ?? 0, result, dictAdded, diag: wireDiag(diag) });
    } catch (e) {
      // no cleanup: the main thread stops the whole read at this error
      const err = e as Error & { where?: string; hint?: string };
      post({ type: 'error', index: order.index, error: { name: err.name, message: err instanceof TraceInputError ? err.message : String(err?.message ?? err), where: err.where, hint: err.hint, stack: err.stack } });
    }
  };

  port.on('message', (m: ToWorker) => {
    queue = queue.then(() => run(m.order));
  });
}

void main();
