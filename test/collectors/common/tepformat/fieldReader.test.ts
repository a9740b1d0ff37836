// RecordFieldReader.dictStr: string fields straight into dict columns through a cache keyed by the
// field's bytes. It must give exactly the codes of b.dict(col, r.str(field)), row for row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { C } from '../../../../collectors/common/columns.js';
import { EventBatchBuilder, type EventBatch } from '../../../../collectors/common/eventBatch.js';
import { makeFieldReader, parseEventFormat } from '../../../../collectors/common/tepformat/index.js';

const FORMAT = [
  'name: sched_switch', 'ID: 316', 'format:',
  '\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:1;',
  '\tfield:char next_comm[16];\toffset:24;\tsize:16;\tsigned:1;',
  '\tfield:__data_loc char[] name;\toffset:40;\tsize:4;\tsigned:1;',
  '', 'print fmt: "%s %s", REC->prev_comm, REC->next_comm',
].join('\n');

/** One record per [prev, next, long name]. */
function records(rows: [string, string, string][]): Buffer[] {
  return rows.map(([p, n, name]) => {
    const rec = Buffer.alloc(48 + name.length + 1);
    rec.write(`${p}\0`, 8, 'latin1');
    rec.write(`${n}\0`, 24, 'latin1');
    rec.write(`${name}\0`, 48, 'latin1');
    rec.writeUInt32LE(((name.length + 1) << 16) | 48, 40);
    return rec;
  });
}

function build(recs: Buffer[], fast: boolean): { codes: number[][]; dicts: string[][] } {
  let out: EventBatch | null = null;
  const b = new EventBatchBuilder((batch) => { out = batch; });
  const r = makeFieldReader(parseEventFormat(FORMAT));
  for (const rec of recs) {
    r.bind(rec, 0, rec.length);
    for (const [field, col] of [['prev_comm', C.prev_comm], ['next_comm', C.next_comm], ['name', C.comm]] as const) {
      if (fast) assert.equal(r.dictStr(field, col, b), true);
      else b.dict(col, r.str(field)!);
    }
    b.end();
  }
  b.flush();
  const batch = out as unknown as EventBatch;
  const cols = [C.prev_comm, C.next_comm, C.comm];
  return { codes: cols.map((c) => Array.from(batch.columns[c]!.values as Int32Array)), dicts: cols.map((c) => [...batch.dictionaries[c]!]) };
}

test('same comm in prev_comm and next_comm: each column gets its own dictionary code, as with str()', () => {
  const long = 'a-data-loc-string-longer-than-32-bytes-is-decoded-every-time';
  const recs = records([
    ['qemu-system-x86', 'swapper/1', long], ['swapper/1', 'qemu-system-x86', 'x'], ['CPU 0/KVM', 'CPU 0/KVM', long],
    ['swapper/1', 'kworker/1:2', 'x'], ['qemu-system-x86', 'swapper/1', 'y'],
  ]);
  const want = build(recs, false);
  const got = build(recs, true);
  assert.deepEqual(got, want);
  assert.deepEqual(got.dicts[1], ['swapper/1', 'qemu-system-x86', 'CPU 0/KVM', 'kworker/1:2']);
});

test('a record rewritten in place (same buffer, new bytes) is not answered from the byte cache', () => {
  const f = parseEventFormat(FORMAT);
  const r = makeFieldReader(f);
  const b = new EventBatchBuilder(() => {});
  const rec = records([['bash', 'perf', 'n']])[0]!;
  r.bind(rec, 0, rec.length);
  r.dictStr('prev_comm', C.prev_comm, b);
  rec.write('bask\0', 8, 'latin1');
  r.dictStr('prev_comm', C.prev_comm, b);
  assert.deepEqual(b.dictionaries[C.prev_comm]!.values, ['bash', 'bask']);
  // an absent field (locator past the record end) sets nothing
  rec.writeUInt32LE((8 << 16) | 60, 40);
  assert.equal(r.dictStr('name', C.comm, b), false);
});
