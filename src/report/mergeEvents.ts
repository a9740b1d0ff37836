// Several traces' events aggregates -> one, for a dataset report. Traces of different hosts have
// unrelated clocks, so each trace's bins are placed at "time since that trace's start" and the
// rows re-binned at the coarsest width (at most MAX_TIME_BINS bins); thread series are prefixed
// with the trace's label (two hosts may reuse a tid). Pure.
import { MAX_TIME_BINS, topKeys } from './aggregate.js';
import { IO_PATH_EVENTS, TOP_EVENT_TYPES, TOP_THREADS, type EventsAggregateResult } from './eventsAggregate.js';
import type { EventBinRow, HeatCell } from './model.js';

export interface TraceEvents {
  result: EventsAggregateResult;
  /** Prefix of this trace's thread series, e.g. "host-a: ". */
  label: string;
  /** The trace's start (the analysis' first event, ns); the result's origin is placed relative to it. */
  startNs: bigint | null;
}

export function mergeEventsAggregates(traces: readonly TraceEvents[]): EventsAggregateResult {
  const offsetNs = (t: TraceEvents): number => (t.result.originNs !== null && t.startNs !== null ? Number(t.result.originNs - t.startNs) : 0);
  let widthNs = Math.max(1, ...traces.map((t) => t.result.binWidthNs ?? 1));
  const lastNs = (rows: readonly { tMs: number }[], off: number): number => rows.reduce((m, r) => Math.max(m, r.tMs * 1e6 + off), 0);
  const spanNs = Math.max(0, ...traces.map((t) => Math.max(lastNs(t.result.eventsOverTime, offsetNs(t)), lastNs(t.result.kvmByThread, offsetNs(t)))));
  while (Math.floor(spanNs / widthNs) >= MAX_TIME_BINS) widthNs *= 2;

  const rebin = (into: Map<string, Map<number, number>>, series: string, tNs: number, count: number): void => {
    let m = into.get(series);
    if (!m) into.set(series, (m = new Map()));
    const i = Math.floor(Math.max(0, tNs) / widthNs);
    m.set(i, (m.get(i) ?? 0) + count);
  };
  const events = new Map<string, Map<number, number>>();
  const threads = new Map<string, Map<number, number>>();
  for (const t of traces) {
    const off = offsetNs(t);
    for (const r of t.result.eventsOverTime) rebin(events, r.event, r.tMs * 1e6 + off, r.count);
    for (const r of t.result.kvmByThread) rebin(threads, `${t.label}${r.vcpu}`, r.tMs * 1e6 + off, r.count);
  }
  const totals = (m: Map<string, Map<number, number>>) => new Map([...m].map(([k, b]) => [k, [...b.values()].reduce((s, c) => s + c, 0)]));
  // fold event types again: each trace kept its own top types
  const keepEv = topKeys(totals(events), TOP_EVENT_TYPES);
  for (const k of events.keys()) if (IO_PATH_EVENTS.has(k)) keepEv.add(k);
  const folded = new Map<string, Map<number, number>>();
  for (const [ev, b] of events) {
    const name = keepEv.has(ev) ? ev : 'other';
    let m = folded.get(name);
    if (!m) folded.set(name, (m = new Map()));
    for (const [i, c] of b) m.set(i, (m.get(i) ?? 0) + c);
  }
  const maxIndex = Math.max(0, ...[...folded.values()].flatMap((b) => [...b.keys()]));
  const eventsOverTime: EventBinRow[] = [];
  for (const [event, b] of [...folded].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    // zero-filled like a single trace's, so a line drops to zero instead of bridging a gap
    for (let i = 0; i <= maxIndex; i++) eventsOverTime.push({ event, tMs: (i * widthNs) / 1e6, count: b.get(i) ?? 0 });
  }
  const keepTh = topKeys(totals(threads), TOP_THREADS);
  const kvmByThread: HeatCell[] = [];
  for (const [vcpu, b] of [...threads].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    if (!keepTh.has(vcpu)) continue;
    for (const [i, count] of [...b].sort((x, y) => x[0] - y[0])) kvmByThread.push({ vcpu, tMs: (i * widthNs) / 1e6, count });
  }
  const anyOrigin = traces.some((t) => t.result.originNs !== null);
  return { originNs: anyOrigin ? 0n : null, eventsOverTime, kvmByThread, binWidthNs: widthNs };
}
