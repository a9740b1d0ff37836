// A JSON-safe summary of an AnalysisResult (bigints as decimal strings): what `es2scope analyze`
// writes next to the tables, and what report/export can read without the tables.
import { dataQualitySummary, irqCounts } from './quality.js';
import { qualityJson } from './stat.js';
import type { AnalysisResult, EhtRow } from './types.js';

export const SUMMARY_SCHEMA = 'es2scope.analysis/1';

function ehtRowJson(r: EhtRow): Record<string, unknown> {
  return { ...r, startNs: r.startNs.toString(), endNs: r.endNs.toString() };
}

export function analysisSummaryJson(r: AnalysisResult): Record<string, unknown> {
  return {
    schema: SUMMARY_SCHEMA,
    input: r.input,
    rows: { exits: r.exits.length, irqs: r.irqs.length, vcpu_runs: r.vcpuRuns.length, io_kicks: r.ioKicks.length, accesses: r.accesses.length },
    vms: r.vms,
    threads: r.threads,
    reasons: r.reasons,
    devices: r.devices.map((d) => ({ ...d, addr: `0x${d.addr.toString(16)}` })),
    postedDelivery: r.postedDelivery,
    eht: {
      traced: r.eht.traced,
      why: r.eht.why ?? null,
      windowNs: r.eht.windowNs,
      definitions: r.eht.definitions,
      total: r.eht.total ? ehtRowJson(r.eht.total) : null,
      perVm: r.eht.perVm.map(ehtRowJson),
      perVcpu: r.eht.perVcpu.map(ehtRowJson),
      windows: r.eht.windows.map(ehtRowJson),
    },
    timeUnit: r.quality.timeUnit ?? 'ns',
    quality: { ...qualityJson(r.quality), summary: dataQualitySummary(r.quality, r.vms) },
    irqCounts: irqCounts(r),
  };
}
