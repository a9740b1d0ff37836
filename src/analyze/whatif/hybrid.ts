// Mechanism 2: hybrid I/O handling (MODEL.md "Mechanism 2"). Per device key a NOTIFY <-> POLL state
// machine over the baseline kicks. Pure: kick columns + params in, per-kick decisions (a flag
// column by kick position) and POLL intervals (columns) out.
import { DEFAULT_PARAMS, type WhatifParams } from './params.js';
import { modelAdaptivePolling } from './adaptive.js';
import { GrowF64, GrowI32, groupBy, orderByTime } from './order.js';
import type { ModelInput } from './types.js';

/** HybridResult.kickFlags bits. */
export const KICK_FLAG = {
  /** The kick fell in POLL: no exit (the poller picks the request up); the state was 'poll'. */
  AVOIDED: 1,
  /** This kick switched the key from NOTIFY to POLL. */
  ENTERED_POLL: 2,
} as const;

/** POLL intervals as columns; `device` is the index in HybridResult.devices (its vm and device key). */
export interface PollIntervals { length: number; device: Int32Array; startNs: Float64Array; endNs: Float64Array }

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
  /** Per kick position: KICK_FLAG bits (no AVOIDED bit = the backend was in NOTIFY). */
  kickFlags: Uint8Array;
  intervals: PollIntervals;
  devices: DeviceHybrid[];
  kicks: number;
  kicksAvoided: number;
  /** Polling CPU time: sum per key (poller=per-key) or union per VM (poller=shared). */
  pollingCpuNs: number;
  /** Adaptive poller only: per kick position, poll_ns in effect when the kick came. */
  pollNsAtKick?: Float64Array;
}

type FixedParams = Pick<WhatifParams, 'enterGapNs' | 'idleWindowNs' | 'poller' | 'quotaNs' | 'quotaPeriodNs'>;
/** The fixed window's parameters; the adaptive ones only matter with pollMode 'adaptive' (adaptive.ts). */
type HybridParams = FixedParams & Partial<Pick<WhatifParams, 'pollMode' | 'pollMaxNs' | 'pollGrow' | 'pollShrink'>>;

/** Quota ledger of one key: only the current period matters because time only moves forward. */
interface Ledger { period: number; usedNs: number; consumedToNs: number }

/**
 * Extend polling to `wantEndNs`, charging the quota for the not-yet-charged part; returns the end
 * actually reached (earlier than wanted when the quota runs out).
 */
function chargePoll(l: Ledger, wantEndNs: number, p: FixedParams): number {
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

/** Device keys of the kicks: one per distinct `${vm}\u0000${device}` string, in that string's order. */
export function deviceKeys(inp: Pick<ModelInput, 'strings' | 'kicks'>): { keyOf: Int32Array; keys: number } {
  const { kicks, strings } = inp;
  // (vm code, device code) pairs first (nested maps: no key string per kick), then their strings
  const pairOf = new Int32Array(kicks.length);
  const byVm = new Map<number, Map<number, number>>();
  const pairs: [number, number][] = [];
  for (let i = 0; i < kicks.length; i++) {
    const vm = kicks.vm[i]!, dev = kicks.device[i]!;
    let m = byVm.get(vm);
    if (!m) byVm.set(vm, (m = new Map()));
    let k = m.get(dev);
    if (k === undefined) { k = pairs.length; m.set(dev, k); pairs.push([vm, dev]); }
    pairOf[i] = k;
  }
  // pairs whose strings join to the same key (only if a label itself holds \u0000) share a key
  const text = pairs.map(([vm, dev]) => `${strings[vm]}\u0000${strings[dev]}`);
  const sorted = [...new Set(text)].sort();
  const keyIndex = new Map(sorted.map((s, i) => [s, i]));
  const pairKey = text.map((s) => keyIndex.get(s)!);
  const keyOf = new Int32Array(kicks.length);
  for (let i = 0; i < kicks.length; i++) keyOf[i] = pairKey[pairOf[i]!]!;
  return { keyOf, keys: sorted.length };
}

export function modelHybridIo(inp: Pick<ModelInput, 'strings' | 'kicks'>, p: HybridParams): HybridResult {
  if (p.pollMode === 'adaptive') {
    return modelAdaptivePolling(inp, { poller: p.poller, pollMaxNs: p.pollMaxNs ?? DEFAULT_PARAMS.pollMaxNs, pollGrow: p.pollGrow ?? DEFAULT_PARAMS.pollGrow, pollShrink: p.pollShrink ?? DEFAULT_PARAMS.pollShrink });
  }
  const { kicks } = inp;
  const { keyOf, keys } = deviceKeys(inp);
  const groups = groupBy(keyOf, keys);
  const kickFlags = new Uint8Array(kicks.length);
  const ivDevice = new GrowI32(), ivStart = new GrowF64(), ivEnd = new GrowF64();
  const devices: DeviceHybrid[] = [];
  for (let key = 0; key < keys; key++) {
    const list = orderByTime(groups.pos.subarray(groups.start[key]!, groups.start[key + 1]!), kicks.tsNs, kicks.id);
    // labels of the key's first kick in time order
    const vm = inp.strings[kicks.vm[list[0]!]!]!;
    const device = inp.strings[kicks.device[list[0]!]!]!;
    const devIndex = devices.length;
    const dev: DeviceHybrid = { vm, device, kicks: list.length, avoided: 0, pollNs: 0, pollEntries: 0, quotaCuts: 0 };
    const ledger: Ledger = { period: -1, usedNs: 0, consumedToNs: 0 };
    let prevNs = Number.NaN; // NaN: no kick yet on this key
    let polling = false;
    let pollStart = 0, pollEnd = 0, pollCut = false;
    for (let o = 0; o < list.length; o++) {
      const k = list[o]!;
      const t = kicks.tsNs[k]!;
      // POLL ends idleWindowNs after the last kick (strict: a zero window polls for nothing).
      const inPoll = polling && t < pollEnd;
      if (polling && !inPoll) {
        ivDevice.push(devIndex); ivStart.push(pollStart); ivEnd.push(pollEnd);
        dev.pollNs += pollEnd - pollStart;
        if (pollCut) dev.quotaCuts++;
        polling = false;
      }
      let entered = false;
      if (inPoll) {
        dev.avoided++;
      } else if (!Number.isNaN(prevNs) && t - prevNs < p.enterGapNs && p.idleWindowNs > 0) {
        entered = true;
        dev.pollEntries++;
        ledger.consumedToNs = Math.max(ledger.consumedToNs, t);
        polling = true; pollStart = t; pollEnd = t; pollCut = false;
      }
      if (polling) {
        const want = t + p.idleWindowNs;
        const got = chargePoll(ledger, want, p);
        pollEnd = Math.max(pollEnd, got);
        if (got < want) pollCut = true;
        if (entered && pollEnd === pollStart) {
          // No budget left in this period: the backend stays in NOTIFY.
          polling = false;
          entered = false;
          dev.pollEntries--;
        }
      }
      kickFlags[k] = (inPoll ? KICK_FLAG.AVOIDED : 0) | (entered ? KICK_FLAG.ENTERED_POLL : 0);
      prevNs = t;
    }
    if (polling) {
      ivDevice.push(devIndex); ivStart.push(pollStart); ivEnd.push(pollEnd);
      dev.pollNs += pollEnd - pollStart;
      if (pollCut) dev.quotaCuts++;
    }
    devices.push(dev);
  }
  const intervals: PollIntervals = { length: ivDevice.length, device: ivDevice.done(), startNs: ivStart.done(), endNs: ivEnd.done() };
  const kicksAvoided = devices.reduce((s, d) => s + d.avoided, 0);
  const pollingCpuNs = p.poller === 'shared' ? unionPerVmNs(intervals, devices) : devices.reduce((s, d) => s + d.pollNs, 0);
  return { kickFlags, intervals, devices, kicks: kicks.length, kicksAvoided, pollingCpuNs };
}

/**
 * Total length of the union of POLL intervals, per VM, summed (one shared poller per VM);
 * `onlyVm` restricts it to one VM.
 */
export function unionPerVmNs(iv: PollIntervals, devices: readonly { vm: string }[], onlyVm?: string): number {
  const vmIndex = new Map<string, number>();
  const vmOf = new Int32Array(iv.length);
  for (let i = 0; i < iv.length; i++) {
    const vm = devices[iv.device[i]!]!.vm;
    if (onlyVm !== undefined && vm !== onlyVm) { vmOf[i] = -1; continue; }
    let k = vmIndex.get(vm);
    if (k === undefined) vmIndex.set(vm, (k = vmIndex.size));
    vmOf[i] = k;
  }
  const g = groupBy(vmOf, vmIndex.size);
  let total = 0;
  for (let k = 0; k < vmIndex.size; k++) {
    // by start (stable: ties keep interval order)
    const a = g.pos.subarray(g.start[k]!, g.start[k + 1]!).sort((x, y) => iv.startNs[x]! - iv.startNs[y]! || x - y);
    let s = -Infinity;
    let e = -Infinity;
    for (let j = 0; j < a.length; j++) {
      const st = iv.startNs[a[j]!]!, en = iv.endNs[a[j]!]!;
      if (st > e) {
        if (e > s) total += e - s;
        s = st;
        e = en;
      } else if (en > e) e = en;
    }
    if (e > s) total += e - s;
  }
  return total;
}
