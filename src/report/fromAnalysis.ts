// Adapter: analyzer result + what-if result (+ the events aggregate and read diagnostics) -> the
// report's bounded data model. All binning happens here, so a chart never sees per-row data.
import { CAT, CATEGORIES, IRQ_FLAG, IRQ_SOURCES, type AnalysisResult } from '../analyze/types.js';
import type { SweepRow as WhatifSweepRow, WhatifResult } from '../analyze/whatif/model.js';
import { PAPER } from '../analyze/whatif/paper.js';
import { cyclesWarning, dataQualitySummary, irqCounts } from '../analyze/quality.js';
import type { EventsSummaryJson } from '../table/eventsSummary.js';
import { AdaptiveTimeBins, cdfPoints, topKeys } from './aggregate.js';
import type { EventsAggregateResult } from './eventsAggregate.js';
import { IRQ_BASELINE, IRQ_ES2 } from './specs.js';
import type { AvoidedRow, CdfPoint, DeviceRow, EhtBinRow, ExitReasonRow, ParamRow, PaperRow, QualityFacts, ReportData } from './model.js';

/** The read diagnostics the report shows (structurally DiagnosticsJson of collectors/common). */
export interface ReadDiagnostics {
  format: string;
  warnings: { kind: string; count: number; examples: { where: string; message: string }[] }[];
  warningCount: number;
  lostEventsTotal: number | null;
  lostMarkers: number;
  timePrecisionNs: number;
  truncated: boolean;
  notes: string[];
}

export interface ReportSources {
  title: string;
  generatedBy: string;
  input: { path: string; format: string; sizeBytes: number | null };
  analysis: AnalysisResult;
  whatif: WhatifResult | null;
  sweep: WhatifSweepRow[] | null;
  events: EventsAggregateResult;
  diagnostics: ReadDiagnostics;
  summary: EventsSummaryJson;
}

/** Reasons drawn individually in the duration CDF. */
const CDF_REASONS = 8;
/** EHT bins over the trace span. */
const EHT_BINS = 100;
/** vCPUs drawn in the EHT chart (the busiest by handling time): more lines cannot be told apart. */
const EHT_VCPUS = 12;
/** vCPU rows in the heatmap (the ones with most exits). */
const HEAT_VCPUS = 48;
/** Bars per group in "exits by reason". */
const MAX_REASON_ROWS = 24;
/** Time bins of the heatmap. */
const HEAT_BINS = 120;

const MECHANISM_LABEL: Record<string, string> = { pi: 'posted interrupts', hybrid: 'hybrid I/O polling', redirect: 'interrupt redirection' };

/** A bin width of 1, 2 or 5 × 10^k ns giving at most `maxBins` bins over `spanNs`. */
export function niceBinNs(spanNs: number, maxBins: number): number {
  const raw = Math.max(1, spanNs / maxBins);
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function vcpuLabel(a: AnalysisResult, thread: number): string {
  const th = a.threads[thread];
  if (!th) return 'vCPU ?';
  const id = th.vcpu >= 0 ? `vCPU ${th.vcpu}` : `${th.comm} (${th.tid})`;
  return a.vms.length > 1 && th.vm >= 0 ? `${a.vms[th.vm]!.label} ${id}` : id;
}

const pct = (x: number | null | undefined): number | null => (x === null || x === undefined ? null : x * 100);

interface ExitAggregates {
  byReason: ExitReasonRow[];
  durationCdf: CdfPoint[];
  eht: EhtBinRow[];
  heat: { vcpu: string; tMs: number; count: number }[];
}

function aggregateExits(a: AnalysisResult): ExitAggregates {
  const base = a.quality.firstNs ?? 0n;
  const spanNs = a.quality.lastNs !== null ? Number(a.quality.lastNs - base) : 0;
  const binNs = niceBinNs(spanNs, EHT_BINS);
  const nBins = Math.max(1, Math.ceil((spanNs + 1) / binNs));
  const reasonRows = new Map<string, ExitReasonRow>();
  const durs = new Map<number, number[]>();
  const countsByReason = new Map<number, number>();
  // per thread: [G, H, Hh] per bin
  const acc = new Map<number, Float64Array>();
  const lastEntry = new Map<number, number>();
  const heat = new AdaptiveTimeBins(HEAT_BINS);
  // Adds the part of [from, to) that falls in each bin to slot k of the thread's bins.
  const spread = (th: Float64Array, from: number, to: number, k: number): void => {
    let b = Math.max(0, Math.floor(from / binNs));
    while (from < to && b < nBins) {
      const end = Math.min(to, (b + 1) * binNs);
      th[b * 3 + k]! += end - from;
      from = end;
      b++;
    }
  };
  for (const ch of a.exits.chunks) {
    for (let i = 0; i < ch.length; i++) {
      const r = ch.reason[i]!;
      const cat = ch.category[i]!;
      const halt = cat === CAT.halt;
      const name = a.reasons[r]?.name ?? '?';
      const catName = CATEGORIES[cat] ?? 'other';
      const key = `${name}\u0000${catName}`;
      let row = reasonRows.get(key);
      if (!row) reasonRows.set(key, (row = { reason: name, category: catName, halt, count: 0, totalNs: 0 }));
      row.count++;
      countsByReason.set(r, (countsByReason.get(r) ?? 0) + 1);
      const thread = ch.thread[i]!;
      const exitRel = Number(ch.exitNs[i]! - base);
      heat.add(vcpuLabel(a, thread), exitRel);
      const dur = ch.durNs[i]!;
      const ok = ch.flags[i] === 0 && dur >= 0;
      let th = acc.get(thread);
      if (!th) acc.set(thread, (th = new Float64Array(nBins * 3)));
      if (!ok) {
        // a broken pair: no guest time can be counted across it
        lastEntry.delete(thread);
        continue;
      }
      row.totalNs += dur;
      let l = durs.get(r);
      if (!l) durs.set(r, (l = []));
      l.push(dur);
      const prev = lastEntry.get(thread);
      if (prev !== undefined && prev <= exitRel) spread(th, prev, exitRel, 0);
      spread(th, exitRel, exitRel + dur, halt ? 2 : 1);
      lastEntry.set(thread, exitRel + dur);
    }
  }
  const keep = topKeys(new Map([...countsByReason].map(([r, n]) => [String(r), n])), CDF_REASONS);
  const durationCdf: CdfPoint[] = [];
  const other: number[] = [];
  for (const [r, l] of durs) {
    if (keep.has(String(r))) durationCdf.push(...cdfPoints(a.reasons[r]?.name ?? '?', l));
    else for (const x of l) other.push(x); // no spread: l may hold millions
  }
  if (other.length) durationCdf.push(...cdfPoints('other reasons', other));
  const eht: EhtBinRow[] = [];
  const busiest = topKeys(new Map([...acc].map(([thread, th]) => [String(thread), th.reduce((x, v, k) => (k % 3 === 1 ? x + v : x), 0)])), EHT_VCPUS);
  for (const [thread, th] of acc) {
    if (!busiest.has(String(thread))) continue;
    const label = vcpuLabel(a, thread);
    for (let b = 0; b < nBins; b++) {
      const g = th[b * 3]!, h = th[b * 3 + 1]!, hh = th[b * 3 + 2]!;
      if (g + h + hh === 0) continue;
      eht.push({ vcpu: label, tMs: (b * binNs) / 1e6, ehtBusyPct: g + h > 0 ? (100 * h) / (g + h) : null, ehtWallPct: (100 * (h + hh)) / (g + h + hh) });
    }
  }
  eht.sort((x, y) => (x.vcpu < y.vcpu ? -1 : x.vcpu > y.vcpu ? 1 : x.tMs - y.tMs));
  const heatKeep = topKeys(heat.seriesTotals(), HEAT_VCPUS);
  const heatRows = heat.rows().filter((r) => heatKeep.has(r.series)).map((r) => ({ vcpu: r.series, tMs: r.tMs, count: r.count }));
  return { byReason: foldReasons([...reasonRows.values()].sort((x, y) => y.count - x.count)), durationCdf, eht, heat: heatRows };
}

/** At most MAX_REASON_ROWS bars per group (busy / halt); the rest summed as "other reasons". */
function foldReasons(rows: ExitReasonRow[]): ExitReasonRow[] {
  const out: ExitReasonRow[] = [];
  for (const halt of [false, true]) {
    const g = rows.filter((r) => r.halt === halt);
    out.push(...g.slice(0, MAX_REASON_ROWS));
    const rest = g.slice(MAX_REASON_ROWS);
    if (rest.length) {
      out.push({ reason: `${rest.length} other reasons`, category: 'other', halt, count: rest.reduce((n, r) => n + r.count, 0), totalNs: rest.reduce((n, r) => n + r.totalNs, 0) });
    }
  }
  return out;
}

function irqCdf(a: AnalysisResult, w: WhatifResult | null): { points: CdfPoint[]; device: number } {
  if (w?.redirect) {
    const l0 = w.redirect.decisions.flatMap((d) => (d.l0Ns === null ? [] : [d.l0Ns]));
    const l = w.redirect.decisions.flatMap((d) => (d.lNs === null ? [] : [d.lNs]));
    return { points: [...cdfPoints(IRQ_BASELINE, l0), ...cdfPoints(IRQ_ES2, l)], device: w.redirect.eligible };
  }
  const l0: number[] = [];
  for (const ch of a.irqs.chunks) {
    for (let i = 0; i < ch.length; i++) {
      if (ch.latencyNs[i]! >= 0 && !(ch.flags[i]! & (IRQ_FLAG.BROKEN_BY_LOST | IRQ_FLAG.NO_RAISE)) && IRQ_SOURCES[ch.source[i]!] !== 'ipi') l0.push(ch.latencyNs[i]!);
    }
  }
  return { points: cdfPoints(IRQ_BASELINE, l0), device: l0.length };
}

function devicesOf(a: AnalysisResult): DeviceRow[] {
  const counts = new Map<number, number>();
  for (const ch of a.ioKicks.chunks) for (let i = 0; i < ch.length; i++) counts.set(ch.device[i]!, (counts.get(ch.device[i]!) ?? 0) + 1);
  const rows = [...counts].map(([d, count]) => {
    const info = a.devices[d];
    return { device: info?.label ?? `device ${d}`, kind: info?.kind ?? '?', count };
  }).sort((x, y) => y.count - x.count);
  // bounded: a device list longer than this is not readable as bars anyway
  if (rows.length <= 30) return rows;
  const rest = rows.slice(29).reduce((s, r) => s + r.count, 0);
  return [...rows.slice(0, 29), { device: `${rows.length - 29} other devices`, kind: 'other', count: rest }];
}

export function avoidedOf(w: WhatifResult | null): AvoidedRow[] {
  if (!w) return [];
  const m = new Map<string, AvoidedRow>();
  for (const r of w.avoidedBy) {
    const mech = MECHANISM_LABEL[r.mechanism] ?? r.mechanism;
    const k = `${mech}\u0000${r.reason}`;
    const row = m.get(k);
    if (row) row.count += r.exits;
    else m.set(k, { mechanism: mech, reason: r.reason, count: r.exits });
  }
  if (!w.exitsTraced && w.hybrid && w.hybrid.kicksAvoided > 0) {
    m.set('kicks', { mechanism: MECHANISM_LABEL.hybrid!, reason: 'I/O kick (exit not traced)', count: w.hybrid.kicksAvoided });
  }
  return [...m.values()];
}

export function paramsOf(w: WhatifResult | null): ParamRow[] {
  if (!w) return [];
  return Object.entries(w.params).map(([name, value]) => {
    const unit = /Ns$/.test(name) ? 'ns' : '';
    return { name, value: Array.isArray(value) ? value.join(',') : String(value), unit, doc: w.paramSources[name] ?? '' };
  });
}

function paperOf(before: number | null, after: number | null, bound: number | null): PaperRow[] {
  const rows: PaperRow[] = [
    { metric: 'EHT %', label: 'paper: TCP stream (below)', source: 'paper', value: PAPER.ehtTcpStreamBelow * 100 },
    { metric: 'EHT %', label: 'paper: UDP stream (below)', source: 'paper', value: PAPER.ehtUdpStreamBelow * 100 },
  ];
  if (before !== null) rows.push({ metric: 'EHT %', label: 'this trace: EHT (busy)', source: 'this trace', value: before });
  if (after !== null) rows.push({ metric: 'EHT %', label: 'this trace: after ES2', source: 'this trace', value: after });
  rows.push(
    { metric: 'throughput x', label: 'paper: Memcached', source: 'paper', value: PAPER.memcachedSpeedup },
    { metric: 'throughput x', label: 'paper: Nginx', source: 'paper', value: PAPER.nginxSpeedup },
  );
  if (bound !== null) rows.push({ metric: 'throughput x', label: 'this trace: upper bound', source: 'this trace', value: bound });
  return rows;
}

export function reportDataFromAnalysis(s: ReportSources): ReportData {
  const a = s.analysis;
  const w = s.whatif;
  const traced = a.quality.exitsTraced && a.eht.traced;
  const ex = traced ? aggregateExits(a) : { byReason: [], durationCdf: [], eht: [], heat: [] };
  const last = w?.stages.at(-1) ?? null;
  const irq = irqCdf(a, w);
  const ehtBefore = pct(a.eht.total?.ehtBusy);
  const ehtAfter = pct(last?.eht?.busy);
  const bound = last?.throughputBoundAll ?? null;
  const originShiftMs = s.events.originNs !== null && a.quality.firstNs !== null ? Number(s.events.originNs - a.quality.firstNs) / 1e6 : 0;
  const shift = <T extends { tMs: number }>(r: T): T => ({ ...r, tMs: r.tMs + originShiftMs });
  const kicks = w?.hybrid?.kicks ?? a.ioKicks.length;
  const sweep = (s.sweep ?? []).map((r) => ({
    idleWindowUs: r.idleWindowNs / 1000,
    exitsAvoided: traced ? r.exitsAvoided : r.kicksAvoided,
    exitsAvoidedPct: kicks > 0 ? (100 * r.kicksAvoided) / kicks : 0,
    pollingCpuPct: (r.pollingCpus ?? 0) * 100,
  }));
  // one source for these numbers: the same function stat, whatif and export print from
  const dq = dataQualitySummary(a.quality, a.vms);
  const d = s.diagnostics;
  const quality: QualityFacts = {
    format: s.input.format,
    events: s.summary.events,
    spanNs: s.summary.spanNs,
    timePrecisionNs: Math.max(d.timePrecisionNs, a.quality.timeResolutionNs),
    lostEventsTotal: d.lostEventsTotal,
    lostMarkers: d.lostMarkers,
    unpairedExits: traced ? dq.exitsWithoutEntry.atEnd + dq.exitsWithoutEntry.beforeNextExit : null,
    excludedPairs: traced ? dq.pairsLeftOut.lostEvents + dq.pairsLeftOut.ripJump : null,
    byKind: { exitsWithoutEntry: dq.exitsWithoutEntry, entriesWithoutExit: dq.entriesWithoutExit, pairsLeftOut: dq.pairsLeftOut, timeUnit: dq.timeUnit },
    warningCount: d.warningCount + a.quality.warnings.reduce((n, x) => n + x.count, 0),
    warnings: [
      ...d.warnings.map((x) => ({ kind: x.kind, count: x.count, example: x.examples[0] ? `${x.examples[0].where}: ${x.examples[0].message}` : '' })),
      ...a.quality.warnings,
    ].slice(0, 20),
    truncated: d.truncated,
    timeInversions: s.summary.timeInversions,
    notes: [...d.notes, ...a.quality.notes].slice(0, 20),
  };
  const notices: string[] = [];
  const cycles = cyclesWarning(dq.timeUnit);
  if (cycles) notices.push(cycles);
  if (!traced) {
    // the analyzer's reason often starts with the same words: keep only what it adds
    const why = (a.eht.why ?? '').replace(/^exits not traced:\s*/i, '');
    notices.push(`exits not traced: this trace has no kvm_exit/kvm_entry events${why ? ` (${why})` : ''}, so EHT and exit counts cannot be computed; the report shows I/O kicks, interrupts and KVM events instead.`);
  }
  for (const n of w?.notes ?? []) notices.push(n);
  if (w) notices.push(w.throughputAssumption);
  notices.push(PAPER.caveat);
  const vcpus = new Set(a.threads.filter((t) => t.vcpu >= 0).map((t) => `${t.vm}:${t.vcpu}`)).size;
  return {
    title: s.title,
    input: s.input,
    generatedBy: s.generatedBy,
    headline: {
      exitsTraced: traced,
      exits: traced ? a.quality.exitEvents : null,
      ehtBusyPct: traced ? ehtBefore : null,
      ehtWallPct: traced ? pct(a.eht.total?.ehtWall) : null,
      ehtBusyAfterPct: traced ? ehtAfter : null,
      ehtWallAfterPct: traced ? pct(last?.eht?.wall) : null,
      throughputBound: traced ? bound : null,
      // device interrupts (MSI + non-timer IOAPIC lines), as whatif and export count them
      irqs: irqCounts(a).device,
      redirected: w?.redirect?.redirected ?? null,
      vcpus,
    },
    exitsByReason: ex.byReason,
    ehtOverTime: ex.eht,
    exitDurationCdf: ex.durationCdf,
    irqLatencyCdf: irq.points,
    avoided: avoidedOf(w),
    sweep,
    heatmap: traced ? ex.heat : s.events.kvmByThread.map(shift),
    heatmapUnit: traced ? 'exits' : 'events',
    eventsOverTime: s.events.eventsOverTime.map(shift),
    devices: devicesOf(a),
    paper: paperOf(traced ? ehtBefore : null, traced ? ehtAfter : null, traced ? bound : null),
    params: paramsOf(w),
    quality,
    notices,
  };
}

