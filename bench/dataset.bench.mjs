// Dataset ingest: two distinct trace-cmd report texts (N exits each, default 500 k; real line shapes
// of hip24/vhost-host-report.txt, shifted µs timestamps) ingested into a Parquet dataset with
// --jobs 1 and with --jobs 2 (one worker thread per trace): wall time, events/s, peak RSS. Then
// sizes: raw text vs events Arrow IPC (es2scope ingest -o) vs the dataset's Parquet parts.
// Runs the compiled CLI (bench/run.mjs builds it). Env: DATASET_BENCH_EXITS, DATASET_BENCH_KEEP=1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeVhostExitsText } from './lib/vhostText.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const exits = Number(process.env.DATASET_BENCH_EXITS ?? 500_000);
const dir = mkdtempSync(join(tmpdir(), 'es2scope-bench-dataset-'));
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

const makeText = (path, startUs) => writeVhostExitsText(path, exits, startUs);

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
