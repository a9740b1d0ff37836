// ingest ends the process as soon as its file is closed and its summary written (src/cli/exitAtOnce.ts),
// instead of waiting for whatever is still pending in the process: a timer left by a preloaded
// module stands in for V8's background jobs. The file and the summary must be complete anyway;
// a failing ingest keeps its exit code; other commands still wind down normally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';

const ROOT = join(import.meta.dirname, '../..');
const TRACE = join(ROOT, 'fixtures/tracedat/sched-lost-v6.dat');
const PENDING_MS = 5000;

function run(dir: string, args: string[]): { status: number | null; ms: number; stdout: string; stderr: string } {
  const pending = join(dir, 'pending.cjs');
  writeFileSync(pending, `setTimeout(() => {}, ${PENDING_MS});\n`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['-r', pending, '--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, ms: Date.now() - t0, stdout: r.stdout, stderr: r.stderr };
}

test('ingest exits once its Arrow file and summary are written, not when pending work ends', () => {
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-exit-'));
  try {
    const out = join(dir, 'events.arrow');
    const r = run(dir, ['ingest', TRACE, '-o', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.ms < PENDING_MS, `took ${r.ms} ms: it waited for the pending timer`);
    assert.match(r.stdout, /events: 2334/, 'the summary is complete');
    assert.equal(tableFromIPC(readFileSync(out)).numRows, 2334, 'the Arrow file is complete');
    const bad = run(dir, ['ingest', join(dir, 'missing.dat'), '-o', out]);
    assert.equal(bad.status, 1, 'a failed ingest keeps its exit code');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a command that does not declare its work complete winds down normally (waits for pending work)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-exit-'));
  try {
    const r = run(dir, ['stat', TRACE]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.ms >= PENDING_MS, `took ${r.ms} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
