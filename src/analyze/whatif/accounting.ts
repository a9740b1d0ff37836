// Time accounting per vCPU (MODEL.md "Time accounting"): guest time G, handling time H (non-halt
// exits), halt time Hh; EHT in both definitions; before and after removing a set of exits. Pure.
import { groupBy, orderByTime, vcpuKeys } from './order.js';
import { CATEGORY_CODE, EXIT_FLAG, handlingNsAt, idAt, type ModelInput } from './types.js';

export interface VcpuAccount {
  vm: string;
  vcpu: number;
  gNs: number;
  hNs: number;
  hhNs: number;
  exits: number;
  /** Exits left out of the sums (broken pairs). */
  excluded: number;
}

export interface Eht {
  /** H / (G + H): share of busy time in the hypervisor. */
  busy: number | null;
  /** (H + Hh) / (G + H + Hh): perf kvm stat's basis, dominated by idle. */
  wall: number | null;
}

export function ehtOf(gNs: number, hNs: number, hhNs: number): Eht {
  const busyDen = gNs + hNs;
  const wallDen = gNs + hNs + hhNs;
  return { busy: busyDen > 0 ? hNs / busyDen : null, wall: wallDen > 0 ? (hNs + hhNs) / wallDen : null };
}

/** G, H, Hh per vCPU. G counts (exit - previous entry) only where both pairs are intact. */
export function accountVcpus(inp: Pick<ModelInput, 'strings' | 'exits'>, keys = vcpuKeys(inp.exits.vm, inp.exits.vcpu, inp.exits.length)): VcpuAccount[] {
  const { exits: e, strings } = inp;
  const g = groupBy(keys.keyOf, keys.vms.length);
  const out: VcpuAccount[] = [];
  for (let k = 0; k < keys.vms.length; k++) {
    const list = orderByTime(g.pos.subarray(g.start[k]!, g.start[k + 1]!), e.exitNs, e.id);
    const acc: VcpuAccount = { vm: strings[keys.vms[k]!]!, vcpu: keys.vcpus[k]!, gNs: 0, hNs: 0, hhNs: 0, exits: list.length, excluded: 0 };
    let prevEntry: number | null = null;
    for (let j = 0; j < list.length; j++) {
      const x = list[j]!;
      const broken = (e.flags[x]! & EXIT_FLAG.BROKEN) !== 0;
      const exitNs = e.exitNs[x]!, entryNs = e.entryNs[x]!;
      const ok = !broken && !Number.isNaN(entryNs) && entryNs >= exitNs;
      if (prevEntry !== null && !broken && exitNs >= prevEntry) acc.gNs += exitNs - prevEntry;
      if (!ok) {
        acc.excluded++;
        prevEntry = null;
        continue;
      }
      const dur = entryNs - exitNs;
      if (e.category[x] === CATEGORY_CODE.halt) acc.hhNs += dur; else acc.hNs += dur;
      prevEntry = entryNs;
    }
    out.push(acc);
  }
  return out.sort((a, b) => (a.vm < b.vm ? -1 : a.vm > b.vm ? 1 : a.vcpu - b.vcpu));
}

export interface AfterAccount {
  /** Handling time removed, summed over vCPUs (halt time is never removed). */
  dHandlingNs: number;
  /** dH for the throughput bound: handling + indirectCostNs per avoided exit. */
  dHNs: number;
  before: Eht;
  after: Eht;
  /** (G + H) / (G + H - dH) over all vCPUs together. */
  boundAll: number | null;
  /** The largest per-vCPU bound (the vCPU that gains most, if it is the bottleneck). */
  boundMaxVcpu: number | null;
  boundMaxVcpuId: string | null;
}

/** EHT and throughput bound after removing the exits whose ids are in `avoided`. */
export function accountAfter(accounts: readonly VcpuAccount[], inp: Pick<ModelInput, 'strings' | 'exits'>, avoided: ReadonlySet<number>, indirectCostNs: number): AfterAccount {
  const { exits: e, strings } = inp;
  const dH = new Map<string, { handling: number; n: number }>();
  for (let i = 0; i < e.length; i++) {
    if (!avoided.has(idAt(e, i)) || e.category[i] === CATEGORY_CODE.halt) continue;
    const k = `${strings[e.vm[i]!]}\u0000${e.vcpu[i]}`;
    const d = dH.get(k) ?? { handling: 0, n: 0 };
    d.handling += handlingNsAt(e, i);
    d.n++;
    dH.set(k, d);
  }
  return accountAfterSums(accounts, (a) => dH.get(`${a.vm}\u0000${a.vcpu}`) ?? { handling: 0, n: 0 }, indirectCostNs);
}

/** accountAfter from the removed handling time and count per account (`removed(a)`). */
export function accountAfterSums(accounts: readonly VcpuAccount[], removed: (a: VcpuAccount) => { handling: number; n: number }, indirectCostNs: number): AfterAccount {
  let g = 0, h = 0, hh = 0, dh = 0, dhAll = 0;
  let boundMax: number | null = null;
  let boundMaxId: string | null = null;
  for (const a of accounts) {
    const d = removed(a);
    const dAll = d.handling + indirectCostNs * d.n;
    g += a.gNs; h += a.hNs; hh += a.hhNs; dh += d.handling; dhAll += dAll;
    const b = bound(a.gNs + a.hNs, dAll);
    if (b !== null && (boundMax === null || b > boundMax)) { boundMax = b; boundMaxId = `${a.vm}/vcpu${a.vcpu}`; }
  }
  return {
    dHandlingNs: dh, dHNs: dhAll,
    before: ehtOf(g, h, hh),
    after: ehtOf(g, h - dh, hh),
    boundAll: bound(g + h, dhAll), boundMaxVcpu: boundMax, boundMaxVcpuId: boundMaxId,
  };
}

function bound(busyNs: number, dHNs: number): number | null {
  if (busyNs <= 0) return null;
  const rest = busyNs - dHNs;
  return rest > 0 ? busyNs / rest : null;
}
