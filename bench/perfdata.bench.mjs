// perf.data reader speed: `es2scope ingest` vs `perf script --ns` on the same perf.data of a few
// million sched events recorded on this machine (perf bench sched pipe under perf record -a; kept
// in bench/out/, git-ignored, and reused). Prints events/s, the speed ratio (wall and CPU time:
// the build machine is shared, CPU time is the steadier number) and peak RSS of each. Times the
// compiled CLI (bin/es2scope.js: the start-up bundle dist/bundle/ when fresh, else dist/; `cli` in
// the output says which), as the other benches do. `es2scopeIngest` is the default (binary
// files are read serially); `es2scopeSerial` the same with ES2SCOPE_WORKERS=1, `es2scopeWorker`
// with ES2SCOPE_WORKERS=2 (decoded in a worker thread). The load average around the runs is printed too.
// Env: PERFDATA_BENCH_LOOPS (default 1000000 -> ~3.2 M events, ~370 MB), PERFDATA_BENCH_FILE to
// use an existing perf.data instead. Needs root, tracefs, perf and /usr/bin/time (else skipped).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliEntry } from './lib/cliEntry.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const loops = Number(process.env.PERFDATA_BENCH_LOOPS ?? 1_000_000);
const outDir = join(root, 'bench', 'out');
const big = process.env.PERFDATA_BENCH_FILE ?? join(outDir, `perfdata-sched-${loops}.data`);

/** Run under /usr/bin/time; wall s, CPU s (user+sys), peak RSS MB. */
function timed(cmd, args, stdoutFile = '/dev/null', env = process.env) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', 'sh', '-c', `"$@" > ${stdoutFile}`, 'sh', cmd, ...args],
    { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, env });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, user, sys, kb] = last.split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { wallSec: wall, cpuSec: Number((user + sys).toFixed(2)), peakRssMb: Math.round(kb / 1024) };
}

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
  const serial = timed(process.execPath, ['bin/es2scope.js', 'ingest', big, '-o', arrow, '--quiet'], '/dev/null', { ...process.env, ES2SCOPE_WORKERS: '1' });
  rmSync(arrow, { force: true });
  const ours = timed(process.execPath, ['bin/es2scope.js', 'ingest', big, '-o', arrow, '--json'], summaryFile);
  const events = JSON.parse(readFileSync(summaryFile, 'utf8')).summary.events;
  rmSync(arrow, { force: true });
  const worker = timed(process.execPath, ['bin/es2scope.js', 'ingest', big, '-o', arrow, '--quiet'], '/dev/null', { ...process.env, ES2SCOPE_WORKERS: '2' });
  const theirs = timed('perf', ['script', '--ns', '-F', 'comm,pid,tid,cpu,time,event,trace', '-i', big]);
  const rate = (t) => Math.round(events / t);
  console.log(JSON.stringify({
    bench: 'perfdata',
    cli: cliEntry(root),
    file: { path: big, bytes: statSync(big).size, events },
    es2scopeIngest: { ...ours, eventsPerSecWall: rate(ours.wallSec), eventsPerSecCpu: rate(ours.cpuSec) },
    es2scopeSerial: { ...serial, eventsPerSecWall: rate(serial.wallSec), eventsPerSecCpu: rate(serial.cpuSec) },
    es2scopeWorker: { ...worker, eventsPerSecWall: rate(worker.wallSec), eventsPerSecCpu: rate(worker.cpuSec) },
    perfScript: { ...theirs, eventsPerSecWall: rate(theirs.wallSec), eventsPerSecCpu: rate(theirs.cpuSec) },
    speedupWall: Number((theirs.wallSec / ours.wallSec).toFixed(2)),
    speedupCpu: Number((theirs.cpuSec / ours.cpuSec).toFixed(2)),
    speedupSerialWall: Number((theirs.wallSec / serial.wallSec).toFixed(2)),
    speedupSerialCpu: Number((theirs.cpuSec / serial.cpuSec).toFixed(2)),
    loadAverage1m: { before: loadBefore, after: Number(loadavg()[0].toFixed(2)) },
    targets: { speedupAtLeast: 5, peakRssMbBelow: 300 },
  }, null, 2));
} finally {
  rmSync(arrow, { force: true });
  rmSync(summaryFile, { force: true });
}
