// `es2scope stat` QA fixes, through the CLI: filters that match nothing, the --by vcpu VM key,
// Samples% basis, one "exits not traced" note, cycles said loudly, bpftrace aggregate input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAggregate } from '../../collectors/bpftrace/aggregate.js';
import { aggregateStat } from '../../src/analyze/aggregate/aggregateStat.js';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '../..');
const VHOST = join(ROOT, '../shared/traces/hip24/vhost-host-report.txt');
const AGG = join(ROOT, 'fixtures/bpftrace/aggregate-format.agg.txt');
const NO_EXITS = join(ROOT, 'fixtures/perf-script/sched-ns.txt');
const TSC = join(ROOT, 'fixtures/ftrace/trace-x86-tsc.txt');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('stat --vcpu / --vm matching nothing: a message naming what exists, exit 1', (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const r = cli(['stat', VHOST, '--vcpu', '5']);
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stderr, /no exits match --vcpu 5 \(.*vCPUs: 0\)/);
  assert.equal(r.stdout, '');
  const v = cli(['stat', VHOST, '--vm', '7', '--json']);
  assert.equal(v.status, 1);
  assert.match(v.stderr, /no exits match --vm 7 \(VMs in this trace, as --vm takes them: 0;/);
});

test('stat --by vcpu prints the VM key --vm accepts, and --vm with it selects those exits', (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const by = JSON.parse(cli(['stat', VHOST, '--by', 'vcpu', '--json']).stdout);
  const keys: string[] = [...by.rows, ...by.haltRows].map((x: { key: string }) => x.key);
  assert.ok(keys.length > 0);
  for (const k of keys) {
    const m = /^vm (-?\d+) vcpu (\d+)$/.exec(k);
    assert.ok(m, k);
    const sel = cli(['stat', VHOST, '--vm', m![1]!, '--vcpu', m![2]!, '--json']);
    assert.equal(sel.status, 0, sel.stderr);
    const s = JSON.parse(sel.stdout);
    const want = [...by.rows, ...by.haltRows].filter((x: { key: string }) => x.key === k).reduce((n: number, x: { samples: number }) => n + x.samples, 0);
    assert.equal(s.total.samples + s.total.haltSamples, want);
  }
});

test('stat Samples% basis: all samples incl. halts (perf kvm stat), said in the footer and JSON', (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const s = JSON.parse(cli(['stat', VHOST, '--json']).stdout);
  const all = s.total.samples + s.total.haltSamples;
  const pctSum = [...s.rows, ...s.haltRows].reduce((n: number, x: { samplesPct: number }) => n + x.samplesPct, 0);
  assert.ok(Math.abs(pctSum - 100) < 1e-9, String(pctSum));
  assert.ok(s.total.haltSamples > 0);
  assert.match(s.samplesPctBasis, new RegExp(`of all ${all} samples incl\\. ${s.total.haltSamples} in haltRows`));
  const text = cli(['stat', VHOST]).stdout;
  assert.ok(text.includes(`Samples% is of all ${all} samples incl. the ${s.total.haltSamples} halt exits`), text);
  // unpaired exits and entries printed apart, JSON with the same numbers
  const q = s.quality.summary;
  assert.ok(text.includes(`exits without entry: ${q.exitsWithoutEntry.atEnd} at the trace end, ${q.exitsWithoutEntry.beforeNextExit} before the next exit`));
  assert.ok(text.includes(`entries without exit: ${q.entriesWithoutExit.atStart} at the start, ${q.entriesWithoutExit.inMiddle} in the middle`));
  assert.doesNotMatch(text, /in the middle.*in the middle/s);
});

test('stat on a trace without kvm_exit prints the "exits not traced" note once', () => {
  const r = cli(['stat', NO_EXITS]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal((r.stdout.match(/exits not traced/g) ?? []).length, 1, r.stdout);
});

test('stat on raw TSC cycles (x86-tsc clock, no --tsc-hz): first line says cycles; JSON timeUnit cycles; no "us" times', () => {
  const r = cli(['stat', TSC]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.split('\n')[0]!, /^TIME UNIT = CYCLES/);
  const table = r.stdout.slice(0, r.stdout.indexOf('Data quality:'));
  assert.doesNotMatch(table, /\d+\.\d\dus/);
  const j = JSON.parse(cli(['stat', TSC, '--json']).stdout);
  assert.equal(j.timeUnit, 'cycles');
});

test('stat on bpftrace aggregate output: the aggregate table and its --json', () => {
  const r = cli(['stat', AGG]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /bpftrace aggregate mode/);
  const want = aggregateStat(parseAggregate(readFileSync(AGG, 'utf8'), AGG));
  assert.ok(want.rows.length > 0);
  for (const row of [...want.rows, ...want.haltRows]) assert.match(r.stdout, new RegExp(`\\b${row.key}\\s+${row.samples}\\b`));
  const j = JSON.parse(cli(['stat', AGG, '--json']).stdout);
  assert.deepEqual(j.rows, JSON.parse(JSON.stringify(want.rows)));
  assert.equal(j.totalSamples, want.totalSamples);
  const bad = cli(['stat', AGG, '--by', 'device']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /per-reason exit histograms only/);
});
