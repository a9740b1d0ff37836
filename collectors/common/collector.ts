// The contract every input format implements: a sniffer that says yes or why not, and a collector
// that streams the input into the shared events builder, counting what it could not read.
import type { Diagnostics } from './diagnostics.js';
import type { EventBatchBuilder } from './eventBatch.js';
import type { TraceSource } from './source.js';

export interface CollectorContext {
  readonly source: TraceSource;
  readonly builder: EventBatchBuilder;
  readonly diag: Diagnostics;
  /** Bytes consumed so far (for a progress bar); called now and then, never per line. */
  readonly progress?: (bytes: number) => void;
  /** Chunk size for streaming reads (tests use tiny and odd sizes). */
  readonly chunkSize?: number;
  /**
   * TSC (or "counter" clock) frequency in Hz, from --tsc-hz: collectors whose timestamps are raw
   * cycles convert them to ns with it (see cyclesToNs); without it they set diag.timeUnit 'cycles'.
   */
  readonly tscHz?: number;
  /**
   * Worker threads for collectors that can read a regular file on workers (text formats: parallel
   * chunks, see collectors/common/parallel; trace.dat and perf.data: one decode worker). Unset:
   * ES2SCOPE_WORKERS, else text uses the CPUs but one for large files and binary formats none;
   * 0 or 1: none.
   */
  readonly workers?: number;
  /** Chunk size (bytes) for such a parallel read; unset: chosen from the file size. */
  readonly parallelChunkBytes?: number;
  /**
   * false: text lines all go through the full line parser and payload decoders, none through the
   * line memo (collectors/common/text/lineMemo.ts). Same rows either way; for tests and A/B timing.
   */
  readonly lineMemo?: boolean;
}

export type SniffResult = { readonly ok: true } | { readonly ok: false; readonly why: string };

export interface Collector {
  /** The --format name. */
  readonly name: string;
  readonly description: string;
  /** Reads by magic bytes and random access rather than lines. */
  readonly binary: boolean;
  /** Look at the first bytes (up to 64 KiB) and say yes, or why not. */
  sniff(head: Buffer): SniffResult;
  collect(ctx: CollectorContext): Promise<void>;
  /** Shell commands that record this format on a KVM host (shown in READMEs and by `es2scope record`). */
  readonly recordRecipe: readonly string[];
}
