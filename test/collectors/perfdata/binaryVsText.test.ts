// The binary reader against perf's own decoding: `perf script --ns -F comm,pid,tid,cpu,time,event,trace`
// of the same recording (fixtures/perfdata/*.perf-script.txt.gz, read by the perf-script text
// collector) must give the same rows in the same order, to the nanosecond, for a regular file, a
// zstd-compressed one (-z), a pipe-mode one and one with lost events. src_line differs by design
// (byte offset vs line number); "[lost]" rows exist only on the binary side (perf script hides them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { perfDataCollector } from '../../../collectors/perfdata/index.js';
import { perfScript } from '../../../collectors/perf-script/index.js';
import { collectRows, type Row } from '../../helpers/collect.js';

const FIX = join(import.meta.dirname, '../../../fixtures/perfdata');

function comparable(rows: Row[]): Row[] {
  return rows.filter((r) => r.event !== '[lost]').map(({ src_line: _src, ...rest }) => rest);
}

for (const [name, quirk] of [
  ['sched-file', 'regular file: attrs section, EVENT_DESC and TRACING_DATA features, FINISHED_ROUND reordering'],
  ['sched-zstd', 'perf record -z: COMPRESSED records holding one zstd stream'],
  ['sched-pipe', 'pipe mode: HEADER_ATTR / HEADER_TRACING_DATA / HEADER_FEATURE records instead of sections'],
  ['sched-lost', 'lost events and records older than the last flush (1-page buffers)'],
] as const) {
  test(`${name}: binary rows equal perf script --ns rows (${quirk})`, async (t) => {
    const bin = join(FIX, `${name}.perf.data`);
    const txt = join(FIX, `${name}.perf-script.txt.gz`);
    if (!existsSync(bin) || !existsSync(txt)) { t.skip(`fixture ${name} missing`); return; }
    const a = comparable(await collectRows(perfDataCollector, bin));
    const b = comparable(await collectRows(perfScript, txt));
    assert.ok(b.length > 100, `text side read ${b.length} rows`);
    assert.equal(a.length, b.length, 'row count');
    for (let i = 0; i < a.length; i++) assert.deepEqual(a[i], b[i], `row ${i}`);
    // the comm column comes from COMM/FORK records on the binary side: it must not be all placeholders
    assert.ok(a.filter((r) => typeof r.comm === 'string' && r.comm.startsWith(':')).length < a.length / 10);
  });
}
