// `es2scope whatif` end to end on a real trace: terminal text, --json, --sweep, and the Arrow
// tables (read back with apache-arrow; with pyarrow/polars when python has them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tableFromIPC } from 'apache-arrow';

const ROOT = resolve(import.meta.dirname, '../..');
const TRACE = resolve(ROOT, '../shared/traces/hip24/exits-6.5-tsc2nsec-trace.dat');

function es2scope(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
}

test('whatif --json --sweep --out: parameters travel with the numbers; tables readable; deterministic', async (t) => {
  if (!existsSync(TRACE)) { t.skip(`real trace missing: ${TRACE}`); return; }
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-whatif-'));
  try {
    const r1 = es2scope(['whatif', TRACE, '--json', '--sweep', '--idle-window-ns', '65536', '--out', dir]);
    assert.equal(r1.status, 0, r1.stderr);
    const j = JSON.parse(r1.stdout);
    assert.equal(j.schemaVersion, 2);
    assert.equal(j.params.pollMode, 'fixed');
    assert.equal(j.params.idleWindowNs, 65536);
    assert.deepEqual(j.stages.map((s: { name: string }) => s.name), ['baseline', '+pi', '+hybrid', '+redirect']);
    assert.equal(j.pi.alreadyPosted, true);
    assert.equal(j.sweep.length, 10);
    // the sweep row at the chosen window equals the stacked model's hybrid stage
    const row = j.sweep.find((s: { idleWindowNs: number }) => s.idleWindowNs === 65536);
    assert.equal(row.exitsAvoided, j.stages[2].exitsAvoided);
    const stages = tableFromIPC(readFileSync(join(dir, 'whatif_stages.arrow')));
    assert.equal(stages.numRows, 4);
    assert.equal(JSON.parse(stages.schema.metadata.get('es2scope.params')!).idleWindowNs, 65536);
    const exits = tableFromIPC(readFileSync(join(dir, 'whatif_exits.arrow')));
    assert.equal(exits.numRows, j.stages[3].exitsAvoided);
    const r2 = es2scope(['whatif', TRACE, '--json', '--sweep', '--idle-window-ns', '65536', '--out', dir]);
    assert.equal(r2.stdout, r1.stdout);
    const py = spawnSync('python3', ['-c', `import pyarrow.ipc as i, polars as p, glob
for f in sorted(glob.glob(${JSON.stringify(dir)} + '/*.arrow')):
    assert i.open_file(f).read_all().num_rows == p.read_ipc(f).height
print('ok')`], { encoding: 'utf8' });
    if (py.status !== 0 && /ModuleNotFoundError|No such file/.test(py.stderr + String(py.error ?? ''))) t.diagnostic('pyarrow/polars not installed: python read-back skipped');
    else assert.equal(py.stdout.trim(), 'ok', py.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('whatif terminal summary: mechanisms subset, already-posted note, paper figures and the caveat', (t) => {
  if (!existsSync(TRACE)) { t.skip(`real trace missing: ${TRACE}`); return; }
  const r = es2scope(['whatif', TRACE, '--mechanisms', 'hybrid,pi']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /ALREADY POSTED/);
  assert.match(r.stdout, /\+pi .*\n\s+\+hybrid/);
  assert.doesNotMatch(r.stdout, /\+redirect/);
  assert.match(r.stdout, /Memcached 1\.9x, Nginx 1\.6x/);
  assert.match(r.stdout, /not public/);
});

test('whatif rejects a bad mechanism and a negative window with a hint', () => {
  const r = es2scope(['whatif', 'nonexistent.dat', '--mechanisms', 'pi,turbo']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unknown mechanism\(s\) turbo/);
  const r2 = es2scope(['whatif', 'nonexistent.dat', '--idle-window-ns', '-5']);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /idleWindowNs must be an integer >= 0/);
});

const VHOST = resolve(ROOT, '../shared/traces/hip24/vhost-host-report.txt');

test('whatif --poll-mode adaptive: QEMU parameters travel, the sweep is over poll-max-ns, kicks carry poll_ns; fixed tables unchanged', async (t) => {
  if (!existsSync(VHOST)) { t.skip(`real trace missing: ${VHOST}`); return; }
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-whatif-adaptive-'));
  try {
    const r = es2scope(['whatif', VHOST, '--json', '--mechanisms', 'hybrid', '--poll-mode', 'adaptive', '--poll-max-ns', '65536', '--sweep', '--out', dir]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual([j.params.pollMode, j.params.pollMaxNs, j.params.pollGrow, j.params.pollShrink], ['adaptive', 65536, 0, 0]);
    assert.match(j.paramSources.pollShrink, /reset/);
    // the sweep is keyed by poll-max-ns, and its row at 65536 is the stacked model's hybrid stage
    assert.ok(j.sweep.every((s: object) => 'pollMaxNs' in s && !('idleWindowNs' in s)));
    const row = j.sweep.find((s: { pollMaxNs: number }) => s.pollMaxNs === 65536);
    assert.equal(row.kicksAvoided, j.hybrid.kicksAvoided);
    assert.equal(row.pollingCpuNs, j.hybrid.pollingCpuNs);
    assert.ok(j.hybrid.kicksAvoided <= j.hybrid.kicks - j.hybrid.devices.length);
    for (const d of j.hybrid.devices) assert.ok(d.pollNsPeak <= 65536 && d.grows >= 0, JSON.stringify(d));
    const kicks = tableFromIPC(readFileSync(join(dir, 'whatif_kicks.arrow')));
    assert.ok(kicks.schema.fields.some((f) => f.name === 'qemu_poll_ns'));
    assert.equal(kicks.numRows, j.hybrid.kicks);
    const sweep = tableFromIPC(readFileSync(join(dir, 'whatif_sweep.arrow')));
    assert.equal(sweep.schema.fields[0]!.name, 'poll_max_ns');
    const text = es2scope(['whatif', VHOST, '--mechanisms', 'hybrid', '--poll-mode', 'adaptive', '--poll-max-ns', '65536', '--sweep']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /poll_mode=adaptive \(QEMU\) poll_max=65\.5 µs/);
    assert.match(text.stdout, /sweep of poll-max-ns/);
    // fixed mode writes no adaptive column
    const fixedDir = join(dir, 'fixed');
    assert.equal(es2scope(['whatif', VHOST, '--mechanisms', 'hybrid', '--out', fixedDir, '--json']).status, 0);
    assert.ok(!tableFromIPC(readFileSync(join(fixedDir, 'whatif_kicks.arrow'))).schema.fields.some((f) => f.name === 'qemu_poll_ns'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('whatif rejects an unknown poll mode and a quota with the adaptive poller', () => {
  const r = es2scope(['whatif', 'nonexistent.dat', '--poll-mode', 'sometimes']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--poll-mode must be fixed or adaptive/);
  const r2 = es2scope(['whatif', 'nonexistent.dat', '--poll-mode', 'adaptive', '--quota-ns', '1000']);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /fixed poller only/);
});
