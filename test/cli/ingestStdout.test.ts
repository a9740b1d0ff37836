// `-o -` means standard output (a lone "-" elsewhere is standard input). ingest then streams the
// events Arrow file to stdout, byte for byte the file `-o FILE` writes (zero runs written, not
// skipped as holes), and prints its summary on stderr; commands that write folders refuse it
// instead of writing into a device path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';

const ROOT = join(import.meta.dirname, '../..');
const TRACE = join(ROOT, 'fixtures/perfdata/sched-lost.perf.data');
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args],
  { cwd: ROOT, maxBuffer: 1 << 28 });

test('ingest -o - writes the Arrow file to stdout (same bytes as -o FILE) and the summary to stderr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-stdout-'));
  try {
    const file = join(dir, 'events.arrow');
    const viaFile = cli(['ingest', TRACE, '-o', file, '--quiet']);
    assert.equal(viaFile.status, 0, viaFile.stderr.toString());
    const viaStdout = cli(['ingest', TRACE, '-o', '-']);
    assert.equal(viaStdout.status, 0, viaStdout.stderr.toString());
    assert.ok(viaStdout.stdout.equals(readFileSync(file)), 'stdout carries the file\'s bytes');
    assert.ok(tableFromIPC(viaStdout.stdout).numRows > 0);
    assert.match(viaStdout.stderr.toString(), /events: \d+/, 'the summary is on stderr');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('commands that write folders refuse -o - with a clear message', () => {
  for (const command of ['report', 'analyze']) {
    const r = cli([command, TRACE, '-o', '-']);
    assert.equal(r.status, 2);
    assert.match(r.stderr.toString(), new RegExp(`${command}: "-o -" \\(standard output\\) is only for ingest`));
  }
});
