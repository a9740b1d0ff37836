// Typed-array access to one events-table RecordBatch: values and null bitmaps per column, and
// dictionary columns read by code. Why: the analyzer touches ~10 columns of every row, and an
// arrow-js `get()` per cell (or a string per row) costs more than the analysis itself.
import type { Data, RecordBatch, Vector } from 'apache-arrow';
import { C, COLUMNS, type ColumnName } from '../../collectors/common/columns.js';

export interface ColumnView {
  /** Raw values (Int32Array for i32/dict codes, Uint32Array for u32, BigInt64Array/BigUint64Array for 64-bit, Uint8Array bitmap for bool). */
  values: ArrayLike<number> | null;
  /** 32-bit halves of 64-bit columns (little endian: [lo, hi] per row). */
  halves: Uint32Array | null;
  nullBitmap: Uint8Array | null;
  offset: number;
  /** Dictionary of a dict column (codes -> strings), null otherwise. */
  dictionary: Vector | null;
}

const EMPTY: ColumnView = { values: null, halves: null, nullBitmap: null, offset: 0, dictionary: null };

export class BatchView {
  readonly length: number;
  private readonly cols: ColumnView[];

  constructor(batch: RecordBatch) {
    this.length = batch.numRows;
    const byName = new Map<string, number>();
    batch.schema.fields.forEach((f, i) => byName.set(f.name, i));
    this.cols = COLUMNS.map((spec) => {
      const idx = byName.get(spec.name);
      if (idx === undefined) return EMPTY;
      const data = batch.data.children[idx] as Data | undefined;
      if (!data) return EMPTY;
      const values = data.values as unknown as ArrayLike<number> & ArrayBufferView;
      const is64 = spec.kind === 'i64' || spec.kind === 'u64';
      const off = data.offset;
      return {
        values: values ?? null,
        halves: is64 && values ? new Uint32Array(values.buffer, values.byteOffset, (values.byteLength >>> 2)) : null,
        // arrow-js keeps a bitmap only when nulls exist
        nullBitmap: data.nullCount > 0 ? (data.nullBitmap ?? null) : null,
        offset: off,
        dictionary: (data.dictionary as Vector | undefined) ?? null,
      };
    });
  }

  col(name: ColumnName): ColumnView { return this.cols[C[name]]!; }
  colAt(index: number): ColumnView { return this.cols[index]!; }
}

/** Whether row i of a column is set. */
export function isValid(c: ColumnView, i: number): boolean {
  if (c.values === null) return false;
  const bm = c.nullBitmap;
  if (bm === null) return true;
  const j = c.offset + i;
  return ((bm[j >> 3]! >> (j & 7)) & 1) === 1;
}

/** i32 / u32 / dict-code value, or `dflt` when null or the column is absent. */
export function num32(c: ColumnView, i: number, dflt: number): number {
  if (!isValid(c, i)) return dflt;
  return c.values![c.offset + i]!;
}

/** Bool value (1/0), or -1 when null. */
export function bool(c: ColumnView, i: number): number {
  if (!isValid(c, i)) return -1;
  const j = c.offset + i;
  return ((c.values as Uint8Array)[j >> 3]! >> (j & 7)) & 1;
}

/** Low and high 32-bit halves of a 64-bit value (call isValid first). */
export function lo64(c: ColumnView, i: number): number { return c.halves![(c.offset + i) << 1]!; }
export function hi64(c: ColumnView, i: number): number { return c.halves![((c.offset + i) << 1) + 1]!; }
/** A non-negative 64-bit value as a number (exact below 2^53: addresses, ports, MSR data). */
export function u64num(c: ColumnView, i: number): number { return hi64(c, i) * 4294967296 + lo64(c, i); }

/**
 * Per-dictionary code -> meaning tables, extended as dictionaries grow (es2scope dictionaries are
 * append-only within one input). `meaning` is called once per distinct code.
 */
export class DictMeanings<T> {
  private readonly table: T[] = [];
  private readonly strings: string[] = [];
  constructor(private readonly meaning: (s: string) => T) {}

  /** Make sure every code of `dict` has a meaning; returns the table (index = code). */
  update(dict: Vector | null): readonly T[] {
    if (!dict) return this.table;
    const n = dict.length;
    for (let k = this.table.length; k < n; k++) {
      const s = String(dict.get(k) ?? '');
      this.strings.push(s);
      this.table.push(this.meaning(s));
    }
    return this.table;
  }
  string(code: number): string { return this.strings[code] ?? ''; }
}
