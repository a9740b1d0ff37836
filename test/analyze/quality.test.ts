// src/analyze/quality.ts on the real vhost-net trace (never copied; skipped when missing): one set
// of data-quality numbers and interrupt counts that stat, whatif and export agree on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAnalyzer } from '../../src/analyze/analyzer.js';
import { dataQualityLines, dataQualitySummary, irqCounts, timeUnitOf } from '../../src/analyze/quality.js';
import { computeStat } from '../../src/analyze/stat.js';
import { modelInputFromAnalysis } from '../../src/analyze/whatif/fromAnalysis.js';
import { runWhatif } from '../../src/analyze/whatif/model.js';
import { DEFAULT_PARAMS } from '../../src/analyze/whatif/params.js';
import type { AnalysisResult } from '../../src/analyze/types.js';
import { readEvents, type EventsRun } from '../../src/cli/pipeline.js';

const VHOST = join(fileURLToPath(new URL('.', import.meta.url)), '../../../shared/traces/hip24/vhost-host-report.txt');

async function analyze(path: string): Promise<{ r: AnalysisResult; run: EventsRun }> {
  const a = createAnalyzer();
  const run = await readEvents(path, (b) => a.push(b));
  return { r: a.finish(null), run };
}

test('unpaired exits and entries are counted apart and add up to the kvm_exit / kvm_entry rows', async (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const { r } = await analyze(VHOST);
  const s = dataQualitySummary(r.quality, r.vms);
  const q = r.quality;
  // every kvm_exit is paired, or without entry (end / next exit), or a pair left out
  assert.equal(q.pairedExits + s.exitsWithoutEntry.atEnd + s.exitsWithoutEntry.beforeNextExit + s.pairsLeftOut.lostEvents + s.pairsLeftOut.ripJump, q.exitEvents);
  // every kvm_entry closes a pair (kept or left out), or has no exit (start / middle)
  assert.equal(q.pairedExits + s.pairsLeftOut.lostEvents + s.pairsLeftOut.ripJump + s.entriesWithoutExit.atStart + s.entriesWithoutExit.inMiddle, q.entryEvents);
  assert.ok(s.exitsWithoutEntry.beforeNextExit > 0 && s.entriesWithoutExit.inMiddle > 0, 'this excerpt has both kinds in the middle');
  const lines = dataQualityLines(q, r.vms);
  assert.ok(lines.includes(`exits without entry: ${s.exitsWithoutEntry.atEnd} at the trace end, ${s.exitsWithoutEntry.beforeNextExit} before the next exit`), lines.join('\n'));
  assert.ok(lines.includes(`entries without exit: ${s.entriesWithoutExit.atStart} at the start, ${s.entriesWithoutExit.inMiddle} in the middle`), lines.join('\n'));
});

test('interrupt counts: stat --event irq samples = delivered, whatif eligible = device interrupts with a target', async (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const { r } = await analyze(VHOST);
  const c = irqCounts(r);
  assert.equal(c.rows, r.irqs.length);
  const st = computeStat(r, { event: 'irq', by: 'reason', key: 'sample' });
  assert.equal(st.total.samples + st.total.haltSamples, c.delivered);
  const input = modelInputFromAnalysis(r);
  const w = runWhatif(input, DEFAULT_PARAMS);
  assert.equal(w.redirect!.eligible, c.deviceWithTarget);
  assert.equal(w.stages[0]!.latency.n, c.deliveredWithRaise);
  assert.ok(c.deviceWithTarget <= c.device && c.device < c.rows && c.delivered <= c.rows);
});

test('time inversions of a 3x concatenated trace: one per CPU per seam, the same number as ingest', async (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-inv-'));
  try {
    const text = readFileSync(VHOST, 'utf8');
    const p = join(dir, 'vhost3.txt');
    writeFileSync(p, text + text + text);
    const { r, run } = await analyze(p);
    const nCpus = run.summary.cpus.length;
    assert.equal(r.quality.timeInversions, run.summary.timeInversions, 'analyzer and ingest summary use one definition');
    assert.ok(r.quality.timeInversions > 0 && r.quality.timeInversions <= 2 * nCpus, `${r.quality.timeInversions} inversions for 2 seams over ${nCpus} CPUs`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('derived VM label is short ("vm0"); the explanation is a separate note shown once', async (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const { r } = await analyze(VHOST);
  assert.equal(r.vms.length, 1);
  assert.equal(r.vms[0]!.label, 'vm0');
  assert.match(r.vms[0]!.labelNote ?? '', /no pid/);
  const lines = dataQualityLines(r.quality, r.vms);
  assert.equal(lines.filter((l) => l.includes('no pid')).length, 1);
});

test('timeUnitOf: diagnostics.timeUnit first, else a note about unconverted cycles', () => {
  assert.equal(timeUnitOf({ timeUnit: 'cycles', notes: [] }), 'cycles');
  assert.equal(timeUnitOf({ timeUnit: 'ns', notes: ['raw x86-tsc cycles'] }), 'ns');
  assert.equal(timeUnitOf({ notes: ['clock x86-tsc: timestamps are TSC cycles'] }), 'cycles');
  assert.equal(timeUnitOf({ notes: ['TIME UNIT = NS (converted): raw x86-tsc cycles converted with --tsc-hz 2400000000'] }), 'ns');
  assert.equal(timeUnitOf(undefined), 'ns');
});
