// Worker-thread side of inWorker.ts for trace.dat: the whole file read into the worker's builder.
import { openTraceSource } from '../common/source.js';
import type { ChunkContext } from '../common/parallel/worker.js';
import { tracepointDecoder } from '../common/tracepoints/index.js';
import { backPressure, type BinaryTaskConfig } from './inWorker.js';
import { readTraceDat } from './read.js';

export async function runChunk(ctx: ChunkContext, config: unknown): Promise<{ result: null }> {
  const cfg = config as BinaryTaskConfig;
  const source = await openTraceSource(cfg.path);
  try {
    await readTraceDat({
      source, builder: ctx.builder, diag: ctx.diag, progress: backPressure(ctx.builder, cfg),
      ...(cfg.tscHz !== undefined ? { tscHz: cfg.tscHz } : {}),
      ...(cfg.chunkSize !== undefined ? { chunkSize: cfg.chunkSize } : {}),
    }, tracepointDecoder);
  } finally {
    await source.dispose();
  }
  return { result: null };
}
