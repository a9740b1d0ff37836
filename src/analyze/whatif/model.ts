// The ES2 what-if model: runs the selected mechanisms over one trace's model input and stacks them
// (baseline, +PI, +hybrid I/O, +redirection = ES2) so each mechanism's share can be told apart.
// Pure and deterministic: same input and parameters, same result.
import { accountAfter, accountVcpus, handlingNs, type Eht, type VcpuAccount } from './accounting.js';
import { modelHybridIo, type HybridResult } from './hybrid.js';
import { DEFAULT_PARAMS, PARAM_SOURCES, WHATIF_SCHEMA_VERSION, type Mechanism, type WhatifParams } from './params.js';
import { PAPER } from './paper.js';
import { modelPostedInterrupts, type PiResult } from './posted.js';
import { latencyStats, type LatencyStats } from './quantiles.js';
import { modelRedirection, type RedirectResult } from './redirect.js';
import { vcpuTimelines } from './runState.js';
import type { ModelInput } from './types.js';

export interface Stage {
  /** 'baseline', '+pi', '+hybrid', '+redirect'. */
  name: string;
  mechanisms: Mechanism[];
  exitsAvoided: number;
  /** Kicks avoided (equals the hybrid share of exitsAvoided when exits are traced). */
  kicksAvoided: number;
  /** Handling time of the avoided exits (ns); null when exits are not traced. */
  dHandlingNs: number | null;
  /** dH incl. indirect cost per avoided exit (ns). */
  dHNs: number | null;
  eht: Eht | null;
  throughputBoundAll: number | null;
  throughputBoundMaxVcpu: number | null;
  latency: LatencyStats;
  redirected: number;
  pollingCpuNs: number;
  /** pollingCpuNs / trace window: CPUs kept busy polling on average. */
  pollingCpus: number | null;
}

export interface AvoidedRow { mechanism: Mechanism; reason: string; device: string | null; exits: number; handlingNs: number }

export interface WhatifResult {
  schemaVersion: number;
  params: WhatifParams;
  paramSources: Record<string, string>;
  exitsTraced: boolean;
  windowNs: { startNs: number; endNs: number };
  vcpus: VcpuAccount[];
  pi: PiResult | null;
  hybrid: HybridResult | null;
  redirect: RedirectResult | null;
  stages: Stage[];
  avoidedBy: AvoidedRow[];
  /** exit id -> mechanism that removed it (first in stacking order). */
  avoidedExits: Map<number, Mechanism>;
  paper: typeof PAPER;
  throughputAssumption: string;
  notes: string[];
}

export const THROUGHPUT_ASSUMPTION = 'Upper bound (G + H) / (G + H - dH): holds for a guest whose vCPU is the bottleneck and whose work per request does not change; '
  + 'it ignores polling CPU taken from other work and any latency effect.';

export function runWhatif(input: ModelInput, params: Partial<WhatifParams> = {}): WhatifResult {
  const p: WhatifParams = { ...DEFAULT_PARAMS, ...params, mechanisms: params.mechanisms ?? [...DEFAULT_PARAMS.mechanisms] };
  const on = (m: Mechanism): boolean => p.mechanisms.includes(m);
  const notes: string[] = [];
  const exits = input.exitsTraced ? input.exits : [];
  const accounts = input.exitsTraced && input.accounts ? input.accounts : accountVcpus(exits);
  const timelines = vcpuTimelines(exits);
  const exitById = new Map(exits.map((e) => [e.id, e]));
  const windowLen = input.windowNs.endNs - input.windowNs.startNs;

  const pi = on('pi') ? modelPostedInterrupts(exits, input.irqs, input.postedEvidence, p) : null;
  const hybrid = on('hybrid') ? modelHybridIo(input.kicks, p) : null;
  const redirect = on('redirect') ? modelRedirection(input.irqs, timelines, p) : null;

  if (!input.exitsTraced) notes.push('kvm_exit is not in this trace: EHT is "not traced"; hybrid I/O counts kicks avoided, not exits.');
  if (pi?.alreadyPosted) notes.push(`already posted: the trace shows hardware posted delivery (${pi.evidence.join(', ')}); PI removes nothing here.`);
  if (input.irqs.length === 0 && (on('pi') || on('redirect'))) notes.push('no interrupts (kvm_set_irq / kvm_msi_set_irq) in the trace: injection kicks and redirection cannot be decided.');
  if (on('hybrid') && input.kicksFromExits) notes.push('no kick events (kvm_pio / kvm_mmio / kvm_fast_mmio) traced: io_request exits stand for the kicks; without a device key all devices of a VM share one state machine, which over-estimates POLL.');
  if (on('hybrid') && input.kicks.length === 0) notes.push('no I/O kicks (kvm_pio / kvm_mmio / kvm_fast_mmio writes) in the trace: hybrid I/O has nothing to act on.');

  // Exits removed, first mechanism in stacking order wins (the sets are disjoint by category anyway).
  const avoidedExits = new Map<number, Mechanism>();
  if (pi) for (const id of pi.avoided.keys()) avoidedExits.set(id, 'pi');
  const kickAvoided = new Set<number>();
  if (hybrid) {
    for (const d of hybrid.decisions) if (d.avoided) kickAvoided.add(d.kickId);
    for (const k of input.kicks) {
      if (k.exitId !== null && kickAvoided.has(k.id) && exitById.has(k.exitId) && !avoidedExits.has(k.exitId)) avoidedExits.set(k.exitId, 'hybrid');
    }
  }

  const l0 = redirect ? redirect.decisions.flatMap((d) => (d.l0Ns === null ? [] : [d.l0Ns])) : baselineLatencies(input);
  const lAfter = redirect ? redirect.decisions.flatMap((d) => (d.lNs === null ? [] : [d.lNs])) : l0;

  const stages: Stage[] = [];
  const active: Mechanism[] = [];
  const stage = (name: string): void => {
    const ids = new Set([...avoidedExits].filter(([, m]) => active.includes(m)).map(([id]) => id));
    const acc = input.exitsTraced ? accountAfter(accounts, exits, ids, p.indirectCostNs) : null;
    const hy = active.includes('hybrid') && hybrid;
    const rd = active.includes('redirect') && redirect;
    stages.push({
      name, mechanisms: [...active],
      exitsAvoided: ids.size,
      kicksAvoided: hy ? hybrid.kicksAvoided : 0,
      dHandlingNs: acc ? acc.dHandlingNs : null,
      dHNs: acc ? acc.dHNs : null,
      eht: acc ? acc.after : null,
      throughputBoundAll: acc ? acc.boundAll : null,
      throughputBoundMaxVcpu: acc ? acc.boundMaxVcpu : null,
      latency: latencyStats(rd ? lAfter : l0),
      redirected: rd ? redirect.redirected : 0,
      pollingCpuNs: hy ? hybrid.pollingCpuNs : 0,
      pollingCpus: hy && windowLen > 0 ? hybrid.pollingCpuNs / windowLen : hy ? null : 0,
    });
  };
  stage('baseline');
  for (const m of p.mechanisms) {
    active.push(m);
    stage(`+${m}`);
  }

  const rows = new Map<string, AvoidedRow>();
  for (const [id, m] of avoidedExits) {
    const e = exitById.get(id)!;
    const k = `${m}\u0000${e.reason}\u0000${e.device ?? ''}`;
    const r = rows.get(k) ?? { mechanism: m, reason: e.reason, device: e.device, exits: 0, handlingNs: 0 };
    r.exits++;
    r.handlingNs += handlingNs(e);
    rows.set(k, r);
  }
  const order = (m: Mechanism): number => ['pi', 'hybrid', 'redirect'].indexOf(m);
  const avoidedBy = [...rows.values()].sort((a, b) => order(a.mechanism) - order(b.mechanism) || b.exits - a.exits
    || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0) || ((a.device ?? '') < (b.device ?? '') ? -1 : (a.device ?? '') > (b.device ?? '') ? 1 : 0));

  return {
    schemaVersion: WHATIF_SCHEMA_VERSION, params: p, paramSources: { ...PARAM_SOURCES }, exitsTraced: input.exitsTraced,
    windowNs: input.windowNs, vcpus: accounts, pi, hybrid, redirect, stages, avoidedBy, avoidedExits,
    paper: PAPER, throughputAssumption: THROUGHPUT_ASSUMPTION, notes,
  };
}

function baselineLatencies(input: ModelInput): number[] {
  return input.irqs.flatMap((q) => (q.deliveryNs !== null && q.deliveryNs >= q.raiseNs ? [q.deliveryNs - q.raiseNs] : []));
}

export interface SweepRow {
  idleWindowNs: number;
  kicksAvoided: number;
  exitsAvoided: number;
  dHandlingNs: number | null;
  pollingCpuNs: number;
  pollingCpus: number | null;
}

/** The trade-off curve: hybrid I/O alone over idle windows (default 0 .. 1 ms). */
export function sweepIdleWindow(input: ModelInput, params: Partial<WhatifParams> = {}, windowsNs: readonly number[] = DEFAULT_SWEEP_NS): SweepRow[] {
  const p: WhatifParams = { ...DEFAULT_PARAMS, ...params, mechanisms: ['hybrid'] };
  const exitById = new Map((input.exitsTraced ? input.exits : []).map((e) => [e.id, e]));
  const windowLen = input.windowNs.endNs - input.windowNs.startNs;
  return windowsNs.map((w) => {
    const h = modelHybridIo(input.kicks, { ...p, idleWindowNs: w });
    const avoided = new Set(h.decisions.filter((d) => d.avoided).map((d) => d.kickId));
    let exitsAvoided = 0;
    let dH = 0;
    for (const k of input.kicks) {
      if (!avoided.has(k.id) || k.exitId === null) continue;
      const e = exitById.get(k.exitId);
      if (!e) continue;
      exitsAvoided++;
      dH += handlingNs(e);
    }
    return {
      idleWindowNs: w, kicksAvoided: h.kicksAvoided, exitsAvoided, dHandlingNs: input.exitsTraced ? dH : null,
      pollingCpuNs: h.pollingCpuNs, pollingCpus: windowLen > 0 ? h.pollingCpuNs / windowLen : null,
    };
  });
}

export const DEFAULT_SWEEP_NS: readonly number[] = [0, 4_096, 8_192, 16_384, 32_768, 65_536, 131_072, 262_144, 524_288, 1_000_000];
