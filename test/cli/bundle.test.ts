// The start-up bundle (src/cli/bundle.mjs -> dist/bundle/, run by bin/es2scope.js while fresh)
// must be the same program as the compiled dist/: same events file byte for byte, for a binary
// and a text trace, the same usage errors, and workers found at their mirror paths; so must the
// per-command start-up scripts with their V8 code cache (startup-<command>.cjs/.cache), and bin
// must fall back from them (no cache, a corrupt cache, no script, a stale bundle). Built into a
// temporary folder (ES2SCOPE_BUNDLE_OUTDIR), so dist/bundle/ of a running build is not touched.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const compiled = 'dist/src/cli/main.js';
const FIXTURES = ['fixtures/tracedat/sched-lost-v7-zstd.dat', 'fixtures/perfdata/sched-lost.perf.data', 'fixtures/perf-script/sched-ns.txt'];

// One bundle for both tests (a build is an ES module bundle, four start-up scripts and their
// warm-up runs), and each trace ingested once by dist/ as the reference.
const shared = mkdtempSync(join(tmpdir(), 'es2scope-bundle-'));
after(() => rmSync(shared, { recursive: true, force: true }));
type BundleBuild = { out: string; status: number | null; stdout: string; stderr: string };
let bundleBuild: BundleBuild | null = null;
function bundleOnce(): BundleBuild {
  if (bundleBuild === null) {
    const out = join(shared, 'bundle');
    const b = spawnSync(process.execPath, ['src/cli/bundle.mjs'], { encoding: 'utf8', env: { ...process.env, ES2SCOPE_BUNDLE_OUTDIR: out } });
    bundleBuild = { out, status: b.status, stdout: b.stdout, stderr: b.stderr };
  }
  return bundleBuild;
}
const distArrows = new Map<string, string>();
/** The events file dist/ writes for `fx` (made once). */
function distArrow(fx: string): string {
  let a = distArrows.get(fx);
  if (a === undefined) {
    a = join(shared, `dist-${distArrows.size}.arrow`);
    const r = spawnSync(process.execPath, [compiled, 'ingest', fx, '-o', a, '--quiet'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    distArrows.set(fx, a);
  }
  return a;
}

test('the bundled CLI writes the same events files and the same usage errors as dist/', (t) => {
  if (!existsSync(compiled)) { t.skip('dist/ not built (npm run build)'); return; }
  let esbuild = true;
  try { import.meta.resolve('esbuild'); } catch { esbuild = false; }
  if (!esbuild) { t.skip('esbuild not installed: no bundle is made'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-bundle-'));
  try {
    const b = bundleOnce();
    const out = b.out;
    assert.equal(b.status, 0, b.stderr);
    for (const w of ['collectors/common/parallel/worker.js', 'collectors/tracedat/workerTask.js', 'collectors/perfdata/workerTask.js']) {
      assert.ok(existsSync(join(out, w)), `worker module at its mirror path: ${w}`);
    }
    const inputs = JSON.parse(readFileSync(join(out, 'inputs.json'), 'utf8')) as { files: string[] };
    assert.ok(inputs.files.includes('src/cli/main.ts') && inputs.files.includes('collectors/tracedat/read.ts'), 'inputs.json lists our sources');
    for (const fx of FIXTURES) {
      const got = join(dir, 'bundle.arrow');
      const c = spawnSync(process.execPath, [join(out, 'main.js'), 'ingest', fx, '-o', got, '--quiet'], { encoding: 'utf8' });
      assert.equal(c.status, 0, c.stderr);
      assert.ok(readFileSync(got).equals(readFileSync(distArrow(fx))), `${fx}: same bytes`);
    }
    const e1 = spawnSync(process.execPath, [compiled, 'ingest'], { encoding: 'utf8' });
    const e2 = spawnSync(process.execPath, [join(out, 'main.js'), 'ingest'], { encoding: 'utf8' });
    assert.equal(e2.status, e1.status);
    assert.equal(e2.stderr, e1.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Child env: V8 accepts a code cache only under the V8 flags it was made with (none: no NODE_OPTIONS). */
function plainEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  delete env.ES2SCOPE_NO_BUNDLE;
  delete env.ES2SCOPE_NO_STARTUP;
  return env;
}

test('bin/es2scope.js runs the start-up script of ingest and --version from its code cache, and falls back when it cannot', (t) => {
  if (!existsSync(compiled)) { t.skip('dist/ not built (npm run build)'); return; }
  try { import.meta.resolve('esbuild'); } catch { t.skip('esbuild not installed: no bundle is made'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-startup-'));
  try {
    const b = bundleOnce();
    const out = b.out;
    assert.equal(b.status, 0, b.stderr);
    // other engineers edit sources while this runs: keep this bundle fresh (staleness is tested below)
    const built = JSON.parse(readFileSync(join(out, 'inputs.json'), 'utf8')) as { builtMs: number; startup?: { commands: string[]; scripts: Record<string, { script: string; cache?: string }> } };
    writeFileSync(join(out, 'inputs.json'), JSON.stringify({ ...built, builtMs: built.builtMs + 3_600_000 }));
    const startup = built.startup;
    assert.ok(startup, `inputs.json names start-up scripts (bundle.mjs said: ${b.stdout}${b.stderr})`);
    for (const c of ['--version', 'ingest']) {
      assert.ok(startup.commands.includes(c), `a start-up script for ${c}`);
      const s = startup.scripts[c]!;
      assert.ok(s.cache && existsSync(join(out, s.cache)), `${c}: a code cache was made (warm-up ran): ${b.stderr}`);
      assert.ok(!/[^\x00-\x7f]/.test(readFileSync(join(out, s.script), 'latin1')), `${c}: the script is ASCII (bin reads it as latin1)`);
    }
    // a command with an ES-only package in its graph (report: vega-lite has top-level await) has none
    assert.ok(!startup.commands.includes('report'), 'report starts from the ES module bundle');

    const run = (args: string[], env: Record<string, string> = {}, bundleDir = out) =>
      spawnSync(process.execPath, ['bin/es2scope.js', ...args], { encoding: 'utf8', env: plainEnv({ ES2SCOPE_BUNDLE_OUTDIR: bundleDir, ES2SCOPE_TRACE_STARTUP: '1', ...env }) });
    /** What bin said it ran (its last start-up line). */
    const program = (stderr: string) => [...stderr.matchAll(/^es2scope start-up: (.*)$/gm)].pop()?.[1] ?? '(none)';

    const v0 = spawnSync(process.execPath, [compiled, '--version'], { encoding: 'utf8' });
    const v = run(['--version']);
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout, v0.stdout);
    assert.equal(program(v.stderr), `${startup.scripts['--version']!.script} (code cache used)`);

    const ingestSame = (bundleDir: string, want: RegExp, env: Record<string, string> = {}, fixtures = FIXTURES) => {
      for (const fx of fixtures) {
        const c = join(dir, 'startup.arrow');
        const r = run(['ingest', fx, '-o', c, '--quiet'], env, bundleDir);
        assert.equal(r.status, 0, r.stderr);
        assert.match(program(r.stderr), want, `${fx}: which program ran`);
        assert.ok(readFileSync(c).equals(readFileSync(distArrow(fx))), `${fx}: same bytes as dist/ (${program(r.stderr)})`);
      }
    };
    ingestSame(out, /^startup-ingest\.cjs \(code cache used\)$/);
    // worker threads (entries of their own, started by URL from the start-up script) find their
    // modules: a text trace above the parallel threshold (8 MiB), read by two workers
    const bigText = join(dir, 'big.perf-script.txt');
    const piece = readFileSync('fixtures/perf-script/sched-ns.txt');
    writeFileSync(bigText, Buffer.concat(Array.from({ length: Math.ceil((9 << 20) / piece.length) }, () => piece)));
    ingestSame(out, /^startup-ingest\.cjs \(code cache used\)$/, { ES2SCOPE_WORKERS: '2' }, [bigText]);
    const e0 = spawnSync(process.execPath, [compiled, 'ingest'], { encoding: 'utf8' });
    const e = run(['ingest']);
    assert.equal(e.status, e0.status);
    assert.equal(e.stderr.replace(/^es2scope start-up: .*\n/gm, ''), e0.stderr, 'same usage error');

    // a corrupt cache: V8 rejects it, the script compiles as it is
    const broken = join(dir, 'broken');
    cpSync(out, broken, { recursive: true });
    const cacheFile = join(broken, startup.scripts.ingest!.cache!);
    const bytes = readFileSync(cacheFile);
    bytes.fill(0x5a, 0, 64);
    writeFileSync(cacheFile, bytes);
    ingestSame(broken, /^startup-ingest\.cjs \(code cache rejected\)$/, {}, FIXTURES.slice(0, 1));
    rmSync(cacheFile);
    ingestSame(broken, /^startup-ingest\.cjs \(code cache none\)$/, {}, FIXTURES.slice(0, 1));
    // no script: the ES module bundle
    rmSync(join(broken, startup.scripts.ingest!.script));
    ingestSame(broken, /broken.main\.js$/, {}, FIXTURES.slice(0, 1));
    // a stale bundle (sources newer than builtMs): dist/ as tsc compiled it
    const inputs = JSON.parse(readFileSync(join(out, 'inputs.json'), 'utf8')) as { builtMs: number };
    writeFileSync(join(broken, 'inputs.json'), JSON.stringify({ ...inputs, builtMs: 0 }));
    const stale = run(['--version'], {}, broken);
    assert.equal(stale.stdout, v0.stdout);
    assert.match(stale.stderr, /startup-version\.cjs is stale/);
    assert.match(program(stale.stderr), /dist.src.cli.main\.js$/);
    // the start-up scripts are fresh against their own sources, and ingest's against its workers' too
    const scripts = (inputs as unknown as { startup: { scripts: Record<string, { files: string[] }> } }).startup.scripts;
    assert.ok(scripts['--version']!.files.includes('src/cli/main.ts') && !scripts['--version']!.files.includes('collectors/tracedat/read.ts'));
    for (const f of ['collectors/tracedat/read.ts', 'collectors/tracedat/workerTask.ts', 'collectors/common/parallel/worker.ts', 'package-lock.json']) {
      assert.ok(scripts.ingest!.files.includes(f), `ingest's start-up script is fresh against ${f}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
