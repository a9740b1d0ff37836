// `es2scope report DIR` on a dataset: one report across its hosts and VMs. Each trace is read back
// and analysed (fromDataset.ts), the results merged with each trace's time rebased to its own start
// (hosts' clocks are unrelated, so time axes read "since the trace's start") and its VMs named by
// host; the what-if model runs per trace (on its own clock) and its counts are summed; the page gets
// the per-host comparison (chart and table).
import { mergeAnalyses } from '../../analyze/merge.js';
import { modelInputFromAnalysis } from '../../analyze/whatif/fromAnalysis.js';
import { sweepIdleWindow, type SweepRow } from '../../analyze/whatif/model.js';
import type { WhatifParams } from '../../analyze/whatif/params.js';
import { EventsAggregate } from '../../report/eventsAggregate.js';
import { avoidedOf, paramsOf, reportDataFromAnalysis } from '../../report/fromAnalysis.js';
import { mergeEventsAggregates } from '../../report/mergeEvents.js';
import type { AvoidedRow, ReportData } from '../../report/model.js';
import { analyzeDataset, hostComparison, whatifPerTrace } from './fromDataset.js';

/** Sweep rows of several traces at the same idle windows: counts and polling time added. */
export function sumSweeps(sweeps: readonly SweepRow[][], spansNs: readonly number[]): SweepRow[] {
  const first = sweeps[0] ?? [];
  const totalSpan = spansNs.reduce((s, x) => s + x, 0);
  return first.map((r, k) => {
    const rows = sweeps.map((s) => s[k]!);
    const pollingCpuNs = rows.reduce((s, x) => s + x.pollingCpuNs, 0);
    const dh = rows.every((x) => x.dHandlingNs === null) ? null : rows.reduce((s, x) => s + (x.dHandlingNs ?? 0), 0);
    return {
      idleWindowNs: r.idleWindowNs,
      kicksAvoided: rows.reduce((s, x) => s + x.kicksAvoided, 0),
      exitsAvoided: rows.reduce((s, x) => s + x.exitsAvoided, 0),
      dHandlingNs: dh, pollingCpuNs,
      pollingCpus: totalSpan > 0 ? pollingCpuNs / totalSpan : null,
    };
  });
}

export async function buildDatasetReportData(dir: string, opts: { title?: string; params?: Partial<WhatifParams> }): Promise<ReportData> {
  const aggs: EventsAggregate[] = [];
  const traces = await analyzeDataset(dir, { tap: () => { const a = new EventsAggregate(); aggs.push(a); return (b) => a.push(b); } });
  const params = opts.params ?? {};
  const hostsOf = traces.map((t) => t.entry.host);
  const multiHost = new Set(hostsOf).size > 1;
  const label = (i: number): string => `${hostsOf[i]}${multiHost || traces.length > 1 ? `#${i + 1}` : ''} `;
  const analysis = mergeAnalyses(traces.map((t) => t.result), { rebase: true, vmPrefix: traces.map((_, i) => label(i)) });
  const whatifs = whatifPerTrace(traces, params);
  const sweeps = traces.map((t) => sweepIdleWindow(modelInputFromAnalysis(t.result), params));
  const spans = traces.map((t) => (t.result.quality.firstNs !== null && t.result.quality.lastNs !== null ? Number(t.result.quality.lastNs - t.result.quality.firstNs) : 0));
  const events = mergeEventsAggregates(aggs.map((a, i) => ({ result: a.result(), label: `${label(i).trim()}: `, startNs: traces[i]!.result.quality.firstNs })));
  const hosts = hostComparison(traces, params, whatifs);

  const sizeBytes = traces.reduce((s, t) => s + (t.entry.input.sizeBytes ?? 0), 0);
  const input = { path: dir, format: `dataset (${[...new Set(traces.map((t) => t.entry.input.format))].join(', ')})`, sizeBytes };
  const q = analysis.quality;
  const lost = traces.some((t) => t.entry.quality.lostEvents === null) ? null : traces.reduce((s, t) => s + (t.entry.quality.lostEvents ?? 0), 0);
  const data = reportDataFromAnalysis({
    title: opts.title ?? `es2scope report: dataset ${dir} (${traces.length} traces, ${new Set(hostsOf).size} hosts)`,
    generatedBy: 'es2scope report (dataset)',
    input, analysis, whatif: null, sweep: sumSweeps(sweeps, spans), events,
    diagnostics: {
      format: input.format, warnings: [], warningCount: traces.reduce((s, t) => s + t.entry.quality.warnings, 0),
      lostEventsTotal: lost, lostMarkers: traces.reduce((s, t) => s + t.entry.quality.lostMarkers, 0),
      timePrecisionNs: Math.max(1, ...traces.map((t) => t.entry.quality.timePrecisionNs)),
      truncated: traces.some((t) => t.entry.quality.truncated), notes: [],
    },
    summary: {
      events: q.events, byEvent: {}, firstNs: q.firstNs === null ? null : '0', lastNs: q.lastNs === null ? null : q.lastNs.toString(),
      // the traces' spans added up (the time actually traced), not a span across unrelated clocks
      spanNs: String(spans.reduce((s, x) => s + x, 0)), cpus: [], threads: analysis.threads.length, timeInversions: q.timeInversions,
    },
  });
  // the what-if parts: counts summed over the per-trace runs (see whatifDataset for why not one run)
  const avoided = new Map<string, AvoidedRow>();
  for (const r of whatifs.flatMap((w) => avoidedOf(w))) {
    const k = `${r.mechanism}\u0000${r.reason}`;
    const row = avoided.get(k);
    if (row) row.count += r.count; else avoided.set(k, { ...r });
  }
  data.avoided = [...avoided.values()];
  data.params = whatifs[0] ? paramsOf(whatifs[0]) : [];
  data.headline.redirected = whatifs.reduce((s, w) => s + (w.redirect?.redirected ?? 0), 0);
  data.hosts = hosts;
  data.notices.unshift(
    `dataset: ${traces.length} trace(s) from ${new Set(hostsOf).size} host(s) (${[...new Set(hostsOf)].join(', ')}). Time axes are "since each trace's start" (hosts' clocks are unrelated); VMs are named "host#trace pid". The ES2 model runs per trace; avoided exits and the polling sweep are per-trace sums, and EHT after ES2 and the throughput bound are left out here (per trace: es2scope report TRACE).`,
  );
  return data;
}
