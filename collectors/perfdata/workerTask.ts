// Worker-thread side of ../tracedat/inWorker.ts for perf.data: the whole file read into the
// worker's builder.
import { openTraceSource } from '../common/source.js';
import type { ChunkContext } from '../common/parallel/worker.js';
import { backPressure, type BinaryTaskConfig } from '../tracedat/inWorker.js';
import { PerfDataReader } from './reader.js';

export async function runChunk(ctx: ChunkContext, config: unknown): Promise<{ result: null }> {
  const cfg = config as BinaryTaskConfig;
  const source = await openTraceSource(cfg.path);
  try {
    await new PerfDataReader({
      source, builder: ctx.builder, diag: ctx.diag, progress: backPressure(ctx.builder, cfg),
      ...(cfg.tscHz !== undefined ? { tscHz: cfg.tscHz } : {}),
      ...(cfg.chunkSize !== undefined ? { chunkSize: cfg.chunkSize } : {}),
    }).run();
  } finally {
    await source.dispose();
  }
  return { result: null };
}
