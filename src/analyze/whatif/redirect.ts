// Mechanism 3: interrupt redirection (MODEL.md "Mechanism 3"). A device interrupt whose target vCPU
// is not in guest when raised goes to a vCPU of the same VM that is, the one with the fewest
// interrupts so far; its latency becomes redirectCostNs, never more than the baseline. Pure.
import type { WhatifParams } from './params.js';
import { stateAt, type VcpuTimeline } from './runState.js';
import { idsArePositions, orderByTime, VcpuIndex } from './order.js';
import type { ModelIrq, VcpuState } from './types.js';

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
  decisions: IrqDecision[];
  /** Device interrupts (the only ones that may move). */
  eligible: number;
  redirected: number;
  /** Eligible interrupts whose target was not in guest but no other vCPU of the VM was. */
  noRunningPeer: number;
  /** Eligible interrupts whose target state could not be told. */
  stateUnknown: number;
  byState: Record<VcpuState, number>;
}

export function modelRedirection(irqs: readonly ModelIrq[], timelines: Map<string, VcpuTimeline[]>, p: Pick<WhatifParams, 'redirectCostNs'>): RedirectResult {
  const byState: Record<VcpuState, number> = { guest: 0, exit: 0, runnable: 0, blocked: 0, unknown: 0 };
  const res: RedirectResult = { decisions: [], eligible: 0, redirected: 0, noRunningPeer: 0, stateUnknown: 0, byState };
  // Interrupt load so far per vCPU, in raise order, as the model routes them.
  const keys = new VcpuIndex();
  const load: number[] = [];
  const bump = (vm: string, vcpu: number): void => {
    const k = keys.of(vm, vcpu);
    load[k] = (load[k] ?? 0) + 1;
  };
  const ordered = orderByTime(irqs, Array.from(irqs, (_, i) => i), (q) => q.raiseNs);
  for (let o = 0; o < ordered.length; o++) {
    const q = irqs[ordered[o]!]!;
    const l0Ns = q.deliveryNs !== null && q.deliveryNs >= q.raiseNs ? q.deliveryNs - q.raiseNs : null;
    const vms = timelines.get(q.vm) ?? [];
    let state: VcpuState = q.state;
    if (state === 'unknown' && q.targetVcpu !== null) {
      const tl = vms.find((t) => t.vcpu === q.targetVcpu);
      if (tl) state = stateAt(tl, q.raiseNs);
    }
    const d: IrqDecision = { irqId: q.id, state, l0Ns, lNs: l0Ns, redirectedTo: null };
    res.decisions.push(d);
    if (q.kind !== 'device' || q.targetVcpu === null) {
      if (q.targetVcpu !== null) bump(q.vm, q.targetVcpu);
      continue;
    }
    res.eligible++;
    byState[state]++;
    if (state === 'unknown') res.stateUnknown++;
    if (state === 'guest' || state === 'unknown') {
      bump(q.vm, q.targetVcpu);
      continue;
    }
    let best: number | null = null;
    let bestLoad = Infinity;
    for (const tl of vms) {
      if (tl.vcpu === q.targetVcpu || stateAt(tl, q.raiseNs) !== 'guest') continue;
      const k = keys.get(q.vm, tl.vcpu);
      const n = k >= 0 ? load[k] ?? 0 : 0;
      if (n < bestLoad) { best = tl.vcpu; bestLoad = n; }
    }
    if (best === null) {
      res.noRunningPeer++;
      bump(q.vm, q.targetVcpu);
      continue;
    }
    d.redirectedTo = best;
    // Never raises a latency: a baseline faster than the redirect cost stays as it was.
    d.lNs = l0Ns === null ? p.redirectCostNs : Math.min(l0Ns, p.redirectCostNs);
    res.redirected++;
    bump(q.vm, best);
  }
  // by irq id: ids that are positions are placed directly (a sort of objects costs seconds at 10 M)
  if (idsArePositions(irqs)) {
    const byId = res.decisions.slice(); // a packed array of the right length (new Array(n) is slow for large n)
    for (const d of res.decisions) byId[d.irqId] = d;
    res.decisions = byId;
  } else res.decisions.sort((a, b) => a.irqId - b.irqId);
  return res;
}
