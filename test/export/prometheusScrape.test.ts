// End to end: a real Prometheus 2.42 (Debian bookworm package) on 127.0.0.1 scrapes
// `es2scope export --prometheus`; the values it stores must equal `es2scope stat --json` exactly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promQuery, provisionPrometheus, startPrometheus, type RunningServer } from '../helpers/servers.js';
import { runCli, TRACES, type CliResult } from '../helpers/cli.js';

const TRACE = join(TRACES, 'hip24', 'vhost-host-report.txt');
let bin = '';
let skip = '';
let prom: RunningServer | null = null;
let exporter: ChildProcess | null = null;

before(() => {
  if (!existsSync(TRACE)) { skip = `trace missing: ${TRACE}`; return; }
  const p = provisionPrometheus();
  if ('skip' in p) skip = `Prometheus cannot be installed: ${p.skip}`;
  else bin = p.bin;
});
after(async () => {
  if (exporter && exporter.exitCode === null) exporter.kill('SIGKILL');
  await prom?.stop();
});

test('Prometheus scrapes --prometheus: exit counts and handling-time sums equal stat --json exactly', { timeout: 240_000 }, async (t) => {
  if (skip) { console.log(`skip: ${skip}`); t.skip(skip); return; }
  let announced: (url: string) => void;
  const where = new Promise<string>((r) => { announced = r; });
  const run: Promise<CliResult> = runCli(['export', TRACE, '--prometheus', '0', '--serve-seconds', '120'], {
    timeoutMs: 180_000,
    onSpawn: (p) => { exporter = p; },
    onStdout: (out) => { const m = /serving \d+ points at (http:\/\/[^/]+)\/metrics/.exec(out); if (m) announced(m[1]!); },
  });
  const url = await Promise.race([where, run.then((r) => { throw new Error(`export ended early: ${r.code} ${r.stderr}`); })]);
  const target = new URL(url).host;
  prom = await startPrometheus(bin, target);

  const st = await runCli(['stat', TRACE, '--json']);
  assert.equal(st.code, 0, st.stderr);
  const stat = JSON.parse(st.stdout) as { rows: { key: string; samples: number; totalNs: number }[]; haltRows: { key: string; samples: number; totalNs: number }[]; quality: { exitEvents: number } };

  // Wait (bounded) for the first successful scrape.
  const until = Date.now() + 30_000;
  let up: number | null = null;
  while (Date.now() < until) {
    const r = await promQuery(prom.url, 'up{job="es2scope"}');
    up = r.length ? Number(r[0]!.value[1]) : null;
    if (up === 1 && (await promQuery(prom.url, 'kvm_exit_count_total')).length > 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(up, 1, `Prometheus did not scrape ${target}:\n${prom.log().slice(-800)}`);

  const byReason = async (q: string) => Object.fromEntries((await promQuery(prom!.url, q)).map((s) => [s.metric.kvm_exit_reason!, Number(s.value[1])]));
  const want = [...stat.rows, ...stat.haltRows];
  assert.deepEqual(await byReason('sum by (kvm_exit_reason) (kvm_exit_duration_nanoseconds_count)'), Object.fromEntries(want.map((r) => [r.key, r.samples])));
  assert.deepEqual(await byReason('sum by (kvm_exit_reason) (kvm_exit_duration_nanoseconds_sum)'), Object.fromEntries(want.map((r) => [r.key, r.totalNs])));
  const total = await promQuery(prom.url, 'sum(kvm_exit_count_total)');
  assert.equal(Number(total[0]!.value[1]), stat.quality.exitEvents);
  // histogram_quantile works on the exported buckets (a dashboard panel uses it).
  const p99 = await promQuery(prom.url, 'histogram_quantile(0.99, sum by (le) (kvm_exit_duration_nanoseconds_bucket{kvm_exit_category!="halt"}))');
  assert.ok(Number(p99[0]!.value[1]) > 0);
  // target_info carries the resource (trace file).
  const info = await promQuery(prom.url, 'target_info');
  assert.equal(info[0]?.metric.es2scope_trace_file, TRACE);

  exporter!.kill('SIGINT');
  const r = await run;
  assert.equal(r.code, 0, `export stops cleanly on Ctrl-C: ${r.stderr}`);
  assert.match(r.stdout, /stopped after \d+ scrapes?/);
});
