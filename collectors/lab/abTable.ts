// The A/B table of the QEMU adaptive-polling check: kicks measured with polling off and on, the
// model's predictions from the off trace (es2scope whatif, hybrid: the adaptive poller set to
// QEMU's poll-max-ns / poll-grow / poll-shrink, and the fixed window = N as a second column), and
// the guest-reported throughput of each run. Pure: counts and parsed JSON in, rows + verdict out.
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
  /** pollMode and the poll* fields exist from whatif schema 2 on (absent: a fixed-window run). */
  params: { idleWindowNs: number; enterGapNs: number; pollMode?: 'fixed' | 'adaptive'; pollMaxNs?: number; pollGrow?: number; pollShrink?: number };
  exitsTraced?: boolean;
  hybrid: { kicks: number; kicksAvoided: number; pollingCpuNs: number; devices: { device: string; kicks: number; avoided: number; pollNs: number }[] } | null;
}

/** predicted: the adaptive poller (QEMU's algorithm); predictedFixed: the fixed window (enter gap = idle window = N). */
export interface AbRow { metric: string; off: number | string | null; on: number | string | null; predicted: number | string | null; predictedFixed: number | string | null }

export interface AbResult {
  comparable: boolean;
  why: string;
  rows: AbRow[];
  /** kicks removed as the adaptive poller predicts (the comparison's headline) */
  predictedRemoved: number | null;
  /** the same from the fixed window, for reference */
  predictedRemovedFixed: number | null;
  measuredRemoved: number | null;
  /** measured removal with the on run's kicks scaled to the off run's I/O count (throughput differs) */
  measuredRemovedPerOps: number | null;
  ratio: number | null;
  ratioFixed: number | null;
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

/** How a whatif run was set up, for the table's first row. */
function describeModel(w: WhatifHybrid): string {
  const p = w.params;
  if (p.pollMode === 'adaptive') return `adaptive: poll-max-ns ${p.pollMaxNs}, grow ${p.pollGrow ?? 0}, shrink ${p.pollShrink ?? 0}`;
  return `fixed: idle window ${p.idleWindowNs}, enter gap ${p.enterGapNs}`;
}

/**
 * Compare the runs with the predictions: `w` is the adaptive poller's run (the one that stands for
 * QEMU), `wFixed` the fixed window's (null: that column stays empty).
 */
export function abCompare(accel: Accel, off: RunResult, on: RunResult, w: WhatifHybrid | null, ranges: readonly NotifyRange[], deviceId: string, wFixed: WhatifHybrid | null = null): AbResult {
  const notes: string[] = [];
  const offK = off.kicks.byId[deviceId] ?? 0;
  const onK = on.kicks.byId[deviceId] ?? 0;
  const mine = ranges.filter((r) => r.id === deviceId);
  const pred = w ? predictedForRanges(w, mine) : null;
  const predF = wFixed ? predictedForRanges(wFixed, mine) : null;
  const per1000 = (p: { kicks: number; avoided: number } | null): number | null => (p && off.ops ? Math.round(((p.kicks - p.avoided) * 1000) / off.ops) : null);
  const rows: AbRow[] = [
    { metric: 'poll-max-ns', off: off.pollMaxNs, on: on.pollMaxNs, predicted: w ? describeModel(w) : null, predictedFixed: wFixed ? describeModel(wFixed) : null },
    { metric: 'kvm events in trace', off: off.kicks.kvmEvents, on: on.kicks.kvmEvents, predicted: null, predictedFixed: null },
    { metric: `kicks (${deviceId})`, off: offK, on: onK, predicted: pred ? pred.kicks - pred.avoided : null, predictedFixed: predF ? predF.kicks - predF.avoided : null },
    { metric: 'kicks removed vs off', off: 0, on: offK - onK, predicted: pred ? pred.avoided : null, predictedFixed: predF ? predF.avoided : null },
    { metric: 'guest I/O ops', off: off.ops, on: on.ops, predicted: null, predictedFixed: null },
    { metric: 'guest ops/s', off: perSec(off.ops, off.guestMs), on: perSec(on.ops, on.guestMs), predicted: null, predictedFixed: null },
    { metric: 'guest KiB/s', off: perSec(off.bytes === null ? null : Math.round(off.bytes / 1024), off.guestMs), on: perSec(on.bytes === null ? null : Math.round(on.bytes / 1024), on.guestMs), predicted: null, predictedFixed: null },
    { metric: 'kicks per 1000 ops', off: off.ops ? Math.round((offK * 1000) / off.ops) : null, on: on.ops ? Math.round((onK * 1000) / on.ops) : null, predicted: per1000(pred), predictedFixed: per1000(predF) },
    { metric: 'iothread CPU ms (measured) / polling ms (model)', off: off.iothreadCpuMs, on: on.iothreadCpuMs, predicted: pred ? Math.round(pred.pollNs / 1e4) / 100 : null, predictedFixed: predF ? Math.round(predF.pollNs / 1e4) / 100 : null },
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
  if (w && w.params.pollMode !== 'adaptive') notes.push('the headline prediction is not from the adaptive poller (whatif older than schema 2?): it cannot follow QEMU\'s poll_ns');
  const measuredRemoved = comparable ? offK - onK : null;
  const measuredRemovedPerOps = comparable && off.ops && on.ops ? Math.round(offK - (onK * off.ops) / on.ops) : null;
  const predictedRemoved = comparable && pred ? pred.avoided : null;
  const predictedRemovedFixed = comparable && predF ? predF.avoided : null;
  const ratio = predictedRemoved !== null && measuredRemoved ? predictedRemoved / measuredRemoved : null;
  const ratioFixed = predictedRemovedFixed !== null && measuredRemoved ? predictedRemovedFixed / measuredRemoved : null;
  if (comparable && off.ops && on.ops && Math.abs(on.ops - off.ops) / off.ops > 0.1) {
    notes.push(`the runs did different amounts of I/O (${off.ops} vs ${on.ops} ops): compare "kicks per 1000 ops" and the per-ops removal (${measuredRemovedPerOps})`);
  }
  return { comparable, why, rows, predictedRemoved, predictedRemovedFixed, measuredRemoved, measuredRemovedPerOps, ratio, ratioFixed, notes };
}

/** Plain-text table of the rows (fixed-width columns). */
export function formatAbTable(r: AbResult): string {
  const cells = [['metric', 'off', 'on', 'model adaptive (from off)', 'model fixed window (from off)'],
    ...r.rows.map((x) => [x.metric, String(x.off ?? '-'), String(x.on ?? '-'), String(x.predicted ?? '-'), String(x.predictedFixed ?? '-')])];
  const w = [0, 1, 2, 3, 4].map((c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')).join('\n');
}
