// Terminal summary after ingest: events by type, span, CPUs, threads, warnings, lost events.
import type { EventsRun } from '../pipeline.js';

function fmtNs(ns: string | null): string {
  if (ns === null) return '-';
  const n = BigInt(ns);
  const s = n / 1_000_000_000n;
  const frac = (n % 1_000_000_000n).toString().padStart(9, '0');
  return `${s}.${frac} s`;
}

export function printIngestSummary(run: EventsRun, output: string, out: NodeJS.WritableStream = process.stdout): void {
  const { summary: s, diagnostics: d } = run;
  const lines: string[] = [];
  lines.push(`${run.input.path} (${run.input.format}) -> ${output}`);
  lines.push(`  events: ${s.events}   span: ${fmtNs(s.spanNs)} (${fmtNs(s.firstNs)} .. ${fmtNs(s.lastNs)})   time resolution: ${d.timePrecisionNs} ns`);
  lines.push(`  CPUs: ${s.cpus.length ? s.cpus.join(',') : '-'}   threads: ${s.threads}`);
  const width = Math.max(8, ...Object.keys(s.byEvent).map((k) => k.length));
  for (const [name, n] of Object.entries(s.byEvent)) lines.push(`    ${name.padEnd(width)} ${String(n).padStart(10)}`);
  if (d.lostMarkers > 0) {
    lines.push(`  LOST EVENTS: ${d.lostMarkers} marker(s), ${d.lostEventsTotal ?? 'unknown number of'} events lost; pairs spanning them are excluded from analysis`);
  }
  if (s.timeInversions > 0) lines.push(`  time inversions within a CPU: ${s.timeInversions} (kept in source order)`);
  if (d.truncated) lines.push('  TRUNCATED: the input ended mid-record; the last record was not read');
  if (d.warningCount > 0) {
    lines.push(`  warnings: ${d.warningCount}`);
    for (const w of d.warnings) {
      lines.push(`    ${w.kind}: ${w.count}`);
      for (const ex of w.examples.slice(0, 2)) {
        lines.push(`      ${ex.where}: ${ex.message}${ex.line !== undefined ? `\n        | ${ex.line}` : ''}${ex.hint ? `\n        hint: ${ex.hint}` : ''}`);
      }
    }
  }
  for (const n of d.notes) lines.push(`  note: ${n}`);
  out.write(`${lines.join('\n')}\n`);
}
