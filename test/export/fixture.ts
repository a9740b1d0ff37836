// A small hand-built AnalysisResult: 1 VM, 2 vCPUs, 3 s of boot-clock trace, a few exits (one
// broken by lost events), two interrupts. Small enough that every expected number is countable
// by hand in the tests.
import { CAT, IRQ_DELIVERIES, IRQ_SOURCES, VCPU_STATES, type AnalysisResult, type EhtRow } from '../../src/analyze/types.js';
import { newExitsChunk, newIrqsChunk } from '../../src/analyze/tables.js';

export const T0 = 5_000_000_000n; // 5 s after boot
const S = 1_000_000_000n;

function eht(scope: EhtRow['scope'], startNs: bigint, endNs: bigint, g: number, h: number, hh: number, extra: Partial<EhtRow> = {}): EhtRow {
  return { scope, thread: -1, vm: -1, startNs, endNs, guestNs: g, handlingNs: h, haltNs: hh, exits: 0,
    ehtBusy: g + h > 0 ? h / (g + h) : null, ehtWall: g + h + hh > 0 ? (h + hh) / (g + h + hh) : null, excludedLost: false, ...extra };
}

export function fixtureAnalysis(): AnalysisResult {
  const ex = newExitsChunk(6);
  // [exit time, dur, thread, reason index, category, flags]
  const rows: [bigint, number, number, number, number, number][] = [
    [T0 + 100n, 2_000, 0, 0, CAT.eoi, 0],          // APIC_WRITE, window 0
    [T0 + 200_000n, 3_000_000, 0, 1, CAT.halt, 0],  // HLT, window 0
    [T0 + S + 5n, 1_500, 1, 0, CAT.eoi, 0],         // APIC_WRITE, window 1, vCPU 1
    [T0 + S + 900n, 600, 1, 2, CAT.io_request, 0],  // EPT_MISCONFIG, window 1
    [T0 + 2n * S + 7n, -1, 0, 0, CAT.eoi, 1],       // broken by lost: counted, no duration
    [T0 + 2n * S + 50n, 250, 0, 0, CAT.eoi, 0],     // window 2; 250 ns sits in the le=250 bucket
  ];
  rows.forEach(([t, d, th, r, c, f], i) => {
    ex.exitNs[i] = t; ex.durNs[i] = d; ex.thread[i] = th; ex.reason[i] = r; ex.category[i] = c; ex.flags[i] = f;
    ex.device[i] = r === 2 ? 0 : -1; ex.cpu[i] = th;
  });
  ex.length = rows.length;
  const iq = newIrqsChunk(2);
  iq.raiseNs[0] = T0 + 10n; iq.latencyNs[0] = 4_000; iq.source[0] = IRQ_SOURCES.indexOf('msi'); iq.delivery[0] = IRQ_DELIVERIES.indexOf('posted');
  iq.targetState[0] = VCPU_STATES.indexOf('in_guest'); iq.vm[0] = 0; iq.targetVcpu[0] = 0;
  iq.raiseNs[1] = T0 + S + 10n; iq.latencyNs[1] = -1; iq.vm[1] = 0; // delivery unseen: not in the histogram
  iq.length = 2;
  const lastNs = T0 + 3n * S - 1n;
  return {
    schemaVersion: 1,
    input: { path: 'fixture', format: 'test', sizeBytes: null },
    exits: { length: ex.length, chunks: [ex] },
    irqs: { length: 2, chunks: [iq] },
    vcpuRuns: { length: 0, chunks: [] },
    ioKicks: { length: 0, chunks: [] },
    threads: [
      { tid: 101, vm: 0, vcpu: 0, comm: 'CPU 0/KVM', vcpuFrom: 'comm' },
      { tid: 102, vm: 0, vcpu: 1, comm: 'CPU 1/KVM', vcpuFrom: 'comm' },
    ],
    vms: [{ pid: 100, label: 'pid 100', from: 'pid', threads: [0, 1] }],
    reasons: [
      { name: 'APIC_WRITE', isa: 'VMX', code: 56, category: 'eoi' },
      { name: 'HLT', isa: 'VMX', code: 12, category: 'halt' },
      { name: 'EPT_MISCONFIG', isa: 'VMX', code: 49, category: 'io_request' },
    ],
    devices: [{ kind: 'mmio', addr: 0xfe003000n, vm: 0, label: 'mmio 0xfe003000' }],
    details: [''],
    eht: {
      traced: true, windowNs: 1e9,
      perVcpu: [eht('vcpu', T0, lastNs, 900, 100, 0, { thread: 0, vm: 0 })],
      perVm: [eht('vm', T0, lastNs, 900, 100, 0, { vm: 0 })],
      windows: [eht('window', T0, T0 + S, 600, 50, 3_000_000), eht('window', T0 + S, T0 + 2n * S, 300, 50, 0), eht('window', T0 + 2n * S, lastNs, 0, 0, 0, { excludedLost: true })],
      total: eht('total', T0, lastNs, 900, 100, 3_000_000),
      definitions: { busy: 'H/(G+H)', wall: '(H+Hh)/(G+H+Hh)' },
    },
    quality: {
      lostMarkers: 1, lostEvents: 12, exitEvents: 6, entryEvents: 5, pairedExits: 5, unpairedExitsAtEnd: 0,
      entriesWithoutExitAtStart: 0, entriesWithoutExit: 0, exitsWithoutEntry: 0, exitsBrokenByLost: 1, timeInversions: 0,
      timeResolutionNs: 1, firstNs: T0, lastNs, events: 20, exitsTraced: true, warnings: [], notes: [],
    },
    postedDelivery: true,
  };
}
