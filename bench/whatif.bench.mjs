// What-if model speed and memory at scale. Three parts:
// 1. Synthetic: an AnalysisResult of N exits (default 10 M; WHATIF_BENCH_EXITS) built straight into
//    the analyzer's chunked tables (4 vCPUs of one VM; a cycle of EPT_MISCONFIG kicks on a dense and
//    a sparse notify address, MSR_WRITE timer, HLT, EXTERNAL_INTERRUPT after an MSI, INTERRUPT_WINDOW,
//    x2APIC EOI, PAUSE; one MSI per cycle with the target in guest / halted / unknown), then
//    modelInputFromAnalysis + runWhatif (all mechanisms) + whatifSummary, timed per phase in CPU seconds, in a child
//    process under /usr/bin/time (peak RSS, CPU seconds). Target: a linear replay, a few seconds.
//    It prints a digest of the summary JSON: two builds (WHATIF_BENCH_OLD) must print the same one.
// 2. The real traces in ../shared/traces (skipped when absent): `es2scope whatif --json` on each.
// 3. The real HIP24 vhost trace (trace-cmd report text) repeated with shifted µs timestamps to M exits
//    (default 1 M; WHATIF_BENCH_TRACE_EXITS, 0 = skip): its lines of the events the analyzer reads
//    (kvm_exit/entry/msr/fast_mmio, MSI, APIC accepts, wakeups, sched_switch/wakeup), read in place
//    and written to a temp file. `es2scope whatif --json` and `es2scope stat` on it, end to end.
// Env: WHATIF_BENCH_EXITS, WHATIF_BENCH_SWEEP=1 adds the default idle-window sweep,
// WHATIF_BENCH_TRACE_EXITS, WHATIF_BENCH_OLD=DIR also runs parts 1 and 3 with another build (a
// copy of dist/ with package.json and node_modules next to it) and compares the outputs,
// WHATIF_BENCH_KEEP=1 keeps the generated trace, WHATIF_BENCH_PROF=DIR writes a CPU profile of part 1.
// Code measured: dist/ when it is newer than the sources (npm run bench builds it), else src via tsx.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const exits = Number(process.env.WHATIF_BENCH_EXITS ?? 10_000_000);
const traceExits = Number(process.env.WHATIF_BENCH_TRACE_EXITS ?? 1_000_000);
const traces = join(root, '..', 'shared', 'traces', 'hip24');
const old = process.env.WHATIF_BENCH_OLD;

/** dist/ when every whatif/analyzer source is older than its build, else null (sources via tsx). */
function freshDist() {
  const dist = join(root, 'dist');
  const pairs = ['src/analyze/whatif', 'src/analyze', 'src/cli/commands', 'src/table'].flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith('.ts')).map((f) => join(d, f)));
  for (const f of pairs) {
    const js = join(dist, f.replace(/\.ts$/, '.js'));
    if (!existsSync(js) || statSync(js).mtimeMs < statSync(join(root, f)).mtimeMs) return null;
  }
  return dist;
}
const dist = freshDist();

// The child: builds the synthetic AnalysisResult, then runs the model. Prints one JSON line.
// argv: ... <modules root (dist or src)> <ext> N sweep
const CHILD = `
const [R, X] = process.argv.slice(-4, -2);
const T = await import(R + '/analyze/tables.' + X);
const { CATEGORIES, CAT } = await import(R + '/analyze/types.' + X);
const { modelInputFromAnalysis } = await import(R + '/analyze/whatif/fromAnalysis.' + X);
const { runWhatif, sweepIdleWindow } = await import(R + '/analyze/whatif/model.' + X);
const { whatifSummary } = await import(R + '/analyze/whatif/summary.' + X);
const { createHash } = await import('node:crypto');
const N = Number(process.argv.at(-2));
const sweep = process.argv.at(-1) === '1';
// CPU seconds (user + system) of this process: the machine is shared, wall time is noisy
const now = () => { const u = process.cpuUsage(); return u.user + u.system; };
const sec = (t0) => (now() - t0) / 1e6;
let t0 = now();

const exitsB = new T.ChunkedBuilder(T.newExitsChunk);
const irqsB = new T.ChunkedBuilder(T.newIrqsChunk);
const kicksB = new T.ChunkedBuilder(T.newKicksChunk);
const reasons = [
  ['EPT_MISCONFIG', 49, 'mmu', 'io_request'], ['MSR_WRITE', 32, 'msr', 'timer'], ['HLT', 12, 'halt', 'halt'],
  ['EXTERNAL_INTERRUPT', 1, 'interrupt', 'interrupt'], ['EPT_MISCONFIG', 49, 'mmu', 'io_request'],
  ['INTERRUPT_WINDOW', 7, 'interrupt', 'interrupt'], ['MSR_WRITE', 32, 'msr', 'eoi'], ['PAUSE_INSTRUCTION', 40, 'other', 'other'],
];
const reasonInfo = [...new Map(reasons.map(([name, code, cat]) => [name, { name, isa: 'VMX', code, category: cat }])).values()];
const reasonIdx = (name) => reasonInfo.findIndex((r) => r.name === name);
const VCPUS = 4;
const BASE = 1_600_000_000_000_000n;
const put = (arr, row, ns) => { arr[row] = BASE + BigInt(ns); };
const clock = new Array(VCPUS).fill(0); // per vCPU: ns of its last entry
const g = new Float64Array(VCPUS), h = new Float64Array(VCPUS), hh = new Float64Array(VCPUS), nx = new Float64Array(VCPUS);
let x = 12345, lastNs = 0;
const rnd = () => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return x / 4294967296; };
for (let i = 0; i < N; i++) {
  const v = i % VCPUS;
  const step = Math.floor(i / VCPUS) % reasons.length;
  const [name, , , cat] = reasons[step];
  const gap = 500 + Math.floor(rnd() * 20_000);
  const exitNs = clock[v] + gap;
  const dur = cat === 'halt' ? 20_000 + Math.floor(rnd() * 200_000) : 300 + Math.floor(rnd() * 3_000);
  if (cat === 'interrupt' && name === 'EXTERNAL_INTERRUPT') {
    // an MSI raised for this vCPU shortly before: an injection kick PI removes
    const q = irqsB.next(), r = q.length;
    put(q.raiseNs, r, exitNs - 2_000);
    q.acceptDelayNs[r] = 500; q.latencyNs[r] = 2_000 + dur + 200; q.source[r] = 0; q.delivery[r] = 0;
    q.targetState[r] = (i >> 3) % 3 === 0 ? 0 : (i >> 3) % 3 === 1 ? 3 : 4; q.target[r] = v; q.targetVcpu[r] = v;
    q.vm[r] = 0; q.vector[r] = 33 + v; q.gsi[r] = -1; q.raiserTid[r] = 999; q.trigLevel[r] = 0; q.flags[r] = 0;
    irqsB.commit();
  }
  const ch = exitsB.next(), r = ch.length;
  put(ch.exitNs, r, exitNs);
  const broken = i % 997 === 996; // a pair broken by a lost-event marker now and then
  ch.durNs[r] = broken ? -1 : dur; ch.thread[r] = v; ch.cpu[r] = v; ch.reason[r] = reasonIdx(name); ch.category[r] = CAT[cat];
  ch.flags[r] = broken ? 1 : 0; ch.device[r] = cat === 'io_request' ? (step === 0 ? 0 : 1) : -1; ch.detail[r] = 0;
  exitsB.commit();
  if (cat === 'io_request') {
    const k = kicksB.next(), kr = k.length;
    put(k.tsNs, kr, exitNs + 150);
    k.thread[kr] = v; k.device[kr] = step === 0 ? 0 : 1; k.inExit[kr] = 1;
    kicksB.commit();
  }
  if (!broken) { g[v] += gap; if (cat === 'halt') hh[v] += dur; else h[v] += dur; nx[v]++; }
  clock[v] = exitNs + dur;
  if (clock[v] > lastNs) lastNs = clock[v];
}
const threads = Array.from({ length: VCPUS }, (_, v) => ({ tid: 2000 + v, vm: 0, vcpu: v, comm: 'CPU ' + v + '/KVM', vcpuFrom: 'payload' }));
const row = (scope, thread, vm, i) => ({ scope, thread, vm, startNs: BASE, endNs: BASE + BigInt(lastNs), guestNs: g[i], handlingNs: h[i], haltNs: hh[i], exits: nx[i], ehtBusy: null, ehtWall: null, excludedLost: false });
let analysis = {
  schemaVersion: 1, input: null,
  exits: exitsB.finish(), irqs: irqsB.finish(), vcpuRuns: T.emptyRuns(), ioKicks: kicksB.finish(), accesses: T.emptyAccesses(),
  threads, vms: [{ pid: 4242, label: 'pid 4242', from: 'pid', threads: threads.map((_, i) => i) }],
  reasons: reasonInfo,
  devices: [0xfe003000, 0xfe004000].map((a) => ({ kind: 'mmio', addr: BigInt(a), vm: 0, label: 'mmio 0x' + a.toString(16) })),
  details: [''],
  eht: { traced: true, windowNs: 1e9, perVcpu: threads.map((_, v) => row('vcpu', v, 0, v)), perVm: [], windows: [], total: null, definitions: { busy: '', wall: '' } },
  quality: { exitsTraced: true, firstNs: BASE, lastNs: BASE + BigInt(lastNs), lostMarkers: 0, timeResolutionNs: 1 },
  postedDelivery: false,
};
const buildSec = sec(t0);
global.gc?.();
const rssBuiltMb = process.memoryUsage().rss / 2 ** 20;
t0 = now();
const input = modelInputFromAnalysis(analysis);
const adaptSec = sec(t0);
// as es2scope whatif does: the analysis is not kept once the model input is built
const counts = { exits: analysis.exits.length, irqs: analysis.irqs.length, kicks: analysis.ioKicks.length };
analysis = null;
t0 = now();
const result = runWhatif(input, {});
const modelSec = sec(t0);
t0 = now();
const sw = sweep ? sweepIdleWindow(input, {}) : null;
const sweepSec = sec(t0);
const s = whatifSummary(result, sw, null);
const es2 = s.stages[s.stages.length - 1];
const digest = createHash('sha256').update(JSON.stringify(s)).digest('hex').slice(0, 16);
console.log(JSON.stringify({ buildSec, rssBuiltMb, adaptSec, modelSec, sweepSec, ...counts,
  exitsAvoided: es2.exitsAvoided, kicksAvoided: es2.kicksAvoided, redirected: es2.redirected, ehtBusyAfter: es2.eht?.busy, digest }));
`;

/** node (through tsx unless `compiled`) under /usr/bin/time: wall, CPU seconds, peak RSS. */
function timed(args, compiled = dist !== null, nodeFlags = []) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, '--expose-gc', ...nodeFlags, ...(compiled ? [] : ['--import', 'tsx']), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, user, sys, kb] = last.split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${args.join(' ').slice(0, 80)} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { wall, cpu: user + sys, rssMb: kb / 1024, stdout: r.stdout };
}

if (!existsSync('/usr/bin/time')) { console.log('whatif bench skipped: /usr/bin/time missing'); process.exit(0); }
console.log(`whatif bench: ${dist ? 'dist/' : 'src via tsx'}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);

function synthetic(label, modRoot, ext, compiled) {
  const prof = process.env.WHATIF_BENCH_PROF && label === 'this' ? ['--cpu-prof', '--cpu-prof-dir', process.env.WHATIF_BENCH_PROF] : [];
  const syn = timed(['--input-type=module', '-e', CHILD, modRoot, ext, String(exits), process.env.WHATIF_BENCH_SWEEP === '1' ? '1' : '0'], compiled, prof);
  const j = JSON.parse(syn.stdout.trim().split('\n').pop());
  console.log(`[${label}] synthetic ${j.exits} exits, ${j.irqs} irqs, ${j.kicks} kicks (built in ${j.buildSec.toFixed(1)} s, RSS then ${j.rssBuiltMb.toFixed(0)} MB)`);
  console.log(`  adapter ${j.adaptSec.toFixed(2)} s + runWhatif ${j.modelSec.toFixed(2)} s${j.sweepSec > 0 ? ` + sweep ${j.sweepSec.toFixed(2)} s` : ''}`
    + ` = ${(j.adaptSec + j.modelSec + j.sweepSec).toFixed(2)} s CPU (${(j.exits / (j.adaptSec + j.modelSec) / 1e6).toFixed(2)} M exits/s); process: ${syn.cpu.toFixed(1)} s CPU, ${syn.wall.toFixed(1)} s wall, peak RSS ${syn.rssMb.toFixed(0)} MB`);
  console.log(`  ES2: ${j.exitsAvoided} exits avoided, ${j.kicksAvoided} kicks avoided, ${j.redirected} redirected, EHT busy after ${j.ehtBusyAfter?.toFixed(4)}; summary digest ${j.digest}`);
  return { ...j, rssMb: syn.rssMb };
}
const cur = dist ? synthetic('this', join(dist, 'src'), 'js', true) : synthetic('this', join(root, 'src'), 'ts', false);
const target = cur.adaptSec + cur.modelSec < Math.max(5, cur.exits / 1e6) && cur.rssMb < Math.max(300, (cur.exits / 1e7) * 1500);
console.log(`  target: adapter + model under max(5 s, 1 s per M exits) CPU and peak RSS under 1.5 GB per 10 M exits: ${target ? 'OK' : 'FAIL'}`);
if (!target) process.exitCode = 1;
if (old) {
  const o = synthetic('old', join(old, 'dist', 'src'), 'js', true);
  const same = o.digest === cur.digest;
  console.log(`  A/B: summary ${same ? 'identical' : 'DIFFERS'}; CPU (adapter + model) ${((o.adaptSec + o.modelSec) / (cur.adaptSec + cur.modelSec)).toFixed(1)}x less, peak RSS ${(o.rssMb / cur.rssMb).toFixed(1)}x less`);
  if (!same) process.exitCode = 1;
}

if (!existsSync(traces)) console.log(`  real traces skipped: ${traces} not found`);
else {
  for (const f of readdirSync(traces).filter((n) => /\.(dat|txt)$/.test(n)).sort()) {
    const r = timed([dist ? join(dist, 'src/cli/main.js') : 'src/cli/main.ts', 'whatif', join(traces, f), '--json', '--sweep']);
    const s = JSON.parse(r.stdout);
    const es2 = s.stages[s.stages.length - 1];
    console.log(`  ${f}: ${r.cpu.toFixed(1)} s CPU, ${r.wall.toFixed(1)} s wall, peak RSS ${r.rssMb.toFixed(0)} MB; ES2 exits avoided ${es2.exitsAvoided}, kicks avoided ${es2.kicksAvoided}`);
  }
}

// Part 3: the real vhost trace repeated to `traceExits` exits.
const KEEP = /: +(kvm_exit|kvm_entry|kvm_msr|kvm_fast_mmio|kvm_msi_set_irq|kvm_apic_accept_irq|kvm_apicv_accept_irq|sched_switch|kvm_vcpu_wakeup|sched_wakeup|sched_waking):/;

/**
 * Writes the kept lines of `src` (trace-cmd report text, "SEC.USEC:" timestamps) again and again,
 * each copy shifted by the trace's span + 1 ms, until `n` kvm_exit lines are written. Timestamps
 * are integer µs (BigInt), never floats.
 */
async function writeRepeated(src, path, n) {
  const lines = readFileSync(src, 'utf8').split('\n');
  const kept = [];
  for (const l of lines) {
    // " qemu-system-x86-150750 [019] 16062.943940: kvm_exit: ..." (trace-cmd report, trace-formats.md 2.2)
    const m = /\] (\d+)\.(\d{6}): /.exec(l);
    if (!m || !KEEP.test(l)) continue;
    const at = m.index + 2;
    kept.push({ pre: l.slice(0, at), us: BigInt(m[1]) * 1_000_000n + BigInt(m[2]), post: l.slice(at + m[1].length + 7), exit: / kvm_exit: /.test(l) });
  }
  const span = kept.at(-1).us - kept[0].us + 1000n;
  const out = createWriteStream(path);
  out.write(`${lines[0]}\n`); // cpus=N
  let made = 0, buf = '';
  for (let c = 0n; made < n; c++) {
    for (const k of kept) {
      if (k.exit) { if (made >= n) break; made++; }
      const t = k.us + c * span;
      buf += `${k.pre}${t / 1_000_000n}.${String(t % 1_000_000n).padStart(6, '0')}${k.post}\n`;
    }
    if (buf.length > 1 << 20) { if (!out.write(buf)) await once(out, 'drain'); buf = ''; }
  }
  out.end(buf);
  await once(out, 'finish');
}

const vhost = join(traces, 'vhost-host-report.txt');
if (traceExits > 0 && !existsSync(vhost)) console.log(`  repeated vhost trace skipped: ${vhost} not found`);
else if (traceExits > 0) {
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-bench-whatif-'));
  try {
    const text = join(dir, 'vhost-repeated.txt');
    await writeRepeated(vhost, text, traceExits);
    console.log(`repeated vhost trace: ${traceExits} exits, ${(statSync(text).size / 2 ** 20).toFixed(0)} MB of text (${text})`);
    const cli = (build) => (build ? join(build, 'src/cli/main.js') : 'src/cli/main.ts');
    const runs = [['this', dist, dist !== null], ...(old ? [['old', join(old, 'dist'), true]] : [])];
    const outs = {};
    for (const [label, build, compiled] of runs) {
      const w = timed([cli(build), 'whatif', text, '--json'], compiled);
      const s = JSON.parse(w.stdout);
      const es2 = s.stages[s.stages.length - 1];
      outs[label] = w.stdout;
      console.log(`  [${label}] whatif: ${w.cpu.toFixed(1)} s CPU, ${w.wall.toFixed(1)} s wall, peak RSS ${w.rssMb.toFixed(0)} MB; ES2 exits avoided ${es2.exitsAvoided}, kicks avoided ${es2.kicksAvoided}, redirected ${es2.redirected}`);
      const st = timed([cli(build), 'stat', text], compiled);
      console.log(`  [${label}] stat:   ${st.cpu.toFixed(1)} s CPU, ${st.wall.toFixed(1)} s wall, peak RSS ${st.rssMb.toFixed(0)} MB`);
    }
    if (old) {
      const same = outs.this === outs.old;
      console.log(`  A/B: whatif --json ${same ? 'byte-identical' : 'DIFFERS'} (sha256 ${createHash('sha256').update(outs.this).digest('hex').slice(0, 16)})`);
      if (!same) process.exitCode = 1;
    }
  } finally {
    if (process.env.WHATIF_BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  }
}
