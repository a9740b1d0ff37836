// Adapter: the analyzer's AnalysisResult (src/analyze/types.ts) -> the model's columnar input
// (types.ts here), in one pass per table, straight from the analyzer's chunks into typed arrays (no
// object per row). Times are rebased to the trace's first event so they fit exactly in a number.
import { TIMER_GSIS } from '../quality.js';
import { CATEGORIES, IRQ_DELIVERIES, IRQ_FLAG, IRQ_SOURCES, VCPU_STATES, type AnalysisResult } from '../types.js';
import type { VcpuAccount } from './accounting.js';
import { groupBy, GrowF64, GrowI32 } from './order.js';
import { POSTED_EXIT_REASONS } from './posted.js';
import { StringTable } from './rows.js';
import {
  CATEGORY_CODE, EOI_EDGE, EOI_LEVEL, EOI_UNKNOWN, EXIT_FLAG, IRQ_KINDS, NULL_I32, STATE_CODE,
  type ExitCategory, type ExitColumns, type IrqColumns, type KickColumns, type ModelInput, type VcpuState,
} from './types.js';

const WINDOW_REASONS = new Set(['INTERRUPT_WINDOW', 'NMI_WINDOW', 'vintr']);
const EXTERNAL_REASONS = new Set(['EXTERNAL_INTERRUPT', 'interrupt']);
const STATE_MAP: Record<(typeof VCPU_STATES)[number], VcpuState> = {
  in_guest: 'guest', in_exit: 'exit', runnable: 'runnable', halted: 'blocked', unknown: 'unknown',
};
// GSIs of legacy timers are timer interrupts, not device ones: the one set in ../quality.ts

export function vmLabel(a: AnalysisResult, vm: number): string {
  return vm >= 0 && a.vms[vm] ? a.vms[vm]!.label : 'vm?';
}

/** What in the trace shows hardware posted delivery already (empty = none). */
export function postedEvidenceOf(a: AnalysisResult): string[] {
  const ev: string[] = [];
  if (a.postedDelivery) ev.push('kvm_apicv_accept_irq / AVIC events');
  const delivered = new Map<string, number>();
  for (const ch of a.irqs.chunks) {
    for (let i = 0; i < ch.length; i++) {
      const d = IRQ_DELIVERIES[ch.delivery[i]!]!;
      if (d === 'posted' || d === 'avic') delivered.set(d, (delivered.get(d) ?? 0) + 1);
    }
  }
  for (const [d, n] of delivered) ev.push(`${n} interrupt(s) delivered ${d}`);
  // VMX exit reasons that exist only with APICv (virtual-interrupt delivery / APIC-register
  // virtualization; Intel SDM vol. 3C 30.1.3 and 30.4.3): the vCPU already posts.
  const counts = new Map<string, number>();
  for (const ch of a.exits.chunks) {
    for (let i = 0; i < ch.length; i++) {
      const r = a.reasons[ch.reason[i]!];
      if (r && r.isa !== 'SVM' && POSTED_EXIT_REASONS.includes(r.name)) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
    }
  }
  for (const name of POSTED_EXIT_REASONS) {
    const n = counts.get(name);
    if (n) ev.push(`${n} ${name} exit(s) (only with APICv)`);
  }
  return ev;
}

/**
 * ns since `base` of every row of a BigInt64Array, into out[offset...], read as 32-bit halves
 * (little-endian): the same double as Number(t - base) (one rounding of the exact difference)
 * without a bigint per row.
 */
function relInto(arr: BigInt64Array, base: bigint, out: Float64Array, offset: number): void {
  const baseLo = Number(BigInt.asUintN(32, base));
  const baseHi = Number(BigInt.asIntN(32, base >> 32n));
  const lo = new Uint32Array(arr.buffer, arr.byteOffset, arr.length * 2);
  const hi = new Int32Array(arr.buffer, arr.byteOffset, arr.length * 2);
  for (let i = 0; i < arr.length; i++) out[offset + i] = (hi[2 * i + 1]! - baseHi) * 4294967296 + (lo[2 * i]! - baseLo);
}

export function modelInputFromAnalysis(a: AnalysisResult): ModelInput {
  const base = a.quality.firstNs ?? 0n;
  const st = new StringTable();
  // Per-thread, per-reason, per-VM and per-device values, computed once (not once per row).
  const vmAny = st.code(vmLabel(a, -1));
  const vmCode = a.vms.map((_, i) => st.code(vmLabel(a, i)));
  const vmOf = (vm: number): number => vmCode[vm] ?? st.code(vmLabel(a, vm));
  const threadVcpu = Int32Array.from(a.threads, (th, thread) => (th.vcpu >= 0 ? th.vcpu : -1 - thread)); // unknown ids keep threads apart
  const threadVm = Int32Array.from(a.threads, (th) => vmOf(th.vm));
  const vcpuOf = (thread: number): number => (thread >= 0 && thread < threadVcpu.length ? threadVcpu[thread]! : -1 - thread);
  const vmOfThread = (thread: number): number => (thread >= 0 && thread < threadVm.length ? threadVm[thread]! : vmAny);
  const reasonName = a.reasons.map((r) => r.name);
  const reasonCode = Int32Array.from(reasonName, (n) => st.code(n));
  const unknownReason = st.code('?');
  const reasonFlags = Uint8Array.from(reasonName, (n) => (WINDOW_REASONS.has(n) ? EXIT_FLAG.INTERRUPT_WINDOW : 0) | (EXTERNAL_REASONS.has(n) ? EXIT_FLAG.EXTERNAL_INTERRUPT : 0));
  const deviceCode = Int32Array.from(a.devices, (d) => st.code(d.label));
  const catCode = Uint8Array.from(CATEGORIES, (c) => CATEGORY_CODE[c as ExitCategory]);
  const stateCode = Uint8Array.from(VCPU_STATES, (s) => STATE_CODE[STATE_MAP[s]]);
  const kindCode = (k: (typeof IRQ_KINDS)[number]): number => IRQ_KINDS.indexOf(k);
  const [kDevice, kTimer, kIpi, kOther] = [kindCode('device'), kindCode('timer'), kindCode('ipi'), kindCode('other')];
  const srcMsi = IRQ_SOURCES.indexOf('msi'), srcSet = IRQ_SOURCES.indexOf('set_irq'), srcIpi = IRQ_SOURCES.indexOf('ipi');

  // irqs first: the EOI trigger mode is read from the latest interrupt delivered to the vCPU.
  const nq = a.irqs.length;
  const irqs: IrqColumns = {
    length: nq, id: null, vm: new Int32Array(nq), targetVcpu: new Int32Array(nq), raiseNs: new Float64Array(nq),
    deliveryNs: new Float64Array(nq), kind: new Uint8Array(nq), vector: new Int32Array(nq), state: new Uint8Array(nq),
  };
  let r = 0;
  for (const ch of a.irqs.chunks) {
    relInto(ch.raiseNs.subarray(0, ch.length), base, irqs.raiseNs, r);
    for (let i = 0; i < ch.length; i++, r++) {
      const src = ch.source[i]!;
      const flags = ch.flags[i]!;
      const raiseNs = irqs.raiseNs[r]!;
      const lat = ch.latencyNs[i]!;
      irqs.vm[r] = vmOf(ch.vm[i]!);
      irqs.targetVcpu[r] = ch.targetVcpu[i]! >= 0 ? ch.targetVcpu[i]! : NULL_I32;
      irqs.deliveryNs[r] = lat >= 0 && !(flags & (IRQ_FLAG.BROKEN_BY_LOST | IRQ_FLAG.NO_RAISE)) ? raiseNs + lat : Number.NaN;
      irqs.kind[r] = src === srcIpi ? kIpi : src === srcMsi ? kDevice : src === srcSet ? (TIMER_GSIS.has(ch.gsi[i]!) ? kTimer : kDevice) : kOther;
      irqs.vector[r] = ch.vector[i]! >= 0 ? ch.vector[i]! : NULL_I32;
      irqs.state[r] = stateCode[ch.targetState[i]!]!;
    }
  }
  const lastTrig = triggerLookup(a, irqs.raiseNs, vmOf);

  const nx = a.exits.length;
  const exits: ExitColumns = {
    length: nx, id: null, vm: new Int32Array(nx), vcpu: new Int32Array(nx), exitNs: new Float64Array(nx), entryNs: new Float64Array(nx),
    reason: new Int32Array(nx), category: new Uint8Array(nx), device: new Int32Array(nx), flags: new Uint8Array(nx), eoiLevel: new Uint8Array(nx),
  };
  const exitThread = new Int32Array(nx);
  const eoiCat = CATEGORIES.indexOf('eoi');
  r = 0;
  for (const ch of a.exits.chunks) {
    relInto(ch.exitNs.subarray(0, ch.length), base, exits.exitNs, r);
    for (let i = 0; i < ch.length; i++, r++) {
      const thread = ch.thread[i]!;
      const ri = ch.reason[i]!;
      const cat = ch.category[i]!;
      const exitNs = exits.exitNs[r]!;
      const dur = ch.durNs[i]!;
      const broken = ch.flags[i]! !== 0 || dur < 0;
      const vcpu = vcpuOf(thread);
      const vm = vmOfThread(thread);
      const dev = ch.device[i]!;
      exitThread[r] = thread;
      exits.vm[r] = vm;
      exits.vcpu[r] = vcpu;
      exits.entryNs[r] = broken ? Number.NaN : exitNs + dur;
      exits.reason[r] = ri < reasonCode.length ? reasonCode[ri]! : unknownReason;
      exits.category[r] = catCode[cat]!;
      exits.device[r] = dev >= 0 && dev < deviceCode.length ? deviceCode[dev]! : -1;
      exits.flags[r] = (ri < reasonFlags.length ? reasonFlags[ri]! : 0) | (broken ? EXIT_FLAG.BROKEN : 0);
      exits.eoiLevel[r] = cat === eoiCat ? lastTrig(vm, vcpu, exitNs) : EOI_UNKNOWN;
    }
  }
  // per thread: exit positions in table order, then ordered by exitNs (stable: ties keep table
  // order, as sorting {exitNs, id} pairs did); rows of a thread are usually in order already
  let nThreads = a.threads.length;
  for (let e = 0; e < nx; e++) if (exitThread[e]! >= nThreads) nThreads = exitThread[e]! + 1;
  const byThread = groupBy(exitThread, nThreads);
  for (let th = 0; th < nThreads; th++) {
    const l = byThread.pos.subarray(byThread.start[th]!, byThread.start[th + 1]!);
    let sorted = true;
    for (let k = 1; k < l.length && sorted; k++) sorted = exits.exitNs[l[k - 1]!]! <= exits.exitNs[l[k]!]!;
    if (!sorted) l.sort((x, y) => exits.exitNs[x]! - exits.exitNs[y]! || x - y);
  }

  let kicks: KickColumns;
  const nk = a.ioKicks.length;
  if (nk > 0) {
    kicks = { length: nk, id: null, vm: new Int32Array(nk), vcpu: new Int32Array(nk), tsNs: new Float64Array(nk), device: new Int32Array(nk), exitId: new Int32Array(nk) };
    r = 0;
    for (const ch of a.ioKicks.chunks) {
      relInto(ch.tsNs.subarray(0, ch.length), base, kicks.tsNs, r);
      for (let i = 0; i < ch.length; i++, r++) {
        const thread = ch.thread[i]!;
        const tsNs = kicks.tsNs[r]!;
        const dv = ch.device[i]!;
        const d = a.devices[dv];
        let exitId = NULL_I32;
        if (ch.inExit[i] && thread >= 0 && thread < nThreads) {
          const l = byThread.pos.subarray(byThread.start[thread]!, byThread.start[thread + 1]!);
          const k = lastAtOrBefore(l, exits.exitNs, tsNs);
          if (k >= 0) exitId = l[k]!;
        }
        kicks.vm[r] = d && d.vm >= 0 ? vmOf(d.vm) : thread >= 0 ? vmOfThread(thread) : vmAny;
        kicks.vcpu[r] = thread >= 0 ? vcpuOf(thread) : NULL_I32;
        kicks.device[r] = d ? deviceCode[dv]! : st.code(`device ${dv}`);
        kicks.exitId[r] = exitId;
      }
    }
  } else kicks = kicksOfExits(a, exits, st);
  const kicksFromExits = nk === 0 && kicks.length > 0;

  const excluded = new Map<string, number>();
  for (let e = 0; e < nx; e++) {
    if (!(exits.flags[e]! & EXIT_FLAG.BROKEN)) continue;
    const k = `${st.strings[exits.vm[e]!]}\u0000${exits.vcpu[e]}`;
    excluded.set(k, (excluded.get(k) ?? 0) + 1);
  }
  const accounts: VcpuAccount[] = a.eht.perVcpu.map((row) => {
    const vm = st.strings[vmOfThread(row.thread)]!;
    const vcpu = vcpuOf(row.thread);
    return { vm, vcpu, gNs: row.guestNs, hNs: row.handlingNs, hhNs: row.haltNs, exits: row.exits, excluded: excluded.get(`${vm}\u0000${vcpu}`) ?? 0 };
  }).sort((x, y) => (x.vm < y.vm ? -1 : x.vm > y.vm ? 1 : x.vcpu - y.vcpu));
  const first = a.quality.firstNs;
  const last = a.quality.lastNs;
  return {
    strings: st.strings, exits, irqs, kicks, exitsTraced: a.eht.traced && a.quality.exitsTraced,
    postedEvidence: postedEvidenceOf(a),
    windowNs: { startNs: 0, endNs: first !== null && last !== null ? Number(last - first) : 0 },
    timeBaseNs: base,
    kicksFromExits,
    ...(a.eht.traced ? { accounts } : {}),
  };
}

/**
 * No kick events but io_request exits: the exits are the kicks. The device key is then the exit's
 * device if known, else one key per VM and reason (devices merged: an over-estimate of POLL, said
 * in a note). IOAPIC / PIT / UART ... writes are register accesses of KVM-emulated devices, not kicks.
 */
function kicksOfExits(a: AnalysisResult, exits: ExitColumns, st: StringTable): KickColumns {
  const platform = new Set(a.devices.filter((d) => d.platform).map((d) => st.code(d.label)));
  const io = CATEGORY_CODE.io_request;
  const pos = new GrowI32();
  const device = new GrowI32();
  const untraced = new Map<number, number>(); // reason code -> code of "REASON (device not traced)"
  for (let e = 0; e < exits.length; e++) {
    const dev = exits.device[e]!;
    if (exits.category[e] !== io || (dev >= 0 && platform.has(dev))) continue;
    pos.push(e);
    if (dev >= 0) { device.push(dev); continue; }
    const reason = exits.reason[e]!;
    let c = untraced.get(reason);
    if (c === undefined) untraced.set(reason, (c = st.code(`${st.strings[reason]} (device not traced)`)));
    device.push(c);
  }
  const n = pos.length;
  const k: KickColumns = { length: n, id: null, vm: new Int32Array(n), vcpu: new Int32Array(n), tsNs: new Float64Array(n), device: device.done(), exitId: pos.done() };
  for (let i = 0; i < n; i++) {
    const e = k.exitId[i]!;
    k.vm[i] = exits.vm[e]!;
    k.vcpu[i] = exits.vcpu[e]!;
    k.tsNs[i] = exits.exitNs[e]!;
  }
  return k;
}

/** Index in `l` (exit positions ordered by exitNs) of the last exit at or before t, -1 none. */
function lastAtOrBefore(l: Int32Array, exitNs: Float64Array, t: number): number {
  let lo = 0, hi = l.length - 1, idx = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (exitNs[l[mid]!]! <= t) { idx = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return idx;
}

/**
 * (vm code, vcpu, t) -> trigger mode (EOI_EDGE / EOI_LEVEL / EOI_UNKNOWN) of the latest interrupt
 * delivered to that vCPU at or before t (the one an EOI most likely retires). The exits table does
 * not carry the EOI'd vector, so this is an inference; the README says so.
 */
function triggerLookup(a: AnalysisResult, raiseNs: Float64Array, vmOf: (vm: number) => number): (vm: number, vcpu: number, t: number) => number {
  // delivered interrupts per (vm, vcpu) as columns, stably ordered by delivery time
  const byVm = new Map<number, Map<number, number>>();
  const keyT = new GrowF64(), keyLevel = new GrowI32(), keyOf = new GrowI32();
  let keys = 0;
  let r = 0; // row of the irqs table (raiseNs is in that order)
  for (const ch of a.irqs.chunks) {
    for (let i = 0; i < ch.length; i++, r++) {
      const v = ch.targetVcpu[i]!;
      const lat = ch.latencyNs[i]!;
      if (v < 0 || lat < 0) continue;
      const vm = vmOf(ch.vm[i]!);
      let m = byVm.get(vm);
      if (!m) byVm.set(vm, (m = new Map()));
      let k = m.get(v);
      if (k === undefined) m.set(v, (k = keys++));
      const tl = ch.trigLevel[i]!;
      keyOf.push(k);
      keyT.push(raiseNs[r]! + lat);
      keyLevel.push(tl === 255 ? EOI_UNKNOWN : tl === 1 ? EOI_LEVEL : EOI_EDGE);
    }
  }
  const g = groupBy(keyOf.a.subarray(0, keyOf.length), keys);
  const t = keyT.a, level = keyLevel.a;
  for (let k = 0; k < keys; k++) {
    const l = g.pos.subarray(g.start[k]!, g.start[k + 1]!);
    let sorted = true;
    for (let j = 1; j < l.length && sorted; j++) sorted = t[l[j - 1]!]! <= t[l[j]!]!;
    if (!sorted) l.sort((x, y) => t[x]! - t[y]! || x - y);
  }
  return (vm, vcpu, at) => {
    const k = byVm.get(vm)?.get(vcpu);
    if (k === undefined) return EOI_UNKNOWN;
    let lo = g.start[k]!, hi = g.start[k + 1]! - 1, idx = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (t[g.pos[mid]!]! <= at) { idx = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return idx >= 0 ? level[g.pos[idx]!]! : EOI_UNKNOWN;
  };
}
