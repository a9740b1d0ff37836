// Terminal table for `es2scope stat`, laid out like `perf kvm stat report`
// (tools/perf/builtin-kvm.c print_result: key, Samples, Samples%, Time%, Min/Max/Avg time, "( +- x% )"),
// plus p50/p99, HLT apart, and a data-quality footer. Times shown in µs with two decimals: display only.
import { cyclesWarning, dataQualityLines } from '../../analyze/quality.js';
import type { StatResult, StatRow, VmInfo } from '../../analyze/types.js';

/** ns -> "12.34us" (or, when the trace's times are cycles, "12.34kcyc": never labelled as time). */
const us = (ns: number, unit = 'us'): string => `${(ns / 1000).toFixed(2)}${unit}`;
const pct = (x: number): string => `${x.toFixed(2)}%`;

function table(title: string, rows: StatRow[], keyWidth: number, u: string): string[] {
  const out: string[] = [];
  out.push(`${title.padStart(keyWidth)}  ${'Samples'.padStart(9)}  ${'Samples%'.padStart(8)}  ${'Time%'.padStart(7)}  ${'Min Time'.padStart(11)}  ${'Max Time'.padStart(12)}  ${'Avg time'.padStart(12)}           ${'p50'.padStart(10)}  ${'p99'.padStart(11)}`);
  out.push('');
  for (const r of rows) {
    out.push(`${r.key.padStart(keyWidth)}  ${String(r.samples).padStart(9)}  ${pct(r.samplesPct).padStart(8)}  ${pct(r.timePct).padStart(7)}  ${us(r.minNs, u).padStart(11)}  ${us(r.maxNs, u).padStart(12)}  ${us(r.meanNs, u).padStart(12)} ( +-${r.stddevPct.toFixed(2).padStart(7)}% )  ${us(r.p50Ns, u).padStart(10)}  ${us(r.p99Ns, u).padStart(11)}`);
  }
  return out;
}

export function formatStat(s: StatResult, inputLabel: string, vms: readonly VmInfo[] = []): string {
  const lines: string[] = [];
  const cycles = s.quality.timeUnit === 'cycles';
  const warn = cyclesWarning(s.quality.timeUnit);
  if (warn) lines.push(warn); // first line: every "us" below is cycles / 1000
  const f = s.filter;
  lines.push(`Analyze events for ${f.vm === null ? 'all VMs' : `VM ${f.vm}`}, ${f.vcpu === null ? 'all VCPUs' : `VCPU ${f.vcpu}`} (${inputLabel}):`);
  lines.push('');
  const title = s.event === 'vmexit' ? (s.by === 'reason' ? 'VM-EXIT' : s.by === 'device' ? 'DEVICE' : 'VCPU')
    : s.event === 'mmio' ? 'MMIO Access' : s.event === 'ioport' ? 'IO Port Access' : 'IRQ';
  const keyWidth = Math.max(20, title.length, ...s.rows.map((r) => r.key.length), ...s.haltRows.map((r) => r.key.length));
  const u = cycles ? 'kcyc' : 'us';
  lines.push(...table(title, s.rows, keyWidth, u));
  lines.push('');
  const what = s.event === 'irq' ? 'interrupts delivered with a measured latency' : s.event === 'vmexit' ? 'non-halt exits' : 'accesses';
  lines.push(`Total Samples:${s.total.samples} (${what}), Total events handled time:${us(s.total.totalNs, u)}.`);
  if (s.haltRows.length) {
    lines.push('');
    lines.push('Halt exits, kept apart (Time% here is of all exit time incl. halts):');
    lines.push(...table('HALT', s.haltRows, keyWidth, u));
    lines.push(`Halt Samples:${s.total.haltSamples}, halt time:${us(s.total.haltNs, u)}.`);
  }
  if (s.haltRows.length) lines.push(`Samples% is of all ${s.total.samples + s.total.haltSamples} samples incl. the ${s.total.haltSamples} halt exits (as perf kvm stat); Total Samples counts the non-halt ones only.`);
  if (cycles) lines.push('Times are in kilo-cycles (kcyc = 1000 TSC cycles), not microseconds.');
  lines.push('');
  lines.push('Data quality:');
  for (const l of dataQualityLines(s.quality, vms, s.notes)) lines.push(`  ${l}`);
  return `${lines.join('\n')}\n`;
}
