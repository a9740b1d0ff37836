// Analysis (+ what-if) results -> OTel ResourceMetrics with the trace's own timestamps.
//
// Why not the SDK's instruments: a MeterProvider stamps every point with the reader's collection
// time and the provider's start time; the API has no way to record a point at a given time. The
// exported data model (sdk-metrics MetricData) does carry startTime/endTime per point, and the
// OTLP serializers (@opentelemetry/otlp-transformer) and the Prometheus serializer take it as is,
// so this module builds that data directly: one point per series per trace window (cumulative).
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality, DataPointType,
  type DataPoint, type GaugeMetricData, type Histogram, type HistogramMetricData, type MetricData,
  type ResourceMetrics, type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { CATEGORIES, IRQ_DELIVERIES, IRQ_SOURCES, VCPU_STATES, type AnalysisResult, type EhtRow } from '../analyze/types.js';
// The same VM labels as the what-if model's, so kvm.vm joins across metrics.
import { vmLabel } from '../analyze/whatif/fromAnalysis.js';
import { dataQualitySummary } from '../analyze/quality.js';
import { traceHrTime, type ClockMapping } from './clock.js';
import { ATTR, DURATION_BOUNDARIES_NS, METRICS, type MetricSpec } from './names.js';
import type { WhatifExport } from './whatifInput.js';
import { WindowedHistograms, WindowedSums, windowEnd, windowGrid, windowOf, type CumulativePoint, type WindowGrid } from './windows.js';

export const SCOPE_NAME = 'es2scope';

export interface MetricsOptions {
  resource: Resource;
  clock: ClockMapping;
  /** Window length for the timeline (default: the analysis' EHT window, else 1 s). */
  windowNs?: number;
  /** At most this many windows (points per series); windows are widened to fit. Default 1000. */
  maxWindows?: number;
  boundariesNs?: readonly number[];
  scopeVersion?: string;
}

export interface BuiltMetrics {
  resourceMetrics: ResourceMetrics;
  grid: WindowGrid;
}

function descriptor(spec: MetricSpec, valueType: ValueType) {
  return { name: spec.name, description: spec.description, unit: spec.unit, valueType };
}


export function buildMetrics(a: AnalysisResult, whatif: WhatifExport | null, opts: MetricsOptions): BuiltMetrics {
  const firstNs = a.quality.firstNs ?? 0n;
  const lastNs = a.quality.lastNs ?? firstNs;
  const grid = windowGrid(firstNs, lastNs, opts.windowNs ?? (a.eht.windowNs > 0 ? a.eht.windowNs : 1e9), opts.maxWindows ?? 1000);
  const t = (ns: bigint): HrTime => traceHrTime(ns, opts.clock);
  const start = t(firstNs);
  const end = t(lastNs);
  const boundaries = opts.boundariesNs ?? DURATION_BOUNDARIES_NS;

  const cumulative = <T>(pts: CumulativePoint<T>[]): DataPoint<T>[] =>
    pts.map((p) => ({ startTime: start, endTime: t(windowEnd(grid, p.window)), attributes: p.attributes, value: p.value }));
  const sum = (spec: MetricSpec, points: DataPoint<number>[], valueType = ValueType.INT): SumMetricData => ({
    descriptor: descriptor(spec, valueType), aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints: points,
  });
  const histogram = (spec: MetricSpec, points: DataPoint<Histogram>[]): HistogramMetricData => ({
    descriptor: descriptor(spec, ValueType.INT), aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM, dataPoints: points,
  });
  const gauge = (spec: MetricSpec, points: DataPoint<number>[]): GaugeMetricData => ({
    descriptor: descriptor(spec, ValueType.DOUBLE), aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE, dataPoints: points,
  });

  const metrics: MetricData[] = [];

  // Exits: counts (every kvm_exit row) and handling-time histogram (trusted pairs only).
  if (a.quality.exitsTraced) {
    const counts = new WindowedSums(grid);
    const durs = new WindowedHistograms(grid, boundaries);
    for (const ch of a.exits.chunks) {
      for (let i = 0; i < ch.length; i++) {
        const w = windowOf(grid, ch.exitNs[i]!);
        const th = ch.thread[i]!;
        const thread = th >= 0 ? a.threads[th] : undefined;
        const vm = vmLabel(a, thread ? thread.vm : -1);
        const vcpu = thread ? thread.vcpu : -1;
        const reason = a.reasons[ch.reason[i]!]?.name ?? 'unknown';
        const category = CATEGORIES[ch.category[i]!] ?? 'other';
        counts.add({ [ATTR.reason]: reason, [ATTR.category]: category, [ATTR.vm]: vm, [ATTR.vcpu]: vcpu },
          `${reason}\0${category}\0${vm}\0${vcpu}`, w, 1);
        const d = ch.durNs[i]!;
        if (ch.flags[i] === 0 && d >= 0) {
          durs.record({ [ATTR.reason]: reason, [ATTR.category]: category, [ATTR.vm]: vm }, `${reason}\0${category}\0${vm}`, w, d);
        }
      }
    }
    metrics.push(sum(METRICS.exitCount, cumulative(counts.points())));
    metrics.push(histogram(METRICS.exitDuration, cumulative(durs.points())));
  }

  // EHT: whole-trace, per VM and per vCPU at the trace end; windows as a timeline.
  if (a.eht.traced) {
    const pts: DataPoint<number>[] = [];
    const ehtPoints = (row: EhtRow, scope: string) => {
      const attrs: Attributes = { [ATTR.scope]: scope };
      if (row.vm >= 0) attrs[ATTR.vm] = vmLabel(a, row.vm);
      if (row.thread >= 0) attrs[ATTR.vcpu] = a.threads[row.thread]?.vcpu ?? -1;
      const when = scope === 'window' ? { startTime: t(row.startNs), endTime: t(row.endNs) } : { startTime: start, endTime: end };
      if (row.ehtBusy !== null) pts.push({ ...when, attributes: { ...attrs, [ATTR.ehtDefinition]: 'busy' }, value: row.ehtBusy });
      if (row.ehtWall !== null) pts.push({ ...when, attributes: { ...attrs, [ATTR.ehtDefinition]: 'wall' }, value: row.ehtWall });
    };
    if (a.eht.total) ehtPoints(a.eht.total, 'total');
    for (const r of a.eht.perVm) ehtPoints(r, 'vm');
    for (const r of a.eht.perVcpu) ehtPoints(r, 'vcpu');
    for (const r of a.eht.windows) if (!r.excludedLost) ehtPoints(r, 'window');
    metrics.push(gauge(METRICS.ehtRatio, pts));

    // G, H, Hh as cumulative counters over the windows, so a dashboard can compute EHT over any range.
    const g = new WindowedSums(grid);
    const h = new WindowedSums(grid);
    for (const r of a.eht.windows) {
      if (r.excludedLost) continue;
      const w = windowOf(grid, r.startNs);
      g.add({}, '', w, r.guestNs);
      h.add({ [ATTR.halt]: false }, 'busy', w, r.handlingNs);
      h.add({ [ATTR.halt]: true }, 'halt', w, r.haltNs);
    }
    metrics.push(sum(METRICS.guestTime, cumulative(g.points())));
    metrics.push(sum(METRICS.handlingTime, cumulative(h.points())));
  }

  // Interrupt delivery latency (rows with a known latency).
  {
    const lat = new WindowedHistograms(grid, boundaries);
    for (const ch of a.irqs.chunks) {
      for (let i = 0; i < ch.length; i++) {
        const l = ch.latencyNs[i]!;
        if (l < 0) continue;
        const vm = vmLabel(a, ch.vm[i]!);
        const src = IRQ_SOURCES[ch.source[i]!] ?? 'unknown';
        const del = IRQ_DELIVERIES[ch.delivery[i]!] ?? 'unknown';
        const st = VCPU_STATES[ch.targetState[i]!] ?? 'unknown';
        lat.record({ [ATTR.vm]: vm, [ATTR.irqSource]: src, [ATTR.irqDelivery]: del, [ATTR.targetState]: st },
          `${vm}\0${src}\0${del}\0${st}`, windowOf(grid, ch.raiseNs[i]!), l);
      }
    }
    metrics.push(histogram(METRICS.irqLatency, cumulative(lat.points())));
  }

  if (a.quality.lostEvents !== null || a.quality.lostMarkers > 0) {
    metrics.push(sum(METRICS.lostEvents, [{ startTime: start, endTime: end, attributes: {}, value: a.quality.lostEvents ?? a.quality.lostMarkers }]));
  }

  // Data quality: the same numbers as stat / whatif / report (src/analyze/quality.ts), one point each.
  {
    const dq = dataQualitySummary(a.quality, a.vms);
    const at = (attributes: Attributes, value: number): DataPoint<number> => ({ startTime: start, endTime: end, attributes, value });
    metrics.push(gauge(METRICS.unpaired, [
      at({ [ATTR.unpairedKind]: 'exit_without_entry_at_end' }, dq.exitsWithoutEntry.atEnd),
      at({ [ATTR.unpairedKind]: 'exit_without_entry_before_next_exit' }, dq.exitsWithoutEntry.beforeNextExit),
      at({ [ATTR.unpairedKind]: 'entry_without_exit_at_start' }, dq.entriesWithoutExit.atStart),
      at({ [ATTR.unpairedKind]: 'entry_without_exit_in_middle' }, dq.entriesWithoutExit.inMiddle),
    ]));
    metrics.push(gauge(METRICS.pairsLeftOut, [
      at({ [ATTR.leftOutCause]: 'lost_events' }, dq.pairsLeftOut.lostEvents),
      at({ [ATTR.leftOutCause]: 'rip_jump' }, dq.pairsLeftOut.ripJump),
    ]));
    metrics.push(gauge(METRICS.timeResolution, [at({}, dq.timeResolutionNs)]));
    metrics.push(gauge(METRICS.timeInversions, [at({}, dq.timeInversions.count)]));
  }

  if (whatif) metrics.push(...whatifMetrics(whatif, start, end, boundaries, sum, histogram, gauge));

  return {
    grid,
    resourceMetrics: {
      resource: opts.resource,
      scopeMetrics: [{ scope: { name: SCOPE_NAME, ...(opts.scopeVersion ? { version: opts.scopeVersion } : {}) }, metrics }],
    },
  };
}

// What-if figures are whole-trace results: one point each, spanning the trace.
function whatifMetrics(
  w: WhatifExport, start: HrTime, end: HrTime, boundaries: readonly number[],
  sum: (s: MetricSpec, p: DataPoint<number>[], v?: ValueType) => SumMetricData,
  histogram: (s: MetricSpec, p: DataPoint<Histogram>[]) => HistogramMetricData,
  gauge: (s: MetricSpec, p: DataPoint<number>[]) => GaugeMetricData,
): MetricData[] {
  const at = (attributes: Attributes, value: number): DataPoint<number> => ({ startTime: start, endTime: end, attributes, value });
  const out: MetricData[] = [];
  const avoided = new Map<string, DataPoint<number>>();
  const returned = new Map<string, { attrs: Attributes; ns: number }>();
  for (const r of w.avoided) {
    const k = `${r.mechanism}\0${r.reason}\0${r.vm}`;
    const prev = avoided.get(k);
    avoided.set(k, at({ [ATTR.mechanism]: r.mechanism, [ATTR.reason]: r.reason, [ATTR.vm]: r.vm }, (prev?.value ?? 0) + r.count));
    const rk = `${r.mechanism}\0${r.vm}`;
    const rr = returned.get(rk) ?? { attrs: { [ATTR.mechanism]: r.mechanism, [ATTR.vm]: r.vm }, ns: 0 };
    rr.ns += r.returnedNs;
    returned.set(rk, rr);
  }
  out.push(sum(METRICS.avoidedExits, [...avoided.values()]));
  out.push(sum(METRICS.guestTimeReturned, [...returned.values()].map((r) => at(r.attrs, r.ns))));
  out.push(sum(METRICS.pollingCpu, w.pollingNs.map((p) => at({ [ATTR.vm]: p.vm }, p.ns))));
  const eht: DataPoint<number>[] = [];
  if (w.ehtAfter?.busy != null) eht.push(at({ [ATTR.ehtDefinition]: 'busy' }, w.ehtAfter.busy));
  if (w.ehtAfter?.wall != null) eht.push(at({ [ATTR.ehtDefinition]: 'wall' }, w.ehtAfter.wall));
  out.push(gauge(METRICS.ehtAfterRatio, eht));
  if (w.throughputGainBound !== null) out.push(gauge(METRICS.throughputBound, [at({}, w.throughputGainBound)]));
  const grid: WindowGrid = { startNs: 0n, endNs: 0n, windowNs: 1n, count: 1 };
  const lat = new WindowedHistograms(grid, boundaries);
  for (const r of w.irqLatencyAfterNs) lat.record({ [ATTR.vm]: r.vm }, r.vm, 0, r.latencyNs);
  out.push(histogram(METRICS.irqLatencyAfter, lat.points().map((p) => ({ startTime: start, endTime: end, attributes: p.attributes, value: p.value }))));
  return out;
}
