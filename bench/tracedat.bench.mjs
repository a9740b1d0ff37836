// trace.dat reader speed: `es2scope ingest` vs `trace-cmd report` on the same synthetic file of
// several million events (fixtures/tracedat/sched-lost-v6.dat, its pages copied N times with
// shifted timestamps by fixtures/tracedat/slim.ts). Prints events/s, the ratio and peak RSS.
// Env: TRACEDAT_BENCH_COPIES (default 1300 -> ~3M events, ~220 MB file). Needs /usr/bin/time;
// trace-cmd is optional (skipped with a message when missing). Times the compiled CLI (bin/es2scope.js,
// which runs the start-up bundle dist/bundle/ when fresh, else dist/; `cli` in the output says which):
// wall and CPU time (the build machine is shared; CPU time is the steadier number), and the load
// average around the runs. `es2scope` is the default (binary files are read serially);
// `es2scopeSerial` the same with ES2SCOPE_WORKERS=1, `es2scopeWorker` with ES2SCOPE_WORKERS=2 (the
// file decoded in a worker thread, the main thread writing Arrow), to see whether that pays off.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliEntry } from './lib/cliEntry.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const copies = Number(process.env.TRACEDAT_BENCH_COPIES ?? 1300);
const dir = mkdtempSync(join(tmpdir(), 'es2scope-bench-tracedat-'));
const big = join(dir, 'big.dat');

/** Run a command under /usr/bin/time; returns wall seconds, CPU seconds (user+sys) and peak RSS in MB. */
function timed(cmd, args, stdoutFile, env = process.env) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', 'sh', '-c', `"$@" > ${stdoutFile ?? '/dev/null'}`, 'sh', cmd, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, env });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [sec, user, sys, kb] = last.split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { sec, cpuSec: Number((user + sys).toFixed(2)), rssMb: kb / 1024 };
}

try {
  if (!existsSync('/usr/bin/time')) { console.log('tracedat bench skipped: /usr/bin/time missing'); process.exit(0); }
  const gen = spawnSync(process.execPath, ['--import', 'tsx', 'fixtures/tracedat/slim.ts', 'fixtures/tracedat/sched-lost-v6.dat', big, '--systems', 'sched', '--repeat', String(copies)], { cwd: root, encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(gen.stderr);
  const out = join(dir, 'big.events.arrow');
  const loadBefore = Number(loadavg()[0].toFixed(2));
  const serial = timed(process.execPath, ['bin/es2scope.js', 'ingest', big, '-o', out, '--quiet'], undefined, { ...process.env, ES2SCOPE_WORKERS: '1' });
  rmSync(out, { force: true });
  const ours = timed(process.execPath, ['bin/es2scope.js', 'ingest', big, '-o', out, '--json'], join(dir, 'summary.json'));
  rmSync(out, { force: true });
  const worker = timed(process.execPath, ['bin/es2scope.js', 'ingest', big, '-o', out, '--quiet'], undefined, { ...process.env, ES2SCOPE_WORKERS: '2' });
  const summary = JSON.parse(spawnSync('cat', [join(dir, 'summary.json')], { encoding: 'utf8' }).stdout);
  const events = summary.summary.events;
  const result = {
    bench: 'tracedat', cli: cliEntry(root), file: { copies, bytes: statSync(big).size, events },
    es2scope: { sec: ours.sec, cpuSec: ours.cpuSec, eventsPerSec: Math.round(events / ours.sec), eventsPerSecCpu: Math.round(events / ours.cpuSec), peakRssMb: Math.round(ours.rssMb) },
    es2scopeSerial: { sec: serial.sec, cpuSec: serial.cpuSec, eventsPerSec: Math.round(events / serial.sec), eventsPerSecCpu: Math.round(events / serial.cpuSec), peakRssMb: Math.round(serial.rssMb) },
    es2scopeWorker: { sec: worker.sec, cpuSec: worker.cpuSec, eventsPerSec: Math.round(events / worker.sec), eventsPerSecCpu: Math.round(events / worker.cpuSec), peakRssMb: Math.round(worker.rssMb) },
  };
  const tc = spawnSync('trace-cmd', ['--version'], { encoding: 'utf8' });
  if (tc.status === 0 || tc.stdout || tc.stderr) {
    const theirs = timed('trace-cmd', ['report', '-t', '-i', big]);
    result.traceCmdReport = { sec: theirs.sec, cpuSec: theirs.cpuSec, eventsPerSec: Math.round(events / theirs.sec), eventsPerSecCpu: Math.round(events / theirs.cpuSec), peakRssMb: Math.round(theirs.rssMb) };
    result.speedup = Number((theirs.sec / ours.sec).toFixed(2));
    result.speedupCpu = Number((theirs.cpuSec / ours.cpuSec).toFixed(2));
    result.speedupSerial = Number((theirs.sec / serial.sec).toFixed(2));
    result.speedupSerialCpu = Number((theirs.cpuSec / serial.cpuSec).toFixed(2));
  } else {
    result.traceCmdReport = 'skipped: trace-cmd not installed';
  }
  result.loadAverage1m = { before: loadBefore, after: Number(loadavg()[0].toFixed(2)) };
  result.targets = { speedupAtLeast: 5, peakRssMbBelow: 300 };
  console.log(JSON.stringify(result, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
