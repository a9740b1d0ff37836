// Columnar builder for the events table. Collectors write field by field into typed arrays and the
// builder hands full batches to a sink; nothing here knows Arrow (src/table converts batches
// zero-copy). Why typed arrays: a row object per event costs more than parsing the line.
import { C, COLUMNS, type ColumnKind } from './columns.js';

export type ColumnValues = BigInt64Array | BigUint64Array | Int32Array | Uint32Array | Uint8Array;

export interface EventColumn {
  readonly kind: ColumnKind;
  /** False when no row of the batch set this column: values and valid are then all zero. */
  readonly touched: boolean;
  /** Values; for dict columns, Int32 indices into the column's dictionary. */
  readonly values: ColumnValues;
  /** One byte per row: 1 = set, 0 = null. */
  readonly valid: Uint8Array;
}

export interface EventBatch {
  readonly length: number;
  readonly columns: readonly EventColumn[];
  /** For dict columns, the whole dictionary so far (append-only across batches); [] for others. */
  readonly dictionaries: readonly (readonly string[])[];
}

export type BatchSink = (batch: EventBatch) => void;

/** "No value" for the integer arguments of rowHeader (the text parsers' NONE). */
export const ABSENT = -2147483648;

/** Column values of one row, as EventBatchBuilder.takeRow() returns them. */
export interface SetColumns {
  readonly cols: Int32Array;
  readonly lo: Int32Array;
  readonly hi: Int32Array;
}

const TWO32 = 4294967296;

/** Append-only string dictionary. Codes are stable for the life of the builder. */
export class Dictionary {
  readonly values: string[] = [];
  private readonly codes = new Map<string, number>();
  code(s: string): number {
    let c = this.codes.get(s);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(s);
      this.codes.set(s, c);
    }
    return c;
  }
}

interface Slot {
  kind: ColumnKind;
  values: ColumnValues;
  halves: Uint32Array | null; // 32-bit view of 64-bit columns
  /** Int32 view of any non-bool column (64-bit ones: two words per row): one element type for setColumns. */
  w32: Int32Array | null;
  valid: Uint8Array;
  /** Some row of this batch set the column (most columns stay null in most batches). */
  touched: boolean;
}

export class EventBatchBuilder {
  /** Index of the row being written in the current batch. */
  private row = 0;
  private slots: Slot[] = [];
  readonly dictionaries: (Dictionary | null)[];
  /** Rows handed to the sink so far (excluding the open batch). */
  rowsFlushed = 0;

  /**
   * `recycle`: the sink keeps nothing of a batch after it returns (e.g. it writes it to a file), so
   * the same arrays are zeroed and refilled. Why: a fresh ~5 MB of typed arrays per batch is
   * external memory that drives full (mark-compact) collections.
   */
  constructor(private readonly sink: BatchSink, private readonly capacity = 65536, private readonly recycle = false,
    sharedDictionaries?: (Dictionary | null)[]) {
    // shared: a scratch builder (see takeRow) whose dictionary codes are those of another builder
    this.dictionaries = sharedDictionaries ?? COLUMNS.map((c) => (c.kind === 'dict' ? new Dictionary() : null));
    this.allocate();
  }

  private allocate(): void {
    const n = this.capacity;
    const width = (k: ColumnKind): number => (k === 'i64' || k === 'u64' ? 8 : k === 'bool' ? 1 : 4);
    const pad8 = (x: number): number => (x + 7) & ~7;
    // an untouched column's arrays are still all zero and were not handed out: keep them
    const keep = COLUMNS.map((_c, col) => { const old = this.slots[col]; return old !== undefined && !old.touched; });
    // every new array is a view of one buffer: its pages are first touched (and, on a paravirtualised
    // host, faulted in at ~15-20 µs each) only where a column is written, not all ~17 MB zero-filled
    let total = 0;
    COLUMNS.forEach((c, col) => { if (!keep[col]) total += pad8(n * width(c.kind)) + pad8(n); });
    const buf = new ArrayBuffer(total);
    let at = 0;
    this.slots = COLUMNS.map((c, col) => {
      if (keep[col]) return this.slots[col]!;
      const w = width(c.kind);
      let values: ColumnValues;
      switch (c.kind) {
        case 'i64': values = new BigInt64Array(buf, at, n); break;
        case 'u64': values = new BigUint64Array(buf, at, n); break;
        case 'i32': case 'dict': values = new Int32Array(buf, at, n); break;
        case 'u32': values = new Uint32Array(buf, at, n); break;
        case 'bool': values = new Uint8Array(buf, at, n); break;
      }
      const halves = w === 8 ? new Uint32Array(buf, at, 2 * n) : null;
      const w32 = w === 1 ? null : new Int32Array(buf, at, (n * w) >> 2);
      at += pad8(n * w);
      const valid = new Uint8Array(buf, at, n);
      at += pad8(n);
      return { kind: c.kind, values, halves, w32, valid, touched: false };
    });
    this.row = 0;
  }

  /** Rows per batch (the sink gets batches of this many rows, the last one excepted). */
  get batchCapacity(): number { return this.capacity; }

  /** Rows written so far, including the open batch. */
  get rowCount(): number { return this.rowsFlushed + this.row; }

  // ---- field setters for the current row -------------------------------------------------

  i32(col: number, v: number): void {
    const s = this.slots[col]!;
    (s.values as Int32Array)[this.row] = v;
    s.valid[this.row] = 1;
    s.touched = true;
  }
  u32(col: number, v: number): void {
    const s = this.slots[col]!;
    (s.values as Uint32Array)[this.row] = v;
    s.valid[this.row] = 1;
    s.touched = true;
  }
  bool(col: number, v: boolean): void {
    const s = this.slots[col]!;
    s.values[this.row] = v ? 1 : 0;
    s.valid[this.row] = 1;
    s.touched = true;
  }
  /** A non-negative integer below 2^53 into an i64/u64 column, without BigInt. */
  num64(col: number, v: number): void {
    const s = this.slots[col]!;
    const h = s.halves!;
    const r = this.row << 1;
    if (v >= 0) {
      h[r] = v % TWO32;
      h[r + 1] = Math.floor(v / TWO32);
    } else {
      (s.values as BigInt64Array)[this.row] = BigInt(v);
    }
    s.valid[this.row] = 1;
    s.touched = true;
  }
  big64(col: number, v: bigint): void {
    const s = this.slots[col]!;
    if (s.kind === 'u64') (s.values as BigUint64Array)[this.row] = BigInt.asUintN(64, v);
    else (s.values as BigInt64Array)[this.row] = BigInt.asIntN(64, v);
    s.valid[this.row] = 1;
    s.touched = true;
  }
  /** Two 32-bit halves into an i64/u64 column (binary decoders). */
  halves64(col: number, lo: number, hi: number): void {
    const s = this.slots[col]!;
    const h = s.halves!;
    const r = this.row << 1;
    h[r] = lo;
    h[r + 1] = hi;
    s.valid[this.row] = 1;
    s.touched = true;
  }
  /**
   * Hex digits of text[start, end) (an optional 0x prefix is skipped) into a 64-bit column.
   * Returns false (and leaves the column null) on a non-hex character, no digits, or more than 64 bits.
   */
  hex64(col: number, text: string, start: number, end: number): boolean {
    if (end - start >= 2 && text.charCodeAt(start) === 48 && (text.charCodeAt(start + 1) | 32) === 120) start += 2;
    if (start >= end || end - start > 16) {
      // allow leading zeros beyond 16 digits
      while (end - start > 16 && text.charCodeAt(start) === 48) start++;
      if (start >= end || end - start > 16) return false;
    }
    let lo = 0;
    let hi = 0;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else return false;
      hi = ((hi << 4) | (lo >>> 28)) >>> 0;
      lo = ((lo << 4) | d) >>> 0;
    }
    this.halves64(col, lo, hi);
    return true;
  }
  dict(col: number, s: string): void {
    const v = this.dictionaries[col]!.code(s);
    const slot = this.slots[col]!;
    (slot.values as Int32Array)[this.row] = v;
    slot.valid[this.row] = 1;
    slot.touched = true;
  }
  /** A dictionary code obtained earlier from `dictionaries[col].code(s)` (saves the Map lookup). */
  dictCode(col: number, code: number): void {
    const slot = this.slots[col]!;
    (slot.values as Int32Array)[this.row] = code;
    slot.valid[this.row] = 1;
    slot.touched = true;
  }
  /** Whether a column was set on the current row. */
  isSet(col: number): boolean { return this.slots[col]!.valid[this.row] === 1; }
  /** Clear one column of the current row (a decoder that changed its mind). */
  unset(col: number): void {
    const s = this.slots[col]!;
    s.valid[this.row] = 0;
    if (s.halves) { s.halves[this.row << 1] = 0; s.halves[(this.row << 1) + 1] = 0; } else s.values[this.row] = 0;
  }

  /**
   * The header columns of the open row in one call (the collectors' hot paths): ts_ns as two
   * 32-bit halves, event and src_line (an integer below 2^53) always; cpu, pid, tid, vcpu and the
   * comm code unless ABSENT.
   */
  rowHeader(tsLo: number, tsHi: number, cpu: number, pid: number, tid: number, vcpu: number, comm: number, event: number, srcLine: number): void {
    const r = this.row;
    const sl = this.slots;
    let s = sl[C.ts_ns]!;
    let h = s.halves!;
    h[r << 1] = tsLo;
    h[(r << 1) + 1] = tsHi;
    s.valid[r] = 1;
    s.touched = true;
    s = sl[C.src_line]!;
    h = s.halves!;
    const srcLo = srcLine >>> 0;
    h[r << 1] = srcLo;
    h[(r << 1) + 1] = (srcLine - srcLo) / 4294967296;
    s.valid[r] = 1;
    s.touched = true;
    s = sl[C.event]!;
    s.w32![r] = event;
    s.valid[r] = 1;
    s.touched = true;
    if (cpu !== ABSENT) { s = sl[C.cpu]!; s.w32![r] = cpu; s.valid[r] = 1; s.touched = true; }
    if (pid !== ABSENT) { s = sl[C.pid]!; s.w32![r] = pid; s.valid[r] = 1; s.touched = true; }
    if (tid !== ABSENT) { s = sl[C.tid]!; s.w32![r] = tid; s.valid[r] = 1; s.touched = true; }
    if (vcpu !== ABSENT) { s = sl[C.vcpu]!; s.w32![r] = vcpu; s.valid[r] = 1; s.touched = true; }
    if (comm !== ABSENT) { s = sl[C.comm]!; s.w32![r] = comm; s.valid[r] = 1; s.touched = true; }
  }

  /**
   * The columns set on the open row as parallel lists (column, low 32 bits, high 32 bits; values
   * of 32-bit and bool columns in `lo`), then clear the row. With setColumns, this lets a text
   * reader decode a payload once into a scratch builder and replay the result on later rows with
   * the same payload text (text/rowWriter.ts).
   */
  takeRow(): SetColumns {
    const cols: number[] = [];
    const lo: number[] = [];
    const hi: number[] = [];
    const r = this.row;
    this.slots.forEach((s, col) => {
      if (s.valid[r] !== 1) return;
      cols.push(col);
      if (s.halves) { lo.push(s.halves[r << 1]! | 0); hi.push(s.halves[(r << 1) + 1]! | 0); } else { lo.push(s.values[r] as number | 0); hi.push(0); }
    });
    this.cancel();
    return { cols: Int32Array.from(cols), lo: Int32Array.from(lo), hi: Int32Array.from(hi) };
  }
  /** Set the columns of a takeRow() result on the open row (same dictionaries). */
  setColumns(c: SetColumns): void {
    const r = this.row;
    const { cols, lo, hi } = c;
    for (let k = 0; k < cols.length; k++) {
      const s = this.slots[cols[k]!]!;
      // stores through one array type: a store site that sees four typed-array kinds is slow
      const w = s.w32;
      if (w === null) s.values[r] = lo[k]!;
      else if (s.halves !== null) { w[r << 1] = lo[k]!; w[(r << 1) + 1] = hi[k]!; } else w[r] = lo[k]!;
      s.valid[r] = 1;
      s.touched = true;
    }
  }

  // ---- row lifecycle -----------------------------------------------------------------------

  /** Commit the current row. */
  end(): void {
    if (++this.row === this.capacity) this.flush();
  }
  /** Drop whatever was set on the current row. */
  cancel(): void {
    // zero the values too: an untouched column's arrays must stay all zero to be reused
    for (const s of this.slots) {
      s.valid[this.row] = 0;
      if (s.halves) { s.halves[this.row << 1] = 0; s.halves[(this.row << 1) + 1] = 0; } else s.values[this.row] = 0;
    }
  }
  /**
   * Copy rows [from, to) of a finished batch (e.g. one a worker thread built) after the rows
   * written so far, flushing at capacity as end() would. Dict values must already be codes of
   * this builder's dictionaries (see collectors/common/parallel). No row may be open.
   * Why a block copy: the batch boundaries, and so the Arrow file, stay those of a serial run.
   */
  appendRows(batch: EventBatch, from = 0, to = batch.length): void {
    while (from < to) {
      const n = Math.min(to - from, this.capacity - this.row);
      for (let col = 0; col < this.slots.length; col++) {
        const src = batch.columns[col];
        if (src === undefined || !src.touched) continue;
        const s = this.slots[col]!;
        const valid = src.valid.subarray(from, from + n);
        // a column with no value in these rows stays untouched, as it would in a serial run (null
        // rows hold zeros on both sides, so there is nothing to copy)
        if (!s.touched && valid.indexOf(1) < 0) continue;
        (s.values as Int32Array).set((src.values as Int32Array).subarray(from, from + n), this.row);
        s.valid.set(valid, this.row);
        s.touched = true;
      }
      from += n;
      this.row += n;
      if (this.row === this.capacity) this.flush();
    }
  }

  /** Hand the rows written so far to the sink (no-op when empty). */
  flush(): void {
    if (this.row === 0) return;
    const length = this.row;
    const columns = this.slots.map((s) => ({
      kind: s.kind,
      touched: s.touched,
      values: s.values.subarray(0, length) as ColumnValues,
      valid: s.valid.subarray(0, length),
    }));
    const dictionaries = this.dictionaries.map((d) => (d ? d.values : []));
    this.rowsFlushed += length;
    if (!this.recycle) {
      this.allocate();
      this.sink({ length, columns, dictionaries });
      return;
    }
    this.sink({ length, columns, dictionaries });
    // back to all zeros (null rows hold zero values, as in fresh arrays)
    for (const s of this.slots) {
      if (!s.touched) continue;
      if (s.halves) s.halves.fill(0, 0, length * 2); else (s.values as Int32Array).fill(0, 0, length);
      s.valid.fill(0, 0, length);
      s.touched = false;
    }
    this.row = 0;
  }
}
