// Inputs of the ES2 what-if model, as columns: one typed array per field, one entry per row, so
// that 10 M exits cost ~40 B each instead of a JS object each (~170 B and a GC walk). The model
// does not depend on how the analyzer builds its tables, only on these columns (fromAnalysis.ts is
// the adapter; rows.ts builds them from row objects for hand-made inputs and tests).
// All times are integer nanoseconds in float64: a trace clock below 2^53 ns (104 days) is exact,
// and the adapter rebases to the trace start. Strings (VM labels, exit reasons, device keys) are
// codes into ModelInput.strings, one table shared by every column so codes compare across tables.

/** Exit categories as in MODEL.md; ExitColumns.category holds the index. */
export const EXIT_CATEGORIES = ['io_request', 'interrupt', 'eoi', 'ipi', 'halt', 'timer', 'mmu', 'msr', 'other'] as const;
export type ExitCategory = (typeof EXIT_CATEGORIES)[number];
export const CATEGORY_CODE = Object.fromEntries(EXIT_CATEGORIES.map((c, i) => [c, i])) as Record<ExitCategory, number>;

/** Interrupt source class: only `device` interrupts are redirected. IrqColumns.kind holds the index. */
export const IRQ_KINDS = ['device', 'timer', 'ipi', 'other'] as const;
export type IrqKind = (typeof IRQ_KINDS)[number];

/** Target vCPU state at raise time; IrqColumns.state holds the index. */
export const VCPU_STATE_NAMES = ['guest', 'exit', 'runnable', 'blocked', 'unknown'] as const;
export type VcpuState = (typeof VCPU_STATE_NAMES)[number];
export const STATE_CODE = Object.fromEntries(VCPU_STATE_NAMES.map((s, i) => [s, i])) as Record<VcpuState, number>;

/** "No value" in an Int32Array column (vCPU ids may be negative: the adapter numbers unknown ones -1 - thread). */
export const NULL_I32 = -2147483648;

/** ExitColumns.flags bits. */
export const EXIT_FLAG = {
  /** INTERRUPT_WINDOW / vintr (and NMI window) exit. */
  INTERRUPT_WINDOW: 1,
  /** EXTERNAL_INTERRUPT / intr exit. */
  EXTERNAL_INTERRUPT: 2,
  /** Excluded from accounting (pair spans lost events or a trace edge). */
  BROKEN: 4,
} as const;

/** ExitColumns.eoiLevel values. */
export const EOI_EDGE = 0;
export const EOI_LEVEL = 1;
export const EOI_UNKNOWN = 255;

/** VM exits paired with their re-entry, one entry per exit. */
export interface ExitColumns {
  length: number;
  /** Stable id of each row (avoided-sets and output tables refer to it); null: the id is the position. Ids are unique. */
  id: Int32Array | null;
  /** VM label (string code). */
  vm: Int32Array;
  vcpu: Int32Array;
  exitNs: Float64Array;
  /** Re-entry time; NaN when the pair is broken (trace edge, lost events). */
  entryNs: Float64Array;
  /** Reason as traced (VMX "EXTERNAL_INTERRUPT", SVM "intr", ...), string code. */
  reason: Int32Array;
  /** Index in EXIT_CATEGORIES. */
  category: Uint8Array;
  /** Device key for io_request exits ("mmio:0xfe003000", "pio:0xc050"), string code; -1 = none. */
  device: Int32Array;
  /** EXIT_FLAG bits. */
  flags: Uint8Array;
  /** For eoi exits: trigger mode of the EOI'd vector (kvm_apic_accept_irq "(level)"): EOI_EDGE, EOI_LEVEL or EOI_UNKNOWN. */
  eoiLevel: Uint8Array;
}

/** Interrupts, one entry per raised interrupt. */
export interface IrqColumns {
  length: number;
  /** Row id; null: the id is the position. Ids are unique. */
  id: Int32Array | null;
  vm: Int32Array;
  /** Target vCPU; NULL_I32 when the trace does not say (then nothing is decided for it). */
  targetVcpu: Int32Array;
  raiseNs: Float64Array;
  /** Delivery (kvm_inj_virq, or the target's first entry after raise when posted); NaN = not seen. */
  deliveryNs: Float64Array;
  /** Index in IRQ_KINDS. */
  kind: Uint8Array;
  /** Vector; NULL_I32 = unknown. */
  vector: Int32Array;
  /** Index in VCPU_STATE_NAMES: state from the analyzer (sched + exits); 'unknown' lets the model derive it from the exits. */
  state: Uint8Array;
}

/** I/O kicks: guest writes to a notify register (kvm_pio / kvm_mmio / kvm_fast_mmio write). */
export interface KickColumns {
  length: number;
  /** Row id; null: the id is the position. Ids are unique. */
  id: Int32Array | null;
  vm: Int32Array;
  /** vCPU; NULL_I32 = unknown. */
  vcpu: Int32Array;
  tsNs: Float64Array;
  /** Device key: notify address or port ("mmio:0xfe003000", "pio:0xc050"), string code. */
  device: Int32Array;
  /** Id of the exit that carried the kick, when kvm_exit is traced; NULL_I32 = none. */
  exitId: Int32Array;
}

export interface ModelInput {
  /** The string table every string column codes into (unique entries). */
  strings: string[];
  exits: ExitColumns;
  irqs: IrqColumns;
  kicks: KickColumns;
  /** Whether kvm_exit/kvm_entry are in the trace at all (else EHT is "not traced"). */
  exitsTraced: boolean;
  /** Evidence of hardware posted delivery already in the trace (empty = none seen). */
  postedEvidence: string[];
  /** Trace window [startNs, endNs] for polling-CPU shares. */
  windowNs: { startNs: number; endNs: number };
  /**
   * G/H/Hh per vCPU from the analyzer (which also leaves out guest intervals that span lost
   * events, something exits rows alone cannot show). Absent: the model derives them from `exits`.
   */
  accounts?: import('./accounting.js').VcpuAccount[];
  /** Kicks were synthesised from io_request exits because no kvm_pio/kvm_mmio/kvm_fast_mmio was traced. */
  kicksFromExits?: boolean;
  /** Absolute trace-clock time of 0 in this input (the adapter rebases); tables add it back. */
  timeBaseNs?: bigint;
}

export function emptyExits(): ExitColumns {
  return {
    length: 0, id: null, vm: new Int32Array(0), vcpu: new Int32Array(0), exitNs: new Float64Array(0), entryNs: new Float64Array(0),
    reason: new Int32Array(0), category: new Uint8Array(0), device: new Int32Array(0), flags: new Uint8Array(0), eoiLevel: new Uint8Array(0),
  };
}

/** Id of row `pos` of a table whose id column may be implicit. */
export function idAt(t: { id: Int32Array | null }, pos: number): number {
  return t.id === null ? pos : t.id[pos]!;
}

/** Handling time an exit returns when avoided (0 for broken pairs: unknown, not counted). */
export function handlingNsAt(e: ExitColumns, pos: number): number {
  const entry = e.entryNs[pos]!;
  const exit = e.exitNs[pos]!;
  return !(e.flags[pos]! & EXIT_FLAG.BROKEN) && !Number.isNaN(entry) && entry >= exit ? entry - exit : 0;
}
