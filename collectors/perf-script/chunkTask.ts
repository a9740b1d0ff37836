// Worker-thread task of a parallel perf script read (see ../common/parallel): one chunk of lines
// into rows, handing on lost markers and the counts the main thread sums.
import type { ChunkRunner } from '../common/parallel/worker.js';
import { TextRowWriter } from '../common/text/rowWriter.js';
import type { TextChunkResult } from '../common/text/parallelText.js';
import { tracepointDecoder } from '../common/tracepoints/index.js';
import type { LineMemo } from '../common/text/lineMemo.js';
import { newPerfLineMemo, perfScriptLines, type PerfScriptCounts } from './parse.js';

export const runChunk: ChunkRunner = async (ctx) => {
  const writer = new TextRowWriter(ctx, tracepointDecoder, { lineRef: ctx.lineRef });
  // one line memo per worker: its entries, and the codes they hold, stay valid across chunks
  const memo = (ctx.perWorker.lineMemo ??= newPerfLineMemo(ctx)) as LineMemo;
  const { lines, counts } = await perfScriptLines(ctx, writer, ctx.lineRef, ctx.order.first, memo);
  const result: TextChunkResult<PerfScriptCounts> = { end: writer.finishChunk(), summary: counts };
  return { lines, result };
};
