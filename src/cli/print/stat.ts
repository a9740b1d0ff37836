// Terminal table for `es2scope stat`, laid out like `perf kvm stat report`
// (tools/perf/builtin-kvm.c print_result: key, Samples, Samples%, Time%, Min/Max/Avg time, "( +- x% )"),
// plus p50/p99, HLT apart, and a data-quality footer. Times shown in µs with two decimals: display only.
import type { StatResult, StatRow } from '../../analyze/types.js';

const us = (ns: number): string => `${(ns / 1000).toFixed(2)}us`;
const pct = (x: number): string => `${x.toFixed(2)}%`;

function table(title: string, rows: StatRow[], keyWidth: number): string[] {
  const out: string[] = [];
  out.push(`${title.padStart(keyWidth)}  ${'Samples'.padStart(9)}  ${'Samples%'.padStart(8)}  ${'Time%'.padStart(7)}  ${'Min Time'.padStart(11)}  ${'Max Time'.padStart(12)}  ${'Avg time'.padStart(12)}           ${'p50'.padStart(10)}  ${'p99'.padStart(11)}`);
  out.push('');
  for (const r of rows) {
    out.push(`${r.key.padStart(keyWidth)}  ${String(r.samples).padStart(9)}  ${pct(r.samplesPct).padStart(8)}  ${pct(r.timePct).padStart(7)}  ${us(r.minNs).padStart(11)}  ${us(r.maxNs).padStart(12)}  ${us(r.meanNs).padStart(12)} ( +-${r.stddevPct.toFixed(2).padStart(7)}% )  ${us(r.p50Ns).padStart(10)}  ${us(r.p99Ns).padStart(11)}`);
  }
  return out;
}

export function formatStat(s: StatResult, inputLabel: string): string {
  const lines: string[] = [];
  const f = s.filter;
  lines.push(`Analyze events for ${f.vm === null ? 'all VMs' : `VM ${f.vm}`}, ${f.vcpu === null ? 'all VCPUs' : `VCPU ${f.vcpu}`} (${inputLabel}):`);
  lines.push('');
  const title = s.event === 'vmexit' ? (s.by === 'reason' ? 'VM-EXIT' : s.by === 'device' ? 'DEVICE' : 'VCPU')
    : s.event === 'mmio' ? 'MMIO Access' : s.event === 'ioport' ? 'IO Port Access' : 'IRQ';
  const keyWidth = Math.max(20, title.length, ...s.rows.map((r) => r.key.length), ...s.haltRows.map((r) => r.key.length));
  lines.push(...table(title, s.rows, keyWidth));
  lines.push('');
  lines.push(`Total Samples:${s.total.samples}, Total events handled time:${(s.total.totalNs / 1000).toFixed(2)}us.`);
  if (s.haltRows.length) {
    lines.push('');
    lines.push('Halt exits, kept apart (Time% here is of all exit time incl. halts):');
    lines.push(...table('HALT', s.haltRows, keyWidth));
    lines.push(`Halt Samples:${s.total.haltSamples}, halt time:${(s.total.haltNs / 1000).toFixed(2)}us.`);
  }
  const q = s.quality;
  lines.push('');
  lines.push('Data quality:');
  lines.push(`  lost events: ${q.lostMarkers} marker(s), ${q.lostEvents === null ? 'unknown number of' : q.lostEvents} events lost; exits broken by them: ${q.exitsBrokenByLost}`);
  lines.push(`  unpaired: ${q.unpairedExitsAtEnd} exit(s) without entry at the trace end, ${q.entriesWithoutExitAtStart} entr(ies) without exit at the start, ${q.exitsWithoutEntry + q.entriesWithoutExit} in the middle`);
  if (q.exitsRipJump > 0) lines.push(`  guest RIP jumped between exit and entry: ${q.exitsRipJump} pair(s) left out (events missing from the trace without a lost marker)`);
  lines.push(`  time resolution: ${q.timeResolutionNs} ns; time inversions: ${q.timeInversions}`);
  for (const n of [...s.notes, ...q.notes]) lines.push(`  note: ${n}`);
  for (const w of q.warnings) lines.push(`  warning ${w.kind}: ${w.count} (e.g. ${w.example})`);
  return `${lines.join('\n')}\n`;
}
