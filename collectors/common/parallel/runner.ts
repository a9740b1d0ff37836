// Main-thread side of the chunk worker pool. Hands chunks to workers (at most `ahead` chunks
// beyond the one being merged, which bounds memory), and merges their output strictly in chunk
// order: dictionary codes remapped to the main builder's dictionaries (values are assigned codes
// in chunk order, so the dictionaries come out as a serial run makes them), src_line shifted by
// the lines of earlier chunks, diagnostics merged with their line numbers fixed the same way.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { C, COLUMNS } from '../columns.js';
import type { CollectorContext } from '../collector.js';
import { TraceInputError } from '../diagnostics.js';
import type { EventBatch } from '../eventBatch.js';
import { fromWire, type ByteRange, type ChunkOrder, type FromWorker, type WireDiag, type WireLost, type WorkerInit } from './protocol.js';

export interface ChunkDone<R> {
  readonly index: number;
  readonly range: ByteRange;
  /** Lines of the chunks before this one (0 unless srcLine is 'lines'). */
  readonly lineBase: number;
  readonly lines: number;
  readonly result: R;
  /** The chunk's lost markers (where fixed), with the chunk-relative row of their "[lost]" row. */
  readonly lost: readonly (WireLost & { tsNs: string | null })[];
}

export interface ParallelRun<R> {
  readonly ctx: CollectorContext;
  /** Regular file to read (workers open it themselves). */
  readonly path: string;
  readonly ranges: readonly ByteRange[];
  /** URL of the task module (exports `runChunk`, see worker.ts); use siblingModule(). */
  readonly taskUrl: string;
  /** Structured-cloneable options for the task. */
  readonly config?: unknown;
  readonly workers: number;
  /** Chunks handed out beyond the one being merged (default 2 per worker). */
  readonly ahead?: number;
  /**
   * 'lines': src_line and "\0n\0" line tags are chunk-relative line numbers, shifted by the lines
   * of earlier chunks (text). 'as-is': the task writes absolute values (binary byte offsets).
   */
  readonly srcLine: 'lines' | 'as-is';
  /** Rows per worker batch (default 65536). */
  readonly batchRows?: number;
  /** Each batch in order, codes already remapped; default appends it to ctx.builder. */
  onBatch?(batch: EventBatch, chunk: number): void;
  /** After the last batch of a chunk. Lost markers are NOT added to ctx.diag: do it here. */
  onChunkDone(done: ChunkDone<R>): void;
}

/** URL of a module next to `metaUrl` (`import.meta.url`), as .ts under tsx and .js when compiled. */
export function siblingModule(metaUrl: string, baseName: string): string {
  const ext = metaUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${baseName}${ext}`, metaUrl).href;
}

/**
 * A worker running worker.ts/.js. Why the bootstrap for .ts: under tsx (tests, `npx tsx`) the
 * loader hooks of the main thread do not reach worker threads, so the worker registers tsx itself.
 */
function newWorker(url: URL, init: WorkerInit): Worker {
  const transferList = [init.freePort];
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: init, transferList });
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { eval: true, workerData: init, transferList });
}

const TAG = /\u0000(\d+)\u0000/g;

interface Pending {
  readonly worker: number;
  readonly batches: EventBatch[];
  readonly buffers: ArrayBuffer[];
  readonly dictAdds: (string[] | null)[][];
  done: Extract<FromWorker, { type: 'done' }> | null;
  error: Extract<FromWorker, { type: 'error' }>['error'] | null;
}

/** Run the chunks through a pool of worker threads; resolves after the last chunk is merged. */
export async function runParallel<R>(run: ParallelRun<R>): Promise<void> {
  const { ctx, ranges } = run;
  const builder = ctx.builder;
  const nWorkers = Math.max(1, Math.min(run.workers, ranges.length));
  const ahead = run.ahead ?? nWorkers * 2;
  const init: Omit<WorkerInit, 'freePort'> = { taskUrl: run.taskUrl, path: run.path, name: ctx.source.name, config: run.config ?? null, batchRows: run.batchRows ?? 65536, ...(ctx.chunkSize ? { chunkSize: ctx.chunkSize } : {}), ...(ctx.lineMemo !== undefined ? { lineMemo: ctx.lineMemo } : {}) };
  const workerUrl = new URL(siblingModule(import.meta.url, 'worker'));
  const workers: Worker[] = [];
  const freePorts: MessagePort[] = [];
  const outstanding: number[] = [];
  const pending = new Map<number, Pending>();
  let nextOrder = 0;
  let nextMerge = 0;
  let lineBase = 0;
  // per worker: its dictionary code -> main code, per dict column (a worker keeps its dictionaries
  // from chunk to chunk; deltas arrive with its batches, which are merged in the worker's order)
  const codeMaps: number[][][] = [];

  const fix = (s: string): string => s.replace(TAG, (_m, n: string) => String(lineBase + Number(n)));

  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      for (const w of workers) void w.terminate();
      for (const p of freePorts) p.close();
      reject(e);
    };

    const dispatch = (): void => {
      while (nextOrder < ranges.length && nextOrder - nextMerge < ahead) {
        let w = 0;
        for (let i = 1; i < workers.length; i++) if (outstanding[i]! < outstanding[w]!) w = i;
        const r = ranges[nextOrder]!;
        const order: ChunkOrder = { index: nextOrder, start: r.start, end: r.end, first: nextOrder === 0, last: nextOrder === ranges.length - 1 };
        outstanding[w]!++;
        pending.set(nextOrder, { worker: w, batches: [], buffers: [], dictAdds: [], done: null, error: null });
        workers[w]!.postMessage({ type: 'chunk', order });
        nextOrder++;
      }
    };

    const addDict = (added: (string[] | null)[], worker: number): void => {
      const maps = codeMaps[worker]!;
      added.forEach((vals, col) => {
        if (!vals) return;
        const d = builder.dictionaries[col]!;
        const map = (maps[col] ??= []);
        for (const v of vals) map.push(d.code(v));
      });
    };

    const merge = (b: EventBatch, added: (string[] | null)[], worker: number): void => {
      addDict(added, worker);
      const maps = codeMaps[worker]!;
      const n = b.length;
      for (let col = 0; col < COLUMNS.length; col++) {
        const c = b.columns[col]!;
        if (!c.touched || COLUMNS[col]!.kind !== 'dict') continue;
        const map = maps[col] ?? [];
        const v = c.values as Int32Array;
        const valid = c.valid;
        // null rows keep value 0, as in a serial run
        for (let i = 0; i < n; i++) if (valid[i] === 1) v[i] = map[v[i]!]!;
      }
      if (run.srcLine === 'lines' && lineBase > 0) {
        const sl = b.columns[C.src_line]!;
        const h = new Uint32Array(sl.values.buffer, sl.values.byteOffset, n * 2);
        for (let i = 0; i < n; i++) {
          const lo = h[2 * i]! + lineBase;
          h[2 * i] = lo >>> 0;
          h[2 * i + 1] = h[2 * i + 1]! + Math.floor(lo / 4294967296);
        }
      }
      if (run.onBatch) run.onBatch(b, nextMerge); else builder.appendRows(b);
    };

    const mergeDiag = (d: WireDiag): void => {
      const diag = ctx.diag;
      for (const w of d.warnings) {
        diag.warnMany(w.kind, w.count, w.examples.map((ex) => ({ ...ex, where: fix(ex.where), message: fix(ex.message) })));
      }
      for (const n of d.notes) diag.note(fix(n));
      diag.precision(d.timePrecisionNs);
      if (d.timeUnit !== 'ns') diag.timeUnit = d.timeUnit;
      if (d.truncated) diag.truncated = true;
      diag.cpuStats.push(...d.cpuStats);
    };

    /** Merge whatever is ready, in order. */
    const drain = (): void => {
      for (;;) {
        const p = pending.get(nextMerge);
        if (!p) return;
        while (p.batches.length > 0) {
          merge(p.batches.shift()!, p.dictAdds.shift()!, p.worker);
          // the rows were copied: the buffer goes back to the worker's pool
          const buffer = p.buffers.shift()!;
          freePorts[p.worker]!.postMessage(buffer, [buffer]);
        }
        if (p.error) {
          const e = p.error;
          const err = e.name === 'TraceInputError' ? new TraceInputError('') : new Error('');
          err.message = fix(e.message);
          if (e.where !== undefined) Object.defineProperty(err, 'where', { value: fix(e.where) });
          if (e.hint !== undefined) Object.defineProperty(err, 'hint', { value: e.hint });
          if (e.name !== 'TraceInputError' && e.stack) err.stack = `${err.message}\n  (in a chunk worker) ${e.stack}`;
          throw err;
        }
        if (!p.done) return;
        const done = p.done;
        addDict(done.dictAdded, p.worker);
        mergeDiag(done.diag);
        const lost = done.diag.lost.map((l) => ({ ...l, where: fix(l.where) }));
        run.onChunkDone({ index: nextMerge, range: ranges[nextMerge]!, lineBase, lines: done.lines, result: done.result as R, lost });
        ctx.progress?.(ranges[nextMerge]!.end);
        if (run.srcLine === 'lines') lineBase += done.lines;
        pending.delete(nextMerge);
        nextMerge++;
        if (nextMerge === ranges.length) {
          for (const w of workers) void w.terminate();
          for (const p of freePorts) p.close();
          resolve();
          return;
        }
        dispatch();
      }
    };

    const onMessage = (wi: number) => (m: FromWorker): void => {
      if (failed) return;
      try {
        const p = pending.get(m.index)!;
        if (m.type === 'batch') {
          p.batches.push(fromWire(m.batch));
          p.buffers.push(m.batch.buffer);
          p.dictAdds.push(m.batch.dictAdded);
        } else if (m.type === 'done') {
          p.done = m;
          outstanding[wi]!--;
        } else {
          p.error = m.error;
          outstanding[wi]!--;
        }
        if (m.index === nextMerge) drain();
      } catch (e) {
        fail(e);
      }
    };

    for (let i = 0; i < nWorkers; i++) {
      const { port1, port2 } = new MessageChannel();
      const w = newWorker(workerUrl, { ...init, freePort: port1 });
      freePorts.push(port2);
      w.on('message', onMessage(i));
      w.on('error', (e) => fail(e));
      w.on('exit', (code) => { if (code !== 0 && nextMerge < ranges.length) fail(new Error(`chunk worker exited with code ${code}`)); });
      workers.push(w);
      outstanding.push(0);
      codeMaps.push([]);
    }
    dispatch();
  });
}
