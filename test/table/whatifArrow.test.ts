// Typed what-if columns (src/table/whatifArrow.ts) must give the Arrow data vectorFromArray gives
// for the same plain values: the quirks are arrow-js padding builder buffers (values, validity,
// bool bits) to 64 bytes, zeros under null slots, and dictionaries in first-seen order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tableFromIPC, tableToIPC, type Data } from 'apache-arrow';
import { toArrowTable, type ColumnValues } from '../../src/table/whatifArrow.js';

function columns(n: number, nullEvery: number, typed: boolean): ColumnValues[] {
  const valid = Uint8Array.from({ length: n }, (_, i) => (nullEvery > 0 && i % nullEvery === 0 ? 0 : 1));
  const i32 = Int32Array.from({ length: n }, (_, i) => (i * 7919) % 1000 - 500);
  const f64 = Float64Array.from({ length: n }, (_, i) => i / 3);
  const i64 = BigInt64Array.from({ length: n }, (_, i) => 1_600_000_000_000_000_000n + BigInt(i * 1000));
  const bool = Uint8Array.from({ length: n }, (_, i) => i % 3 === 0 ? 1 : 0);
  const dict = ['unused', 'poll', 'notify', ''];
  const codes = Int32Array.from({ length: n }, (_, i) => (valid[i] ? 1 + (i % 3) : -1));
  const v = (i: number): boolean => valid[i] === 1;
  if (!typed) {
    return [
      { name: 'i32', type: 'i32', values: Array.from(i32, (x, i) => (v(i) ? x : null)) },
      { name: 'f64', type: 'f64', values: Array.from(f64, (x, i) => (v(i) ? x : null)) },
      { name: 'i64', type: 'i64', values: Array.from(i64, (x, i) => (v(i) ? x : null)) },
      { name: 'bool', type: 'bool', values: Array.from(bool, (x, i) => (v(i) ? x === 1 : null)) },
      { name: 'utf8', type: 'utf8', values: Array.from(codes, (c) => (c >= 0 ? dict[c]! : null)) },
    ];
  }
  const opt = nullEvery > 0 ? { valid } : {};
  return [
    { name: 'i32', type: 'i32', data: i32, ...opt },
    { name: 'f64', type: 'f64', data: f64, ...opt },
    { name: 'i64', type: 'i64', data: i64, ...opt },
    { name: 'bool', type: 'bool', data: bool, ...opt },
    { name: 'utf8', type: 'utf8', codes, dict },
  ];
}

/** What the IPC writer sees of each column: type, lengths, null count, buffers (values sliced to length), dictionary. */
function shape(cols: ColumnValues[]) {
  const t = toArrowTable({ name: 't', doc: 'd', columns: cols }, new Map());
  const round = tableFromIPC(tableToIPC(t, 'file'));
  const bufs = (d: Data) => ({
    type: String(d.type), length: d.length, nullCount: d.nullCount,
    nullBitmapBytes: d.nullCount > 0 ? Array.from(d.nullBitmap!) : null,
    values: Array.from(d.values.subarray(0, String(d.type) === 'Bool' ? Math.ceil(d.length / 8) : d.length * d.stride), (x: number | bigint) => String(x)),
    dictionary: d.dictionary ? d.dictionary.toArray() : null,
  });
  return {
    built: t.schema.fields.map((f, i) => bufs(t.getChildAt(i)!.data[0]!)),
    // validity buffers as the builder pads them: compare their sizes before IPC too
    bitmapSizes: t.schema.fields.map((_, i) => t.getChildAt(i)!.data[0]!.nullBitmap?.byteLength ?? 0),
    read: round.toArray().map((r) => JSON.stringify(r.toJSON(), (_k, x) => (typeof x === 'bigint' ? String(x) : x))),
  };
}

test('typed columns with nulls: the same Arrow buffers as plain values, at bitmap-size edges (0, 1, 8, 511, 512, 513 rows)', () => {
  for (const n of [0, 1, 8, 511, 512, 513]) {
    for (const nullEvery of [0, 3, 1]) {
      assert.deepEqual(shape(columns(n, nullEvery, true)), shape(columns(n, nullEvery, false)), `n=${n} nullEvery=${nullEvery}`);
    }
  }
});

test('typed utf8 codes: dictionary in first-seen order, unused entries of the code table left out', () => {
  const t = toArrowTable({ name: 't', doc: 'd', columns: [{ name: 's', type: 'utf8', codes: Int32Array.of(2, -1, 1, 2), dict: ['x', 'b', 'a'] }] }, new Map());
  const d = t.getChildAt(0)!.data[0]!;
  assert.deepEqual(d.dictionary!.toArray(), ['a', 'b']);
  assert.deepEqual(t.getChildAt(0)!.toArray(), ['a', null, 'b', 'a']);
});
