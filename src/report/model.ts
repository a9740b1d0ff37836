// The report's own data model: small, already aggregated and binned tables, one per chart, plus
// the data-quality facts and the model parameters. Everything here is bounded in size whatever the
// trace's size (see aggregate.ts), so the HTML stays small. Built from analysis results by
// fromAnalysis.ts; hand-built in tests.

/** One bar of "exits by reason". `halt` rows are drawn apart (idle time dominates otherwise). */
export interface ExitReasonRow {
  reason: string;
  category: string;
  halt: boolean;
  count: number;
  totalNs: number;
}

/** EHT of one vCPU in one time bin; percentages are null where the bin had no exits. */
export interface EhtBinRow {
  vcpu: string;
  /** Bin start, ms since the trace's first event. */
  tMs: number;
  ehtBusyPct: number | null;
  ehtWallPct: number | null;
}

/** One point of a CDF: `fraction` of samples in `series` are <= `valueUs`. */
export interface CdfPoint {
  series: string;
  valueUs: number;
  fraction: number;
}

export interface AvoidedRow {
  mechanism: string;
  reason: string;
  count: number;
}

/** One point of the polling sweep. */
export interface SweepRow {
  idleWindowUs: number;
  exitsAvoided: number;
  exitsAvoidedPct: number;
  /** Polling CPU time as a percentage of one CPU over the trace span. */
  pollingCpuPct: number;
}

/** A cell of the per-vCPU heatmap (exits, or events when exits are not traced). */
export interface HeatCell {
  vcpu: string;
  tMs: number;
  count: number;
}

/** Events of one type in one time bin (always available, even without kvm_exit). */
export interface EventBinRow {
  event: string;
  tMs: number;
  count: number;
}

/** I/O kicks (or I/O exits) per device key (notify address or port). */
export interface DeviceRow {
  device: string;
  kind: string;
  count: number;
}

export interface PaperRow {
  metric: 'EHT %' | 'throughput x';
  label: string;
  source: 'paper' | 'this trace';
  value: number;
}

export interface ParamRow {
  name: string;
  value: string;
  unit: string;
  doc: string;
}

export interface QualityFacts {
  format: string;
  events: number;
  spanNs: string | null;
  timePrecisionNs: number;
  lostEventsTotal: number | null;
  lostMarkers: number;
  /** kvm_exit without its kvm_entry (at the trace end + before the next exit); null when exits are not traced. */
  unpairedExits: number | null;
  /** Exit/entry pairs seen but left out of every duration (lost events + guest RIP jumps). */
  excludedPairs: number | null;
  /** The same numbers by kind, from src/analyze/quality.ts (what stat, whatif and export print). */
  byKind?: {
    exitsWithoutEntry: { atEnd: number; beforeNextExit: number };
    entriesWithoutExit: { atStart: number; inMiddle: number };
    pairsLeftOut: { lostEvents: number; ripJump: number };
    timeUnit: 'ns' | 'cycles';
  };
  warningCount: number;
  warnings: { kind: string; count: number; example: string }[];
  truncated: boolean;
  timeInversions: number;
  notes: string[];
}

export interface HeadlineFacts {
  exitsTraced: boolean;
  exits: number | null;
  ehtBusyPct: number | null;
  ehtWallPct: number | null;
  ehtBusyAfterPct: number | null;
  ehtWallAfterPct: number | null;
  throughputBound: number | null;
  irqs: number | null;
  redirected: number | null;
  vcpus: number;
}

/** One host of a dataset report (es2scope report DIR): its traces summed. */
export interface HostComparisonRow {
  host: string;
  traces: number;
  vms: number;
  /** Sum of the traces' spans (first to last event), ns. */
  spanNs: number;
  exits: number;
  exitsPerSec: number | null;
  /** EHT of the host's traces summed (fractions 0..1, not %). */
  ehtBusy: number | null;
  ehtWall: number | null;
  /** Exits the ES2 model removes (run per trace, summed). */
  exitsAvoided: number;
  avoidedPct: number | null;
}

export interface ReportData {
  title: string;
  input: { path: string; format: string; sizeBytes: number | null };
  generatedBy: string;
  headline: HeadlineFacts;
  exitsByReason: ExitReasonRow[];
  ehtOverTime: EhtBinRow[];
  exitDurationCdf: CdfPoint[];
  irqLatencyCdf: CdfPoint[];
  avoided: AvoidedRow[];
  sweep: SweepRow[];
  heatmap: HeatCell[];
  /** What the heatmap counts: "exits" or, on traces without kvm_exit, "events". */
  heatmapUnit: 'exits' | 'events';
  eventsOverTime: EventBinRow[];
  devices: DeviceRow[];
  paper: PaperRow[];
  params: ParamRow[];
  quality: QualityFacts;
  /** Plain sentences shown above the charts (e.g. "exits not traced: ..."). */
  notices: string[];
  /** Only for a dataset (several traces/hosts): the per-host comparison. */
  hosts?: HostComparisonRow[];
}
