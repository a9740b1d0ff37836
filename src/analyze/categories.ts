// Exit reasons -> canonical name, ISA and category: the ONE table of MODEL.md "Exit categories",
// for VMX and SVM, plus the payload rules (kvm_msr / kvm_apic / kvm_mmio / kvm_pio of the same exit)
// that refine a row's category. Names follow the kernel: VMX upper case (arch/x86/include/uapi/asm/vmx.h
// VMX_EXIT_REASONS), SVM lower case (svm.h SVM_EXIT_REASONS); libtraceevent's plugin names
// (EXIT_NPF, PENDING_INTERRUPT, UNKNOWN (76)) are mapped back to those.
import { canonicalReason as shared, type Isa } from '../../collectors/common/exitReasons.js';
import type { Category } from './types.js';

/** Default category per canonical reason. Anything absent is 'other'. */
const VMX_CATEGORY: Readonly<Record<string, Category>> = {
  EPT_MISCONFIG: 'io_request', IO_INSTRUCTION: 'io_request',
  EXTERNAL_INTERRUPT: 'interrupt', INTERRUPT_WINDOW: 'interrupt', NMI_WINDOW: 'interrupt',
  EOI_INDUCED: 'eoi',
  // APIC_WRITE is decided by the kvm_apic register of the same exit (EOI / ICR / TMICT).
  APIC_WRITE: 'other',
  PREEMPTION_TIMER: 'timer',
  HLT: 'halt', MWAIT_INSTRUCTION: 'halt',
  EPT_VIOLATION: 'mmu',
  // MSR exits are decided by the kvm_msr index (0x80B EOI, 0x830 ICR, 0x6E0 TSC deadline).
  MSR_WRITE: 'msr', MSR_READ: 'msr',
};

const SVM_CATEGORY: Readonly<Record<string, Category>> = {
  io: 'io_request',
  // npf is mmu unless a kvm_mmio / kvm_fast_mmio of the same exit says MMIO.
  npf: 'mmu',
  interrupt: 'interrupt', vintr: 'interrupt', nmi: 'interrupt',
  avic_incomplete_ipi: 'ipi',
  // decided by the register (kvm_apic / kvm_avic_unaccelerated_access) of the same exit
  avic_unaccelerated_access: 'other',
  hlt: 'halt', mwait: 'halt',
  msr: 'msr',
};

export interface CanonicalReason {
  name: string;
  isa: 'VMX' | 'SVM' | 'unknown';
  code: number;
  category: Category;
}

/**
 * Canonicalise a traced reason (names and numbers through collectors/common/exitReasons.ts) and
 * give its default category. `isaHint` is the events table's isa column ('' when absent),
 * `codeHint` its reason_code (-1 when absent).
 */
export function canonicalReason(traced: string, isaHint: string, codeHint: number): CanonicalReason {
  let name = traced.trim();
  // "INVALID_STATE FAILED_VMENTRY": the flag is a separate token; keep the basic reason.
  const sp = name.indexOf(' FAILED_VMENTRY');
  if (sp > 0) name = name.slice(0, sp);
  const hint: Isa | undefined = isaHint === 'VMX' || isaHint === 'SVM' ? isaHint : undefined;
  let c = shared(name, hint);
  if (c.code === undefined && codeHint >= 0 && hint) c = shared(String(codeHint), hint);
  const isa = c.isa ?? 'unknown';
  const category = (isa === 'SVM' ? SVM_CATEGORY[c.name] : VMX_CATEGORY[c.name]) ?? 'other';
  return { name: c.name, isa, code: c.code ?? (codeHint >= 0 ? codeHint : -1), category };
}

/** x2APIC MSRs (0x800 + APIC register offset >> 4) and other MSRs that decide a category. */
export function msrCategory(msr: number, write: boolean): { category: Category | null; detail: string } {
  switch (msr) {
    case 0x80b: return { category: write ? 'eoi' : null, detail: 'x2APIC EOI' };
    case 0x830: return { category: write ? 'ipi' : null, detail: 'x2APIC ICR' };
    case 0x838: return { category: write ? 'timer' : null, detail: 'x2APIC TMICT' };
    case 0x6e0: return { category: write ? 'timer' : null, detail: 'TSC_DEADLINE' };
    case 0x808: return { category: null, detail: 'x2APIC TPR' };
    default: return { category: null, detail: `msr 0x${msr.toString(16)}` };
  }
}

/** kvm_apic register name (as the kernel prints it: APIC_EOI, APIC_ICR, APIC_TMICT). */
export function apicRegCategory(reg: string, write: boolean): Category | null {
  if (!write) return null;
  if (reg === 'APIC_EOI') return 'eoi';
  if (reg === 'APIC_ICR' || reg === 'APIC_ICR2') return 'ipi';
  if (reg === 'APIC_TMICT') return 'timer';
  return null;
}

/** vCPU id from a QEMU vCPU thread name ("CPU 3/KVM"); -1 when the name is not one. */
export function vcpuFromComm(comm: string): number {
  const m = /^CPU (\d+)\/KVM$/.exec(comm);
  return m ? Number(m[1]) : -1;
}

/** Host pid from a vhost worker's name ("vhost-150742": the owner, i.e. QEMU's pid); -1 otherwise. */
export function ownerPidFromVhostComm(comm: string): number {
  const m = /^vhost-(\d+)$/.exec(comm);
  return m ? Number(m[1]) : -1;
}
