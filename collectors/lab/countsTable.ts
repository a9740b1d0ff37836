// The lab's closing table: for each recording (scenario x tool) the events es2scope ingested,
// the kvm and sched counts, lost events, kicks, guest throughput and timings. Pure formatting.

export interface CountsRow {
  scenario: string;
  tool: string;
  events: number;
  byEvent: Record<string, number>;
  lostEvents: number;
  kicks: number | null;
  guest: string;
  recordS: number;
  ingestS: number;
  problems: number;
}

/** kvm events summed, and the few event names worth a column. */
export function countsColumns(byEvent: Record<string, number>): { kvm: number; sched_switch: number; sched_wakeup: number; kvm_mmio: number; kvm_pio: number; other: number } {
  let kvm = 0; let other = 0;
  for (const [e, n] of Object.entries(byEvent)) {
    if (e.startsWith('kvm_')) kvm += n;
    else if (e !== 'sched_switch' && e !== 'sched_wakeup') other += n;
  }
  return { kvm, sched_switch: byEvent.sched_switch ?? 0, sched_wakeup: byEvent.sched_wakeup ?? 0, kvm_mmio: byEvent.kvm_mmio ?? 0, kvm_pio: byEvent.kvm_pio ?? 0, other };
}

export function formatCountsTable(rows: readonly CountsRow[]): string {
  const head = ['scenario', 'tool', 'events', 'kvm_*', 'mmio', 'pio', 'sched_switch', 'sched_wakeup', 'other', 'lost', 'kicks', 'record s', 'ingest s', 'guest reported'];
  const cells = [head, ...rows.map((r) => {
    const c = countsColumns(r.byEvent);
    return [r.scenario, r.tool, String(r.events), String(c.kvm), String(c.kvm_mmio), String(c.kvm_pio), String(c.sched_switch), String(c.sched_wakeup), String(c.other), String(r.lostEvents), r.kicks === null ? '-' : String(r.kicks), r.recordS.toFixed(1), r.ingestS.toFixed(1), r.problems ? `${r.guest} (${r.problems} problem${r.problems > 1 ? 's' : ''})` : r.guest];
  })];
  const w = head.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((c, i) => (i < 2 || i === head.length - 1 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd()).join('\n');
}

/** "disk 1563 ops/s 6252 KiB/s" from a guest reply's fields. */
export function guestThroughput(command: string, f: Record<string, number> | undefined): string {
  if (!f || !f.ms) return '-';
  const s = f.ms / 1000;
  const parts = [command];
  if (f.ops !== undefined) parts.push(`${Math.round(f.ops / s)} ops/s`);
  if (f.bytes !== undefined) parts.push(`${Math.round(f.bytes / 1024 / s)} KiB/s`);
  return parts.join(' ');
}
