// Guest-physical MMIO ranges and I/O ports of platform devices that KVM (or QEMU's board code)
// emulates: a guest write there is a register access, not a virtqueue kick, so it is left out of
// io_kicks and of the what-if model's hybrid-I/O devices. The exits and accesses stay as they are
// (same category; `stat --by device` still lists them, marked with the device name).
// kvm_fast_mmio is never looked up here: it only fires for an ioeventfd, i.e. always a kick.
// Addresses: the x86 PC defaults (arch/x86/include/asm/apicdef.h APIC_DEFAULT_PHYS_BASE,
// arch/x86/kvm/ioapic.h IOAPIC_DEFAULT_BASE_ADDRESS, HPET per the IA-PC HPET spec; legacy ports per
// arch/x86/kvm/{i8259.c,i8254.c}, QEMU hw/rtc/mc146818rtc.c, hw/pci-host/*, hw/input/pckbd.c,
// hw/char/serial-isa.c). A guest that remaps them is not recognised.

export interface PlatformRange {
  kind: 'mmio' | 'pio';
  /** First and last address (inclusive). */
  first: number;
  last: number;
  name: string;
}

/** THE table (documented in src/analyze/README.md "Platform devices"). */
export const PLATFORM_DEVICES: readonly PlatformRange[] = [
  { kind: 'mmio', first: 0xfec00000, last: 0xfec00fff, name: 'IOAPIC' },
  { kind: 'mmio', first: 0xfee00000, last: 0xfee00fff, name: 'LAPIC' },
  { kind: 'mmio', first: 0xfed00000, last: 0xfed003ff, name: 'HPET' },
  { kind: 'pio', first: 0x20, last: 0x21, name: 'PIC master' },
  { kind: 'pio', first: 0x40, last: 0x43, name: 'PIT' },
  { kind: 'pio', first: 0x60, last: 0x60, name: 'keyboard' },
  { kind: 'pio', first: 0x64, last: 0x64, name: 'keyboard' },
  { kind: 'pio', first: 0x70, last: 0x71, name: 'RTC' },
  { kind: 'pio', first: 0xa0, last: 0xa1, name: 'PIC slave' },
  { kind: 'pio', first: 0xcf8, last: 0xcff, name: 'PCI config' },
  // a serial console is not a virtqueue either
  { kind: 'pio', first: 0x3f8, last: 0x3ff, name: 'UART COM1' },
];

/** The platform device at this address, or null (a possible virtqueue notify address or port). */
export function platformDevice(kind: 'mmio' | 'pio', addr: number): string | null {
  for (const r of PLATFORM_DEVICES) if (r.kind === kind && addr >= r.first && addr <= r.last) return r.name;
  return null;
}
