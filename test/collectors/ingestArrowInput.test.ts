// `es2scope ingest` of a file that is already an events .arrow: a clear message with a hint, exit 1,
// nothing written (it was "internal error: Cannot read properties of null").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, ROOT } from '../helpers/cli.js';

test('ingest of an events .arrow says it is one already, no internal error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-ingest-arrow-'));
  try {
    const first = join(dir, 'a.events.arrow');
    const r1 = await runCli(['ingest', join(ROOT, 'fixtures/ftrace/trace.txt'), '-o', first, '-q']);
    assert.equal(r1.code, 0, r1.stderr);
    const second = join(dir, 'b.events.arrow');
    const r2 = await runCli(['ingest', first, '-o', second]);
    assert.equal(r2.code, 1, r2.stderr);
    assert.match(r2.stderr, /already an events Arrow file/);
    assert.match(r2.stderr, /hint: pass it directly to stat\/report\/whatif/);
    assert.doesNotMatch(r2.stderr, /internal error/);
    assert.ok(!existsSync(second));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ingest --tsc-hz converts an x86-tsc trace.dat: the summary JSON says timeUnit ns and names the frequency', async (t) => {
  const apicv = join(ROOT, '../shared/traces/hip24/apicv-6.5-trace.dat');
  if (!existsSync(apicv)) return t.skip(`shared trace missing: ${apicv}`);
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-ingest-tsc-'));
  try {
    const r = await runCli(['ingest', apicv, '-o', join(dir, 'a.arrow'), '--json', '--tsc-hz', '2400000000']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { diagnostics: { timeUnit: string; notes: string[] } };
    assert.equal(j.diagnostics.timeUnit, 'ns');
    assert.ok(j.diagnostics.notes.some((n) => n.includes('--tsc-hz 2400000000')));
    const bad = await runCli(['ingest', apicv, '-o', join(dir, 'b.arrow'), '--tsc-hz', '2.5']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--tsc-hz 2\.5 is not a whole/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
