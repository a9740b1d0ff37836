// Adapter: the analyzer's AnalysisResult (src/analyze/types.ts) -> the model's small inputs
// (types.ts here). Times are rebased to the trace's first event so they fit exactly in a number.
import { TIMER_GSIS } from '../quality.js';
import { CATEGORIES, IRQ_DELIVERIES, IRQ_FLAG, IRQ_SOURCES, VCPU_STATES, type AnalysisResult } from '../types.js';
import type { VcpuAccount } from './accounting.js';
import { POSTED_EXIT_REASONS } from './posted.js';
import type { IrqKind, ModelExit, ModelInput, ModelIrq, ModelKick, VcpuState } from './types.js';

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
 * ns since `base` of row i of a BigInt64Array, read as 32-bit halves: the same double as
 * Number(t - base) (one rounding of the exact difference) without a bigint per row.
 */
function relReader(base: bigint): (arr: BigInt64Array, i: number) => number {
  const baseLo = Number(BigInt.asUintN(32, base));
  const baseHi = Number(BigInt.asIntN(32, base >> 32n));
  const views = new WeakMap<BigInt64Array, { lo: Uint32Array; hi: Int32Array }>();
  return (arr, i) => {
    let v = views.get(arr);
    if (!v) views.set(arr, (v = { lo: new Uint32Array(arr.buffer, arr.byteOffset, arr.length * 2), hi: new Int32Array(arr.buffer, arr.byteOffset, arr.length * 2) }));
    return (v.hi[2 * i + 1]! - baseHi) * 4294967296 + (v.lo[2 * i]! - baseLo);
  };
}

export function modelInputFromAnalysis(a: AnalysisResult): ModelInput {
  const base = a.quality.firstNs ?? 0n;
  const relAt = relReader(base);
  // Per-thread, per-reason and per-device values, computed once (not once per row).
  const threadVcpu = a.threads.map((th, thread) => (th.vcpu >= 0 ? th.vcpu : -1 - thread)); // unknown ids keep threads apart
  const threadVm = a.threads.map((th) => vmLabel(a, th.vm));
  const vcpuOf = (thread: number): number => threadVcpu[thread] ?? -1 - thread;
  const vmOfThread = (thread: number): string => threadVm[thread] ?? vmLabel(a, -1);
  const reasonName = a.reasons.map((r) => r.name);
  const reasonWindow = reasonName.map((n) => WINDOW_REASONS.has(n));
  const reasonExternal = reasonName.map((n) => EXTERNAL_REASONS.has(n));
  const deviceLabel = a.devices.map((d) => d.label);
  const vmLabels = a.vms.map((_, i) => vmLabel(a, i));
  const vmOf = (vm: number): string => vmLabels[vm] ?? vmLabel(a, vm);

  // irqs first: the EOI trigger mode is read from the latest interrupt delivered to the vCPU.
  // arrays grow by push: new Array(n) of a large n is a slow dictionary-mode array in V8
  const irqs: ModelIrq[] = [];
  let id = 0;
  for (const ch of a.irqs.chunks) {
    for (let i = 0; i < ch.length; i++, id++) {
      const src = IRQ_SOURCES[ch.source[i]!]!;
      const flags = ch.flags[i]!;
      const raiseNs = relAt(ch.raiseNs, i);
      const lat = ch.latencyNs[i]!;
      const kind: IrqKind = src === 'ipi' ? 'ipi' : src === 'msi' ? 'device'
        : src === 'set_irq' ? (TIMER_GSIS.has(ch.gsi[i]!) ? 'timer' : 'device') : 'other';
      irqs.push({
        id, vm: vmOf(ch.vm[i]!), targetVcpu: ch.targetVcpu[i]! >= 0 ? ch.targetVcpu[i]! : null,
        raiseNs, deliveryNs: lat >= 0 && !(flags & (IRQ_FLAG.BROKEN_BY_LOST | IRQ_FLAG.NO_RAISE)) ? raiseNs + lat : null,
        kind, vector: ch.vector[i]! >= 0 ? ch.vector[i]! : null, state: STATE_MAP[VCPU_STATES[ch.targetState[i]!]!],
      });
    }
  }
  const lastTrig = triggerLookup(a, relAt, vmOf);

  const exits: ModelExit[] = [];
  // per thread: exit ids (= positions in `exits`), in table order, then ordered by exitNs
  const exitsByThread: number[][] = [];
  const eoiCat = CATEGORIES.indexOf('eoi');
  id = 0;
  for (const ch of a.exits.chunks) {
    for (let i = 0; i < ch.length; i++, id++) {
      const thread = ch.thread[i]!;
      const ri = ch.reason[i]!;
      const reason = reasonName[ri] ?? '?';
      const cat = ch.category[i]!;
      const exitNs = relAt(ch.exitNs, i);
      const dur = ch.durNs[i]!;
      const broken = ch.flags[i]! !== 0 || dur < 0;
      const vcpu = vcpuOf(thread);
      const vm = vmOfThread(thread);
      const dev = ch.device[i]!;
      exits.push({
        id, vm, vcpu, exitNs, entryNs: broken ? null : exitNs + dur, reason, category: CATEGORIES[cat]!,
        device: dev >= 0 ? deviceLabel[dev] ?? null : null,
        interruptWindow: reasonWindow[ri] ?? false, externalInterrupt: reasonExternal[ri] ?? false,
        eoiVector: null, eoiLevel: cat === eoiCat ? lastTrig(vm, vcpu, exitNs) : null, broken,
      });
      if (thread >= 0) (exitsByThread[thread] ??= []).push(id);
    }
  }
  // stable sort by exitNs (ties keep table order, as sorting {exitNs, id} pairs did); rows of a
  // thread are usually in order already, then nothing moves
  for (const l of exitsByThread) {
    if (!l) continue;
    let sorted = true;
    for (let k = 1; k < l.length && sorted; k++) sorted = exits[l[k - 1]!]!.exitNs <= exits[l[k]!]!.exitNs;
    if (!sorted) l.sort((x, y) => exits[x]!.exitNs - exits[y]!.exitNs);
  }

  const kicks: ModelKick[] = [];
  id = 0;
  for (const ch of a.ioKicks.chunks) {
    for (let i = 0; i < ch.length; i++, id++) {
      const thread = ch.thread[i]!;
      const tsNs = relAt(ch.tsNs, i);
      const dv = ch.device[i]!;
      const d = a.devices[dv];
      let exitId: number | null = null;
      if (ch.inExit[i] && thread >= 0) {
        const l = exitsByThread[thread];
        const k = l ? lastAtOrBefore(l, exits, tsNs) : -1;
        if (k >= 0) exitId = l![k]!;
      }
      kicks.push({
        id, vm: d && d.vm >= 0 ? vmOf(d.vm) : thread >= 0 ? vmOfThread(thread) : 'vm?',
        vcpu: thread >= 0 ? vcpuOf(thread) : null, tsNs, device: deviceLabel[dv] ?? `device ${dv}`, exitId,
      });
    }
  }
  // No kick events but io_request exits: the exits are the kicks. The device key is then the
  // exit's device if known, else one key per VM and reason (devices merged: an over-estimate of
  // POLL, said in a note).
  let kicksFromExits = false;
  if (kicks.length === 0) {
    const platformLabels = new Set(a.devices.filter((d) => d.platform).map((d) => d.label));
    for (const e of exits) {
      // IOAPIC / PIT / UART ... writes are register accesses of KVM-emulated devices, not kicks
      if (e.category !== 'io_request' || (e.device !== null && platformLabels.has(e.device))) continue;
      kicksFromExits = true;
      kicks.push({ id: kicks.length, vm: e.vm, vcpu: e.vcpu, tsNs: e.exitNs, device: e.device ?? `${e.reason} (device not traced)`, exitId: e.id });
    }
  }
  const excluded = new Map<string, number>();
  for (const e of exits) if (e.broken) excluded.set(`${e.vm}\u0000${e.vcpu}`, (excluded.get(`${e.vm}\u0000${e.vcpu}`) ?? 0) + 1);
  const accounts: VcpuAccount[] = a.eht.perVcpu.map((r) => {
    const vm = vmOfThread(r.thread);
    const vcpu = vcpuOf(r.thread);
    return { vm, vcpu, gNs: r.guestNs, hNs: r.handlingNs, hhNs: r.haltNs, exits: r.exits, excluded: excluded.get(`${vm}\u0000${vcpu}`) ?? 0 };
  }).sort((x, y) => (x.vm < y.vm ? -1 : x.vm > y.vm ? 1 : x.vcpu - y.vcpu));
  const first = a.quality.firstNs;
  const last = a.quality.lastNs;
  return {
    exits, irqs, kicks, exitsTraced: a.eht.traced && a.quality.exitsTraced,
    postedEvidence: postedEvidenceOf(a),
    windowNs: { startNs: 0, endNs: first !== null && last !== null ? Number(last - first) : 0 },
    timeBaseNs: base,
    kicksFromExits,
    ...(a.eht.traced ? { accounts } : {}),
  };
}

/** Index in `l` (exit ids ordered by exitNs) of the last exit at or before t, -1 none. */
function lastAtOrBefore(l: readonly number[], exits: readonly ModelExit[], t: number): number {
  let lo = 0, hi = l.length - 1, idx = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (exits[l[mid]!]!.exitNs <= t) { idx = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return idx;
}

/**
 * (vm, vcpu, t) -> trigger mode of the latest interrupt delivered to that vCPU at or before t
 * (the one an EOI most likely retires), null when unknown. The exits table does not carry the
 * EOI'd vector, so this is an inference; the README says so.
 */
function triggerLookup(a: AnalysisResult, relAt: (arr: BigInt64Array, i: number) => number, vmOf: (vm: number) => string): (vm: string, vcpu: number, t: number) => boolean | null {
  const by = new Map<string, { t: number; level: boolean | null }[]>();
  for (const ch of a.irqs.chunks) {
    for (let i = 0; i < ch.length; i++) {
      const v = ch.targetVcpu[i]!;
      const lat = ch.latencyNs[i]!;
      if (v < 0 || lat < 0) continue;
      const k = `${vmOf(ch.vm[i]!)}\u0000${v}`;
      let l = by.get(k);
      if (!l) by.set(k, (l = []));
      const tl = ch.trigLevel[i]!;
      l.push({ t: relAt(ch.raiseNs, i) + lat, level: tl === 255 ? null : tl === 1 });
    }
  }
  for (const l of by.values()) l.sort((x, y) => x.t - y.t);
  return (vm, vcpu, t) => {
    const l = by.get(`${vm}\u0000${vcpu}`);
    if (!l) return null;
    let lo = 0, hi = l.length - 1, idx = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (l[mid]!.t <= t) { idx = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return idx >= 0 ? l[idx]!.level : null;
  };
}
