// In-memory result types of the analyzer: the derived tables (exits, irqs, vcpu_runs, io_kicks),
// EHT, stat rows and data quality. The what-if, report and export stages code against this file;
// it only grows (fields are added, never renamed or removed).
//
// Conventions:
// - Absolute timestamps are integer ns in the trace clock, stored in BigInt64Array (Arrow Int64).
// - Durations are integer ns stored in Float64Array / number: exact below 2^53 ns (104 days), never
//   fractional, never seconds. Why not bigint: the analysis loops over 10 M durations.
// - Big tables are columnar and chunked (CHUNK_ROWS rows per chunk): 10 M exits cost ~32 bytes
//   each (~320 MB) with no re-allocation copies. Iterate with
//     for (const ch of t.chunks) for (let i = 0; i < ch.length; i++) { ch.durNs[i] ... }
// - Small vocabularies (threads, VMs, reasons, devices, details) are lookup tables in the result;
//   rows hold indices into them (-1 = unknown / none).

/** Rows per chunk in the chunked tables. */
export const CHUNK_ROWS = 65536;

/** Exit categories, MODEL.md "Exit categories". The index is what exits rows store. */
export const CATEGORIES = ['io_request', 'interrupt', 'eoi', 'ipi', 'halt', 'timer', 'mmu', 'msr', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];
export const CAT: { readonly [K in Category]: number } =
  Object.fromEntries(CATEGORIES.map((c, i) => [c, i])) as { readonly [K in Category]: number };

/** Bit flags on exits rows. A row with any flag set has durNs = -1 or an untrusted duration and is left out of stats and EHT. */
export const EXIT_FLAG = {
  /** A "[lost]" marker on the pCPU (or any CPU when the marker has no CPU) between exit and entry. */
  BROKEN_BY_LOST: 1,
  /** Exit with no entry before the trace ends (durNs = -1). */
  NO_ENTRY_AT_END: 2,
  /** Entry went backwards in time relative to its exit (durNs = -1). */
  TIME_INVERSION: 4,
  /** A second kvm_exit on the same thread before any kvm_entry: the earlier one is closed with this flag (durNs = -1). */
  NO_ENTRY_BEFORE_NEXT_EXIT: 8,
  /**
   * kvm_entry's guest RIP is not the exit's RIP or a few bytes past it (an emulated instruction is
   * at most 15 bytes): the guest ran in between, so events are missing from the trace without a
   * lost marker (a filtered or cut recording). durNs = -1: the gap is not handling time.
   */
  RIP_JUMP: 16,
} as const;

/** One chunk of the exits table: one row per kvm_exit. */
export interface ExitsChunk {
  length: number;
  /** kvm_exit timestamp. */
  exitNs: BigInt64Array;
  /** kvm_entry - kvm_exit in ns; -1 when unknown (see flags). entry_ns = exitNs + durNs. */
  durNs: Float64Array;
  /** Index into AnalysisResult.threads (the vCPU thread; gives tid, VM and vCPU id). */
  thread: Int32Array;
  /** Host CPU of the kvm_exit record; -1 unknown. */
  cpu: Int16Array;
  /** Index into AnalysisResult.reasons. */
  reason: Uint16Array;
  /** Index into CATEGORIES. */
  category: Uint8Array;
  /** EXIT_FLAG bits. */
  flags: Uint8Array;
  /** Index into AnalysisResult.devices (io_request exits: notify address or port), -1 none. */
  device: Int32Array;
  /** Index into AnalysisResult.details (e.g. "x2APIC EOI", "TSC_DEADLINE", "APIC_ICR"), 0 = none (details[0] === ''). */
  detail: Uint16Array;
}

export interface ExitsTable {
  length: number;
  /** Rows in the order pairs close (entry order); per thread they are in exitNs order. */
  chunks: ExitsChunk[];
}

/** Interrupt raise kinds (irqs.source). */
export const IRQ_SOURCES = ['msi', 'set_irq', 'ipi', 'accept_only'] as const;
export type IrqSource = (typeof IRQ_SOURCES)[number];

/** How the interrupt reached the vCPU (irqs.delivery). */
export const IRQ_DELIVERIES = ['injected', 'posted', 'avic', 'undelivered'] as const;
export type IrqDelivery = (typeof IRQ_DELIVERIES)[number];

/** State of the target vCPU thread when the interrupt was raised (irqs.targetState, vcpu-state at a time). */
export const VCPU_STATES = ['in_guest', 'in_exit', 'runnable', 'halted', 'unknown'] as const;
export type VcpuState = (typeof VCPU_STATES)[number];

export const IRQ_FLAG = {
  /** A lost-event marker between raise and delivery: latency not trusted (latencyNs = -1). */
  BROKEN_BY_LOST: 1,
  /** The trace ended before delivery. */
  NO_DELIVERY_AT_END: 2,
  /** The raise was not seen (the row starts at acceptance; raiseNs = acceptance time). */
  NO_RAISE: 4,
} as const;

/** One chunk of the irqs table: one row per interrupt (raise -> accept -> delivery). */
export interface IrqsChunk {
  length: number;
  /** Raise time (kvm_msi_set_irq / kvm_set_irq / kvm_apic_ipi), or acceptance when NO_RAISE. */
  raiseNs: BigInt64Array;
  /** accept - raise in ns; -1 when not accepted. */
  acceptDelayNs: Float64Array;
  /** delivery - raise in ns (kvm_inj_virq, or the target's next kvm_entry when posted); -1 unknown. */
  latencyNs: Float64Array;
  /** Index into IRQ_SOURCES. */
  source: Uint8Array;
  /** Index into IRQ_DELIVERIES. */
  delivery: Uint8Array;
  /** Index into VCPU_STATES: target's state at raise. */
  targetState: Uint8Array;
  /** Target vCPU thread (index into threads), -1 unknown. */
  target: Int32Array;
  /** Target vCPU id (apicid == vcpu id by KVM default), -1 unknown. */
  targetVcpu: Int32Array;
  /** VM index (into vms), -1 unknown. */
  vm: Int32Array;
  /** Interrupt vector, -1 unknown. */
  vector: Int16Array;
  /** GSI for kvm_set_irq, -1 otherwise. */
  gsi: Int32Array;
  /** tid of the raising thread (vhost worker, QEMU thread, sending vCPU), -1 unknown. */
  raiserTid: Int32Array;
  /** Level-triggered (1), edge (0), unknown (255). */
  trigLevel: Uint8Array;
  /** IRQ_FLAG bits. */
  flags: Uint8Array;
}

export interface IrqsTable {
  length: number;
  /** Rows in order of closing (delivery, or trace end). */
  chunks: IrqsChunk[];
}

export const RUN_FLAG = {
  /** The interval starts at the trace's start (thread already on CPU; startNs = first event seen). */
  STARTS_AT_EDGE: 1,
  /** The interval is cut by the trace's end. */
  ENDS_AT_EDGE: 2,
  /** A lost-event marker on that CPU inside the interval. */
  BROKEN_BY_LOST: 4,
} as const;

/** One chunk of vcpu_runs: on-CPU intervals of vCPU threads, from sched_switch. */
export interface VcpuRunsChunk {
  length: number;
  startNs: BigInt64Array;
  durNs: Float64Array;
  thread: Int32Array;
  cpu: Int16Array;
  /** sched_switch prev_state when switched out: index into AnalysisResult.details ('' when at edge). */
  endState: Uint16Array;
  flags: Uint8Array;
}

export interface VcpuRunsTable {
  length: number;
  chunks: VcpuRunsChunk[];
}

/**
 * One chunk of io_kicks: every guest I/O write that notifies a device (kvm_fast_mmio, kvm_mmio
 * write, kvm_pio write). On VMX/SVM each is an exit; on traces without kvm_exit (kvm_pvm backend)
 * this is the only view of the request path the what-if model gets.
 */
export interface IoKicksChunk {
  length: number;
  tsNs: BigInt64Array;
  /** Index into threads (the vCPU thread that wrote), -1 unknown. */
  thread: Int32Array;
  /** Index into devices. */
  device: Int32Array;
  /** 1 when the kick lies inside a traced exit (its exit row is the io_request exit), 0 otherwise. */
  inExit: Uint8Array;
}

export interface IoKicksTable {
  length: number;
  chunks: IoKicksChunk[];
}

/** Access kinds of the accesses table (perf kvm stat --event mmio/ioport timing rules). */
export const ACCESS_KINDS = ['mmio_write', 'mmio_read', 'pio_write', 'pio_read', 'fast_mmio'] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

/**
 * One chunk of accesses: guest MMIO / port I/O handled by the host, timed like perf kvm stat
 * (tools/perf/arch/x86/util/kvm-stat.c): MMIO write = kvm_mmio(W) -> kvm_entry, MMIO read =
 * kvm_exit -> kvm_mmio(R), PIO = kvm_pio -> kvm_entry. fast_mmio (ioeventfd kick; perf ignores it)
 * = kvm_fast_mmio -> kvm_entry.
 */
export interface AccessesChunk {
  length: number;
  tsNs: BigInt64Array;
  /** -1 when unknown (flags). */
  durNs: Float64Array;
  thread: Int32Array;
  /** Index into ACCESS_KINDS. */
  kind: Uint8Array;
  /** Index into devices (gpa or port). */
  device: Int32Array;
  /** EXIT_FLAG bits of the enclosing exit (or NO_ENTRY_AT_END / BROKEN_BY_LOST). */
  flags: Uint8Array;
}

export interface AccessesTable {
  length: number;
  chunks: AccessesChunk[];
}

/** A vCPU thread (one per tid that ran kvm_exit/kvm_entry or is named "CPU n/KVM"). */
export interface ThreadInfo {
  tid: number;
  /** Index into vms; -1 when unknown. */
  vm: number;
  /** vCPU id (kvm_entry/kvm_exit vcpu field, else "CPU n/KVM" name, else GUEST map); -1 unknown. */
  vcpu: number;
  comm: string;
  /** How the vCPU id was learnt. */
  vcpuFrom: 'payload' | 'comm' | 'guest_map' | 'unknown';
}

/** A VM = a host process (QEMU): pid/tgid, or derived when pid is absent. */
export interface VmInfo {
  /** Host pid (tgid); -1 when derived without one. */
  pid: number;
  /** Short label for tables, metric labels and legends: "pid 4242" or "vm0" (derived). */
  label: string;
  /** How a derived label was made (shown once in data quality, not in every label); absent for pid VMs. */
  labelNote?: string;
  /** How the identity was found. */
  from: 'pid' | 'derived';
  /** Indices into threads. */
  threads: number[];
}

/** A canonical exit reason. */
export interface ReasonInfo {
  /** Canonical name (VMX style upper case, e.g. "HLT", "EPT_MISCONFIG"; SVM names canonicalised by collectors/common/exitReasons.ts). */
  name: string;
  isa: 'VMX' | 'SVM' | 'unknown';
  /** Numeric reason code, -1 unknown. */
  code: number;
  /** Default category of the reason (a row's category may differ: decided by the payload). */
  category: Category;
}

/** A device key: the notify address (MMIO gpa) or I/O port written by a kick. */
export interface DeviceInfo {
  kind: 'mmio' | 'pio';
  /** gpa or port. */
  addr: bigint;
  /** Index into vms, -1 unknown (device keys are per VM: the same gpa in two VMs is two devices). */
  vm: number;
  /** e.g. "mmio 0xfe003000" or "pio 0xc050". */
  label: string;
  /**
   * The KVM-emulated platform device the address belongs to ("IOAPIC", "PIT", ...; platformDevices.ts),
   * null/absent for a possible virtqueue notify address. Platform writes are not io_kicks.
   */
  platform?: string | null;
}

/** Time accounting of one scope (MODEL.md "Time accounting per vCPU"). */
export interface EhtRow {
  scope: 'vcpu' | 'vm' | 'window' | 'total';
  /** Thread index (scope vcpu), else -1. */
  thread: number;
  /** VM index (scope vcpu / vm), else -1. */
  vm: number;
  /** Scope window: absolute ns. For vcpu/vm/total the analysed span. */
  startNs: bigint;
  endNs: bigint;
  /** G: time in guest mode (sum of exit - previous entry). */
  guestNs: number;
  /** H: handling time of non-halt exits. */
  handlingNs: number;
  /** Hh: handling time of halt exits (HLT/MWAIT). */
  haltNs: number;
  /** Exits counted (paired, unflagged). */
  exits: number;
  /** EHT busy = H / (G + H); null when G + H = 0 or exits not traced. */
  ehtBusy: number | null;
  /** EHT wall = (H + Hh) / (G + H + Hh); null when the denominator is 0 or exits not traced. */
  ehtWall: number | null;
  /** Windows only: true when a lost-event marker falls in it (then it is excluded from the vm/total rows of windows). */
  excludedLost: boolean;
}

export interface EhtResult {
  /** False when the trace has no kvm_exit: EHT is "not traced", never 0. */
  traced: boolean;
  /** Why not traced, when traced = false. */
  why?: string;
  /** Window length used for scope 'window' rows. */
  windowNs: number;
  perVcpu: EhtRow[];
  perVm: EhtRow[];
  /** Whole-trace windows (all vCPUs together), in time order. */
  windows: EhtRow[];
  total: EhtRow | null;
  definitions: { busy: string; wall: string };
}

/** Data quality of the analysis: shown next to every number. */
export interface DataQuality {
  lostMarkers: number;
  /** Sum of known lost counts; null when some marker gave no count. */
  lostEvents: number | null;
  /** kvm_exit rows seen / kvm_entry rows seen. */
  exitEvents: number;
  entryEvents: number;
  /** Exits paired with an entry, no flags. */
  pairedExits: number;
  /** Exit with no entry at the trace end. */
  unpairedExitsAtEnd: number;
  /** Entry with no exit at the trace start (first event of the thread). */
  entriesWithoutExitAtStart: number;
  /** Entry with no exit in the middle of a thread (after another entry). */
  entriesWithoutExit: number;
  /** Exit followed by another exit on the same thread. */
  exitsWithoutEntry: number;
  exitsBrokenByLost: number;
  /** Exit/entry pairs whose guest RIP jumped (EXIT_FLAG.RIP_JUMP): events missing without a marker. */
  exitsRipJump: number;
  /**
   * Time inversions: rows whose ts_ns is below the previous row's on the same CPU (counted, row
   * kept). The same definition as src/table/eventsSummary.ts (ingest).
   */
  timeInversions: number;
  /** What ts_ns counts: ns, or raw TSC/counter cycles (no --tsc-hz given). Absent = ns. */
  timeUnit?: 'ns' | 'cycles';
  /** Coarsest timestamp resolution (1000 for µs text). */
  timeResolutionNs: number;
  firstNs: bigint | null;
  lastNs: bigint | null;
  /** Events read. */
  events: number;
  /** kvm_exit/kvm_entry present at all. */
  exitsTraced: boolean;
  /** Rows an analyzer warning counted (e.g. "kvm_exit without tid"), by kind. */
  warnings: { kind: string; count: number; example: string }[];
  notes: string[];
}

/** What the caller knows about the input (from src/cli/pipeline.ts EventsRun). */
export interface InputMeta {
  path: string;
  format: string;
  sizeBytes: number | null;
  /** Diagnostics JSON of the read (lost markers, time precision, notes incl. GUEST maps). */
  diagnostics?: {
    timePrecisionNs: number;
    lostEventsTotal: number | null;
    lostMarkers: number;
    notes: string[];
    warningCount: number;
    /** collectors/common/diagnostics.ts timeUnit; absent from older callers (then a note saying "cycles" decides). */
    timeUnit?: 'ns' | 'cycles';
  };
}

export interface AnalyzeOptions {
  /** EHT time-window length in ns (default 1e9 = 1 s). */
  windowNs?: number;
  /** Keep per-exit rows (default true). stat-only runs still need them for exact percentiles. */
  keepExits?: boolean;
  /** Keep io_kicks rows (default true; whatif and report need them, stat does not). */
  keepKicks?: boolean;
  /** Keep accesses rows (default true; only stat --event mmio|ioport and analyze -o read them). */
  keepAccesses?: boolean;
  /**
   * 'all' (default) or 'stat': exits rows without exitNs, cpu and detail (those arrays have length
   * 0), for callers that read only durNs, flags, thread, reason, category and device (computeStat):
   * 20 instead of 32 bytes per exit.
   */
  exitColumns?: 'all' | 'stat';
}

export interface AnalysisResult {
  schemaVersion: number;
  input: InputMeta | null;
  exits: ExitsTable;
  irqs: IrqsTable;
  vcpuRuns: VcpuRunsTable;
  ioKicks: IoKicksTable;
  /** MMIO / PIO accesses with perf kvm stat timing (stat --event mmio|ioport). */
  accesses: AccessesTable;
  threads: ThreadInfo[];
  vms: VmInfo[];
  reasons: ReasonInfo[];
  devices: DeviceInfo[];
  /** Small strings referenced by index from rows; details[0] === ''. */
  details: string[];
  eht: EhtResult;
  quality: DataQuality;
  /** Posted interrupts seen (kvm_apicv_accept_irq / AVIC doorbell): the what-if model's "already posted". */
  postedDelivery: boolean;
}

/** The analyzer's push API (src/analyze/analyzer.ts createAnalyzer). */
export interface Analyzer {
  /** Feed one events-table Arrow RecordBatch (in trace order). */
  push(batch: import('apache-arrow').RecordBatch): void;
  /** Close open pairs at the trace edge and build the result. */
  finish(input: InputMeta | null): AnalysisResult;
}

// ---- stat ------------------------------------------------------------------------------------

export type StatEvent = 'vmexit' | 'mmio' | 'ioport' | 'irq';
export type StatBy = 'reason' | 'device' | 'vcpu';
export type StatKey = 'sample' | 'time' | 'max' | 'min' | 'mean' | 'p99';

export interface StatOptions {
  event: StatEvent;
  by: StatBy;
  key: StatKey;
  /** Only this vCPU id. */
  vcpu?: number;
  /** Only this VM (pid, or VM index label). */
  vm?: number;
}

/** One line of `es2scope stat` (also its --json rows). Durations integer ns; percentages 0..100. */
export interface StatRow {
  key: string;
  samples: number;
  samplesPct: number;
  /** Time% over the non-halt total (halt rows: over the halt total), see StatResult.timePctBasis. */
  timePct: number;
  totalNs: number;
  minNs: number;
  maxNs: number;
  meanNs: number;
  /** Standard deviation of the mean as % of the mean (perf kvm stat's "+-x%"). */
  stddevPct: number;
  /** Exact percentiles (nearest-rank on the sorted durations). */
  p50Ns: number;
  p99Ns: number;
  /** HLT/MWAIT kept apart so it does not swamp Time%. */
  halt: boolean;
}

export interface StatResult {
  event: StatEvent;
  by: StatBy;
  key: StatKey;
  filter: { vcpu: number | null; vm: number | null };
  rows: StatRow[];
  haltRows: StatRow[];
  total: { samples: number; totalNs: number; haltSamples: number; haltNs: number };
  timePctBasis: string;
  /** What samplesPct is a share of (all samples incl. halt rows, as perf kvm stat), and what total.samples counts. */
  samplesPctBasis?: string;
  /** The --vcpu/--vm filter matched nothing: the message to print (the command exits 1). */
  noMatch?: string | null;
  quality: DataQuality;
  /** "exits not traced" etc. */
  notes: string[];
}
