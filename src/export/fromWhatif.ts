// Adapter: the what-if model's result (src/analyze/whatif) -> the exporter's WhatifExport. Pure.
// Reads the model's columns (no object per exit or interrupt).
import { unionPerVmNs } from '../analyze/whatif/hybrid.js';
import { MECH_CODES, type WhatifResult } from '../analyze/whatif/model.js';
import { emptyExits, handlingNsAt, type ModelInput } from '../analyze/whatif/types.js';
import type { WhatifAvoided, WhatifExport } from './whatifInput.js';

export function whatifExport(input: ModelInput, r: WhatifResult): WhatifExport {
  const S = input.strings;
  const exits = input.exitsTraced ? input.exits : emptyExits();
  const rows = new Map<string, WhatifAvoided>();
  // in the order the model decided them (PI's, then hybrid's), as the rows were always made
  for (const e of r.avoidedExits.order) {
    const mechanism = MECH_CODES[r.avoidedExits.mech[e]! - 1]!;
    const reason = S[exits.reason[e]!]!;
    const vm = S[exits.vm[e]!]!;
    const k = `${mechanism}\0${reason}\0${vm}`;
    const row = rows.get(k) ?? { mechanism, reason, vm, count: 0, returnedNs: 0 };
    row.count++;
    row.returnedNs += handlingNsAt(exits, e);
    rows.set(k, row);
  }
  const pollingNs: { vm: string; ns: number }[] = [];
  if (r.hybrid) {
    const devices = r.hybrid.devices;
    const vms = [...new Set(devices.map((d) => d.vm))].sort();
    for (const vm of vms) {
      const ns = r.params.poller === 'shared'
        ? unionPerVmNs(r.hybrid.intervals, devices, vm)
        : devices.filter((d) => d.vm === vm).reduce((s, d) => s + d.pollNs, 0);
      pollingNs.push({ vm, ns });
    }
  }
  const irqLatencyAfterNs: { vm: string; latencyNs: number }[] = [];
  if (r.redirect) {
    const { lNs, byId } = r.redirect;
    for (let k = 0; k < byId.length; k++) {
      const q = byId[k]!;
      const l = lNs[q]!;
      if (!Number.isNaN(l)) irqLatencyAfterNs.push({ vm: S[input.irqs.vm[q]!] ?? 'vm?', latencyNs: l });
    }
  }
  const last = r.stages[r.stages.length - 1] ?? null;
  return {
    avoided: [...rows.values()],
    pollingNs,
    ehtAfter: last?.eht ?? null,
    irqLatencyAfterNs,
    throughputGainBound: last?.throughputBoundAll ?? null,
  };
}
