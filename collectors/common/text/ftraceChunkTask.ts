// Worker-thread task of a parallel ftrace / trace-cmd report read (see ../parallel): one chunk of
// lines into rows, handing on lost markers and the marker counts the main thread merges.
import type { ChunkRunner } from '../parallel/worker.js';
import { tracepointDecoder } from '../tracepoints/index.js';
import { ftraceStyleLines, newFtraceLineMemo, type FtraceStyleCounts, type FtraceStyleOptions } from './ftraceStyle.js';
import type { LineMemo } from './lineMemo.js';
import type { TextChunkResult } from './parallelText.js';
import { TextRowWriter } from './rowWriter.js';

export const runChunk: ChunkRunner = async (ctx, config) => {
  const writer = new TextRowWriter(ctx, tracepointDecoder, { lineRef: ctx.lineRef });
  // one line memo per worker: its entries, and the codes they hold, stay valid across chunks
  const memo = (ctx.perWorker.lineMemo ??= newFtraceLineMemo(ctx)) as LineMemo;
  const { lines, counts } = await ftraceStyleLines(ctx, writer, config as FtraceStyleOptions, ctx.lineRef, memo);
  const result: TextChunkResult<FtraceStyleCounts> = { end: writer.finishChunk(), summary: counts };
  return { lines, result };
};
