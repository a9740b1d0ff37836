// Terminal table for `es2scope stat` on bpftrace aggregate output (perf kvm stat's columns; the
// percentiles are log2-bucket bounds, marked "<=").
import type { AggregateStat, AggregateStatRow } from '../../analyze/aggregate/aggregateStat.js';

const us = (ns: number) => `${(ns / 1000).toFixed(2)}us`;

function table(title: string, rows: AggregateStatRow[]): string[] {
  const w = Math.max(title.length, 12, ...rows.map((r) => r.key.length));
  const head = `${title.padStart(w)}    Samples  Samples%    Time%     Min Time      Max Time      Avg time      p50 (<=)     p99 (<=)`;
  return [head, '', ...rows.map((r) => `${r.key.padStart(w)} ${String(r.samples).padStart(10)} ${r.samplesPct.toFixed(2).padStart(8)}% ${r.timePct.toFixed(2).padStart(7)}% ${us(r.minNs).padStart(12)} ${us(r.maxNs).padStart(13)} ${us(r.meanNs).padStart(13)} ${us(r.p50AtMostNs).padStart(13)} ${us(r.p99AtMostNs).padStart(12)}`)];
}

export function formatAggregateStat(s: AggregateStat, label: string): string {
  const lines = [`Analyze exits for all VMs, all VCPUs (${label}, bpftrace aggregate mode: kernel-side histograms):`, ''];
  lines.push(...table('VM-EXIT', s.rows));
  lines.push('', `Total Samples:${s.totalSamples}, Total events handled time:${us(s.totalNs)}.`);
  if (s.haltRows.length) {
    lines.push('', 'Halt exits, kept apart:', ...table('HALT', s.haltRows), `Halt Samples:${s.haltSamples}, halt time:${us(s.haltNs)}.`);
  }
  lines.push('', 'Data quality:', `  lost events: ${s.lost}`, '  percentiles are the upper bounds of log2 histogram buckets; no stddev (per-exit times stay in the kernel)');
  for (const w of s.warnings.slice(0, 5)) lines.push(`  warning: ${w}`);
  return `${lines.join('\n')}\n`;
}
