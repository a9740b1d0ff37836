// Inputs and outputs of the ES2 what-if model. The inputs are small and explicit on purpose: the
// model does not depend on how the analyzer builds its tables, only on these rows (see
// fromAnalysis.ts for the adapter). All times are integer nanoseconds held in JS numbers: a trace
// clock below 2^53 ns (104 days) is exact, and the adapter rebases to the trace start.

/** Exit categories as in MODEL.md. */
export type ExitCategory = 'io_request' | 'interrupt' | 'eoi' | 'ipi' | 'halt' | 'timer' | 'mmu' | 'msr' | 'other';

/** One VM exit paired with its re-entry. */
export interface ModelExit {
  /** Stable index (row in the analyzer's exits table); avoided-sets refer to it. */
  id: number;
  vm: string;
  vcpu: number;
  exitNs: number;
  /** Re-entry time; null when the pair is broken (trace edge, lost events). */
  entryNs: number | null;
  /** Reason as traced (VMX "EXTERNAL_INTERRUPT", SVM "intr", ...). */
  reason: string;
  category: ExitCategory;
  /** Device key for io_request exits ("mmio:0xfe003000", "pio:0xc050"), else null. */
  device: string | null;
  /** True for INTERRUPT_WINDOW / vintr (and NMI window) exits. */
  interruptWindow: boolean;
  /** True for EXTERNAL_INTERRUPT / intr exits. */
  externalInterrupt: boolean;
  /** For eoi exits: the vector EOI'd, when the trace names it (kvm_eoi). */
  eoiVector: number | null;
  /** For eoi exits: whether that vector was level-triggered (kvm_apic_accept_irq "(level)"); null = unknown. */
  eoiLevel: boolean | null;
  /** Excluded from accounting (pair spans lost events or a trace edge). */
  broken: boolean;
}

/** Interrupt source class: only `device` interrupts are redirected. */
export type IrqKind = 'device' | 'timer' | 'ipi' | 'other';

/** Target vCPU state at raise time. */
export type VcpuState = 'guest' | 'exit' | 'runnable' | 'blocked' | 'unknown';

export interface ModelIrq {
  id: number;
  vm: string;
  /** Target vCPU; null when the trace does not say (then nothing is decided for it). */
  targetVcpu: number | null;
  raiseNs: number;
  /** Delivery (kvm_inj_virq, or the target's first entry after raise when posted); null = not seen. */
  deliveryNs: number | null;
  kind: IrqKind;
  vector: number | null;
  /** State from the analyzer (sched + exits); 'unknown' lets the model derive it from the exits. */
  state: VcpuState;
}

/** An I/O kick: a guest write to a notify register (kvm_pio / kvm_mmio / kvm_fast_mmio write). */
export interface ModelKick {
  id: number;
  vm: string;
  vcpu: number | null;
  tsNs: number;
  /** Device key: notify address or port ("mmio:0xfe003000", "pio:0xc050"). */
  device: string;
  /** The exit that carried the kick (id in ModelExit), when kvm_exit is traced. */
  exitId: number | null;
}

export interface ModelInput {
  exits: ModelExit[];
  irqs: ModelIrq[];
  kicks: ModelKick[];
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
