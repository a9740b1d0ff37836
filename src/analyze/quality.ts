// THE data-quality numbers and lines of an analysis, so that stat, whatif, report and export show
// the same figures under the same names (src/analyze/README.md "Data quality" and "Counting
// interrupts" define them). Pure.
import { IRQ_FLAG, IRQ_SOURCES, type AnalysisResult, type DataQuality, type InputMeta, type VmInfo } from './types.js';

/** The one definition of a time inversion (ingest, stat, report, export). */
export const TIME_INVERSION_DEFINITION = "per CPU: a row whose ts_ns is below the previous row's on the same CPU";

/** GSIs of legacy timers (PIT 0 and its IOAPIC alias 2, RTC 8): timer interrupts, not device ones. */
export const TIMER_GSIS: ReadonlySet<number> = new Set([0, 2, 8]);

/**
 * What ts_ns counts. diagnostics.timeUnit when the reader set it; else (older diagnostics) a note
 * saying the times are cycles and not converted.
 */
export function timeUnitOf(d: InputMeta['diagnostics'] | { timeUnit?: string; notes?: string[] } | undefined | null): 'ns' | 'cycles' {
  if (!d) return 'ns';
  if (d.timeUnit === 'cycles') return 'cycles';
  if (d.timeUnit === 'ns') return 'ns';
  return (d.notes ?? []).some((n) => /cycles/i.test(n) && !/converted/i.test(n)) ? 'cycles' : 'ns';
}

/** The loud first line when times are cycles (null when they are ns). */
export function cyclesWarning(unit: 'ns' | 'cycles' | undefined): string | null {
  return unit === 'cycles'
    ? 'TIME UNIT = CYCLES: timestamps are raw TSC/counter cycles (no --tsc-hz); every duration below marked "ns"/"us" is in cycles, not time. Give --tsc-hz HZ to convert.'
    : null;
}

/** The numbers, by kind (also the JSON shape: `quality.summary` of stat/whatif --json). */
export interface DataQualitySummary {
  timeUnit: 'ns' | 'cycles';
  timeResolutionNs: number;
  lost: { markers: number; events: number | null };
  /** kvm_exit without its kvm_entry. */
  exitsWithoutEntry: { atEnd: number; beforeNextExit: number };
  /** kvm_entry without its kvm_exit. */
  entriesWithoutExit: { atStart: number; inMiddle: number };
  /** Exit/entry pairs seen but left out of every duration (flagged, durNs = -1). */
  pairsLeftOut: { lostEvents: number; ripJump: number };
  timeInversions: { count: number; definition: string };
  /** How derived VM labels were made (VmInfo.labelNote), once each. */
  vmLabelNotes: string[];
  exitsTraced: boolean;
}

export function dataQualitySummary(q: DataQuality, vms: readonly VmInfo[] = []): DataQualitySummary {
  const vmNotes = new Map<string, string[]>();
  for (const v of vms) if (v.labelNote) vmNotes.set(v.labelNote, [...(vmNotes.get(v.labelNote) ?? []), v.label]);
  return {
    timeUnit: q.timeUnit ?? 'ns',
    timeResolutionNs: q.timeResolutionNs,
    lost: { markers: q.lostMarkers, events: q.lostEvents },
    exitsWithoutEntry: { atEnd: q.unpairedExitsAtEnd, beforeNextExit: q.exitsWithoutEntry },
    entriesWithoutExit: { atStart: q.entriesWithoutExitAtStart, inMiddle: q.entriesWithoutExit },
    pairsLeftOut: { lostEvents: q.exitsBrokenByLost, ripJump: q.exitsRipJump },
    timeInversions: { count: q.timeInversions, definition: TIME_INVERSION_DEFINITION },
    vmLabelNotes: [...vmNotes].map(([note, labels]) => `${labels.join(', ')}: ${note}`),
    exitsTraced: q.exitsTraced,
  };
}

/**
 * The data-quality lines every output prints (without indentation), and the analysis notes once
 * each. `extraNotes` (a command's own notes) are merged in without repeating an analysis note.
 */
export function dataQualityLines(q: DataQuality, vms: readonly VmInfo[] = [], extraNotes: readonly string[] = []): string[] {
  const s = dataQualitySummary(q, vms);
  const L: string[] = [];
  const w = cyclesWarning(s.timeUnit);
  if (w) L.push(w);
  L.push(`lost events: ${s.lost.markers} marker(s), ${s.lost.events === null ? 'an unknown number of' : s.lost.events} event(s) lost`);
  L.push(`exits without entry: ${s.exitsWithoutEntry.atEnd} at the trace end, ${s.exitsWithoutEntry.beforeNextExit} before the next exit`);
  L.push(`entries without exit: ${s.entriesWithoutExit.atStart} at the start, ${s.entriesWithoutExit.inMiddle} in the middle`);
  L.push(`pairs left out: ${s.pairsLeftOut.lostEvents} across lost events, ${s.pairsLeftOut.ripJump} with a guest RIP jump (events missing without a lost marker)`);
  L.push(`time resolution: ${s.timeResolutionNs} ${s.timeUnit === 'cycles' ? 'cycle(s)' : 'ns'}; time inversions: ${s.timeInversions.count} (${TIME_INVERSION_DEFINITION})`);
  for (const n of s.vmLabelNotes) L.push(`VM ${n}`);
  const seen = new Set<string>();
  const norm = (n: string): string => n.toLowerCase().replace(/[^a-z]+/g, ' ').trim().slice(0, 24);
  for (const n of [...extraNotes, ...q.notes]) {
    // "exits not traced" comes from both the command and the analysis: print it once
    const k = /exits not traced/i.test(n) ? 'exits not traced' : norm(n);
    if (seen.has(k)) continue;
    seen.add(k);
    L.push(`note: ${n}`);
  }
  for (const x of q.warnings) L.push(`warning ${x.kind}: ${x.count} (e.g. ${x.example})`);
  return L;
}

/** Interrupt counts under their names (README "Counting interrupts"). */
export interface IrqCounts {
  /** Every irqs row (raised or only accepted; any source, delivered or not). */
  rows: number;
  /** Device interrupts: MSI, or kvm_set_irq (IOAPIC/PIC line) on a non-timer GSI. */
  device: number;
  /** Device interrupts with a known target vCPU: the ones interrupt redirection may move. */
  deviceWithTarget: number;
  /** Rows with a measured latency (delivery seen, not broken by lost events): `stat --event irq` samples. */
  delivered: number;
  /** Of `delivered`, those whose raise was traced (not accept-only): the what-if latency rows. */
  deliveredWithRaise: number;
}

export function irqCounts(a: Pick<AnalysisResult, 'irqs'>): IrqCounts {
  const MSI = IRQ_SOURCES.indexOf('msi'), SET = IRQ_SOURCES.indexOf('set_irq');
  const c: IrqCounts = { rows: 0, device: 0, deviceWithTarget: 0, delivered: 0, deliveredWithRaise: 0 };
  for (const ch of a.irqs.chunks) {
    for (let i = 0; i < ch.length; i++) {
      c.rows++;
      const so = ch.source[i]!;
      if (so === MSI || (so === SET && !TIMER_GSIS.has(ch.gsi[i]!))) {
        c.device++;
        if (ch.targetVcpu[i]! >= 0) c.deviceWithTarget++;
      }
      if (ch.latencyNs[i]! >= 0) {
        c.delivered++;
        if (!(ch.flags[i]! & IRQ_FLAG.NO_RAISE)) c.deliveredWithRaise++;
      }
    }
  }
  return c;
}

/** One line naming each interrupt count. */
export function irqCountsLine(c: IrqCounts): string {
  return `interrupts: ${c.rows} irqs rows; ${c.device} device interrupts (MSI + IOAPIC, non-timer), ${c.deviceWithTarget} with a known target (eligible for redirection); ${c.delivered} delivered with a measured latency (${c.deliveredWithRaise} of them with a traced raise; the rest start at acceptance)`;
}
