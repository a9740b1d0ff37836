// Run state of vCPUs over time, derived from paired exits: in guest between an entry and the next
// exit, in the hypervisor (or halted) between an exit and its entry. Used by redirection to ask
// "is vCPU v in guest at t?" and "which vCPUs of VM m are?". Pure.
import { VcpuIndex } from './order.js';
import type { ModelExit, VcpuState } from './types.js';

export interface VcpuTimeline {
  vm: string;
  vcpu: number;
  /** Exits of this vCPU sorted by exitNs. */
  exits: ModelExit[];
}

export function vcpuTimelines(exits: readonly ModelExit[]): Map<string, VcpuTimeline[]> {
  const keys = new VcpuIndex();
  const byVcpu: VcpuTimeline[] = []; // in first-seen order
  for (const e of exits) {
    const k = keys.of(e.vm, e.vcpu);
    let t = byVcpu[k];
    if (!t) byVcpu[k] = t = { vm: e.vm, vcpu: e.vcpu, exits: [] };
    t.exits.push(e);
  }
  const byVm = new Map<string, VcpuTimeline[]>();
  for (const t of byVcpu) {
    if (!inOrder(t.exits)) t.exits.sort((a, b) => a.exitNs - b.exitNs || a.id - b.id);
    let a = byVm.get(t.vm);
    if (!a) byVm.set(t.vm, (a = []));
    a.push(t);
  }
  for (const a of byVm.values()) a.sort((x, y) => x.vcpu - y.vcpu);
  return byVm;
}

function inOrder(ex: readonly ModelExit[]): boolean {
  for (let i = 1; i < ex.length; i++) {
    const a = ex[i - 1]!, b = ex[i]!;
    if (a.exitNs > b.exitNs || (a.exitNs === b.exitNs && a.id > b.id)) return false;
  }
  return true;
}

/**
 * State of a vCPU at t from its exits alone: 'guest' between a known entry and the next exit,
 * 'exit' (or 'blocked' for a halt) inside an exit; 'unknown' before the first exit, around a broken
 * pair, and after the last entry (the thread may have been preempted there; no later exit says).
 */
export function stateAt(tl: VcpuTimeline, t: number): VcpuState {
  const ex = tl.exits;
  // last exit with exitNs <= t
  let lo = 0;
  let hi = ex.length - 1;
  let idx = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ex[mid]!.exitNs <= t) { idx = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (idx < 0) return 'unknown';
  const e = ex[idx]!;
  if (e.broken || e.entryNs === null) return 'unknown';
  if (t < e.entryNs) return e.category === 'halt' ? 'blocked' : 'exit';
  if (idx + 1 < ex.length && !ex[idx + 1]!.broken) return 'guest';
  return 'unknown';
}
