// perf.data reader speed: `es2scope ingest` vs `perf script --ns` on the same perf.data of a few
// million sched events recorded on this machine (perf bench sched pipe under perf record -a; kept
// in bench/out/, git-ignored, and reused). Prints events/s, the speed ratio (wall and CPU time:
// the build machine is shared, CPU time is the steadier number) and peak RSS of each: medians of
// BENCH_REPEAT (default 3) interleaved rounds, every run listed (lib/timed.mjs). Times the
// compiled CLI (bin/es2scope.js: the start-up bundle dist/bundle/ when fresh, else dist/; `cli` in
// the output says which), as the other benches do. `es2scopeIngest` is the default (binary
// files are read serially); `es2scopeWorker` one run with ES2SCOPE_WORKERS=2 (decoded in a worker
// thread). The load average around the runs is printed too.
// Env: PERFDATA_BENCH_LOOPS (default 2000000 -> ~7-8 M events, ~0.9 GB; 1000000 -> ~3.4 M events,
// ~400 MB, the size of the runs before 2026-11-25: bench/README.md, sixth pass), PERFDATA_BENCH_FILE to
// use an existing perf.data instead. Needs root, tracefs, perf and /usr/bin/time (else skipped).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliEntry } from './lib/cliEntry.mjs';
import { benchRepeat, interleaved, ratio, timed } from './lib/timed.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const loops = Number(process.env.PERFDATA_BENCH_LOOPS ?? 2_000_000);
const outDir = join(root, 'bench', 'out');
const big = process.env.PERFDATA_BENCH_FILE ?? join(outDir, `perfdata-sched-${loops}.data`);

function skip(why) {
  console.log(JSON.stringify({ bench: 'perfdata', skipped: why }));
  process.exit(0);
}

if (!existsSync('/usr/bin/time')) skip('/usr/bin/time missing');
if (spawnSync('sh', ['-c', 'command -v perf'], { stdio: 'ignore' }).status !== 0) skip('perf not installed');
if (!existsSync(big)) {
  if (process.getuid?.() !== 0) skip('recording needs root');
  if (!existsSync('/sys/kernel/tracing/events')) spawnSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing'], { stdio: 'ignore' });
  if (!existsSync('/sys/kernel/tracing/events/sched/sched_switch')) skip('no tracefs sched events on this machine');
  mkdirSync(dirname(big), { recursive: true });
  // perf record enables and disables its own events; nothing machine-wide is left on
  const rec = spawnSync('perf', ['record', '-q', '-m', '16M', '-e', 'sched:sched_switch', '-e', 'sched:sched_wakeup', '-a', '-o', big, '--',
    'perf', 'bench', 'sched', 'pipe', '-l', String(loops)], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (rec.status !== 0 || !existsSync(big)) { rmSync(big, { force: true }); skip(`perf record failed: ${rec.stderr.slice(-500)}`); }
}

const summaryFile = join(outDir, 'perfdata-bench-summary.json');
const arrow = join(outDir, 'perfdata-bench.events.arrow');
try {
  const loadBefore = Number(loadavg()[0].toFixed(2));
  const rounds = benchRepeat();
  const ingest = (extra, stdoutFile, env) => () => {
    rmSync(arrow, { force: true });
    return timed(process.execPath, ['bin/es2scope.js', 'ingest', big, '-o', arrow, ...extra], { cwd: root, stdoutFile, env });
  };
  const r = interleaved(rounds, {
    es2scopeIngest: ingest(['--json'], summaryFile),
    perfScript: () => timed('perf', ['script', '--ns', '-F', 'comm,pid,tid,cpu,time,event,trace', '-i', big], { cwd: root }),
  });
  const events = JSON.parse(readFileSync(summaryFile, 'utf8')).summary.events;
  // once, for comparison: the file decoded in a worker thread (ES2SCOPE_WORKERS=2), this thread writing Arrow
  const w = ingest(['--quiet'], '/dev/null', { ...process.env, ES2SCOPE_WORKERS: '2' })();
  const worker = { ...w, runs: [[w.wallSec, w.cpuSec, w.peakRssMb]] };
  const rates = (t) => ({ ...t, eventsPerSecWall: Math.round(events / t.wallSec), eventsPerSecCpu: Math.round(events / t.cpuSec) });
  const ours = r.es2scopeIngest, theirs = r.perfScript;
  console.log(JSON.stringify({
    bench: 'perfdata',
    cli: cliEntry(root),
    file: { path: big, bytes: statSync(big).size, events },
    rounds,
    es2scopeIngest: rates(ours),
    es2scopeWorker: rates(worker),
    perfScript: rates(theirs),
    // ratios of the medians; per round, the same ratio of that round's two runs
    speedupWall: ratio(theirs.wallSec, ours.wallSec),
    speedupCpu: ratio(theirs.cpuSec, ours.cpuSec),
    speedupWallPerRound: theirs.runs.map((t, i) => ratio(t[0], ours.runs[i][0])),
    loadAverage1m: { before: loadBefore, after: Number(loadavg()[0].toFixed(2)) },
    targets: { speedupAtLeast: 5, peakRssMbBelow: 300 },
  }, null, 2));
} finally {
  rmSync(arrow, { force: true });
  rmSync(summaryFile, { force: true });
}
