// The tracepoints the analysis needs, as recorded by every tool (kvm_exit/kvm_entry, the I/O and
// interrupt events, vCPU wake-ups and the scheduler switches of vCPU threads).
export const RECORD_EVENTS: readonly string[] = [
  'kvm:kvm_exit', 'kvm:kvm_entry',
  'kvm:kvm_pio', 'kvm:kvm_mmio', 'kvm:kvm_fast_mmio', 'kvm:kvm_msr', 'kvm:kvm_apic',
  'kvm:kvm_set_irq', 'kvm:kvm_msi_set_irq', 'kvm:kvm_ioapic_set_irq',
  'kvm:kvm_apic_accept_irq', 'kvm:kvm_apicv_accept_irq', 'kvm:kvm_inj_virq', 'kvm:kvm_eoi', 'kvm:kvm_apic_ipi',
  'kvm:kvm_pi_irte_update', 'kvm:kvm_avic_incomplete_ipi', 'kvm:kvm_avic_unaccelerated_access', 'kvm:kvm_avic_doorbell',
  'kvm:kvm_avic_ga_log', 'kvm:kvm_avic_kick_vcpu_slowpath',
  'kvm:kvm_vcpu_wakeup', 'kvm:kvm_halt_poll_ns', 'kvm:kvm_userspace_exit',
  'sched:sched_switch', 'sched:sched_wakeup',
];
