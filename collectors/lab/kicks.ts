// Kick counting for the A/B check. A kick is a guest write to a virtqueue's notify register.
// Which event shows it depends on the host: kvm_fast_mmio (VMX/SVM with ioeventfd, after an
// EPT_MISCONFIG / npf exit), kvm_mmio write (kvm_pvm, or no ioeventfd), kvm_pio write (legacy
// virtio-pci). kvm_exit is counted only where no I/O event was traced at all (a backend that
// traces exits but not the access), as the io exit reasons; otherwise each kick would count twice.
// Pure: rows in (read from the events table by readEventsArrow.ts), counts out.
import type { NotifyRange } from './pciInfo.js';

export interface KickRow {
  event: string;
  write: boolean | null;
  gpa: bigint | null;
  port: number | null;
  reason: string | null;
}

export interface KickCount {
  /** kicks per notify range id (e.g. blk0) */
  byId: Record<string, number>;
  /** kicks per address, "mmio 0x...": the device keys es2scope whatif uses */
  byAddress: Record<string, number>;
  total: number;
  /** which events carried the kicks */
  source: 'io-events' | 'kvm_exit' | 'none';
  /** kvm events of any kind in the trace (0 under TCG) */
  kvmEvents: number;
}

/** kvm_exit reasons of an I/O access (VMX, SVM and the plugin spellings). */
const IO_EXIT = /^(EPT_MISCONFIG|EPT_VIOLATION|IO_INSTRUCTION|npf|io|EXIT_(EPT_MISCONFIG|IO_INSTRUCTION|NPF|IOIO))$/;

function inRange(r: NotifyRange, kind: 'mmio' | 'pio', addr: bigint): boolean {
  return r.kind === kind && addr >= r.start && addr <= r.end;
}

export function countKicks(rows: Iterable<KickRow>, ranges: readonly NotifyRange[]): KickCount {
  const byId: Record<string, number> = {};
  const byAddress: Record<string, number> = {};
  for (const r of ranges) byId[r.id] = 0;
  let ioKicks = 0;
  let ioEvents = 0;
  let exitKicks = 0;
  let kvmEvents = 0;
  for (const row of rows) {
    if (!row.event.startsWith('kvm_')) continue;
    kvmEvents++;
    let kind: 'mmio' | 'pio' | null = null;
    let addr: bigint | null = null;
    if (row.event === 'kvm_fast_mmio' && row.gpa !== null) { kind = 'mmio'; addr = row.gpa; }
    else if (row.event === 'kvm_mmio' && row.gpa !== null) { ioEvents++; if (row.write) { kind = 'mmio'; addr = row.gpa; } }
    else if (row.event === 'kvm_pio' && row.port !== null) { ioEvents++; if (row.write) { kind = 'pio'; addr = BigInt(row.port); } }
    else if (row.event === 'kvm_exit' && row.reason !== null && IO_EXIT.test(row.reason)) { exitKicks++; continue; }
    else continue;
    if (row.event === 'kvm_fast_mmio') ioEvents++;
    if (kind === null || addr === null) continue;
    const hit = ranges.find((r) => inRange(r, kind!, addr!));
    if (!hit) continue;
    ioKicks++;
    byId[hit.id] = (byId[hit.id] ?? 0) + 1;
    const key = `${kind} 0x${addr.toString(16)}`;
    byAddress[key] = (byAddress[key] ?? 0) + 1;
  }
  if (ioEvents > 0) return { byId, byAddress, total: ioKicks, source: 'io-events', kvmEvents };
  if (exitKicks > 0) {
    // exits carry no address: all I/O exits are attributed to the first range, and a note says so
    const id = ranges[0]?.id ?? 'io';
    return { byId: { ...byId, [id]: exitKicks }, byAddress: {}, total: exitKicks, source: 'kvm_exit', kvmEvents };
  }
  return { byId, byAddress, total: 0, source: 'none', kvmEvents };
}
