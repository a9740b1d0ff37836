// Text ingest speed: `es2scope ingest` (compiled CLI) on ≥5 M-event inputs of each text format, and
// `perf script --ns` converting a perf.data of the same events (recorded here: perf bench sched pipe
// under perf record -a, kept in bench/out/, git-ignored, reused). Prints events/s (wall and CPU:
// the build machine is shared, CPU time is the steadier number), MB/s and peak RSS.
// Inputs: perf script = the real `perf script --ns` output of that perf.data; trace-cmd = the HIP24
// vhost report (read in place from ../shared/traces) or our fixture, repeated with shifted times;
// ftrace = fixtures/ftrace/trace.txt repeated with shifted times. Generated text goes to
// TEXT_BENCH_DIR (default /tmp/es2scope-bench-text), never into the project.
// Env: TEXT_BENCH_EVENTS (default 5000000), TEXT_BENCH_FORMATS (comma list), TEXT_BENCH_PERFDATA,
// TEXT_BENCH_OLD (another build's bin/es2scope.js, e.g. a copy of the previous dist: run back to
// back with this one, A/B), TEXT_BENCH_WORKERS (ES2SCOPE_WORKERS for this build; 1 = serial read).
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timed as timedIn } from './lib/timed.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const EVENTS = Number(process.env.TEXT_BENCH_EVENTS ?? 5_000_000);
const FORMATS = (process.env.TEXT_BENCH_FORMATS ?? 'perf-script,trace-cmd,ftrace').split(',');
const dir = process.env.TEXT_BENCH_DIR ?? '/tmp/es2scope-bench-text';
const outDir = join(root, 'bench', 'out');
mkdirSync(dir, { recursive: true });
mkdirSync(outDir, { recursive: true });

/** Run under /usr/bin/time: wall s, CPU s (user+sys), peak RSS MB. */
const timed = (cmd, args, stdoutFile = '/dev/null') => timedIn(cmd, args, { cwd: root, stdoutFile, env: process.env });

/**
 * Repeat the event lines of a real ftrace-style text until `events` lines, shifting each copy's
 * times past the previous copy (same digits after the dot as the source). Header lines are kept
 * once at the top. Bench code, not a parser: a regex per line is fine here.
 */
async function repeatFtraceStyle(src, dst, events) {
  if (existsSync(dst) && existsSync(`${dst}.events`) && Number(readFileSync(`${dst}.events`, 'utf8')) >= events) return;
  const lines = readFileSync(src, 'utf8').split('\n');
  const head = [];
  const evs = [];
  let digits = 6;
  for (const l of lines) {
    const m = /^(.*?\]\s+(?:\S+\s+)?)(\d+)\.(\d+)(: .*)$/.exec(l);
    if (!m) { if (evs.length === 0 && l !== '') head.push(l); continue; }
    digits = m[3].length;
    evs.push([m[1], Number(m[2]) * 10 ** digits + Number(m[3]), m[4]]);
  }
  const first = evs[0][1];
  const span = evs.reduce((a, e) => Math.max(a, e[1]), 0) - first + 10 ** digits / 1000;
  const out = createWriteStream(dst);
  out.write(head.map((h) => `${h}\n`).join(''));
  let n = 0;
  const scale = 10 ** digits;
  for (let rep = 0; n < events; rep++) {
    let buf = '';
    for (const [pre, ts, post] of evs) {
      const t = ts + rep * span;
      const sec = Math.floor(t / scale);
      buf += `${pre}${sec}.${String(t - sec * scale).padStart(digits, '0')}${post}\n`;
      if (++n >= events) break;
    }
    if (!out.write(buf)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await import('node:fs').then((fs) => fs.writeFileSync(`${dst}.events`, String(n)));
}

function perfDataFile() {
  if (process.env.TEXT_BENCH_PERFDATA) return process.env.TEXT_BENCH_PERFDATA;
  // perf bench sched pipe gives about 3.2 events per loop (switch + wakeup on both sides)
  const loops = Math.ceil(EVENTS / 3.1);
  const big = join(outDir, `text-sched-${loops}.data`);
  if (existsSync(big)) return big;
  if (process.getuid?.() !== 0) return null;
  if (!existsSync('/sys/kernel/tracing/events/sched/sched_switch')) return null;
  // perf record enables and disables its own events; nothing machine-wide is left on
  const rec = spawnSync('perf', ['record', '-q', '-m', '16M', '-e', 'sched:sched_switch', '-e', 'sched:sched_wakeup', '-a', '-o', big, '--',
    'perf', 'bench', 'sched', 'pipe', '-l', String(loops)], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (rec.status !== 0 || !existsSync(big)) { rmSync(big, { force: true }); console.log(`perf record failed: ${rec.stderr.slice(-500)}`); return null; }
  return big;
}

function ingest(format, input, bin = 'bin/es2scope.js') {
  const arrow = join(dir, `${format}.events.arrow`);
  const summaryFile = join(dir, `${format}.summary.json`);
  try {
    const t = timed(process.execPath, [bin, 'ingest', input, '-o', arrow, '--json', '-q', '--format', format], summaryFile);
    const s = JSON.parse(readFileSync(summaryFile, 'utf8'));
    const events = s.summary.events;
    const bytes = statSync(input).size;
    return {
      input: { path: input, bytes, events, warnings: s.diagnostics.warningCount },
      ...t,
      eventsPerSecWall: Math.round(events / t.wallSec),
      eventsPerSecCpu: Math.round(events / t.cpuSec),
      mbPerSecWall: Number((bytes / 1e6 / t.wallSec).toFixed(1)),
    };
  } finally {
    rmSync(arrow, { force: true });
    rmSync(summaryFile, { force: true });
  }
}

const OLD = process.env.TEXT_BENCH_OLD;
if (process.env.TEXT_BENCH_WORKERS !== undefined) process.env.ES2SCOPE_WORKERS = process.env.TEXT_BENCH_WORKERS;

/** This build, and the old one right after it when TEXT_BENCH_OLD is set (the old one never sees ES2SCOPE_WORKERS). */
function ingestAB(format, input) {
  const now = ingest(format, input);
  if (!OLD) return now;
  const saved = process.env.ES2SCOPE_WORKERS;
  delete process.env.ES2SCOPE_WORKERS;
  try {
    const old = ingest(format, input, OLD);
    return { ...now, old: { ...old, input: undefined }, speedupWall: Number((now.eventsPerSecWall / old.eventsPerSecWall).toFixed(2)), speedupCpu: Number((now.eventsPerSecCpu / old.eventsPerSecCpu).toFixed(2)) };
  } finally {
    if (saved !== undefined) process.env.ES2SCOPE_WORKERS = saved;
  }
}

if (!existsSync('/usr/bin/time')) { console.log(JSON.stringify({ bench: 'text-ingest', skipped: '/usr/bin/time missing' })); process.exit(0); }
if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) { console.log(JSON.stringify({ bench: 'text-ingest', skipped: 'not built: run npm run build (bench/run.mjs does)' })); process.exit(0); }

const result = { bench: 'text-ingest', eventsWanted: EVENTS, workers: process.env.ES2SCOPE_WORKERS ?? (await import('node:os')).availableParallelism(), oldBuild: OLD ?? null, loadAverage: (await import('node:os')).loadavg().map((x) => Number(x.toFixed(1))), targets: { perfScriptEventsPerSec: 2_000_000, peakRssMbBelow: 300 } };

if (FORMATS.includes('perf-script')) {
  const data = perfDataFile();
  if (data === null) {
    result.perfScript = { skipped: 'no perf.data and cannot record one (needs root, perf, tracefs sched events)' };
  } else {
    const txt = join(dir, 'perf-script-ns.txt');
    const conv = timed('perf', ['script', '--ns', '-i', data], txt);
    const lines = Number(spawnSync('wc', ['-l', txt], { encoding: 'utf8' }).stdout.trim().split(' ')[0]);
    result.perfScriptConvert = { perfData: data, perfDataBytes: statSync(data).size, events: lines, ...conv, eventsPerSecWall: Math.round(lines / conv.wallSec), eventsPerSecCpu: Math.round(lines / conv.cpuSec) };
    result.perfScript = ingestAB('perf-script', txt);
    // in the same run: how much faster than perf script itself makes the text
    result.perfScript.vsPerfScriptWall = Number((result.perfScript.eventsPerSecWall / result.perfScriptConvert.eventsPerSecWall).toFixed(2));
    result.perfScript.vsPerfScriptCpu = Number((result.perfScript.eventsPerSecCpu / result.perfScriptConvert.eventsPerSecCpu).toFixed(2));
  }
}
if (FORMATS.includes('trace-cmd')) {
  const vhost = join(root, '..', 'shared', 'traces', 'hip24', 'vhost-host-report.txt');
  const src = existsSync(vhost) ? vhost : join(root, 'fixtures', 'trace-cmd', 'sched-instance-ns.txt');
  const dst = join(dir, 'trace-cmd-report.txt');
  await repeatFtraceStyle(src, dst, EVENTS);
  result.traceCmd = { source: src, ...ingestAB('trace-cmd', dst) };
}
if (FORMATS.includes('ftrace')) {
  const dst = join(dir, 'ftrace-trace.txt');
  await repeatFtraceStyle(join(root, 'fixtures', 'ftrace', 'trace.txt'), dst, EVENTS);
  result.ftrace = { source: 'fixtures/ftrace/trace.txt', ...ingestAB('ftrace', dst) };
}
result.loadAverageEnd = (await import('node:os')).loadavg().map((x) => Number(x.toFixed(1)));
console.log(JSON.stringify(result, null, 2));
