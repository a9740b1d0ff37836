// Analyzer speed and memory at scale: N exits (default 10 M) of trace-cmd report text made by
// repeating real lines of hip24/vhost-host-report.txt (EPT_MISCONFIG + kvm_fast_mmio kick, MSR_WRITE,
// HLT, each followed by kvm_entry) with shifted µs timestamps. Measures `es2scope ingest` (text ->
// events.arrow) and `es2scope stat` on that events.arrow (Arrow read + analysis + stat), each under
// /usr/bin/time. Targets: analysis time < ingest time, analysis peak RSS < 500 MB.
// Env: ANALYZE_BENCH_EXITS (default 10000000), ANALYZE_BENCH_KEEP=1 keeps the temp dir.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const exits = Number(process.env.ANALYZE_BENCH_EXITS ?? 10_000_000);
const dir = mkdtempSync(join(tmpdir(), 'es2scope-bench-analyze-'));
const text = join(dir, 'big.txt');
const arrow = join(dir, 'big.events.arrow');

// Reads the events .arrow batch by batch into the analyzer, then computes the stat table; prints
// the time spent in the analyzer and stat only (Arrow decoding excluded).
const ANALYZE = `
const { createAnalyzer } = await import(process.cwd() + '/src/analyze/analyzer.ts');
const { readArrowBatches } = await import(process.cwd() + '/src/table/readEvents.ts');
const { computeStat } = await import(process.cwd() + '/src/analyze/stat.ts');
const a = createAnalyzer();
let ns = 0n;
for await (const b of readArrowBatches(process.argv.at(-1))) { const t = process.hrtime.bigint(); a.push(b); ns += process.hrtime.bigint() - t; }
const t = process.hrtime.bigint();
const s = computeStat(a.finish(null), { event: 'vmexit', by: 'reason', key: 'sample' });
ns += process.hrtime.bigint() - t;
console.log(JSON.stringify({ analysisSec: Number(ns) / 1e9, samples: s.total.samples + s.total.haltSamples }));`;

function timed(args) {
  const cmd = args[0] === 'analyze-arrow' ? ['--input-type=module', '-e', ANALYZE, args[1]] : ['src/cli/main.ts', ...args];
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, '--import', 'tsx', ...cmd], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [sec, kb] = last.split(' ').map(Number);
  if (r.status !== 0) throw new Error(`es2scope ${args[0]} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { sec, rssMb: kb / 1024, stdout: r.stdout };
}

// Real line shapes (trace-formats.md 2.2), timestamps replaced.
const P = ' qemu-system-x86-150750 [019] ';
const pad = (ev) => `${ev}:`.padEnd(22);
function us(t) { return `${Math.floor(t / 1e6)}.${String(t % 1e6).padStart(6, '0')}`; }
const CYCLE = [
  [pad('kvm_exit'), 'reason EPT_MISCONFIG rip 0xffffffffb2633af9 info 0 0', 1],
  [pad('kvm_fast_mmio'), 'fast mmio at gpa 0x800007004', 0],
  [pad('kvm_entry'), ' vcpu 0 rip 0xffffffffb2633afc', 0],
  [pad('kvm_exit'), 'reason MSR_WRITE rip 0xffffffffb20d5bc8 info 0 0', 1],
  [pad('kvm_msr'), 'msr_write 6e0 = 0x50e9631e42', 0],
  [pad('kvm_entry'), ' vcpu 0 rip 0xffffffffb20d5bca', 0],
  [pad('kvm_exit'), 'reason HLT rip 0xffffffffb33f2e5f info 0 0', 1],
  [pad('kvm_entry'), ' vcpu 0 rip 0xffffffffb33f2e60', 0],
];

try {
  if (!existsSync('/usr/bin/time')) { console.log('analyze bench skipped: /usr/bin/time missing'); process.exit(0); }
  const out = createWriteStream(text);
  out.write('cpus=20\n');
  let t = 16062000000000; // µs
  let made = 0, buf = '';
  while (made < exits) {
    for (const [ev, payload, isExit] of CYCLE) {
      if (isExit && made >= exits) break;
      made += isExit;
      t += 1 + (made % 7);
      buf += `${P}${us(t)}: ${ev}${payload}\n`;
    }
    if (buf.length > 1 << 20) { if (!out.write(buf)) await once(out, 'drain'); buf = ''; }
  }
  out.end(buf);
  await once(out, 'finish');
  const mb = statSync(text).size / 1e6;
  const ing = timed(['ingest', text, '-o', arrow, '-q', '--format', 'trace-cmd']);
  const st = timed(['analyze-arrow', arrow]);
  const j = JSON.parse(st.stdout);
  const samples = j.samples;
  const ok = st.sec < ing.sec && st.rssMb < 500 && samples === exits;
  console.log(`analyze bench: ${exits} exits, ${mb.toFixed(0)} MB text`);
  console.log(`  ingest: ${ing.sec.toFixed(1)} s, peak RSS ${ing.rssMb.toFixed(0)} MB`);
  console.log(`  analysis of the events.arrow: ${st.sec.toFixed(1)} s wall incl. Arrow read (${j.analysisSec.toFixed(1)} s in analyzer + stat, ${(exits / j.analysisSec / 1e6).toFixed(2)} M exits/s), peak RSS ${st.rssMb.toFixed(0)} MB, paired exits ${samples}`);
  console.log(`  targets: analysis < ingest ${st.sec < ing.sec ? 'OK' : 'FAIL'}; RSS < 500 MB ${st.rssMb < 500 ? 'OK' : 'FAIL'}; pairs ${samples === exits ? 'OK' : 'FAIL'}`);
  if (!ok) process.exitCode = 1;
} finally {
  if (!process.env.ANALYZE_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
}
