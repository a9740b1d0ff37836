// The start-up bundle (src/cli/bundle.mjs -> dist/bundle/, run by bin/es2scope.js while fresh)
// must be the same program as the compiled dist/: same events file byte for byte, for a binary
// and a text trace, the same usage errors, and workers found at their mirror paths. Built into a
// temporary folder (ES2SCOPE_BUNDLE_OUTDIR), so dist/bundle/ of a running build is not touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const compiled = 'dist/src/cli/main.js';
const FIXTURES = ['fixtures/tracedat/sched-lost-v7-zstd.dat', 'fixtures/perfdata/sched-lost.perf.data', 'fixtures/perf-script/sched-ns.txt'];

test('the bundled CLI writes the same events files and the same usage errors as dist/', (t) => {
  if (!existsSync(compiled)) { t.skip('dist/ not built (npm run build)'); return; }
  let esbuild = true;
  try { import.meta.resolve('esbuild'); } catch { esbuild = false; }
  if (!esbuild) { t.skip('esbuild not installed: no bundle is made'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-bundle-'));
  try {
    const out = join(dir, 'bundle');
    const b = spawnSync(process.execPath, ['src/cli/bundle.mjs'], { encoding: 'utf8', env: { ...process.env, ES2SCOPE_BUNDLE_OUTDIR: out } });
    assert.equal(b.status, 0, b.stderr);
    for (const w of ['collectors/common/parallel/worker.js', 'collectors/tracedat/workerTask.js', 'collectors/perfdata/workerTask.js']) {
      assert.ok(existsSync(join(out, w)), `worker module at its mirror path: ${w}`);
    }
    const inputs = JSON.parse(readFileSync(join(out, 'inputs.json'), 'utf8')) as { files: string[] };
    assert.ok(inputs.files.includes('src/cli/main.ts') && inputs.files.includes('collectors/tracedat/read.ts'), 'inputs.json lists our sources');
    for (const fx of FIXTURES) {
      const want = join(dir, 'dist.arrow');
      const got = join(dir, 'bundle.arrow');
      const a = spawnSync(process.execPath, [compiled, 'ingest', fx, '-o', want, '--quiet'], { encoding: 'utf8' });
      const c = spawnSync(process.execPath, [join(out, 'main.js'), 'ingest', fx, '-o', got, '--quiet'], { encoding: 'utf8' });
      assert.equal(a.status, 0, a.stderr);
      assert.equal(c.status, 0, c.stderr);
      assert.ok(readFileSync(got).equals(readFileSync(want)), `${fx}: same bytes`);
    }
    const e1 = spawnSync(process.execPath, [compiled, 'ingest'], { encoding: 'utf8' });
    const e2 = spawnSync(process.execPath, [join(out, 'main.js'), 'ingest'], { encoding: 'utf8' });
    assert.equal(e2.status, e1.status);
    assert.equal(e2.stderr, e1.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
