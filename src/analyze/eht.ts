// EHT time accounting (MODEL.md "Time accounting per vCPU"): per vCPU thread, guest time G,
// handling time H (non-halt exits) and halt time Hh, accumulated per time window so that windows
// hit by lost events can be left out. Intervals that cross a window edge are split at the edge.
import type { EhtResult, EhtRow } from './types.js';

export const EHT_DEFINITIONS = {
  busy: 'EHT (busy) = H / (G + H): handling time of non-halt exits over the vCPU busy time',
  wall: 'EHT (wall) = (H + Hh) / (G + H + Hh): all exit time incl. halts over the traced time (perf kvm stat Time% basis)',
};

const G = 0, H = 1, HH = 2, N = 3;

/** Per-thread accumulators, window-indexed: [G, H, Hh, exits] interleaved. */
export class EhtAccumulator {
  private readonly perThread: number[][] = [];
  private readonly lostWindows = new Set<number>();
  constructor(readonly windowNs: number) {}

  private slot(thread: number, w: number): number[] {
    let a = this.perThread[thread];
    if (!a) this.perThread[thread] = a = [];
    const need = (w + 1) * 4;
    while (a.length < need) a.push(0);
    return a;
  }

  private add(thread: number, kind: number, startRel: number, endRel: number): void {
    const W = this.windowNs;
    if (startRel < 0) startRel = 0;
    if (endRel <= startRel) return;
    let w = Math.floor(startRel / W);
    const wEnd = Math.floor((endRel - 1) / W);
    const a = this.slot(thread, wEnd);
    let t = startRel;
    while (w < wEnd) {
      const edge = (w + 1) * W;
      a[w * 4 + kind]! += edge - t;
      t = edge;
      w++;
    }
    a[w * 4 + kind]! += endRel - t;
  }

  guest(thread: number, startRel: number, endRel: number): void { this.add(thread, G, startRel, endRel); }
  exit(thread: number, halt: boolean, exitRel: number, entryRel: number): void {
    this.add(thread, halt ? HH : H, exitRel, entryRel);
    const w = Math.floor(Math.max(0, exitRel) / this.windowNs);
    this.slot(thread, w)[w * 4 + N]!++;
  }
  lostAt(rel: number): void { this.lostWindows.add(Math.floor(Math.max(0, rel) / this.windowNs)); }

  /**
   * Build the EHT rows. `threadVm[i]` is the VM of thread i; `baseNs` the absolute time of rel 0;
   * `lastRel` the end of the trace.
   */
  result(traced: boolean, threadVm: readonly number[], vmCount: number, baseNs: bigint, lastRel: number): EhtResult {
    const W = this.windowNs;
    const nWin = Math.max(1, Math.floor(Math.max(0, lastRel) / W) + 1);
    const endNs = baseNs + BigInt(Math.max(0, lastRel));
    const mk = (scope: EhtRow['scope'], thread: number, vm: number, s: bigint, e: bigint): EhtRow => ({
      scope, thread, vm, startNs: s, endNs: e, guestNs: 0, handlingNs: 0, haltNs: 0, exits: 0,
      ehtBusy: null, ehtWall: null, excludedLost: false,
    });
    const windows: EhtRow[] = [];
    for (let w = 0; w < nWin; w++) {
      const s = baseNs + BigInt(w * W);
      const e = w === nWin - 1 ? endNs : baseNs + BigInt((w + 1) * W);
      const row = mk('window', -1, -1, s, e);
      row.excludedLost = this.lostWindows.has(w);
      windows.push(row);
    }
    const perVcpu: EhtRow[] = [];
    const perVm: EhtRow[] = [];
    for (let v = 0; v < vmCount; v++) perVm.push(mk('vm', -1, v, baseNs, endNs));
    const total = mk('total', -1, -1, baseNs, endNs);
    threadVm.forEach((vm, thread) => {
      const row = mk('vcpu', thread, vm, baseNs, endNs);
      const a = this.perThread[thread] ?? [];
      for (let w = 0; w * 4 < a.length; w++) {
        const g = a[w * 4 + G]!, h = a[w * 4 + H]!, hh = a[w * 4 + HH]!, n = a[w * 4 + N]!;
        const win = windows[w];
        if (win) { win.guestNs += g; win.handlingNs += h; win.haltNs += hh; win.exits += n; }
        if (this.lostWindows.has(w)) continue;
        row.guestNs += g; row.handlingNs += h; row.haltNs += hh; row.exits += n;
      }
      perVcpu.push(row);
      const vmRow = vm >= 0 ? perVm[vm] : undefined;
      for (const r of vmRow ? [vmRow, total] : [total]) {
        r.guestNs += row.guestNs; r.handlingNs += row.handlingNs; r.haltNs += row.haltNs; r.exits += row.exits;
      }
    });
    const all = [...perVcpu, ...perVm, ...windows, total];
    if (traced) for (const r of all) ratios(r);
    return {
      traced,
      ...(traced ? {} : { why: 'exits not traced: the trace has no kvm_exit/kvm_entry (e.g. the kvm_pvm backend); EHT is unknown, not 0' }),
      windowNs: W, perVcpu, perVm, windows, total: traced ? total : null, definitions: EHT_DEFINITIONS,
    };
  }
}

function ratios(r: EhtRow): void {
  const busy = r.guestNs + r.handlingNs;
  const wall = busy + r.haltNs;
  r.ehtBusy = busy > 0 ? r.handlingNs / busy : null;
  r.ehtWall = wall > 0 ? (r.handlingNs + r.haltNs) / wall : null;
}
