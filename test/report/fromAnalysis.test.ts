// The adapter's binning: EHT per vCPU and time bin splits guest, handling and halt time exactly at
// bin edges; a broken pair adds no guest time; a trace without kvm_exit says "not traced".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkedBuilder, emptyAccesses, emptyIrqs, emptyKicks, emptyRuns, newExitsChunk } from '../../src/analyze/tables.js';
import { CAT, EXIT_FLAG, type AnalysisResult } from '../../src/analyze/types.js';
import { EventsAggregate } from '../../src/report/eventsAggregate.js';
import { niceBinNs, reportDataFromAnalysis, type ReportSources } from '../../src/report/fromAnalysis.js';
import { syntheticAnalysis } from './fixtures/syntheticAnalysis.js';

const T0 = 5_000_000_000n;

/** One vCPU; exits as [exit ns since T0, duration ns, halt?, flags]. */
function oneVcpu(exits: [number, number, boolean, number][], spanNs: number): AnalysisResult {
  const a = syntheticAnalysis({ exits: 1, vcpus: 1, reasons: 2, devices: 1 });
  const b = new ChunkedBuilder(newExitsChunk);
  for (const [t, dur, halt, flags] of exits) {
    const c = b.next(); const k = c.length;
    c.exitNs[k] = T0 + BigInt(t); c.durNs[k] = flags ? -1 : dur; c.thread[k] = 0; c.reason[k] = halt ? 0 : 1;
    c.category[k] = halt ? CAT.halt : CAT.io_request; c.flags[k] = flags; c.device[k] = -1;
    b.commit();
  }
  return {
    ...a, exits: b.finish(), irqs: emptyIrqs(), ioKicks: emptyKicks(), vcpuRuns: emptyRuns(), accesses: emptyAccesses(),
    quality: { ...a.quality, firstNs: T0, lastNs: T0 + BigInt(spanNs), exitEvents: exits.length },
  };
}

function sources(a: AnalysisResult): ReportSources {
  return {
    title: 't', generatedBy: 'test', input: { path: 'p', format: 'f', sizeBytes: null }, analysis: a, whatif: null, sweep: null,
    events: new EventsAggregate().result(),
    diagnostics: { format: 'f', warnings: [], warningCount: 0, lostEventsTotal: null, lostMarkers: 0, timePrecisionNs: 1, truncated: false, notes: [] },
    summary: { events: 0, byEvent: {}, firstNs: null, lastNs: null, spanNs: null, cpus: [], threads: 0, timeInversions: 0 },
  };
}

test('niceBinNs picks 1/2/5 x 10^k', () => {
  assert.equal(niceBinNs(100_000, 100), 1000);
  assert.equal(niceBinNs(3500, 100), 50);
  assert.equal(niceBinNs(1.5e9, 100), 2e7);
});

test('EHT per bin splits guest, handling and halt time at bin edges', () => {
  // 1 µs bins over 100 µs: exit 0..100 (busy), halt 1000..2000, exit 3000..3500 (busy)
  const d = reportDataFromAnalysis(sources(oneVcpu([[0, 100, false, 0], [1000, 1000, true, 0], [3000, 500, false, 0]], 100_000)));
  const rows = d.ehtOverTime.map((r) => [r.tMs * 1e6, r.ehtBusyPct, r.ehtWallPct]);
  assert.deepEqual(rows, [
    [0, 10, 10], // H 100, G 900
    [1000, null, 100], // halt only
    [2000, 0, 0], // guest only
    [3000, 100, 100], // H 500
  ]);
  assert.deepEqual(d.exitsByReason.map((r) => [r.reason, r.halt, r.count, r.totalNs]), [['REASON_1', false, 2, 600], ['HLT', true, 1, 1000]]);
});

test('a pair broken by lost events adds no time and no guest time across it', () => {
  const d = reportDataFromAnalysis(sources(oneVcpu([[0, 100, false, 0], [500, 0, false, EXIT_FLAG.BROKEN_BY_LOST], [1500, 100, false, 0]], 100_000)));
  // bin 0: H 100 only (guest 100..500 is dropped: its end pair is broken); bin 1: H 100 from 1500
  assert.deepEqual(d.ehtOverTime.map((r) => [r.tMs * 1e6, r.ehtBusyPct]), [[0, 100], [1000, 100]]);
  assert.equal(d.exitsByReason[0]!.count, 3);
  assert.equal(d.exitsByReason[0]!.totalNs, 200);
});

test('no kvm_exit in the trace: a notice says "exits not traced" and exit charts get no data', () => {
  const a = oneVcpu([], 1000);
  const d = reportDataFromAnalysis(sources({ ...a, quality: { ...a.quality, exitsTraced: false }, eht: { ...a.eht, traced: false, why: 'no kvm_exit events' } }));
  assert.equal(d.headline.exitsTraced, false);
  assert.equal(d.headline.ehtBusyPct, null);
  assert.match(d.notices[0]!, /^exits not traced/);
  assert.deepEqual(d.exitsByReason, []);
  assert.equal(d.heatmapUnit, 'events');
});
