// The ES2 what-if model: runs the selected mechanisms over one trace's model input and stacks them
// (baseline, +PI, +hybrid I/O, +redirection = ES2) so each mechanism's share can be told apart.
// Pure and deterministic: same input and parameters, same result.
import { accountAfterSums, accountVcpus, handlingNs, type Eht, type VcpuAccount } from './accounting.js';
import { modelHybridIo, type HybridResult } from './hybrid.js';
import { DEFAULT_PARAMS, PARAM_SOURCES, WHATIF_SCHEMA_VERSION, type Mechanism, type WhatifParams } from './params.js';
import { PAPER } from './paper.js';
import { modelPostedInterrupts, type PiResult } from './posted.js';
import { latencyStats, type LatencyStats } from './quantiles.js';
import { modelRedirection, type RedirectResult } from './redirect.js';
import { vcpuTimelines } from './runState.js';
import { idsArePositions, positionOfId, VcpuIndex } from './order.js';
import type { ModelExit, ModelInput } from './types.js';

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
  const exitPos = positionOfId(exits);
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
  if (hybrid) {
    const avoidedKick = kickAvoidedFlags(input.kicks, hybrid.decisions);
    input.kicks.forEach((k, i) => {
      if (k.exitId !== null && avoidedKick[i] === 1 && exitPos(k.exitId) >= 0 && !avoidedExits.has(k.exitId)) avoidedExits.set(k.exitId, 'hybrid');
    });
  }

  const l0 = redirect ? latencies(redirect.decisions, 'l0Ns') : baselineLatencies(input);
  const lAfter = redirect ? latencies(redirect.decisions, 'lNs') : l0;

  // The avoided exits once, in exits order with their mechanism: each stage sums the ones whose
  // mechanism is active (instead of a Set and a pass over every exit per stage).
  const avoided = avoidedInExitOrder(exits, avoidedExits);
  const stages: Stage[] = [];
  const active: Mechanism[] = [];
  const stage = (name: string): void => {
    const on = new Uint8Array(MECH_CODES.length);
    for (const m of active) on[MECH_CODES.indexOf(m)] = 1;
    let n = 0; // distinct exit ids, as a Set of them counted
    for (let c = 0; c < MECH_CODES.length; c++) if (on[c]) n += avoided.ids[c]!;
    const acc = input.exitsTraced ? accountAfterPositions(accounts, exits, avoided, on, p.indirectCostNs) : null;
    const hy = active.includes('hybrid') && hybrid;
    const rd = active.includes('redirect') && redirect;
    stages.push({
      name, mechanisms: [...active],
      exitsAvoided: n,
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

  // rows per (mechanism, reason, device): nested maps, no key string per avoided exit
  const rows = new Map<Mechanism, Map<string, Map<string, AvoidedRow>>>();
  const all: AvoidedRow[] = [];
  for (const [id, m] of avoidedExits) {
    const e = exits[exitPos(id)]!;
    let byReason = rows.get(m);
    if (!byReason) rows.set(m, (byReason = new Map()));
    let byDevice = byReason.get(e.reason);
    if (!byDevice) byReason.set(e.reason, (byDevice = new Map()));
    let r = byDevice.get(e.device ?? '');
    if (!r) { byDevice.set(e.device ?? '', (r = { mechanism: m, reason: e.reason, device: e.device, exits: 0, handlingNs: 0 })); all.push(r); }
    r.exits++;
    r.handlingNs += handlingNs(e);
  }
  const order = (m: Mechanism): number => ['pi', 'hybrid', 'redirect'].indexOf(m);
  const avoidedBy = all.sort((a, b) => order(a.mechanism) - order(b.mechanism) || b.exits - a.exits
    || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0) || ((a.device ?? '') < (b.device ?? '') ? -1 : (a.device ?? '') > (b.device ?? '') ? 1 : 0));

  return {
    schemaVersion: WHATIF_SCHEMA_VERSION, params: p, paramSources: { ...PARAM_SOURCES }, exitsTraced: input.exitsTraced,
    windowNs: input.windowNs, vcpus: accounts, pi, hybrid, redirect, stages, avoidedBy, avoidedExits,
    paper: PAPER, throughputAssumption: THROUGHPUT_ASSUMPTION, notes,
  };
}

function baselineLatencies(input: ModelInput): number[] {
  const out: number[] = [];
  for (const q of input.irqs) if (q.deliveryNs !== null && q.deliveryNs >= q.raiseNs) out.push(q.deliveryNs - q.raiseNs);
  return out;
}

function latencies(decisions: readonly { l0Ns: number | null; lNs: number | null }[], field: 'l0Ns' | 'lNs'): number[] {
  const out: number[] = [];
  for (const d of decisions) { const v = d[field]; if (v !== null) out.push(v); }
  return out;
}

/** Per kick (by position in `kicks`): 1 when its decision says avoided. */
function kickAvoidedFlags(kicks: readonly { id: number }[], decisions: readonly { kickId: number; avoided: boolean }[]): Uint8Array {
  const posOf = positionOfId(kicks);
  const out = new Uint8Array(kicks.length);
  const avoidedIds = new Set<number>();
  for (const d of decisions) {
    if (!d.avoided) continue;
    const i = posOf(d.kickId);
    if (i >= 0) out[i] = 1;
    avoidedIds.add(d.kickId);
  }
  // several kicks may share an id (hand-made inputs): every kick with an avoided id counts
  if (!kicks.every((k, i) => out[i] === 1 || !avoidedIds.has(k.id))) kicks.forEach((k, i) => { if (avoidedIds.has(k.id)) out[i] = 1; });
  return out;
}

const MECH_CODES: readonly Mechanism[] = ['pi', 'hybrid', 'redirect'];

/** Avoided exits as positions in `exits` (exits order) with their mechanism code; `ids` = distinct avoided ids per mechanism code. */
interface AvoidedPositions { pos: Int32Array; mech: Uint8Array; ids: number[] }

function avoidedInExitOrder(exits: readonly ModelExit[], avoidedExits: ReadonlyMap<number, Mechanism>): AvoidedPositions {
  const pos: number[] = [];
  const mech: number[] = [];
  const ids = MECH_CODES.map(() => 0);
  for (const x of avoidedExits.values()) ids[MECH_CODES.indexOf(x)]!++;
  if (idsArePositions(exits)) {
    const m = new Int8Array(exits.length).fill(-1);
    for (const [id, x] of avoidedExits) if (id >= 0 && id < exits.length) m[id] = MECH_CODES.indexOf(x);
    for (let i = 0; i < exits.length; i++) if (m[i]! >= 0) { pos.push(i); mech.push(m[i]!); }
  } else {
    // every exit whose id is avoided (ids may repeat in hand-made inputs)
    exits.forEach((e, i) => { const x = avoidedExits.get(e.id); if (x !== undefined) { pos.push(i); mech.push(MECH_CODES.indexOf(x)); } });
  }
  return { pos: Int32Array.from(pos), mech: Uint8Array.from(mech), ids };
}

/**
 * accountAfter (accounting.ts) for the avoided exits whose mechanism is on: the same sums in the
 * same order, keyed by (vm, vCPU) without a string per exit.
 */
function accountAfterPositions(accounts: readonly VcpuAccount[], exits: readonly ModelExit[], avoided: AvoidedPositions, on: Uint8Array, indirectCostNs: number) {
  const keys = new VcpuIndex();
  const handling: number[] = [];
  const count: number[] = [];
  for (let k = 0; k < avoided.pos.length; k++) {
    if (!on[avoided.mech[k]!]) continue;
    const e = exits[avoided.pos[k]!]!;
    if (e.category === 'halt') continue;
    const j = keys.of(e.vm, e.vcpu);
    handling[j] = (handling[j] ?? 0) + handlingNs(e);
    count[j] = (count[j] ?? 0) + 1;
  }
  return accountAfterSums(accounts, (a) => {
    const j = keys.get(a.vm, a.vcpu);
    return j >= 0 ? { handling: handling[j]!, n: count[j]! } : { handling: 0, n: 0 };
  }, indirectCostNs);
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
  const exits = input.exitsTraced ? input.exits : [];
  const exitPos = positionOfId(exits);
  const windowLen = input.windowNs.endNs - input.windowNs.startNs;
  return windowsNs.map((w) => {
    const h = modelHybridIo(input.kicks, { ...p, idleWindowNs: w });
    const avoided = kickAvoidedFlags(input.kicks, h.decisions);
    let exitsAvoided = 0;
    let dH = 0;
    for (let i = 0; i < input.kicks.length; i++) {
      const k = input.kicks[i]!;
      if (!avoided[i] || k.exitId === null) continue;
      const j = exitPos(k.exitId);
      if (j < 0) continue;
      const e = exits[j]!;
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
