// What crosses the thread boundary between the main thread (runner.ts) and a chunk worker
// (worker.ts): chunk orders, event batches (typed-array buffers transferred, not copied),
// dictionary additions, diagnostics and the task's own result. Everything here is plain data
// that survives structured cloning.
import type { MessagePort } from 'node:worker_threads';
import type { ColumnKind } from '../columns.js';
import type { Diagnostics, WarningExample } from '../diagnostics.js';
import { COLUMNS } from '../columns.js';
import type { EventBatch, EventColumn } from '../eventBatch.js';

/** A byte range [start, end) of the input file. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** One unit of work: the index gives the order in which results are merged. */
export interface ChunkOrder extends ByteRange {
  readonly index: number;
  readonly first: boolean;
  readonly last: boolean;
}

export interface WorkerInit {
  /** URL of the task module; it exports `runChunk` (see ChunkRunner in worker.ts). */
  readonly taskUrl: string;
  readonly path: string;
  /** Name used in messages (the path as the user gave it). */
  readonly name: string;
  readonly config: unknown;
  readonly batchRows: number;
  /** Where the main thread returns merged batch buffers (polled synchronously by the worker). */
  readonly freePort: MessagePort;
  /** Read size handed to the task's CollectorContext (tests use tiny ones). */
  readonly chunkSize?: number;
  /** CollectorContext.lineMemo of the read, for the task's context (false: no line memo). */
  readonly lineMemo?: boolean;
}

export interface WireColumn {
  readonly col: number;
  /** Byte offsets of the column's values and validity bytes in WireBatch.buffer. */
  readonly valuesOffset: number;
  readonly validOffset: number;
}

/**
 * Touched columns only, packed into one buffer; `dictAdded[col]` = dictionary values new since
 * the chunk's previous batch. The buffer goes back to the worker once merged (a pool), so the
 * steady state allocates no typed arrays on either side.
 */
export interface WireBatch {
  readonly length: number;
  readonly buffer: ArrayBuffer;
  readonly columns: WireColumn[];
  readonly dictAdded: (string[] | null)[];
}

export interface WireLost {
  readonly cpu: number | null;
  readonly tsNs: string | null;
  readonly count: number | null;
  readonly where: string;
  /** Row of the chunk's own output at which the marker's "[lost]" row was written. */
  readonly row: number;
}

export interface WireDiag {
  readonly warnings: { kind: string; count: number; examples: WarningExample[] }[];
  readonly notes: string[];
  readonly timePrecisionNs: number;
  readonly timeUnit: Diagnostics['timeUnit'];
  readonly truncated: boolean;
  readonly cpuStats: Diagnostics['cpuStats'];
  readonly lost: WireLost[];
}

export type ToWorker = { readonly type: 'chunk'; readonly order: ChunkOrder };

export type FromWorker =
  | { readonly type: 'batch'; readonly index: number; readonly batch: WireBatch }
  | { readonly type: 'done'; readonly index: number; readonly lines: number; readonly result: unknown; readonly dictAdded: (string[] | null)[]; readonly diag: WireDiag }
  | { readonly type: 'error'; readonly index: number; readonly error: { name: string; message: string; where?: string; hint?: string; stack?: string } };

const align8 = (n: number): number => (n + 7) & ~7;

/**
 * Pack a batch's touched columns into one buffer for postMessage (taken from `pool` when one is
 * big enough); the caller transfers `wire.buffer`.
 */
export function toWire(batch: EventBatch, dictSent: number[], pool: ArrayBuffer[]): WireBatch {
  const n = batch.length;
  let bytes = 0;
  for (const c of batch.columns) if (c.touched) bytes += align8(n * c.values.BYTES_PER_ELEMENT) + align8(n);
  let buffer: ArrayBuffer | undefined;
  while (pool.length > 0 && buffer === undefined) {
    const b = pool.pop()!;
    if (b.byteLength >= bytes) buffer = b;
  }
  // some slack: the set of touched columns varies a little from batch to batch
  buffer ??= new ArrayBuffer(align8(bytes + (bytes >> 3)));
  const out = new Uint8Array(buffer);
  const columns: WireColumn[] = [];
  let at = 0;
  batch.columns.forEach((c, col) => {
    if (!c.touched) return;
    const vb = n * c.values.BYTES_PER_ELEMENT;
    out.set(new Uint8Array(c.values.buffer, c.values.byteOffset, vb), at);
    const valuesOffset = at;
    at += align8(vb);
    out.set(c.valid.subarray(0, n), at);
    columns.push({ col, valuesOffset, validOffset: at });
    at += align8(n);
  });
  return { length: n, buffer, columns, dictAdded: dictDelta(batch.dictionaries, dictSent) };
}

/** Dictionary values added since `sent` (updated in place). */
export function dictDelta(dicts: readonly (readonly string[])[], sent: number[]): (string[] | null)[] {
  return dicts.map((d, col) => {
    const from = sent[col] ?? 0;
    if (d.length <= from) return null;
    sent[col] = d.length;
    return d.slice(from);
  });
}

function view(kind: ColumnKind, buf: ArrayBuffer, offset: number, length: number): EventColumn['values'] {
  switch (kind) {
    case 'i64': return new BigInt64Array(buf, offset, length);
    case 'u64': return new BigUint64Array(buf, offset, length);
    case 'i32': case 'dict': return new Int32Array(buf, offset, length);
    case 'u32': return new Uint32Array(buf, offset, length);
    case 'bool': return new Uint8Array(buf, offset, length);
  }
}

const EMPTY: EventColumn = { kind: 'i32', touched: false, values: new Int32Array(0), valid: new Uint8Array(0) };

/** Decode a wire batch (dictionaries left empty: codes are remapped by the runner). */
export function fromWire(w: WireBatch): EventBatch {
  const columns: EventColumn[] = COLUMNS.map(() => EMPTY);
  for (const c of w.columns) {
    const kind = COLUMNS[c.col]!.kind;
    columns[c.col] = { kind, touched: true, values: view(kind, w.buffer, c.valuesOffset, w.length), valid: new Uint8Array(w.buffer, c.validOffset, w.length) };
  }
  return { length: w.length, columns, dictionaries: COLUMNS.map(() => []) };
}
