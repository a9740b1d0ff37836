// Mechanism 3: interrupt redirection (MODEL.md "Mechanism 3"). A device interrupt whose target vCPU
// is not in guest when raised goes to a vCPU of the same VM that is, the one with the fewest
// interrupts so far; its latency becomes redirectCostNs, never more than the baseline. Pure:
// irq columns in, decision columns (by irq position) out.
import type { WhatifParams } from './params.js';
import { stateAt, type VcpuTimeline } from './runState.js';
import { iota, orderByTime, positionsById, VcpuIndex } from './order.js';
import { idAt, IRQ_KINDS, NULL_I32, STATE_CODE, VCPU_STATE_NAMES, type ModelInput, type VcpuState } from './types.js';

/** One interrupt's decision as a row (RedirectResult.decisions, for small consumers). */
export interface IrqDecision {
  irqId: number;
  state: VcpuState;
  /** Baseline latency L0 (delivery - raise), null when delivery was not seen. */
  l0Ns: number | null;
  /** Latency after the model (equals l0Ns unless redirected). */
  lNs: number | null;
  redirectedTo: number | null;
}

export interface RedirectResult {
  /** Per irq position: index in VCPU_STATE_NAMES of the target state at raise. */
  state: Uint8Array;
  /** Per irq position: baseline latency L0 (delivery - raise); NaN when delivery was not seen. */
  l0Ns: Float64Array;
  /** Per irq position: latency after the model (equals l0Ns unless redirected); NaN = none. */
  lNs: Float64Array;
  /** Per irq position: vCPU it was redirected to; NULL_I32 = not redirected. */
  redirectedTo: Int32Array;
  /** Irq positions in id order (the order of `decisions` and of the whatif_irqs table). */
  byId: Int32Array;
  /** The decisions as rows in irq id order, built on first use (one object per interrupt: not for large traces). */
  readonly decisions: IrqDecision[];
  /** Device interrupts (the only ones that may move). */
  eligible: number;
  redirected: number;
  /** Eligible interrupts whose target was not in guest but no other vCPU of the VM was. */
  noRunningPeer: number;
  /** Eligible interrupts whose target state could not be told. */
  stateUnknown: number;
  byState: Record<VcpuState, number>;
}

const nullIfNaN = (v: number): number | null => (Number.isNaN(v) ? null : v);

export function modelRedirection(inp: Pick<ModelInput, 'strings' | 'irqs'>, timelines: Map<string, VcpuTimeline[]>, p: Pick<WhatifParams, 'redirectCostNs'>): RedirectResult {
  const { irqs, strings } = inp;
  const n = irqs.length;
  const byState: Record<VcpuState, number> = { guest: 0, exit: 0, runnable: 0, blocked: 0, unknown: 0 };
  const state = new Uint8Array(n);
  const l0 = new Float64Array(n);
  const lAfter = new Float64Array(n);
  const redirectedTo = new Int32Array(n).fill(NULL_I32);
  let eligible = 0, redirected = 0, noRunningPeer = 0, stateUnknown = 0;
  // Interrupt load so far per vCPU, in raise order, as the model routes them.
  const keys = new VcpuIndex();
  const load: number[] = [];
  const bump = (vm: number, vcpu: number): void => {
    const k = keys.of(vm, vcpu);
    load[k] = (load[k] ?? 0) + 1;
  };
  const device = IRQ_KINDS.indexOf('device');
  const unknown = STATE_CODE.unknown, guest = STATE_CODE.guest;
  const ordered = orderByTime(iota(n), irqs.raiseNs, irqs.id);
  for (let o = 0; o < ordered.length; o++) {
    const q = ordered[o]!;
    const raise = irqs.raiseNs[q]!;
    const delivery = irqs.deliveryNs[q]!;
    const l0Ns = !Number.isNaN(delivery) && delivery >= raise ? delivery - raise : Number.NaN;
    const vm = irqs.vm[q]!;
    const target = irqs.targetVcpu[q]!;
    const vms = timelines.get(strings[vm]!) ?? [];
    let st = irqs.state[q]!;
    if (st === unknown && target !== NULL_I32) {
      const tl = vms.find((t) => t.vcpu === target);
      if (tl) st = STATE_CODE[stateAt(tl, raise)];
    }
    state[q] = st;
    l0[q] = l0Ns;
    lAfter[q] = l0Ns;
    if (irqs.kind[q] !== device || target === NULL_I32) {
      if (target !== NULL_I32) bump(vm, target);
      continue;
    }
    eligible++;
    byState[VCPU_STATE_NAMES[st]!]++;
    if (st === unknown) stateUnknown++;
    if (st === guest || st === unknown) {
      bump(vm, target);
      continue;
    }
    let best: number | null = null;
    let bestLoad = Infinity;
    for (const tl of vms) {
      if (tl.vcpu === target || stateAt(tl, raise) !== 'guest') continue;
      const k = keys.get(vm, tl.vcpu);
      const nq = k >= 0 ? load[k] ?? 0 : 0;
      if (nq < bestLoad) { best = tl.vcpu; bestLoad = nq; }
    }
    if (best === null) {
      noRunningPeer++;
      bump(vm, target);
      continue;
    }
    redirectedTo[q] = best;
    // Never raises a latency: a baseline faster than the redirect cost stays as it was.
    lAfter[q] = Number.isNaN(l0Ns) ? p.redirectCostNs : Math.min(l0Ns, p.redirectCostNs);
    redirected++;
    bump(vm, best);
  }
  const byId = positionsById(irqs);
  let rows: IrqDecision[] | null = null;
  const res = { state, l0Ns: l0, lNs: lAfter, redirectedTo, byId, eligible, redirected, noRunningPeer, stateUnknown, byState } as Omit<RedirectResult, 'decisions'>;
  // not enumerable: JSON of the result and spreads stay columnar
  Object.defineProperty(res, 'decisions', {
    enumerable: false,
    get: (): IrqDecision[] => (rows ??= Array.from(byId, (q) => ({
      irqId: idAt(irqs, q), state: VCPU_STATE_NAMES[state[q]!]!, l0Ns: nullIfNaN(l0[q]!), lNs: nullIfNaN(lAfter[q]!),
      redirectedTo: redirectedTo[q] === NULL_I32 ? null : redirectedTo[q]!,
    }))),
  });
  return res as RedirectResult;
}
