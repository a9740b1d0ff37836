// The model's result as a plain, JSON-ready summary (no Maps, no per-row arrays): what
// `es2scope whatif --json` prints and what the terminal printer reads. Pure and deterministic.
import type { HybridSweepRow, WhatifResult } from './model.js';

export function whatifSummary(r: WhatifResult, sweep: readonly HybridSweepRow[] | null, input: unknown) {
  return {
    schemaVersion: r.schemaVersion,
    table: 'whatif',
    input,
    params: r.params,
    paramSources: r.paramSources,
    exitsTraced: r.exitsTraced,
    traceWindowNs: r.windowNs.endNs - r.windowNs.startNs,
    stages: r.stages,
    avoidedBy: r.avoidedBy,
    pi: r.pi && {
      applies: r.pi.applies, alreadyPosted: r.pi.alreadyPosted, evidence: r.pi.evidence, eligible: r.pi.eligible,
      avoided: r.pi.avoidedCount, byRule: r.pi.byRule, eoiKeptLevel: r.pi.eoiKeptLevel,
      eoiTriggerAssumed: r.pi.eoiTriggerAssumed, externalKept: r.pi.externalKept, residual: r.pi.residual,
    },
    hybrid: r.hybrid && {
      kicks: r.hybrid.kicks, kicksAvoided: r.hybrid.kicksAvoided, pollingCpuNs: r.hybrid.pollingCpuNs, devices: r.hybrid.devices,
    },
    redirect: r.redirect && {
      eligible: r.redirect.eligible, redirected: r.redirect.redirected, noRunningPeer: r.redirect.noRunningPeer,
      stateUnknown: r.redirect.stateUnknown, byState: r.redirect.byState,
    },
    vcpus: r.vcpus,
    sweep,
    paper: r.paper,
    throughputAssumption: r.throughputAssumption,
    notes: r.notes,
  };
}

export type WhatifSummary = ReturnType<typeof whatifSummary>;
