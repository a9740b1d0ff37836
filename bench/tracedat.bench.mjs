// trace.dat reader speed: `es2scope ingest` vs `trace-cmd report` on the same synthetic file of
// several million events (fixtures/tracedat/sched-lost-v6.dat, its pages copied N times with
// shifted timestamps by fixtures/tracedat/slim.ts). Prints events/s, the ratio and peak RSS.
// Env: TRACEDAT_BENCH_COPIES (default 2600 -> ~6 M events, ~360 MB file; 1300 -> ~3 M events, the
// size of the runs before 2026-11-25: bench/README.md, sixth pass, has both). Needs /usr/bin/time;
// trace-cmd is optional (skipped with a message when missing). Times the compiled CLI (bin/es2scope.js,
// which runs the start-up bundle dist/bundle/ when fresh, else dist/; `cli` in the output says which).
// The same events converted to a zstd-compressed v7 file (`trace-cmd convert --file-version 7
// --compression zstd`) are timed too (`zstdFile`, `speedupZstd`).
// Wall and CPU time (the build machine is shared; CPU time is the steadier number): medians of
// BENCH_REPEAT (default 3) interleaved rounds, every run listed (lib/timed.mjs), and the load
// average around the runs. `es2scope` is the default (binary files are read serially);
// `es2scopeWorker` one run with ES2SCOPE_WORKERS=2 (the file decoded in a worker thread, the main
// thread writing Arrow), to see whether that pays off.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliEntry } from './lib/cliEntry.mjs';
import { benchRepeat, interleaved, ratio, timed } from './lib/timed.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const copies = Number(process.env.TRACEDAT_BENCH_COPIES ?? 2600);
const dir = mkdtempSync(join(tmpdir(), 'es2scope-bench-tracedat-'));
const big = join(dir, 'big.dat');

try {
  if (!existsSync('/usr/bin/time')) { console.log('tracedat bench skipped: /usr/bin/time missing'); process.exit(0); }
  const gen = spawnSync(process.execPath, ['--import', 'tsx', 'fixtures/tracedat/slim.ts', 'fixtures/tracedat/sched-lost-v6.dat', big, '--systems', 'sched', '--repeat', String(copies)], { cwd: root, encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(gen.stderr);
  const out = join(dir, 'big.events.arrow');
  const summaryFile = join(dir, 'summary.json');
  const loadBefore = Number(loadavg()[0].toFixed(2));
  const rounds = benchRepeat();
  const ingest = (extra, stdoutFile, env, file = big) => () => {
    rmSync(out, { force: true });
    return timed(process.execPath, ['bin/es2scope.js', 'ingest', file, '-o', out, ...extra], { cwd: root, stdoutFile, env });
  };
  const tc = spawnSync('trace-cmd', ['--version'], { encoding: 'utf8' });
  const haveTraceCmd = tc.status === 0 || Boolean(tc.stdout || tc.stderr);
  // the same events as a zstd-compressed v7 file (trace-cmd's own converter)
  const zstd = join(dir, 'big-zstd.dat');
  const haveZstd = haveTraceCmd && spawnSync('trace-cmd', ['convert', '--file-version', '7', '--compression', 'zstd', '-i', big, '-o', zstd], { stdio: 'ignore' }).status === 0 && existsSync(zstd);
  const arms = { es2scope: ingest(['--json'], summaryFile) };
  if (haveTraceCmd) arms.traceCmdReport = () => timed('trace-cmd', ['report', '-t', '-i', big], { cwd: root });
  if (haveZstd) {
    arms.es2scopeZstd = ingest(['--quiet'], '/dev/null', process.env, zstd);
    arms.traceCmdReportZstd = () => timed('trace-cmd', ['report', '-t', '-i', zstd], { cwd: root });
  }
  const r = interleaved(rounds, arms);
  // once, for comparison: the file decoded in a worker thread (ES2SCOPE_WORKERS=2), this thread writing Arrow
  const w = ingest(['--quiet'], '/dev/null', { ...process.env, ES2SCOPE_WORKERS: '2' })();
  const events = JSON.parse(readFileSync(summaryFile, 'utf8')).summary.events;
  const rates = (t) => ({ ...t, eventsPerSec: Math.round(events / t.wallSec), eventsPerSecCpu: Math.round(events / t.cpuSec) });
  const result = {
    bench: 'tracedat', cli: cliEntry(root), file: { copies, bytes: statSync(big).size, events }, rounds,
    es2scope: rates(r.es2scope),
    es2scopeWorker: rates({ ...w, runs: [[w.wallSec, w.cpuSec, w.peakRssMb]] }),
  };
  if (haveTraceCmd) {
    const ours = r.es2scope, theirs = r.traceCmdReport;
    result.traceCmdReport = rates(theirs);
    // ratios of the medians; per round, the same ratio of that round's two runs
    result.speedup = ratio(theirs.wallSec, ours.wallSec);
    result.speedupCpu = ratio(theirs.cpuSec, ours.cpuSec);
    result.speedupPerRound = theirs.runs.map((t, i) => ratio(t[0], ours.runs[i][0]));
  } else {
    result.traceCmdReport = 'skipped: trace-cmd not installed';
  }
  if (haveZstd) {
    const ours = r.es2scopeZstd, theirs = r.traceCmdReportZstd;
    result.zstdFile = { bytes: statSync(zstd).size, es2scope: rates(ours), traceCmdReport: rates(theirs) };
    result.speedupZstd = ratio(theirs.wallSec, ours.wallSec);
    result.speedupZstdCpu = ratio(theirs.cpuSec, ours.cpuSec);
    result.speedupZstdPerRound = theirs.runs.map((t, i) => ratio(t[0], ours.runs[i][0]));
  } else if (haveTraceCmd) {
    result.zstdFile = 'skipped: trace-cmd convert --compression zstd failed';
  }
  result.loadAverage1m = { before: loadBefore, after: Number(loadavg()[0].toFixed(2)) };
  result.targets = { speedupAtLeast: 5, peakRssMbBelow: 300 };
  console.log(JSON.stringify(result, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
