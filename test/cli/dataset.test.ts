// A dataset built from three real traces (HIP24 trace.dat v7 zlib x2, trace-cmd report text) and
// one trace.dat recorded on this machine, under three host names: es2scope's own per-reason
// counts and summed times (stat --json on each raw trace, and on the dataset) must equal the same
// aggregation written in SQL over the Parquet parts, exactly. Also: re-ingest skips, sql formats,
// and pyarrow/Polars read a part.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, TRACES, runCli } from '../helpers/cli.js';

const APICV = join(TRACES, 'hip24', 'apicv-6.5-trace.dat');
const TSC2NSEC = join(TRACES, 'hip24', 'exits-6.5-tsc2nsec-trace.dat');
const VHOST = join(TRACES, 'hip24', 'vhost-host-report.txt');
const LOCAL = join(ROOT, 'fixtures', 'tracedat', 'sched-lost-v6.dat');
const missing = [APICV, TSC2NSEC, VHOST].filter((p) => !existsSync(p));
const skip = missing.length ? `real traces missing: ${missing.join(', ')} (they live in ../shared/traces)` : false;

let dir = '';
let ds = '';

interface StatRowJson { key: string; samples: number; totalNs: number }
interface StatJson { rows: StatRowJson[]; haltRows: StatRowJson[]; hosts?: { host: string; exits: number; traces: number }[] }

/** reason -> [samples, summed ns] from stat --json rows (halt rows included). */
function statByReason(j: StatJson): Map<string, [number, number]> {
  return new Map([...j.rows, ...j.haltRows].map((r) => [r.key, [r.samples, r.totalNs]]));
}

async function sqlJson(query: string): Promise<Record<string, unknown>[]> {
  const r = await runCli(['sql', query, ds, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

/** The same aggregation in SQL: paired, unflagged exits (what stat counts) by reason. */
async function sqlByReason(where: string): Promise<Map<string, [number, number]>> {
  const rows = await sqlJson(`SELECT reason, count(*) AS n, sum(dur_ns) AS t FROM exits WHERE flags = 0 AND ${where} GROUP BY reason`);
  return new Map(rows.map((r) => [r['reason'] as string, [Number(r['n']), Number(r['t'])]]));
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'es2scope-dataset-test-'));
  ds = join(dir, 'ds');
  const a = await runCli(['ingest', APICV, TSC2NSEC, '--dataset', ds, '--host', 'lab-a', '--jobs', '2'], { timeoutMs: 300_000 });
  assert.equal(a.code, 0, a.stderr);
  const b = await runCli(['ingest', VHOST, '--dataset', ds, '--host', 'lab-b'], { timeoutMs: 300_000 });
  assert.equal(b.code, 0, b.stderr);
  const c = await runCli(['ingest', LOCAL, '--dataset', ds, '--host', 'here'], { timeoutMs: 300_000 });
  assert.equal(c.code, 0, c.stderr);
});
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

test('per-reason counts and summed ns of each real trace equal SQL over its Parquet parts, exactly', { skip, timeout: 600_000 }, async () => {
  const manifest = readFileSync(join(ds, 'manifest.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { traceId: string; input: { path: string }; host: string });
  assert.equal(manifest.length, 4);
  for (const trace of [APICV, TSC2NSEC, VHOST]) {
    const entry = manifest.find((e) => e.input.path === trace)!;
    const r = await runCli(['stat', trace, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const own = statByReason(JSON.parse(r.stdout) as StatJson);
    assert.ok(own.size > 0, `${trace}: no exits in stat`);
    assert.deepEqual(await sqlByReason(`trace_id = '${entry.traceId}'`), own, trace);
  }
  // README known count: APIC_WRITE 1055 in the apicv trace, now through the dataset
  const apicv = manifest.find((e) => e.input.path === APICV)!;
  const [n] = await sqlJson(`SELECT count(*) AS n FROM exits WHERE trace_id = '${apicv.traceId}' AND reason = 'APIC_WRITE'`);
  assert.equal(n!['n'], 1055);
});

test('stat DIR: one table across hosts equals SQL over the whole dataset; per-host rows match', { skip, timeout: 600_000 }, async () => {
  const r = await runCli(['stat', ds, '--json'], { timeoutMs: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as StatJson;
  assert.deepEqual(await sqlByReason('true'), statByReason(j));
  const perHost = await sqlJson('SELECT host, count(*) AS n, count(DISTINCT trace_id) AS traces FROM exits GROUP BY host');
  for (const h of perHost) {
    const row = j.hosts!.find((x) => x.host === h['host'])!;
    assert.equal(row.exits, Number(h['n']), `host ${String(h['host'])}`);
  }
  assert.deepEqual(j.hosts!.map((h) => h.host), ['here', 'lab-a', 'lab-b']);
});

test('events land in host/vm partitions and every row of every trace is there once (seq 0..n-1)', { skip, timeout: 300_000 }, async () => {
  const rows = await sqlJson('SELECT m.host, m.rows.events AS expected, count(e.seq) AS n, count(DISTINCT e.seq) AS distinct_seq, max(e.seq) AS max_seq FROM manifest m JOIN events e ON e.trace_id = m.traceId GROUP BY ALL ORDER BY m.host');
  assert.equal(rows.length, 4);
  for (const r of rows) {
    assert.equal(r['n'], r['expected']);
    assert.equal(r['distinct_seq'], r['expected']);
    assert.equal(Number(r['max_seq']), Number(r['expected']) - 1);
  }
});

test('re-ingesting the same trace (same sha256) adds nothing and says so', { skip, timeout: 300_000 }, async () => {
  const before = readFileSync(join(ds, 'manifest.jsonl'), 'utf8');
  const r = await runCli(['ingest', VHOST, '--dataset', ds, '--host', 'other']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /skip .*vhost-host-report\.txt: already in the dataset \(host lab-b/);
  assert.equal(readFileSync(join(ds, 'manifest.jsonl'), 'utf8'), before);
});

test('sql prints a table, CSV and JSON of the same result', { skip, timeout: 300_000 }, async () => {
  const q = "SELECT host, count(*) AS exits FROM exits GROUP BY host ORDER BY host";
  const t = await runCli(['sql', q, ds]);
  assert.match(t.stdout, /^host\s+exits\n-+\s+-+\nlab-a\s+\d+\nlab-b\s+\d+\n\(2 rows\)\n$/);
  const csv = await runCli(['sql', q, ds, '--format', 'csv']);
  const json = JSON.parse((await runCli(['sql', q, ds, '--format', 'json'])).stdout) as { host: string; exits: number }[];
  assert.equal(csv.stdout, `host,exits\n${json.map((r) => `${r.host},${r.exits}`).join('\n')}\n`);
  assert.deepEqual(json.map((r) => r.host), ['lab-a', 'lab-b']);
});

test('pyarrow and Polars read a part file and the Hive-partitioned folder', { skip, timeout: 120_000 }, async (t) => {
  const probe = spawnSync('python3', ['-c', 'import pyarrow, polars'], { encoding: 'utf8' });
  if (probe.status !== 0) { t.skip(`python3 with pyarrow and polars not available: ${probe.stderr.trim().split('\n').pop() ?? ''}`); return; }
  const [one] = await sqlJson("SELECT parts.exits[1] AS p FROM manifest WHERE host = 'lab-b'");
  const part = join(ds, one!['p'] as string);
  const py = `
import sys, pyarrow.parquet as pq, pyarrow.dataset as pads, polars as pl
t = pq.read_table(sys.argv[1])
d = pads.dataset(sys.argv[2] + '/exits', format='parquet', partitioning='hive')
p = pl.scan_parquet(sys.argv[2] + '/exits/**/*.parquet', hive_partitioning=True).filter(pl.col('host') == 'lab-b').select(pl.len()).collect().item()
import json; print(json.dumps([t.num_rows, 'exit_ns' in t.column_names, sorted(set(d.to_table(columns=['host']).column('host').to_pylist())), p]))`;
  const r = spawnSync('python3', ['-c', py, part, ds], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [rows, hasCol, hosts, polarsRows] = JSON.parse(r.stdout) as [number, boolean, string[], number];
  assert.ok(rows > 0);
  assert.equal(hasCol, true);
  assert.deepEqual(hosts, ['lab-a', 'lab-b']);
  assert.equal(polarsRows, 810); // vhost-host-report.txt: kvm_exit 810 (traces README)
});

test('report DIR: one report across hosts with a per-host comparison whose exits equal SQL per host', { skip, timeout: 600_000 }, async () => {
  const out = join(dir, 'report');
  const r = await runCli(['report', ds, '-o', out, '--no-images', '-q'], { timeoutMs: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
    hosts: { host: string; exits: number; traces: number; exitsAvoided: number }[]; charts: { id: string }[];
    quality: { events: number }; notices: string[]; exitsByReason: { count: number }[];
  };
  const perHost = await sqlJson('SELECT host, count(*) AS n, count(DISTINCT trace_id) AS traces FROM exits GROUP BY host ORDER BY host');
  assert.deepEqual(s.hosts.filter((h) => h.exits > 0).map((h) => [h.host, h.exits, h.traces]), perHost.map((h) => [h['host'], Number(h['n']), Number(h['traces'])]));
  assert.deepEqual(s.hosts.map((h) => h.host), ['here', 'lab-a', 'lab-b']);
  assert.ok(s.charts.some((c) => c.id === 'host-comparison'));
  const [ev] = await sqlJson('SELECT sum(m.rows.events) AS n FROM manifest m');
  assert.equal(s.quality.events, Number(ev!['n']));
  // exits by reason counts every exit of every trace once
  const [ex] = await sqlJson('SELECT count(*) AS n FROM exits');
  assert.equal(s.exitsByReason.reduce((n, x) => n + x.count, 0), Number(ex!['n']));
  assert.match(s.notices[0]!, /dataset: 4 trace\(s\) from 3 host\(s\)/);
  assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /id="hosts"/);
});

test('whatif DIR says its totals are per-trace sums (text and JSON)', { skip, timeout: 600_000 }, async () => {
  const t = await runCli(['whatif', ds], { timeoutMs: 300_000 });
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /note: per-trace sums: the model runs once per trace/);
  const j = JSON.parse((await runCli(['whatif', ds, '--json'], { timeoutMs: 300_000 })).stdout) as { aggregation: string; total: { exitsAvoided: number }; hosts: { exitsAvoided: number }[] };
  assert.match(j.aggregation, /^per-trace sums/);
  assert.equal(j.total.exitsAvoided, j.hosts.reduce((s, h) => s + h.exitsAvoided, 0));
});
