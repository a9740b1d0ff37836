// The events table: one row per trace record, whatever the input format.
// This list is the single source of truth for the column names, their storage kind and their
// meaning; the batch builder, the Arrow schema (src/table) and the docs are derived from it.
// Column meanings per tracepoint are documented in collectors/README.md ("Events table").

/** Storage kinds. u64/i64 are 64-bit typed arrays written as two 32-bit halves (no BigInt on the hot path). */
export type ColumnKind = 'i64' | 'u64' | 'i32' | 'u32' | 'bool' | 'dict';

export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  /** Always set for every row (never null). */
  readonly required?: boolean;
  readonly doc: string;
}

export const SCHEMA_VERSION = 1;

export const COLUMNS = [
  { name: 'ts_ns', kind: 'i64', required: true, doc: 'timestamp, integer nanoseconds in the trace clock' },
  { name: 'cpu', kind: 'i32', doc: 'host CPU that recorded the event' },
  { name: 'pid', kind: 'i32', doc: 'process id (tgid) when the format carries it' },
  { name: 'tid', kind: 'i32', doc: 'thread id (the task that emitted the event)' },
  { name: 'comm', kind: 'dict', doc: 'thread name as printed by the tool (may hold spaces: "CPU 0/KVM")' },
  { name: 'event', kind: 'dict', required: true, doc: 'tracepoint name without system ("kvm_exit"); "[lost]" for lost-event markers' },
  { name: 'src_line', kind: 'i64', required: true, doc: 'source line (text) or byte offset (binary) of the record, for error messages' },
  { name: 'vcpu', kind: 'i32', doc: 'vCPU id where the payload names one (kvm_exit/kvm_entry vcpu, kvm_halt_poll_ns, pi_irte_update, avic vcpu)' },
  { name: 'reason', kind: 'dict', doc: 'kvm_exit reason name as traced (VMX "HLT", SVM "hlt", plugin "EXIT_HLT"); kvm_userspace_exit reason' },
  { name: 'reason_code', kind: 'i64', doc: 'numeric exit reason when known (binary formats, numeric text, or from the reason table)' },
  { name: 'isa', kind: 'dict', doc: 'VMX or SVM for kvm_exit, when known' },
  { name: 'rip', kind: 'u64', doc: 'guest RIP (kvm_exit, kvm_entry)' },
  { name: 'info1', kind: 'u64', doc: 'kvm_exit info1 (VMX exit qualification / SVM exit_info_1); kvm_apic_ipi icr_low; avic icrl / offset / vmid' },
  { name: 'info2', kind: 'u64', doc: 'kvm_exit info2; avic icrh' },
  { name: 'intr_info', kind: 'u32', doc: 'kvm_exit/kvm_entry intr_info (5.10+ / 6.14+)' },
  { name: 'error_code', kind: 'u32', doc: 'kvm_exit/kvm_entry error_code' },
  { name: 'requests', kind: 'u64', doc: 'kvm_exit pending requests (6.14+)' },
  { name: 'gpa', kind: 'u64', doc: 'guest physical address (kvm_mmio, kvm_fast_mmio); kvm_msi_set_irq address; pi_desc_addr' },
  { name: 'port', kind: 'i32', doc: 'I/O port (kvm_pio)' },
  { name: 'msr', kind: 'u32', doc: 'MSR index (kvm_msr ecx)' },
  { name: 'value', kind: 'u64', doc: 'data value (kvm_pio val, kvm_mmio val, kvm_msr data, kvm_apic val, kvm_msi_set_irq data, kvm_halt_poll_ns old value)' },
  { name: 'len', kind: 'i32', doc: 'access size in bytes (kvm_pio size, kvm_mmio len)' },
  { name: 'count', kind: 'i32', doc: 'kvm_pio count; number of lost events for "[lost]" rows (null when unknown)' },
  { name: 'write', kind: 'bool', doc: 'write access (kvm_pio, kvm_mmio, kvm_msr, kvm_apic, kvm_cr)' },
  { name: 'vector', kind: 'i32', doc: 'interrupt vector (accept_irq, inj_virq, msi_set_irq, ioapic_set_irq, eoi, apic_ipi, pi_irte_update gvec, avic vec)' },
  { name: 'apicid', kind: 'i32', doc: 'destination APIC id (accept_irq, eoi, msi dst, ioapic dst, apic_ipi dest_id, avic_doorbell apicid)' },
  { name: 'gsi', kind: 'i32', doc: 'GSI (kvm_set_irq, pi_irte_update) or IOAPIC pin (kvm_ioapic_set_irq)' },
  { name: 'level', kind: 'i32', doc: 'kvm_set_irq level; kvm_pi_irte_update host_irq' },
  { name: 'irq_source', kind: 'i32', doc: 'kvm_set_irq irq_source_id' },
  { name: 'delivery', kind: 'dict', doc: 'delivery mode (Fixed, LowPrio, SMI, NMI, INIT, SIPI, ExtINT)' },
  { name: 'trig_level', kind: 'bool', doc: 'level-triggered (true) or edge (false)' },
  { name: 'flag', kind: 'bool', doc: 'per-event flag: kvm_entry immediate_exit; kvm_inj_virq soft; kvm_vcpu_wakeup waited; kvm_msr #GP; pi_irte_update set; ioapic coalesced; halt_poll grow' },
  { name: 'wait_ns', kind: 'i64', doc: 'kvm_vcpu_wakeup time (ns); kvm_halt_poll_ns new value' },
  { name: 'errno', kind: 'i32', doc: 'kvm_userspace_exit errno' },
  { name: 'prev_pid', kind: 'i32', doc: 'sched_switch prev_pid' },
  { name: 'prev_state', kind: 'dict', doc: 'sched_switch prev_state (R, S, D, R+, ...)' },
  { name: 'next_pid', kind: 'i32', doc: 'sched_switch next_pid; sched_wakeup/sched_waking woken pid' },
  { name: 'next_comm', kind: 'dict', doc: 'sched_switch next_comm; sched_wakeup woken comm' },
  { name: 'prev_comm', kind: 'dict', doc: 'sched_switch prev_comm' },
  { name: 'target_cpu', kind: 'i32', doc: 'sched_wakeup target_cpu' },
  { name: 'detail', kind: 'dict', doc: 'small-vocabulary extra text: kvm_apic register (APIC_EOI), kvm_cr register (CR4), kvm_mmio type, exit flags (FAILED_VMENTRY), apic_ipi shorthand, unparsed payload marker' },
] as const satisfies readonly ColumnSpec[];

export type ColumnName = (typeof COLUMNS)[number]['name'];

/** Column index by name, e.g. `C.vcpu`. */
export const C = Object.fromEntries(COLUMNS.map((c, i) => [c.name, i])) as { readonly [K in ColumnName]: number };

export const LOST_EVENT = '[lost]';

/** ISA codes as in arch/x86/kvm/trace.h (KVM_ISA_VMX = 1, KVM_ISA_SVM = 2). */
export const ISA_NAME: Record<number, string> = { 1: 'VMX', 2: 'SVM' };
