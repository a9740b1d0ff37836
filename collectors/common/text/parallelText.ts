// Parallel read of a large text trace: when to do it, and the text-specific part of merging
// the chunks (the generic pool is ../parallel). What text adds: a lost marker ("CPU:3 [LOST n
// EVENTS]") becomes a "[lost]" row at the time of the next event on its CPU, and that event may
// be in a later chunk. A chunk worker hands such markers on (TextRowWriter.finishChunk); here they
// are written just before the first row of a later chunk on their CPU, as a serial run would.
import { availableParallelism, loadavg } from 'node:os';
import { C, LOST_EVENT } from '../columns.js';
import type { CollectorContext } from '../collector.js';
import type { LostMarker } from '../diagnostics.js';
import type { EventBatch } from '../eventBatch.js';
import { envWorkers } from '../parallel/envWorkers.js';
import type { ByteRange } from '../parallel/protocol.js';
import { lineAlignedRanges } from '../parallel/ranges.js';
import { runParallel, type ChunkDone } from '../parallel/runner.js';
import type { ChunkEnd, PendingLost } from './rowWriter.js';

/** Below this a serial read is about as fast as starting workers. */
const MIN_PARALLEL_BYTES = 8 << 20;
const MAX_CHUNK_BYTES = 8 << 20;
const MIN_CHUNK_BYTES = 1 << 20;

export interface TextParallelPlan {
  readonly workers: number;
  readonly ranges: ByteRange[];
}

/**
 * Whether to read this input in parallel chunks: a regular file (not stdin, not gzip) of at least
 * 8 MiB, more than one worker available (ctx.workers, else ES2SCOPE_WORKERS, else the CPUs when
 * the 1-minute load average leaves one idle; at least 3, since the main thread keeps one), and not
 * --strict (which must stop at the first bad line).
 */
export function textParallelPlan(ctx: CollectorContext): TextParallelPlan | null {
  const size = ctx.source.size;
  const forced = ctx.parallelChunkBytes !== undefined;
  if (size === null || size === 0 || ctx.diag.strict) return null;
  if (!forced && size < MIN_PARALLEL_BYTES) return null;
  const asked = ctx.workers ?? envWorkers();
  const cpus = availableParallelism();
  // Unasked, go parallel only when CPUs are idle: on a saturated machine the extra threads only
  // add work (measured on the shared 2-core build VM at load 15-20: 1.5x the CPU time, 2-4x the
  // wall time of a serial read). The output is the same either way.
  if (asked === undefined && loadavg()[0]! >= cpus - 0.5) return null;
  // Unasked, one CPU is left to the main thread, which merges the workers' rows and writes the
  // Arrow file: on the 2-core build VM two workers beside it were slower than a serial read
  // (perf script 5.26 M events: 3.5-4.1 s against 2.1-2.7 s wall, 1.7x the CPU time).
  const workers = Math.min(8, asked ?? cpus - 1);
  if (workers < 2) return null;
  const chunkBytes = ctx.parallelChunkBytes
    ?? Math.max(MIN_CHUNK_BYTES, Math.min(MAX_CHUNK_BYTES, Math.ceil(size / (workers * 4))));
  const ranges = lineAlignedRanges(ctx.source.name, size, chunkBytes);
  return ranges.length < 2 ? null : { workers, ranges };
}

/** What a text chunk task returns: the writer's hand-over state and the format's own counts. */
export interface TextChunkResult<S> {
  readonly end: ChunkEnd;
  readonly summary: S;
}

/**
 * Run a text task over the plan's chunks and merge: rows in order, carried lost markers placed,
 * the format's summaries handed to `onSummary` in chunk order (with the chunk's line base).
 */
export async function runTextParallel<S>(ctx: CollectorContext, plan: TextParallelPlan, taskUrl: string, config: unknown,
  onSummary: (summary: S, done: ChunkDone<TextChunkResult<S>>) => void): Promise<void> {
  const b = ctx.builder;
  const name = ctx.source.name;
  let carried: PendingLost[] = [];
  let lastTs: bigint | null = null;
  let rowInChunk = 0;
  let placed: { key: number; marker: LostMarker }[] = [];

  // as TextRowWriter.writeLost does it
  const writeLost = (p: PendingLost, tsNs: bigint): LostMarker => {
    b.big64(C.ts_ns, tsNs);
    b.i32(C.cpu, p.cpu);
    if (p.count !== null) b.i32(C.count, p.count);
    b.dict(C.event, LOST_EVENT);
    b.num64(C.src_line, p.lineNo);
    b.end();
    return { cpu: p.cpu, tsNs, count: p.count, where: `${name}:${p.lineNo}` };
  };

  const onBatch = (batch: EventBatch): void => {
    const n = batch.length;
    const cpuCol = batch.columns[C.cpu]!;
    let from = 0;
    while (carried.length > 0 && cpuCol.touched) {
      const cpus = new Set(carried.map((p) => p.cpu));
      const cpu = cpuCol.values as Int32Array;
      let i = from;
      while (i < n && !(cpuCol.valid[i] === 1 && cpus.has(cpu[i]!))) i++;
      if (i === n) break;
      b.appendRows(batch, from, i);
      const ts = (batch.columns[C.ts_ns]!.values as BigInt64Array)[i]!;
      const c = cpu[i]!;
      for (const p of carried) if (p.cpu === c) placed.push({ key: rowInChunk + i - 0.5, marker: writeLost(p, ts) });
      carried = carried.filter((p) => p.cpu !== c);
      from = i;
    }
    b.appendRows(batch, from, n);
    rowInChunk += n;
  };

  const onChunkDone = (done: ChunkDone<TextChunkResult<S>>): void => {
    // lost markers in the order a serial run records them: by output row
    const all = [...placed, ...done.lost.map((l) => ({ key: l.row, marker: { cpu: l.cpu, tsNs: l.tsNs === null ? null : BigInt(l.tsNs), count: l.count, where: l.where } }))];
    all.sort((x, y) => x.key - y.key);
    for (const x of all) ctx.diag.lostEvents(x.marker);
    placed = [];
    rowInChunk = 0;
    const { end, summary } = done.result;
    for (const p of end.pending) carried.push({ ...p, lineNo: p.lineNo + done.lineBase });
    if (end.lastTsNs !== null) lastTs = BigInt(end.lastTsNs);
    onSummary(summary, done);
  };

  // three chunks ahead per worker: one merged chunk at a time means a worker that finished early
  // waits for the slowest one; with one ahead, workers sat idle a quarter of the run (2 workers,
  // 5.26 M events). The bound keeps the batches held, and so RSS, small (~3 MB per 8 MiB chunk).
  await runParallel<TextChunkResult<S>>({ ctx, path: name, ranges: plan.ranges, taskUrl, config, workers: plan.workers, ahead: plan.workers * 4, srcLine: 'lines', onBatch, onChunkDone });
  // as TextRowWriter.finish: markers with no later event on their CPU get the last time seen
  for (const p of carried) ctx.diag.lostEvents(writeLost(p, lastTs ?? 0n));
  b.flush();
}
