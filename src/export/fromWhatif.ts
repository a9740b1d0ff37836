// Adapter: the what-if model's result (src/analyze/whatif) -> the exporter's WhatifExport. Pure.
import { handlingNs } from '../analyze/whatif/accounting.js';
import { unionPerVmNs } from '../analyze/whatif/hybrid.js';
import type { WhatifResult } from '../analyze/whatif/model.js';
import type { ModelInput } from '../analyze/whatif/types.js';
import type { WhatifAvoided, WhatifExport } from './whatifInput.js';

export function whatifExport(input: ModelInput, r: WhatifResult): WhatifExport {
  const exitById = new Map(input.exits.map((e) => [e.id, e]));
  const rows = new Map<string, WhatifAvoided>();
  for (const [id, mechanism] of r.avoidedExits) {
    const e = exitById.get(id);
    if (!e) continue;
    const k = `${mechanism}\0${e.reason}\0${e.vm}`;
    const row = rows.get(k) ?? { mechanism, reason: e.reason, vm: e.vm, count: 0, returnedNs: 0 };
    row.count++;
    row.returnedNs += handlingNs(e);
    rows.set(k, row);
  }
  const pollingNs: { vm: string; ns: number }[] = [];
  if (r.hybrid) {
    const vms = [...new Set(r.hybrid.devices.map((d) => d.vm))].sort();
    for (const vm of vms) {
      const ns = r.params.poller === 'shared'
        ? unionPerVmNs(r.hybrid.intervals.filter((iv) => iv.vm === vm))
        : r.hybrid.devices.filter((d) => d.vm === vm).reduce((s, d) => s + d.pollNs, 0);
      pollingNs.push({ vm, ns });
    }
  }
  const irqVm = new Map(input.irqs.map((q) => [q.id, q.vm]));
  const irqLatencyAfterNs = r.redirect
    ? r.redirect.decisions.flatMap((d) => (d.lNs === null ? [] : [{ vm: irqVm.get(d.irqId) ?? 'vm?', latencyNs: d.lNs }]))
    : [];
  const last = r.stages[r.stages.length - 1] ?? null;
  return {
    avoided: [...rows.values()],
    pollingNs,
    ehtAfter: last?.eht ?? null,
    irqLatencyAfterNs,
    throughputGainBound: last?.throughputBoundAll ?? null,
  };
}
