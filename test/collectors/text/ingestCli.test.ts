// End to end: `es2scope ingest` on each text format writes an events .arrow that pyarrow and polars
// open, with the same rows, integer-ns times and dictionary strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, ROOT } from './textUtil.js';

function pythonHas(mods: string[]): string | null {
  const r = spawnSync('python3', ['-c', `import ${mods.join(', ')}`], { encoding: 'utf8' });
  if (r.error) return 'python3 is not installed';
  return r.status === 0 ? null : `python3 lacks ${mods.join('/')}: ${r.stderr.trim().split('\n').pop()}`;
}

const CASES = [
  ['perf-script', 'perf-script/quirks-comm.txt', 8, 'fc_vcpu 1', 1377662550600000n],
  ['perf-script', 'perf-script/sched-ns.txt', 362, 'perf', 812628297708n],
  ['trace-cmd', 'trace-cmd/quirks.txt', 7, '<...>', 3615602298000n],
  ['ftrace', 'ftrace/trace-pipe-lost.txt', 300, null, null],
] as const;

for (const [format, file, rows, firstComm, firstTs] of CASES) {
  test(`es2scope ingest ${file} -> .arrow that pyarrow and polars read (${format})`, (t) => {
    const why = pythonHas(['pyarrow', 'polars']);
    if (why) { t.skip(why); return; }
    const out = join(mkdtempSync(join(tmpdir(), 'es2scope-ingest-')), 'events.arrow');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'ingest', fixture(file), '-o', out, '--json', '-q'],
      { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    assert.equal(summary.input.format, format);
    const py = `
import json, sys, pyarrow as pa, polars as pl
t = pa.ipc.open_file(sys.argv[1]).read_all()
d = pl.read_ipc(sys.argv[1], memory_map=False)
assert t.num_rows == d.height, (t.num_rows, d.height)
assert t.schema.field('ts_ns').type == pa.int64()
print(json.dumps({'rows': t.num_rows, 'comm': t.column('comm')[0].as_py(), 'ts': str(t.column('ts_ns')[0].as_py()),
  'pl_ts': str(d['ts_ns'][0]), 'pl_event': d['event'][0], 'event': t.column('event')[0].as_py()}))
`;
    const p = spawnSync('python3', ['-c', py, out], { encoding: 'utf8' });
    assert.equal(p.status, 0, p.stderr);
    const got = JSON.parse(p.stdout);
    assert.equal(got.rows, rows);
    assert.equal(got.pl_ts, got.ts);
    assert.equal(got.pl_event, got.event);
    if (firstComm !== null) assert.equal(got.comm, firstComm);
    if (firstTs !== null) assert.equal(got.ts, firstTs.toString());
  });
}
