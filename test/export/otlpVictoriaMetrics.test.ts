// End to end: `es2scope export` pushes OTLP/protobuf into a real VictoriaMetrics 1.112 (Debian
// trixie package) on 127.0.0.1; values read back through its Prometheus query API must equal
// `es2scope stat --json` on the same trace exactly, and the points must sit on the trace's timeline.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promQuery, provisionVictoriaMetrics, startVictoriaMetrics, type RunningServer } from '../helpers/servers.js';
import { runCli, TRACES } from '../helpers/cli.js';

const TRACE = join(TRACES, 'hip24', 'vhost-host-report.txt');
let vm: RunningServer | null = null;
let skip = '';

before(async () => {
  if (!existsSync(TRACE)) { skip = `trace missing: ${TRACE}`; return; }
  const p = provisionVictoriaMetrics();
  if ('skip' in p) { skip = `VictoriaMetrics cannot be installed: ${p.skip}`; return; }
  vm = await startVictoriaMetrics(p.bin);
});
after(async () => { await vm?.stop(); });

interface StatJson { rows: { key: string; samples: number; totalNs: number }[]; haltRows: { key: string; samples: number; totalNs: number }[]; quality: { exitEvents: number; firstNs: string; lastNs: string } }

test('OTLP/protobuf into VictoriaMetrics: exit counts and handling-time sums equal stat --json, on the trace timeline', { timeout: 240_000 }, async (t) => {
  if (skip) { console.log(`skip: ${skip}`); t.skip(skip); return; }
  // Anchor the trace's last event one minute ago (the trace clock is boot time, not wall time).
  const endSec = Math.floor(Date.now() / 1000) - 60;
  const ex = await runCli(['export', TRACE, '--metrics-endpoint', `${vm!.url}/opentelemetry/v1/metrics`, '--trace-end-time', String(endSec), '--json', '--timeout', '5000']);
  assert.equal(ex.code, 0, ex.stderr);
  const sent = JSON.parse(ex.stdout) as { metrics: { protocol: string; status: number; points: number }; windows: { count: number } };
  assert.equal(sent.metrics.protocol, 'http/protobuf');
  assert.ok(sent.windows.count >= 4, 'a 4.7 s trace gives several 1 s windows');
  const st = await runCli(['stat', TRACE, '--json']);
  assert.equal(st.code, 0, st.stderr);
  const stat = JSON.parse(st.stdout) as StatJson;
  const f = await fetch(`${vm!.url}/internal/force_flush`);
  assert.equal(f.status, 200);

  const byReason = async (q: string) => new Map((await promQuery(vm!.url, q, endSec)).map((s) => [s.metric.kvm_exit_reason!, Number(s.value[1])]));
  const counts = await byReason('sum by (kvm_exit_reason) (kvm_exit_duration_nanoseconds_count)');
  const sums = await byReason('sum by (kvm_exit_reason) (kvm_exit_duration_nanoseconds_sum)');
  const want = [...stat.rows, ...stat.haltRows];
  assert.ok(want.length >= 5);
  assert.deepEqual(Object.fromEntries(counts), Object.fromEntries(want.map((r) => [r.key, r.samples])));
  assert.deepEqual(Object.fromEntries(sums), Object.fromEntries(want.map((r) => [r.key, r.totalNs])));
  const all = await promQuery(vm!.url, 'sum(kvm_exit_count_total)', endSec);
  assert.equal(Number(all[0]!.value[1]), stat.quality.exitEvents);

  // Timeline: cumulative points at window ends; 3 s before the end fewer exits had happened.
  const traceSpanSec = Number(BigInt(stat.quality.lastNs) - BigInt(stat.quality.firstNs)) / 1e9;
  assert.ok(traceSpanSec > 4);
  const early = await promQuery(vm!.url, 'sum(last_over_time(kvm_exit_count_total[1s]))', endSec - 3);
  assert.equal(early.length, 1, 'points exist inside the trace window');
  const earlyCount = Number(early[0]!.value[1]);
  assert.ok(earlyCount > 0 && earlyCount < stat.quality.exitEvents, `cumulative count 3 s before the end (${earlyCount}) lies below the total`);
  // Before the trace started there is nothing.
  const before = await promQuery(vm!.url, 'sum(last_over_time(kvm_exit_count_total[1s]))', endSec - Math.ceil(traceSpanSec) - 2);
  assert.equal(before.length, 0);

  // EHT and what-if arrived under their Prometheus names; resource attributes became labels.
  const eht = await promQuery(vm!.url, 'kvm_exit_handling_time_ratio{es2_scope="total"}', endSec);
  assert.deepEqual(eht.map((s) => s.metric.es2_eht_definition).sort(), ['busy', 'wall']);
  const avoided = await promQuery(vm!.url, 'sum by (es2_mechanism) (es2_whatif_exit_avoided_total)', endSec);
  assert.ok(avoided.length >= 1, 'what-if avoided exits exported');
  assert.ok(eht.every((s) => s.metric.es2scope_trace_file === TRACE), 'resource attribute es2scope.trace.file on every series');
});
