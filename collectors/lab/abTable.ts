// The A/B table of the QEMU adaptive-polling check: kicks measured with polling off and on, the
// model's prediction (es2scope whatif on the off trace, hybrid set to QEMU's window), and the
// guest-reported throughput of each run. Pure: counts and parsed JSON in, rows + verdict out.
import type { KickCount } from './kicks.js';
import type { NotifyRange } from './pciInfo.js';
import type { Accel } from './args.js';

export interface RunResult {
  label: 'off' | 'on';
  pollMaxNs: number;
  kicks: KickCount;
  /** guest-reported: I/O operations, bytes and elapsed ms of the workload */
  ops: number | null;
  bytes: number | null;
  guestMs: number | null;
  /** CPU time of QEMU's iothread ("IO io0") during the recording, from /proc (null when unknown) */
  iothreadCpuMs: number | null;
}

/** The part of `es2scope whatif --json` this check reads. */
export interface WhatifHybrid {
  params: { idleWindowNs: number; enterGapNs: number };
  exitsTraced?: boolean;
  hybrid: { kicks: number; kicksAvoided: number; pollingCpuNs: number; devices: { device: string; kicks: number; avoided: number; pollNs: number }[] } | null;
}

export interface AbRow { metric: string; off: number | string | null; on: number | string | null; predicted: number | string | null }

export interface AbResult {
  comparable: boolean;
  why: string;
  rows: AbRow[];
  predictedRemoved: number | null;
  measuredRemoved: number | null;
  /** measured removal with the on run's kicks scaled to the off run's I/O count (throughput differs) */
  measuredRemovedPerOps: number | null;
  ratio: number | null;
  notes: string[];
}

const ADDR = /^(mmio|pio) (0x[0-9a-f]+)/i;

/** Sum of the model's kicks/avoided over its device keys that fall in the notify ranges. */
export function predictedForRanges(w: WhatifHybrid, ranges: readonly NotifyRange[]): { kicks: number; avoided: number; pollNs: number } {
  let kicks = 0; let avoided = 0; let pollNs = 0;
  for (const d of w.hybrid?.devices ?? []) {
    const m = ADDR.exec(d.device);
    if (!m) continue;
    const kind = m[1]!.toLowerCase();
    const addr = BigInt(m[2]!);
    if (!ranges.some((r) => r.kind === kind && addr >= r.start && addr <= r.end)) continue;
    kicks += d.kicks; avoided += d.avoided; pollNs += d.pollNs;
  }
  return { kicks, avoided, pollNs };
}

function perSec(n: number | null, ms: number | null): number | null {
  return n === null || ms === null || ms <= 0 ? null : Math.round((n * 1000) / ms);
}

export function abCompare(accel: Accel, off: RunResult, on: RunResult, w: WhatifHybrid | null, ranges: readonly NotifyRange[], deviceId: string): AbResult {
  const notes: string[] = [];
  const offK = off.kicks.byId[deviceId] ?? 0;
  const onK = on.kicks.byId[deviceId] ?? 0;
  const pred = w ? predictedForRanges(w, ranges.filter((r) => r.id === deviceId)) : null;
  const rows: AbRow[] = [
    { metric: 'poll-max-ns', off: off.pollMaxNs, on: on.pollMaxNs, predicted: w ? `${w.params.idleWindowNs} (idle window = enter gap = ${w.params.enterGapNs})` : null },
    { metric: 'kvm events in trace', off: off.kicks.kvmEvents, on: on.kicks.kvmEvents, predicted: null },
    { metric: `kicks (${deviceId})`, off: offK, on: onK, predicted: pred ? pred.kicks - pred.avoided : null },
    { metric: 'kicks removed vs off', off: 0, on: offK - onK, predicted: pred ? pred.avoided : null },
    { metric: 'guest I/O ops', off: off.ops, on: on.ops, predicted: null },
    { metric: 'guest ops/s', off: perSec(off.ops, off.guestMs), on: perSec(on.ops, on.guestMs), predicted: null },
    { metric: 'guest KiB/s', off: perSec(off.bytes === null ? null : Math.round(off.bytes / 1024), off.guestMs), on: perSec(on.bytes === null ? null : Math.round(on.bytes / 1024), on.guestMs), predicted: null },
    { metric: 'kicks per 1000 ops', off: off.ops ? Math.round((offK * 1000) / off.ops) : null, on: on.ops ? Math.round((onK * 1000) / on.ops) : null, predicted: pred && off.ops ? Math.round(((pred.kicks - pred.avoided) * 1000) / off.ops) : null },
    { metric: 'iothread CPU ms (measured) / polling ms (model)', off: off.iothreadCpuMs, on: on.iothreadCpuMs, predicted: pred ? Math.round(pred.pollNs / 1e4) / 100 : null },
  ];
  let comparable = true;
  let why = 'both runs traced kicks';
  if (accel === 'tcg') {
    comparable = false;
    why = 'TCG (software emulation) runs the guest without KVM, so the traces hold no kvm events and no kicks: no comparison is possible; this run only checks the mechanics';
  } else if (off.kicks.source === 'none' || on.kicks.source === 'none') {
    comparable = false;
    why = `no kick events in the ${off.kicks.source === 'none' ? 'off' : 'on'} trace (${off.kicks.source === 'none' ? off.kicks.kvmEvents : on.kicks.kvmEvents} kvm events): check that kvm_mmio/kvm_fast_mmio/kvm_pio were recorded`;
  } else if (offK === 0) {
    comparable = false;
    why = `the off run traced no kicks on ${deviceId}'s notify register`;
  } else if (!w || !w.hybrid) {
    comparable = false;
    why = 'es2scope whatif gave no hybrid result for the off trace';
  }
  if (off.kicks.source === 'kvm_exit') notes.push('kicks counted from kvm_exit I/O reasons (no I/O events traced): exits carry no address, so all are attributed to the device');
  const measuredRemoved = comparable ? offK - onK : null;
  const measuredRemovedPerOps = comparable && off.ops && on.ops ? Math.round(offK - (onK * off.ops) / on.ops) : null;
  const predictedRemoved = comparable && pred ? pred.avoided : null;
  const ratio = predictedRemoved !== null && measuredRemoved ? predictedRemoved / measuredRemoved : null;
  if (comparable && off.ops && on.ops && Math.abs(on.ops - off.ops) / off.ops > 0.1) {
    notes.push(`the runs did different amounts of I/O (${off.ops} vs ${on.ops} ops): compare "kicks per 1000 ops" and the per-ops removal (${measuredRemovedPerOps})`);
  }
  return { comparable, why, rows, predictedRemoved, measuredRemoved, measuredRemovedPerOps, ratio, notes };
}

/** Plain-text table of the rows (fixed-width columns). */
export function formatAbTable(r: AbResult): string {
  const cells = [['metric', 'off', 'on', 'model (from off)'], ...r.rows.map((x) => [x.metric, String(x.off ?? '-'), String(x.on ?? '-'), String(x.predicted ?? '-')])];
  const w = [0, 1, 2, 3].map((c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')).join('\n');
}
