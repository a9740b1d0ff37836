// Contract between the per-tracepoint decoders (one file per tracepoint family in this folder)
// and the format parsers. Text formats hand over the payload text; binary formats (trace.dat,
// perf.data) hand over a FieldReader built from the `format` description embedded in the file.
// Everything es2scope knows about one tracepoint lives in its decoder, for both paths.
import type { EventBatchBuilder } from '../eventBatch.js';

/** One print-fmt table applied to a field: __print_symbolic or __print_flags, in print-fmt order. */
export interface PrintTable {
  readonly kind: 'symbolic' | 'flags';
  readonly table: ReadonlyMap<number, string>;
}

/** Typed access to the fields of one binary record, by tracefs field name. */
export interface FieldReader {
  has(field: string): boolean;
  /** Integer field (any size, signedness from the format) as a number; undefined when absent. Exact below 2^53. */
  num(field: string): number | undefined;
  /** A 64-bit (or smaller) integer field written into an i64/u64 column; false when absent. */
  set64(field: string, col: number, b: EventBatchBuilder): boolean;
  /** char[] array or __data_loc string, NUL-trimmed; undefined when absent. */
  str(field: string): string | undefined;
  /**
   * Optional fast path: the string field straight into dict column `col` (same code as
   * `b.dict(col, str(field))`); false when absent. Readers over binary records cache by bytes.
   */
  dictStr?(field: string, col: number, b: EventBatchBuilder): boolean;
  /** The __print_symbolic / __print_flags tables that the event's print fmt applies to this field. */
  printTables(field: string): readonly PrintTable[];
}

/** A field of one record format, resolved once (opaque to decoders; tepformat's FieldLayout). */
export interface FieldRef {
  readonly name: string;
}

/**
 * A binary FieldReader that also answers by pre-resolved field (binary collectors): decoders that
 * compile against it look each field up once per event format instead of by name per record.
 * Each *At method answers exactly as its by-name twin; an undefined ref means "absent".
 */
export interface CompiledFieldReader extends FieldReader {
  ref(field: string): FieldRef | undefined;
  numAt(f: FieldRef | undefined): number | undefined;
  set64At(f: FieldRef | undefined, col: number, b: EventBatchBuilder): boolean;
  dictStrAt(f: FieldRef | undefined, col: number, b: EventBatchBuilder): boolean;
}

export interface TracepointDecoder {
  /** Tracepoint name without system, e.g. "kvm_exit". */
  readonly name: string;
  /**
   * Decode the payload text in text[start, end) into the current row of `b`.
   * Returns false when the text does not match any known form (the caller counts a warning and
   * keeps the row with its header fields).
   */
  decodeText(text: string, start: number, end: number, b: EventBatchBuilder): boolean;
  /** Decode a binary record's fields into the current row of `b`. */
  decodeFields(r: FieldReader, b: EventBatchBuilder): void;
  /**
   * Optional fast path: decodeFields specialised to reader `r`'s format (fields resolved once).
   * The returned function decodes the record `r` is bound to at call time, with the same result
   * as `decodeFields(r, b)`.
   */
  compileFields?(r: CompiledFieldReader): (b: EventBatchBuilder) => void;
}
