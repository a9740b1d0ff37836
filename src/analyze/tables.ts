// Growable chunked builders for the derived tables (types.ts). Chunks are allocated at CHUNK_ROWS
// rows and never copied: 10 M rows grow by appending chunks. The last chunk is trimmed (subarray)
// at finish so consumers see exact lengths.
import {
  CHUNK_ROWS, type ExitsChunk, type ExitsTable, type IoKicksChunk, type IoKicksTable, type IrqsChunk,
  type IrqsTable, type VcpuRunsChunk, type VcpuRunsTable, type AccessesChunk, type AccessesTable,
} from './types.js';

type Typed = BigInt64Array | Float64Array | Int32Array | Int16Array | Uint16Array | Uint8Array;

/** Generic chunked table: `make(n)` allocates one chunk with `length` 0. */
export class ChunkedBuilder<T extends { length: number }> {
  readonly chunks: T[] = [];
  private cur: T | null = null;
  private rows = 0;
  constructor(private readonly make: (n: number) => T) {}

  /** Chunk and row index for the next row; the caller fills the columns then calls commit(). */
  next(): T {
    if (!this.cur || this.cur.length === CHUNK_ROWS) {
      this.cur = this.make(CHUNK_ROWS);
      this.chunks.push(this.cur);
    }
    return this.cur;
  }
  commit(): void {
    this.cur!.length++;
    this.rows++;
  }
  get length(): number { return this.rows; }

  /** Trim every column of the last chunk to its length. */
  finish(): { length: number; chunks: T[] } {
    const last = this.chunks[this.chunks.length - 1];
    if (last && last.length < CHUNK_ROWS) {
      const rec = last as unknown as Record<string, unknown>;
      for (const k of Object.keys(rec)) {
        const v = rec[k];
        if (ArrayBuffer.isView(v)) rec[k] = (v as Typed).subarray(0, last.length);
      }
    }
    return { length: this.rows, chunks: this.chunks };
  }
}

export function newExitsChunk(n: number): ExitsChunk {
  return {
    length: 0, exitNs: new BigInt64Array(n), durNs: new Float64Array(n), thread: new Int32Array(n),
    cpu: new Int16Array(n), reason: new Uint16Array(n), category: new Uint8Array(n), flags: new Uint8Array(n),
    device: new Int32Array(n), detail: new Uint16Array(n),
  };
}

/**
 * An exits chunk without exitNs, cpu and detail (length-0 arrays: writes to them are dropped):
 * AnalyzeOptions.exitColumns 'stat', 20 of 32 bytes per exit.
 */
export function newStatExitsChunk(n: number): ExitsChunk {
  return {
    length: 0, exitNs: new BigInt64Array(0), durNs: new Float64Array(n), thread: new Int32Array(n),
    cpu: new Int16Array(0), reason: new Uint16Array(n), category: new Uint8Array(n), flags: new Uint8Array(n),
    device: new Int32Array(n), detail: new Uint16Array(0),
  };
}

export function newIrqsChunk(n: number): IrqsChunk {
  return {
    length: 0, raiseNs: new BigInt64Array(n), acceptDelayNs: new Float64Array(n), latencyNs: new Float64Array(n),
    source: new Uint8Array(n), delivery: new Uint8Array(n), targetState: new Uint8Array(n), target: new Int32Array(n),
    targetVcpu: new Int32Array(n), vm: new Int32Array(n), vector: new Int16Array(n), gsi: new Int32Array(n),
    raiserTid: new Int32Array(n), trigLevel: new Uint8Array(n), flags: new Uint8Array(n),
  };
}

export function newRunsChunk(n: number): VcpuRunsChunk {
  return {
    length: 0, startNs: new BigInt64Array(n), durNs: new Float64Array(n), thread: new Int32Array(n),
    cpu: new Int16Array(n), endState: new Uint16Array(n), flags: new Uint8Array(n),
  };
}

export function newKicksChunk(n: number): IoKicksChunk {
  return { length: 0, tsNs: new BigInt64Array(n), thread: new Int32Array(n), device: new Int32Array(n), inExit: new Uint8Array(n) };
}

export function newAccessesChunk(n: number): AccessesChunk {
  return {
    length: 0, tsNs: new BigInt64Array(n), durNs: new Float64Array(n), thread: new Int32Array(n),
    kind: new Uint8Array(n), device: new Int32Array(n), flags: new Uint8Array(n),
  };
}

export const emptyExits = (): ExitsTable => ({ length: 0, chunks: [] });
export const emptyIrqs = (): IrqsTable => ({ length: 0, chunks: [] });
export const emptyRuns = (): VcpuRunsTable => ({ length: 0, chunks: [] });
export const emptyKicks = (): IoKicksTable => ({ length: 0, chunks: [] });
export const emptyAccesses = (): AccessesTable => ({ length: 0, chunks: [] });
