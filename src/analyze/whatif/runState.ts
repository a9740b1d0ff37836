// Run state of vCPUs over time, derived from paired exits: in guest between an entry and the next
// exit, in the hypervisor (or halted) between an exit and its entry. Used by redirection to ask
// "is vCPU v in guest at t?" and "which vCPUs of VM m are?". Pure.
import { groupBy, orderByTime, vcpuKeys } from './order.js';
import { CATEGORY_CODE, EXIT_FLAG, type ExitColumns, type ModelInput, type VcpuState } from './types.js';

export interface VcpuTimeline {
  vm: string;
  vcpu: number;
  /** The exit columns `pos` points into. */
  exits: ExitColumns;
  /** Positions of this vCPU's exits, ordered by (exitNs, id). */
  pos: Int32Array;
}

/** VM label -> its vCPUs' timelines, by vCPU id. */
export function vcpuTimelines(inp: Pick<ModelInput, 'strings' | 'exits'>, keys = vcpuKeys(inp.exits.vm, inp.exits.vcpu, inp.exits.length)): Map<string, VcpuTimeline[]> {
  const { exits, strings } = inp;
  const g = groupBy(keys.keyOf, keys.vms.length); // keys in first-seen order
  const byVm = new Map<string, VcpuTimeline[]>();
  for (let k = 0; k < keys.vms.length; k++) {
    const vm = strings[keys.vms[k]!]!;
    const t: VcpuTimeline = { vm, vcpu: keys.vcpus[k]!, exits, pos: orderByTime(g.pos.subarray(g.start[k]!, g.start[k + 1]!), exits.exitNs, exits.id) };
    let a = byVm.get(vm);
    if (!a) byVm.set(vm, (a = []));
    a.push(t);
  }
  for (const a of byVm.values()) a.sort((x, y) => x.vcpu - y.vcpu);
  return byVm;
}

/**
 * State of a vCPU at t from its exits alone: 'guest' between a known entry and the next exit,
 * 'exit' (or 'blocked' for a halt) inside an exit; 'unknown' before the first exit, around a broken
 * pair, and after the last entry (the thread may have been preempted there; no later exit says).
 */
export function stateAt(tl: VcpuTimeline, t: number): VcpuState {
  const { pos, exits } = tl;
  // last exit with exitNs <= t
  let lo = 0;
  let hi = pos.length - 1;
  let idx = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (exits.exitNs[pos[mid]!]! <= t) { idx = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (idx < 0) return 'unknown';
  const e = pos[idx]!;
  const entry = exits.entryNs[e]!;
  if (exits.flags[e]! & EXIT_FLAG.BROKEN || Number.isNaN(entry)) return 'unknown';
  if (t < entry) return exits.category[e] === CATEGORY_CODE.halt ? 'blocked' : 'exit';
  if (idx + 1 < pos.length && !(exits.flags[pos[idx + 1]!]! & EXIT_FLAG.BROKEN)) return 'guest';
  return 'unknown';
}
