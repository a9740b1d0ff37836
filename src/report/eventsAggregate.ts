// Per-event-type and per-thread counts over time, straight from the events table, batch by batch.
// Present for every trace (also those without kvm_exit, where it is the main view of the I/O path).
// Memory is bounded: time bins coarsen as the trace grows (AdaptiveTimeBins).
import type { RecordBatch } from 'apache-arrow';
import { BatchView, DictMeanings, isValid, num32 } from '../analyze/batchView.js';
import { AdaptiveTimeBins, topKeys } from './aggregate.js';
import type { EventBinRow, HeatCell } from './model.js';

/** Event types drawn individually; the rest are summed as "other". */
export const TOP_EVENT_TYPES = 6;
/** The I/O event path (kicks, device interrupts, injection): always drawn, whatever their rank. */
export const IO_PATH_EVENTS: ReadonlySet<string> = new Set([
  'kvm_fast_mmio', 'kvm_mmio', 'kvm_pio', 'kvm_msi_set_irq', 'kvm_set_irq', 'kvm_inj_virq', 'kvm_apicv_accept_irq',
]);
/** Threads in the no-exits heatmap. */
export const TOP_THREADS = 24;

export interface EventsAggregateResult {
  /** First timestamp seen (ns, trace clock); bins are relative to it. */
  originNs: bigint | null;
  eventsOverTime: EventBinRow[];
  /** KVM events per thread ("comm tid") over time. */
  kvmByThread: HeatCell[];
  /** Width of the time bins of both tables (ns); lets several traces' results be merged. */
  binWidthNs?: number;
}

export class EventsAggregate {
  private origin: bigint | null = null;
  private readonly byEvent = new AdaptiveTimeBins();
  private readonly byThread = new AdaptiveTimeBins();
  private readonly eventNames = new DictMeanings((s) => s);
  private readonly isKvm = new DictMeanings((s) => s.startsWith('kvm_'));
  private readonly comms = new DictMeanings((s) => s);

  push(batch: RecordBatch): void {
    const v = new BatchView(batch);
    const ts = v.col('ts_ns');
    const ev = v.col('event');
    const comm = v.col('comm');
    const tid = v.col('tid');
    if (!ts.halves || !ev.values) return;
    const names = this.eventNames.update(ev.dictionary);
    const kvm = this.isKvm.update(ev.dictionary);
    this.comms.update(comm.dictionary);
    const tsv = ts.values as unknown as BigInt64Array;
    for (let i = 0; i < v.length; i++) {
      if (!isValid(ts, i)) continue;
      const t = tsv[ts.offset + i]!;
      this.origin ??= t;
      const rel = Number(t - this.origin);
      const code = num32(ev, i, -1);
      if (code < 0) continue;
      this.byEvent.add(names[code]!, rel);
      if (kvm[code]) {
        const c = num32(comm, i, -1);
        const tidN = num32(tid, i, -1);
        const who = c >= 0 ? this.comms.string(c) : '?';
        this.byThread.add(tidN >= 0 ? `${who} (${tidN})` : who, rel);
      }
    }
  }

  result(): EventsAggregateResult {
    const keepEv = topKeys(this.byEvent.seriesTotals(), TOP_EVENT_TYPES);
    for (const k of this.byEvent.seriesTotals().keys()) if (IO_PATH_EVENTS.has(k)) keepEv.add(k);
    const folded = new Map<string, EventBinRow>();
    for (const r of this.byEvent.rows(true)) {
      const event = keepEv.has(r.series) ? r.series : 'other';
      const k = `${event}\u0000${r.tMs}`;
      const row = folded.get(k);
      if (row) row.count += r.count;
      else folded.set(k, { event, tMs: r.tMs, count: r.count });
    }
    const keepTh = topKeys(this.byThread.seriesTotals(), TOP_THREADS);
    const kvmByThread = this.byThread.rows().filter((r) => keepTh.has(r.series)).map((r) => ({ vcpu: r.series, tMs: r.tMs, count: r.count }));
    return { originNs: this.origin, eventsOverTime: [...folded.values()], kvmByThread, binWidthNs: Math.max(this.byEvent.binWidthNs, this.byThread.binWidthNs) };
  }
}
