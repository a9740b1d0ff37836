// Where each virtio device's notify register is, from QEMU's QMP `query-pci` (asked through the
// QMP socket once the guest has programmed its BARs). A kick is a guest write there, so this is
// what kick counting keys on. Pure parser; the JSON comes from qmp.ts.
//
// Example reply (QEMU 7.2 qapi/pci.json PciInfo), trimmed:
//   {"return": [{"bus": 0, "devices": [{"qdev_id": "blk0", "id": {"vendor": 6900, "device": 4097},
//     "regions": [{"bar": 0, "type": "io", "address": 49216, "size": 128},
//                 {"bar": 4, "type": "memory", "address": 6442467328, "size": 16384, "mem_type_64": true, "prefetch": true}]}]}]}

export interface PciBar { index: number; io: boolean; start: bigint; size: bigint }
export interface PciDevice { id: string; vendorDevice: string; bars: PciBar[] }

export interface NotifyRange {
  /** qdev id, e.g. blk0 / net0 */
  id: string;
  kind: 'mmio' | 'pio';
  /** inclusive */
  start: bigint;
  /** inclusive */
  end: bigint;
}

interface QmpRegion { bar?: number; type?: string; address?: number; size?: number }
interface QmpDevice { qdev_id?: string; id?: { vendor?: number; device?: number }; regions?: QmpRegion[]; pci_bridge?: { devices?: QmpDevice[] } }

const hex4 = (n: number | undefined): string => (n ?? 0).toString(16).padStart(4, '0');

/** Devices of a `query-pci` return value (bridges walked). Unprogrammed BARs (address -1 / absent) are left out. */
export function parseQueryPci(ret: unknown): PciDevice[] {
  const out: PciDevice[] = [];
  const walk = (devs: QmpDevice[] | undefined): void => {
    for (const d of devs ?? []) {
      const bars: PciBar[] = [];
      for (const r of d.regions ?? []) {
        if (typeof r.bar !== 'number' || typeof r.address !== 'number' || typeof r.size !== 'number' || r.address < 0) continue;
        bars.push({ index: r.bar, io: r.type === 'io', start: BigInt(r.address), size: BigInt(r.size) });
      }
      out.push({ id: d.qdev_id ?? '', vendorDevice: `${hex4(d.id?.vendor)}:${hex4(d.id?.device)}`, bars });
      walk(d.pci_bridge?.devices);
    }
  };
  for (const bus of Array.isArray(ret) ? (ret as { devices?: QmpDevice[] }[]) : []) walk(bus.devices);
  return out;
}

// QEMU hw/virtio/virtio-pci.c: modern notify area at BAR4 + 0x3000, 0x1000 long (queue_mem_mult 4
// x VIRTIO_QUEUE_MAX 1024); legacy: I/O BAR0 + VIRTIO_PCI_QUEUE_NOTIFY (16), 2 bytes.
const MODERN_NOTIFY_OFF = 0x3000n;
const MODERN_NOTIFY_LEN = 0x1000n;
const LEGACY_NOTIFY_OFF = 16n;

/** Notify ranges of the devices with these qdev ids (modern and legacy, when present). */
export function notifyRanges(devices: readonly PciDevice[], ids: readonly string[]): NotifyRange[] {
  const out: NotifyRange[] = [];
  for (const d of devices) {
    if (!ids.includes(d.id)) continue;
    const bar4 = d.bars.find((b) => b.index === 4 && !b.io);
    if (bar4 && bar4.size >= MODERN_NOTIFY_OFF + MODERN_NOTIFY_LEN) {
      out.push({ id: d.id, kind: 'mmio', start: bar4.start + MODERN_NOTIFY_OFF, end: bar4.start + MODERN_NOTIFY_OFF + MODERN_NOTIFY_LEN - 1n });
    }
    const bar0 = d.bars.find((b) => b.index === 0 && b.io);
    if (bar0) out.push({ id: d.id, kind: 'pio', start: bar0.start + LEGACY_NOTIFY_OFF, end: bar0.start + LEGACY_NOTIFY_OFF + 1n });
  }
  return out;
}
