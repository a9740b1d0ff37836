// Hand-built events batches for analyzer tests: rows as small objects -> EventBatchBuilder ->
// Arrow RecordBatches (the same path the collectors take), fed to createAnalyzer.
import type { RecordBatch } from 'apache-arrow';
import { C, COLUMNS } from '../../collectors/common/columns.js';
import { EventBatchBuilder } from '../../collectors/common/eventBatch.js';
import { EventsBatchConverter } from '../../src/table/eventsArrow.js';
import { createAnalyzer } from '../../src/analyze/analyzer.js';
import type { AnalysisResult, AnalyzeOptions } from '../../src/analyze/types.js';

export type EvRow = { ts: bigint | number; event: string } & Record<string, string | number | bigint | boolean | undefined>;

/** Build RecordBatches of `batchRows` rows (small, to exercise dictionaries across batches). */
export function buildBatches(rows: EvRow[], batchRows = 3): RecordBatch[] {
  const conv = new EventsBatchConverter();
  const out: RecordBatch[] = [];
  const b = new EventBatchBuilder((batch) => out.push(conv.convert(batch)), batchRows);
  rows.forEach((r, line) => {
    b.big64(C.ts_ns, BigInt(r.ts));
    b.dict(C.event, r.event);
    b.num64(C.src_line, line + 1);
    for (const [k, v] of Object.entries(r)) {
      if (k === 'ts' || k === 'event' || v === undefined) continue;
      const spec = COLUMNS.find((c) => c.name === k);
      if (!spec) throw new Error(`no column ${k}`);
      const col = C[spec.name];
      switch (spec.kind) {
        case 'i32': b.i32(col, Number(v)); break;
        case 'u32': b.u32(col, Number(v)); break;
        case 'bool': b.bool(col, Boolean(v)); break;
        case 'dict': b.dict(col, String(v)); break;
        default: b.big64(col, BigInt(v as number));
      }
    }
    b.end();
  });
  b.flush();
  return out;
}

export function analyzeRows(rows: EvRow[], opts: AnalyzeOptions = {}, batchRows = 3): AnalysisResult {
  const a = createAnalyzer(opts);
  for (const rb of buildBatches(rows, batchRows)) a.push(rb);
  return a.finish(null);
}

/** Exits table as plain rows (for assertions). */
export function exitRows(r: AnalysisResult): { exitNs: bigint; durNs: number; tid: number; vcpu: number; reason: string; category: string; flags: number; device: string; detail: string }[] {
  const out = [];
  for (const ch of r.exits.chunks) {
    for (let i = 0; i < ch.length; i++) {
      const t = r.threads[ch.thread[i]!]!;
      out.push({
        exitNs: ch.exitNs[i]!, durNs: ch.durNs[i]!, tid: t.tid, vcpu: t.vcpu,
        reason: r.reasons[ch.reason[i]!]!.name,
        category: ['io_request', 'interrupt', 'eoi', 'ipi', 'halt', 'timer', 'mmu', 'msr', 'other'][ch.category[i]!]!,
        flags: ch.flags[i]!, device: ch.device[i]! >= 0 ? r.devices[ch.device[i]!]!.label : '', detail: r.details[ch.detail[i]!]!,
      });
    }
  }
  return out;
}
