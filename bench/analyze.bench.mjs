// Analyzer speed and memory at scale: N exits (default 10 M) of trace-cmd report text made by
// repeating real lines of hip24/vhost-host-report.txt (EPT_MISCONFIG + kvm_fast_mmio kick, MSR_WRITE,
// HLT, each followed by kvm_entry) with shifted µs timestamps. Measures `es2scope ingest` (text ->
// events.arrow) and `es2scope stat` on that events.arrow (Arrow read + analysis + stat), each under
// /usr/bin/time. Targets: analysis time < ingest time, analysis peak RSS < 500 MB.
// Env: ANALYZE_BENCH_EXITS (default 10000000), ANALYZE_BENCH_KEEP=1 keeps the temp dir,
// ANALYZE_BENCH_ARROW=path re-uses a kept events.arrow of ANALYZE_BENCH_EXITS exits (no generation,
// no ingest: analysis numbers only).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeVhostExitsText } from './lib/vhostText.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const exits = Number(process.env.ANALYZE_BENCH_EXITS ?? 10_000_000);
const dir = mkdtempSync(join(tmpdir(), 'es2scope-bench-analyze-'));
const text = join(dir, 'big.txt');
const reuse = process.env.ANALYZE_BENCH_ARROW;
const arrow = reuse ?? join(dir, 'big.events.arrow');

// Reads the events .arrow batch by batch into the analyzer, then computes the stat table; prints
// the time spent in the analyzer and stat only (Arrow decoding excluded). The analyzer keeps what
// `es2scope stat --event vmexit` keeps (src/cli/commands/stat.ts): exits (without exitNs, cpu,
// detail), not kicks nor accesses.
// Compiled code (dist/, what bin/es2scope.js runs; bench/run.mjs builds it first) when it is newer
// than the sources it measures, else the sources through tsx (whose loader costs ~60 MB of RSS).
function useDist() {
  const js = join(root, 'dist', 'src', 'analyze', 'analyzer.js');
  if (!existsSync(js)) return false;
  const built = statSync(js).mtimeMs;
  const srcs = ['src/analyze/analyzer.ts', 'src/analyze/stat.ts', 'src/analyze/tables.ts', 'src/analyze/batchView.ts', 'src/analyze/eht.ts', 'src/table/readEvents.ts'];
  return srcs.every((f) => statSync(join(root, f)).mtimeMs <= built);
}
const dist = useDist();
const mod = (f) => (dist ? `/dist/${f}.js` : `/${f}.ts`);
const ANALYZE = `
const { createAnalyzer } = await import(process.cwd() + '${mod('src/analyze/analyzer')}');
const { readArrowBatches } = await import(process.cwd() + '${mod('src/table/readEvents')}');
const { computeStat } = await import(process.cwd() + '${mod('src/analyze/stat')}');
const a = createAnalyzer({ keepKicks: false, keepAccesses: false, exitColumns: 'stat' });
let ns = 0n;
for await (const b of readArrowBatches(process.argv.at(-1))) { const t = process.hrtime.bigint(); a.push(b); ns += process.hrtime.bigint() - t; }
const t = process.hrtime.bigint();
const s = computeStat(a.finish(null), { event: 'vmexit', by: 'reason', key: 'sample' });
ns += process.hrtime.bigint() - t;
console.log(JSON.stringify({ analysisSec: Number(ns) / 1e9, samples: s.total.samples + s.total.haltSamples }));`;

function timed(args) {
  const cmd = args[0] === 'analyze-arrow' ? ['--input-type=module', '-e', ANALYZE, args[1]] : [dist ? 'bin/es2scope.js' : 'src/cli/main.ts', ...args];
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, ...(dist ? [] : ['--import', 'tsx']), ...cmd], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [sec, user, sys, kb] = last.split(' ').map(Number);
  if (r.status !== 0) throw new Error(`es2scope ${args[0]} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  // CPU seconds next to wall: the machine may be shared
  return { sec, cpu: user + sys, rssMb: kb / 1024, stdout: r.stdout };
}


try {
  if (!existsSync('/usr/bin/time')) { console.log('analyze bench skipped: /usr/bin/time missing'); process.exit(0); }
  console.log(`analyze bench: running ${dist ? 'compiled dist/ (bin/es2scope.js)' : 'sources through tsx (dist/ missing or older than src/)'}`);
  if (reuse) {
    const st = timed(['analyze-arrow', arrow]);
    const j = JSON.parse(st.stdout);
    console.log(`analyze bench (re-used ${arrow}): ${st.sec.toFixed(1)} s wall, ${st.cpu.toFixed(1)} s CPU incl. Arrow read (${j.analysisSec.toFixed(1)} s in analyzer + stat), peak RSS ${st.rssMb.toFixed(0)} MB, paired exits ${j.samples}`);
    console.log(`  targets: RSS < 500 MB ${st.rssMb < 500 ? 'OK' : 'FAIL'}; pairs ${j.samples === exits ? 'OK' : 'FAIL'}`);
    if (!(st.rssMb < 500 && j.samples === exits)) process.exitCode = 1;
    process.exit();
  }
  await writeVhostExitsText(text, exits, 16062000000000);
  const mb = statSync(text).size / 1e6;
  const ing = timed(['ingest', text, '-o', arrow, '-q', '--format', 'trace-cmd']);
  const st = timed(['analyze-arrow', arrow]);
  const j = JSON.parse(st.stdout);
  const samples = j.samples;
  const ok = st.cpu < ing.cpu && st.rssMb < 500 && samples === exits;
  console.log(`analyze bench: ${exits} exits, ${mb.toFixed(0)} MB text`);
  console.log(`  ingest: ${ing.sec.toFixed(1)} s wall, ${ing.cpu.toFixed(1)} s CPU, peak RSS ${ing.rssMb.toFixed(0)} MB`);
  console.log(`  analysis of the events.arrow: ${st.sec.toFixed(1)} s wall, ${st.cpu.toFixed(1)} s CPU incl. Arrow read (${j.analysisSec.toFixed(1)} s in analyzer + stat, ${(exits / j.analysisSec / 1e6).toFixed(2)} M exits/s), peak RSS ${st.rssMb.toFixed(0)} MB, paired exits ${samples}`);
  console.log(`  targets: analysis < ingest (CPU s) ${st.cpu < ing.cpu ? 'OK' : 'FAIL'}; RSS < 500 MB ${st.rssMb < 500 ? 'OK' : 'FAIL'}; pairs ${samples === exits ? 'OK' : 'FAIL'}`);
  if (!ok) process.exitCode = 1;
} finally {
  if (!process.env.ANALYZE_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
}
