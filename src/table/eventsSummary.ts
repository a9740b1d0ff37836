// Running summary of an events stream: events by type, time span, CPUs, threads. Fed batch by
// batch so that ingest can print it without a second pass.
import { C } from '../../collectors/common/columns.js';
import type { EventBatch } from '../../collectors/common/eventBatch.js';

export interface EventsSummaryJson {
  events: number;
  byEvent: Record<string, number>;
  firstNs: string | null;
  lastNs: string | null;
  spanNs: string | null;
  cpus: number[];
  threads: number;
  /** Rows whose timestamp is below the previous row's on the same CPU (kept in source order). */
  timeInversions: number;
}

export class EventsSummary {
  private readonly countsByCode: number[] = [];
  private eventNames: readonly string[] = [];
  private rows = 0;
  private first: bigint | null = null;
  private last: bigint | null = null;
  private min: bigint | null = null;
  private max: bigint | null = null;
  private readonly cpus = new Set<number>();
  private readonly tids = new Set<number>();
  private readonly lastTsByCpu = new Map<number, bigint>();
  private inversions = 0;

  add(batch: EventBatch): void {
    const ev = batch.columns[C.event]!.values as Int32Array;
    const ts = batch.columns[C.ts_ns]!.values as BigInt64Array;
    const cpu = batch.columns[C.cpu]!;
    const cpuV = cpu.values as Int32Array;
    const tid = batch.columns[C.tid]!;
    const tidV = tid.values as Int32Array;
    this.eventNames = batch.dictionaries[C.event]!;
    for (let i = 0; i < batch.length; i++) {
      const code = ev[i]!;
      this.countsByCode[code] = (this.countsByCode[code] ?? 0) + 1;
      if (tid.valid[i]) this.tids.add(tidV[i]!);
      if (cpu.valid[i]) {
        const c = cpuV[i]!;
        this.cpus.add(c);
        const t = ts[i]!;
        const prev = this.lastTsByCpu.get(c);
        if (prev !== undefined && t < prev) this.inversions++;
        this.lastTsByCpu.set(c, t);
      }
    }
    if (batch.length > 0) {
      const a = ts[0]!;
      const b = ts[batch.length - 1]!;
      this.first ??= a;
      this.last = b;
      for (let i = 0; i < batch.length; i++) {
        const t = ts[i]!;
        if (this.min === null || t < this.min) this.min = t;
        if (this.max === null || t > this.max) this.max = t;
      }
    }
    this.rows += batch.length;
  }

  toJSON(): EventsSummaryJson {
    const byEvent: Record<string, number> = {};
    const order = this.countsByCode.map((n, code) => ({ n, code })).filter((x) => x.n > 0).sort((a, b) => b.n - a.n);
    for (const { n, code } of order) byEvent[this.eventNames[code] ?? `#${code}`] = n;
    return {
      events: this.rows,
      byEvent,
      firstNs: this.min === null ? null : this.min.toString(),
      lastNs: this.max === null ? null : this.max.toString(),
      spanNs: this.min === null || this.max === null ? null : (this.max - this.min).toString(),
      cpus: [...this.cpus].sort((a, b) => a - b),
      threads: this.tids.size,
      timeInversions: this.inversions,
    };
  }
}
