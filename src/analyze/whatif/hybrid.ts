// Mechanism 2: hybrid I/O handling (MODEL.md "Mechanism 2"). Per device key a NOTIFY <-> POLL state
// machine over the baseline kicks. Pure: kicks + params in, per-kick decisions and POLL intervals out.
import type { WhatifParams } from './params.js';
import { idsArePositions, orderByTime } from './order.js';
import type { ModelKick } from './types.js';

export interface KickDecision {
  kickId: number;
  /** State the backend was in when the kick arrived. */
  state: 'notify' | 'poll';
  /** The kick falls in POLL: no exit (the poller picks the request up). */
  avoided: boolean;
  /** This kick switched the key from NOTIFY to POLL. */
  enteredPoll: boolean;
}

export interface PollInterval { vm: string; device: string; startNs: number; endNs: number }

export interface DeviceHybrid {
  vm: string;
  device: string;
  kicks: number;
  avoided: number;
  pollNs: number;
  pollEntries: number;
  /** POLL ended early because the quota ran out. */
  quotaCuts: number;
}

export interface HybridResult {
  decisions: KickDecision[];
  intervals: PollInterval[];
  devices: DeviceHybrid[];
  kicks: number;
  kicksAvoided: number;
  /** Polling CPU time: sum per key (poller=per-key) or union per VM (poller=shared). */
  pollingCpuNs: number;
}

type HybridParams = Pick<WhatifParams, 'enterGapNs' | 'idleWindowNs' | 'poller' | 'quotaNs' | 'quotaPeriodNs'>;

/** Quota ledger of one key: only the current period matters because time only moves forward. */
interface Ledger { period: number; usedNs: number; consumedToNs: number }

/**
 * Extend polling to `wantEndNs`, charging the quota for the not-yet-charged part; returns the end
 * actually reached (earlier than wanted when the quota runs out).
 */
function chargePoll(l: Ledger, wantEndNs: number, p: HybridParams): number {
  if (p.quotaNs <= 0) return wantEndNs;
  let cur = l.consumedToNs;
  while (cur < wantEndNs) {
    const period = Math.floor(cur / p.quotaPeriodNs);
    if (period !== l.period) { l.period = period; l.usedNs = 0; }
    const periodEnd = (period + 1) * p.quotaPeriodNs;
    const seg = Math.min(wantEndNs, periodEnd) - cur;
    const avail = p.quotaNs - l.usedNs;
    if (seg <= avail) { l.usedNs += seg; cur += seg; continue; }
    l.usedNs += avail;
    cur += avail;
    l.consumedToNs = cur;
    return cur;
  }
  l.consumedToNs = cur;
  return wantEndNs;
}

export function modelHybridIo(kicks: readonly ModelKick[], p: HybridParams): HybridResult {
  // kick positions per (vm, device) key; nested maps: no key string per kick
  const byVm = new Map<string, Map<string, number[]>>();
  for (let i = 0; i < kicks.length; i++) {
    const k = kicks[i]!;
    let m = byVm.get(k.vm);
    if (!m) byVm.set(k.vm, (m = new Map()));
    let a = m.get(k.device);
    if (!a) m.set(k.device, (a = []));
    a.push(i);
  }
  const byKey = new Map<string, number[]>();
  for (const [vm, m] of byVm) {
    for (const [device, a] of m) {
      const key = `${vm}\u0000${device}`;
      const prev = byKey.get(key); // only if a label itself holds \u0000
      byKey.set(key, prev ? prev.concat(a) : a);
    }
  }
  const decisions: KickDecision[] = [];
  const intervals: PollInterval[] = [];
  const devices: DeviceHybrid[] = [];
  for (const key of [...byKey.keys()].sort()) {
    const order = orderByTime(kicks, byKey.get(key)!, (k) => k.tsNs);
    const list = Array.from(order, (i) => kicks[i]!);
    const { vm, device } = list[0]!;
    const dev: DeviceHybrid = { vm, device, kicks: list.length, avoided: 0, pollNs: 0, pollEntries: 0, quotaCuts: 0 };
    const ledger: Ledger = { period: -1, usedNs: 0, consumedToNs: 0 };
    let prevNs: number | null = null;
    let poll: { startNs: number; endNs: number; cut: boolean } | null = null;
    const closePoll = (): void => {
      if (!poll) return;
      intervals.push({ vm, device, startNs: poll.startNs, endNs: poll.endNs });
      dev.pollNs += poll.endNs - poll.startNs;
      if (poll.cut) dev.quotaCuts++;
      poll = null;
    };
    for (const k of list) {
      const t = k.tsNs;
      // POLL ends idleWindowNs after the last kick (strict: a zero window polls for nothing).
      const inPoll = poll !== null && t < poll.endNs;
      if (poll && !inPoll) closePoll();
      let entered = false;
      if (inPoll) {
        dev.avoided++;
      } else if (prevNs !== null && t - prevNs < p.enterGapNs && p.idleWindowNs > 0) {
        entered = true;
        dev.pollEntries++;
        ledger.consumedToNs = Math.max(ledger.consumedToNs, t);
        poll = { startNs: t, endNs: t, cut: false };
      }
      if (poll) {
        const want = t + p.idleWindowNs;
        const got = chargePoll(ledger, want, p);
        poll.endNs = Math.max(poll.endNs, got);
        if (got < want) poll.cut = true;
        if (entered && poll.endNs === poll.startNs) {
          // No budget left in this period: the backend stays in NOTIFY.
          poll = null;
          entered = false;
          dev.pollEntries--;
        }
      }
      decisions.push({ kickId: k.id, state: inPoll ? 'poll' : 'notify', avoided: inPoll, enteredPoll: entered });
      prevNs = t;
    }
    closePoll();
    devices.push(dev);
  }
  // by kick id: ids that are positions are placed directly (a sort of objects costs seconds at 10 M)
  let byId = decisions;
  if (idsArePositions(kicks)) {
    byId = decisions.slice(); // a packed array of the right length (new Array(n) is slow for large n)
    for (const d of decisions) byId[d.kickId] = d;
  } else decisions.sort((a, b) => a.kickId - b.kickId);
  const kicksAvoided = devices.reduce((s, d) => s + d.avoided, 0);
  const pollingCpuNs = p.poller === 'shared' ? unionPerVmNs(intervals) : devices.reduce((s, d) => s + d.pollNs, 0);
  return { decisions: byId, intervals, devices, kicks: kicks.length, kicksAvoided, pollingCpuNs };
}

/** Total length of the union of intervals, per VM, summed (one shared poller per VM). */
export function unionPerVmNs(intervals: readonly PollInterval[]): number {
  const byVm = new Map<string, PollInterval[]>();
  for (const iv of intervals) {
    let a = byVm.get(iv.vm);
    if (!a) byVm.set(iv.vm, (a = []));
    a.push(iv);
  }
  let total = 0;
  for (const a of byVm.values()) {
    a.sort((x, y) => x.startNs - y.startNs);
    let s = -Infinity;
    let e = -Infinity;
    for (const iv of a) {
      if (iv.startNs > e) {
        if (e > s) total += e - s;
        s = iv.startNs;
        e = iv.endNs;
      } else if (iv.endNs > e) e = iv.endNs;
    }
    if (e > s) total += e - s;
  }
  return total;
}
