// VM-exit reason vocabularies: Intel VMX and AMD SVM code<->name tables, the names that
// libtraceevent's kvm plugin (and bcc) print instead, and `canonicalReason` that maps any of them
// to {isa, code, name}. Sources: arch/x86/include/uapi/asm/{vmx,svm}.h (VMX_EXIT_REASONS,
// SVM_EXIT_REASONS, names exactly as the 6.18 tracefs format prints them, see
// ../shared/lab/formats/kvm_exit.format) and libtraceevent plugins/plugin_kvm.c (v1.8.4).
// Binary decoders prefer the tables embedded in the trace itself; these are the fallback.

export type Isa = 'VMX' | 'SVM';

/** Basic VMX exit reasons (exit_reason & 0xffff). */
export const VMX_REASONS: ReadonlyMap<number, string> = new Map([
  [0, 'EXCEPTION_NMI'], [1, 'EXTERNAL_INTERRUPT'], [2, 'TRIPLE_FAULT'], [3, 'INIT_SIGNAL'],
  [4, 'SIPI_SIGNAL'], [7, 'INTERRUPT_WINDOW'], [8, 'NMI_WINDOW'], [9, 'TASK_SWITCH'], [10, 'CPUID'],
  [12, 'HLT'], [13, 'INVD'], [14, 'INVLPG'], [15, 'RDPMC'], [16, 'RDTSC'], [18, 'VMCALL'],
  [19, 'VMCLEAR'], [20, 'VMLAUNCH'], [21, 'VMPTRLD'], [22, 'VMPTRST'], [23, 'VMREAD'],
  [24, 'VMRESUME'], [25, 'VMWRITE'], [26, 'VMOFF'], [27, 'VMON'], [28, 'CR_ACCESS'],
  [29, 'DR_ACCESS'], [30, 'IO_INSTRUCTION'], [31, 'MSR_READ'], [32, 'MSR_WRITE'],
  [33, 'INVALID_STATE'], [34, 'MSR_LOAD_FAIL'], [36, 'MWAIT_INSTRUCTION'],
  [37, 'MONITOR_TRAP_FLAG'], [39, 'MONITOR_INSTRUCTION'], [40, 'PAUSE_INSTRUCTION'],
  [41, 'MCE_DURING_VMENTRY'], [43, 'TPR_BELOW_THRESHOLD'], [44, 'APIC_ACCESS'],
  [45, 'EOI_INDUCED'], [46, 'GDTR_IDTR'], [47, 'LDTR_TR'], [48, 'EPT_VIOLATION'],
  [49, 'EPT_MISCONFIG'], [50, 'INVEPT'], [51, 'RDTSCP'], [52, 'PREEMPTION_TIMER'], [53, 'INVVPID'],
  [54, 'WBINVD'], [55, 'XSETBV'], [56, 'APIC_WRITE'], [57, 'RDRAND'], [58, 'INVPCID'],
  [59, 'VMFUNC'], [60, 'ENCLS'], [61, 'RDSEED'], [62, 'PML_FULL'], [63, 'XSAVES'], [64, 'XRSTORS'],
  [67, 'UMWAIT'], [68, 'TPAUSE'], [74, 'BUS_LOCK'], [75, 'NOTIFY'], [77, 'TDCALL'],
  [84, 'MSR_READ_IMM'], [85, 'MSR_WRITE_IMM'],
]);

/** VMX exit-reason flag bits above the basic reason (VMX_EXIT_REASON_FLAGS). */
export const VMX_FAILED_VMENTRY = 0x80000000;
export const VMX_REASON_FLAGS: ReadonlyMap<number, string> = new Map([[VMX_FAILED_VMENTRY, 'FAILED_VMENTRY']]);

const SVM_EXCP = ['DE', 'DB', '', 'BP', 'OF', 'BR', 'UD', 'NM', 'DF', '', 'TS', 'NP', 'SS', 'GP', 'PF', '', 'MF', 'AC', 'MC', 'XF'];

/** SVM exit codes, kernel names (lowercase; exceptions as "GP excp"). */
export const SVM_REASONS: ReadonlyMap<number, string> = new Map<number, string>([
  [0x000, 'read_cr0'], [0x002, 'read_cr2'], [0x003, 'read_cr3'], [0x004, 'read_cr4'], [0x008, 'read_cr8'],
  [0x010, 'write_cr0'], [0x012, 'write_cr2'], [0x013, 'write_cr3'], [0x014, 'write_cr4'], [0x018, 'write_cr8'],
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i): [number, string] => [0x020 + i, `read_dr${i}`]),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i): [number, string] => [0x030 + i, `write_dr${i}`]),
  ...SVM_EXCP.flatMap((n, i): [number, string][] => (n ? [[0x040 + i, `${n} excp`]] : [])),
  [0x060, 'interrupt'], [0x061, 'nmi'], [0x062, 'smi'], [0x063, 'init'], [0x064, 'vintr'],
  [0x065, 'cr0_sel_write'], [0x066, 'read_idtr'], [0x067, 'read_gdtr'], [0x068, 'read_ldtr'],
  [0x069, 'read_rt'], [0x06a, 'write_idtr'], [0x06b, 'write_gdtr'], [0x06c, 'write_ldtr'],
  [0x06d, 'write_rt'], [0x06e, 'rdtsc'], [0x06f, 'rdpmc'], [0x070, 'pushf'], [0x071, 'popf'],
  [0x072, 'cpuid'], [0x073, 'rsm'], [0x074, 'iret'], [0x075, 'swint'], [0x076, 'invd'],
  [0x077, 'pause'], [0x078, 'hlt'], [0x079, 'invlpg'], [0x07a, 'invlpga'], [0x07b, 'io'],
  [0x07c, 'msr'], [0x07d, 'task_switch'], [0x07e, 'ferr_freeze'], [0x07f, 'shutdown'],
  [0x080, 'vmrun'], [0x081, 'hypercall'], [0x082, 'vmload'], [0x083, 'vmsave'], [0x084, 'stgi'],
  [0x085, 'clgi'], [0x086, 'skinit'], [0x087, 'rdtscp'], [0x088, 'icebp'], [0x089, 'wbinvd'],
  [0x08a, 'monitor'], [0x08b, 'mwait'], [0x08d, 'xsetbv'], [0x08f, 'write_efer_trap'],
  [0x090, 'write_cr0_trap'], [0x094, 'write_cr4_trap'], [0x098, 'write_cr8_trap'], [0x0a2, 'invpcid'],
  [0x0a5, 'buslock'], [0x0a6, 'idle-halt'], [0x400, 'npf'], [0x401, 'avic_incomplete_ipi'],
  [0x402, 'avic_unaccelerated_access'], [0x403, 'vmgexit'],
  [0x80000001, 'vmgexit_mmio_read'], [0x80000002, 'vmgexit_mmio_write'],
  [0x80000003, 'vmgexit_nmi_complete'], [0x80000004, 'vmgexit_ap_hlt_loop'],
  [0x80000005, 'vmgexit_ap_jump_table'], [0x80000010, 'vmgexit_page_state_change'],
  [0x80000011, 'vmgexit_guest_request'], [0x80000012, 'vmgexit_ext_guest_request'],
  [0x80000013, 'vmgexit_ap_creation'], [0x8000fffd, 'vmgexit_hypervisor_feature'],
  [-1, 'invalid_guest_state'],
]);

/**
 * Names printed by libtraceevent's kvm plugin (plugin_kvm.c) and older kernels that differ from
 * the current kernel names, with their code. The plugin's SVM table is upper case with EXIT_.
 */
const VMX_ALIASES: ReadonlyMap<string, number> = new Map([['PENDING_INTERRUPT', 7]]);

const SVM_PLUGIN: ReadonlyMap<string, number> = new Map<string, number>([
  ['EXIT_READ_CR0', 0x000], ['EXIT_READ_CR3', 0x003], ['EXIT_READ_CR4', 0x004], ['EXIT_READ_CR8', 0x008],
  ['EXIT_WRITE_CR0', 0x010], ['EXIT_WRITE_CR3', 0x013], ['EXIT_WRITE_CR4', 0x014], ['EXIT_WRITE_CR8', 0x018],
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i): [string, number] => [`EXIT_READ_DR${i}`, 0x020 + i]),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i): [string, number] => [`EXIT_WRITE_DR${i}`, 0x030 + i]),
  ...SVM_EXCP.flatMap((n, i): [string, number][] => (n ? [[`EXIT_EXCP_${n}`, 0x040 + i]] : [])),
  ['EXIT_INTR', 0x060], ['EXIT_NMI', 0x061], ['EXIT_SMI', 0x062], ['EXIT_INIT', 0x063], ['EXIT_VINTR', 0x064],
  ['EXIT_CR0_SEL_WRITE', 0x065], ['EXIT_IDTR_READ', 0x066], ['EXIT_GDTR_READ', 0x067],
  ['EXIT_LDTR_READ', 0x068], ['EXIT_TR_READ', 0x069], ['EXIT_IDTR_WRITE', 0x06a],
  ['EXIT_GDTR_WRITE', 0x06b], ['EXIT_LDTR_WRITE', 0x06c], ['EXIT_TR_WRITE', 0x06d],
  ['EXIT_RDTSC', 0x06e], ['EXIT_RDPMC', 0x06f], ['EXIT_PUSHF', 0x070], ['EXIT_POPF', 0x071],
  ['EXIT_CPUID', 0x072], ['EXIT_RSM', 0x073], ['EXIT_IRET', 0x074], ['EXIT_SWINT', 0x075],
  ['EXIT_INVD', 0x076], ['EXIT_PAUSE', 0x077], ['EXIT_HLT', 0x078], ['EXIT_INVLPG', 0x079],
  ['EXIT_INVLPGA', 0x07a], ['EXIT_IOIO', 0x07b], ['EXIT_MSR', 0x07c], ['EXIT_TASK_SWITCH', 0x07d],
  ['EXIT_FERR_FREEZE', 0x07e], ['EXIT_SHUTDOWN', 0x07f], ['EXIT_VMRUN', 0x080], ['EXIT_VMMCALL', 0x081],
  ['EXIT_VMLOAD', 0x082], ['EXIT_VMSAVE', 0x083], ['EXIT_STGI', 0x084], ['EXIT_CLGI', 0x085],
  ['EXIT_SKINIT', 0x086], ['EXIT_RDTSCP', 0x087], ['EXIT_ICEBP', 0x088], ['EXIT_WBINVD', 0x089],
  ['EXIT_MONITOR', 0x08a], ['EXIT_MWAIT', 0x08b], ['EXIT_MWAIT_COND', 0x08c], ['EXIT_XSETBV', 0x08d],
  ['EXIT_NPF', 0x400], ['EXIT_AVIC_INCOMPLETE_IPI', 0x401], ['EXIT_AVIC_UNACCELERATED_ACCESS', 0x402],
  ['EXIT_ERR', -1],
]);

function invert(m: ReadonlyMap<number, string>): Map<string, number> {
  const r = new Map<string, number>();
  for (const [k, v] of m) r.set(v, k);
  return r;
}
const VMX_BY_NAME = invert(VMX_REASONS);
const SVM_BY_NAME = invert(SVM_REASONS);

/** Alias -> canonical kernel name, for documentation and the analyzer. */
export const REASON_ALIASES: ReadonlyMap<string, string> = new Map<string, string>([
  ...[...VMX_ALIASES].map(([a, c]): [string, string] => [a, VMX_REASONS.get(c)!]),
  ...[...SVM_PLUGIN].map(([a, c]): [string, string] => [a, SVM_REASONS.get(c) ?? a]),
]);

export interface CanonicalReason {
  /** undefined when neither the name nor the caller tells the vendor. */
  readonly isa: Isa | undefined;
  /** undefined when the name is not in any table. */
  readonly code: number | undefined;
  /** Kernel name for the code in that ISA (e.g. "npf" for EXIT_NPF); the input name when unknown. */
  readonly name: string;
}

function parseNumber(s: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s.slice(2), 16);
  if (/^-?[0-9]+$/.test(s)) return parseInt(s, 10);
  return undefined;
}

/**
 * Normalise a traced exit-reason name: kernel VMX ("HLT"), kernel SVM ("hlt", "GP excp"),
 * plugin ("PENDING_INTERRUPT", "EXIT_NPF", "UNKNOWN (76)"), bcc ("EXIT_REASON_HLT"), or a bare
 * number ("0x4c", printed by __print_symbolic on a miss). `isa` (when the caller knows it, e.g. from
 * a binary record) picks the table for numbers and ambiguous names.
 * VMX names are UPPER_CASE, SVM names lowercase or EXIT_*: that decides the ISA when not given.
 */
export function canonicalReason(name: string, isa?: Isa): CanonicalReason {
  let n = name.trim();
  if (n.startsWith('EXIT_REASON_')) n = n.slice(12); // bcc kvmexit
  const unk = /^UNKNOWN \((\d+)\)$/.exec(n);
  const num = unk ? Number(unk[1]) : parseNumber(n);
  if (num !== undefined) {
    if (isa === 'VMX') {
      const basic = num & 0xffff;
      return { isa, code: basic, name: VMX_REASONS.get(basic) ?? n };
    }
    if (isa === 'SVM') {
      const code = num === 0xffffffff ? -1 : num;
      return { isa, code, name: SVM_REASONS.get(code) ?? n };
    }
    return { isa: undefined, code: num, name: n };
  }
  if (isa !== 'SVM') {
    const v = VMX_BY_NAME.get(n) ?? VMX_ALIASES.get(n);
    if (v !== undefined) return { isa: 'VMX', code: v, name: VMX_REASONS.get(v)! };
  }
  if (isa !== 'VMX') {
    const s = SVM_BY_NAME.get(n) ?? SVM_PLUGIN.get(n);
    if (s !== undefined) return { isa: 'SVM', code: s, name: SVM_REASONS.get(s) ?? n };
  }
  if (isa) return { isa, code: undefined, name: n };
  // Unknown name: the vocabulary still tells the vendor.
  if (n.startsWith('EXIT_')) return { isa: 'SVM', code: undefined, name: n };
  if (/^[A-Z][A-Z0-9_]*$/.test(n)) return { isa: 'VMX', code: undefined, name: n };
  if (/^[a-z][a-z0-9_ -]*$/.test(n)) return { isa: 'SVM', code: undefined, name: n };
  return { isa: undefined, code: undefined, name: n };
}

/** Name for a numeric code in one ISA's kernel table, or the kernel's miss form "0x4c". */
export function reasonName(isa: Isa, code: number): string {
  const n = isa === 'VMX' ? VMX_REASONS.get(code & 0xffff) : SVM_REASONS.get(code);
  return n ?? '0x' + (code >>> 0).toString(16);
}
