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
  private min: bigint | null = null;
  private max: bigint | null = null;
  private minV = Infinity;
  private maxV = -Infinity;
  private readonly cpus = new Set<number>();
  private readonly tids = new Set<number>();
  private readonly lastTsByCpu: number[] = [];
  private inversions = 0;

  add(batch: EventBatch): void {
    const n = batch.length;
    const ev = batch.columns[C.event]!.values as Int32Array;
    const tsCol = batch.columns[C.ts_ns]!.values as BigInt64Array;
    // timestamps compared as doubles (exact below 2^53 ns = 104 days); BigInt only for the extremes
    const ts = new Uint32Array(tsCol.buffer, tsCol.byteOffset, n * 2);
    const cpu = batch.columns[C.cpu]!;
    const cpuV = cpu.values as Int32Array;
    const tid = batch.columns[C.tid]!;
    const tidV = tid.values as Int32Array;
    this.eventNames = batch.dictionaries[C.event]!;
    const counts = this.countsByCode;
    let lastTid = -1;
    let lastCpu = -1;
    let minV = this.minV;
    let maxV = this.maxV;
    let minI = -1;
    let maxI = -1;
    for (let i = 0; i < n; i++) {
      const code = ev[i]!;
      counts[code] = (counts[code] ?? 0) + 1;
      const t = ts[2 * i + 1]! * 4294967296 + ts[2 * i]!;
      if (t < minV) { minV = t; minI = i; }
      if (t > maxV) { maxV = t; maxI = i; }
      if (tid.valid[i]) {
        const x = tidV[i]!;
        if (x !== lastTid) { this.tids.add(x); lastTid = x; }
      }
      if (cpu.valid[i]) {
        const c = cpuV[i]!;
        if (c !== lastCpu) { this.cpus.add(c); lastCpu = c; }
        const prev = this.lastTsByCpu[c] ?? -Infinity;
        if (t < prev) this.inversions++;
        this.lastTsByCpu[c] = t;
      }
    }
    if (minI >= 0) { this.minV = minV; this.min = tsCol[minI]!; }
    if (maxI >= 0) { this.maxV = maxV; this.max = tsCol[maxI]!; }
    this.rows += n;
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
