// Dataset ingest: two distinct trace-cmd report texts (N exits each, default 500 k; real line shapes
// of hip24/vhost-host-report.txt, shifted µs timestamps) ingested into a Parquet dataset with
// --jobs 1 and with --jobs 2 (one worker thread per trace): wall time, events/s, peak RSS. Then
// sizes: raw text vs events Arrow IPC (es2scope ingest -o) vs the dataset's Parquet parts.
// Runs the compiled CLI (bench/run.mjs builds it). Env: DATASET_BENCH_EXITS, DATASET_BENCH_KEEP=1.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const exits = Number(process.env.DATASET_BENCH_EXITS ?? 500_000);
const dir = mkdtempSync(join(tmpdir(), 'es2scope-bench-dataset-'));
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

const P = ' qemu-system-x86-150750 [019] ';
const pad = (ev) => `${ev}:`.padEnd(22);
const us = (t) => `${Math.floor(t / 1e6)}.${String(t % 1e6).padStart(6, '0')}`;
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

async function makeText(path, start) {
  const out = createWriteStream(path);
  out.write('cpus=20\n');
  let t = start, made = 0, lines = 0, buf = '';
  while (made < exits) {
    for (const [ev, payload, isExit] of CYCLE) {
      if (isExit && made >= exits) break;
      made += isExit; lines++;
      t += 1 + (made % 7);
      buf += `${P}${us(t)}: ${ev}${payload}\n`;
    }
    if (buf.length > 1 << 20) { if (!out.write(buf)) await once(out, 'drain'); buf = ''; }
  }
  out.end(buf);
  await once(out, 'finish');
  return lines;
}

function timed(args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, cli, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`es2scope ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const [sec, kb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { sec, rssMb: kb / 1024 };
}

function duSize(d) {
  let n = 0;
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    n += e.isDirectory() ? duSize(p) : e.name.endsWith('.parquet') ? statSync(p).size : 0;
  }
  return n;
}

try {
  if (!existsSync(cli)) throw new Error('dist/ missing: run npm run build (bench/run.mjs does)');
  const a = join(dir, 'a.txt'), b = join(dir, 'b.txt');
  const events = (await makeText(a, 16062000000000)) + (await makeText(b, 17062000000000));
  const rawMb = (statSync(a).size + statSync(b).size) / 1e6;
  console.log(`dataset bench: 2 traces x ${exits} exits, ${events} events, ${rawMb.toFixed(0)} MB text`);
  for (const jobs of [1, 2]) {
    const ds = join(dir, `ds-j${jobs}`);
    const r = timed(['ingest', a, b, '--dataset', ds, '--host', 'bench', '--jobs', String(jobs), '--format', 'trace-cmd', '-q']);
    console.log(`  --jobs ${jobs}: ${r.sec.toFixed(1)} s, ${(events / r.sec / 1e3).toFixed(0)} k events/s, peak RSS ${r.rssMb.toFixed(0)} MB`);
  }
  const arrow = join(dir, 'a.events.arrow');
  timed(['ingest', a, '-o', arrow, '-q', '--format', 'trace-cmd']);
  const pq = duSize(join(dir, 'ds-j1', 'events'));
  const pqAll = duSize(join(dir, 'ds-j1'));
  console.log(`  sizes for trace a: raw text ${(statSync(a).size / 1e6).toFixed(1)} MB, events Arrow IPC ${(statSync(arrow).size / 1e6).toFixed(1)} MB, events Parquet (zstd) ${(pq / 2e6).toFixed(1)} MB (half of both traces); all tables of both traces in Parquet ${(pqAll / 1e6).toFixed(1)} MB`);
} finally {
  if (!process.env.DATASET_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
}
