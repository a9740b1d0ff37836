// The ES2 what-if model: runs the selected mechanisms over one trace's model input and stacks them
// (baseline, +PI, +hybrid I/O, +redirection = ES2) so each mechanism's share can be told apart.
// Pure and deterministic: same input and parameters, same result.
import { accountAfterSums, accountVcpus, type Eht, type VcpuAccount } from './accounting.js';
import { KICK_FLAG, modelHybridIo, type HybridResult } from './hybrid.js';
import { DEFAULT_PARAMS, PARAM_SOURCES, WHATIF_SCHEMA_VERSION, type Mechanism, type WhatifParams } from './params.js';
import { PAPER } from './paper.js';
import { modelPostedInterrupts, type PiResult } from './posted.js';
import { latencyStats, type LatencyStats } from './quantiles.js';
import { modelRedirection, type RedirectResult } from './redirect.js';
import { vcpuTimelines } from './runState.js';
import { positionOfId, vcpuKeys } from './order.js';
import { CATEGORY_CODE, emptyExits, handlingNsAt, idAt, NULL_I32, type ModelInput } from './types.js';

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

/** Removed exits as columns over the exit positions of the input. */
export interface AvoidedExits {
  /** Per exit position: 0 = kept, else 1 + index in MECH_CODES of the mechanism that removed it. */
  mech: Uint8Array;
  /** Positions of the removed exits in the order they were decided (PI's, then hybrid's in kick order). */
  order: Int32Array;
  /** Removed exits per mechanism (index in MECH_CODES). */
  counts: number[];
}

/** Mechanisms in stacking order; AvoidedExits.mech holds 1 + the index. */
export const MECH_CODES: readonly Mechanism[] = ['pi', 'hybrid', 'redirect'];

/** (exit id, mechanism) of every removed exit, in decision order (for small consumers and tests). */
export function avoidedExitIds(input: ModelInput, r: WhatifResult): [number, Mechanism][] {
  const ex = input.exitsTraced ? input.exits : emptyExits();
  return Array.from(r.avoidedExits.order, (pos) => [idAt(ex, pos), MECH_CODES[r.avoidedExits.mech[pos]! - 1]!]);
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
  /** The exits removed and the mechanism that removed each (first in stacking order). */
  avoidedExits: AvoidedExits;
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
  const { strings, kicks, irqs } = input;
  const exits = input.exitsTraced ? input.exits : emptyExits();
  const model = { strings, exits, irqs, kicks };
  const keys = vcpuKeys(exits.vm, exits.vcpu, exits.length); // (vm, vCPU) per exit, once
  const accounts = input.exitsTraced && input.accounts ? input.accounts : accountVcpus(model, keys);
  const timelines = vcpuTimelines(model, keys);
  const exitPos = positionOfId(exits);
  const windowLen = input.windowNs.endNs - input.windowNs.startNs;

  const pi = on('pi') ? modelPostedInterrupts(model, input.postedEvidence, p) : null;
  const hybrid = on('hybrid') ? modelHybridIo(model, p) : null;
  const redirect = on('redirect') ? modelRedirection(model, timelines, p) : null;

  if (!input.exitsTraced) notes.push('kvm_exit is not in this trace: EHT is "not traced"; hybrid I/O counts kicks avoided, not exits.');
  if (pi?.alreadyPosted) notes.push(`already posted: the trace shows hardware posted delivery (${pi.evidence.join(', ')}); PI removes nothing here.`);
  if (irqs.length === 0 && (on('pi') || on('redirect'))) notes.push('no interrupts (kvm_set_irq / kvm_msi_set_irq) in the trace: injection kicks and redirection cannot be decided.');
  if (on('hybrid') && input.kicksFromExits) notes.push('no kick events (kvm_pio / kvm_mmio / kvm_fast_mmio) traced: io_request exits stand for the kicks; without a device key all devices of a VM share one state machine, which over-estimates POLL.');
  if (on('hybrid') && p.pollMode === 'adaptive') {
    notes.push(`hybrid I/O: adaptive poller (QEMU util/aio-posix.c poll_ns replayed per device key, poll-max-ns ${p.pollMaxNs} ns); enter gap and idle window are unused. `
      + 'From kick times alone: completions and other handlers of the same iothread, request processing time and the guest batching more while polled are not seen (src/analyze/whatif/README.md).');
  }
  if (on('hybrid') && kicks.length === 0) notes.push('no I/O kicks (kvm_pio / kvm_mmio / kvm_fast_mmio writes) in the trace: hybrid I/O has nothing to act on.');

  // Exits removed, first mechanism in stacking order wins (the sets are disjoint by category anyway).
  const mech = new Uint8Array(exits.length);
  const order: number[] = [];
  const counts = MECH_CODES.map(() => 0);
  if (pi) for (const e of pi.order) { mech[e] = 1; order.push(e); counts[0]!++; }
  if (hybrid) {
    for (let i = 0; i < kicks.length; i++) {
      const exitId = kicks.exitId[i]!;
      if (exitId === NULL_I32 || !(hybrid.kickFlags[i]! & KICK_FLAG.AVOIDED)) continue;
      const e = exitPos(exitId);
      if (e >= 0 && mech[e] === 0) { mech[e] = 2; order.push(e); counts[1]!++; }
    }
  }
  const avoidedExits: AvoidedExits = { mech, order: Int32Array.from(order), counts };

  // latency distributions once (stages share them)
  const l0 = latencyStats(redirect ? notNaN(redirect.l0Ns) : baselineLatencies(input));
  const lAfter = redirect ? latencyStats(notNaN(redirect.lNs)) : l0;
  // removed exits in exit order, for the per-stage sums
  const removedPos = Int32Array.from(order).sort();

  const stages: Stage[] = [];
  const active: Mechanism[] = [];
  const stage = (name: string): void => {
    const act = new Uint8Array(MECH_CODES.length + 1); // by mech code (1 + index)
    for (const m of active) act[MECH_CODES.indexOf(m) + 1] = 1;
    let n = 0; // distinct exits removed by the active mechanisms
    for (let c = 0; c < MECH_CODES.length; c++) if (act[c + 1]) n += counts[c]!;
    const acc = input.exitsTraced ? accountAfterActive(accounts, model, keys, removedPos, mech, act, p.indirectCostNs) : null;
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
      latency: { ...(rd ? lAfter : l0) },
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
  const rows = new Map<number, Map<number, Map<string, AvoidedRow>>>();
  const all: AvoidedRow[] = [];
  for (const e of avoidedExits.order) {
    const m = mech[e]!;
    const reason = exits.reason[e]!;
    const dc = exits.device[e]!;
    const device = dc >= 0 ? strings[dc]! : null;
    let byReason = rows.get(m);
    if (!byReason) rows.set(m, (byReason = new Map()));
    let byDevice = byReason.get(reason);
    if (!byDevice) byReason.set(reason, (byDevice = new Map()));
    let r = byDevice.get(device ?? '');
    if (!r) { byDevice.set(device ?? '', (r = { mechanism: MECH_CODES[m - 1]!, reason: strings[reason]!, device, exits: 0, handlingNs: 0 })); all.push(r); }
    r.exits++;
    r.handlingNs += handlingNsAt(exits, e);
  }
  const rank = (m: Mechanism): number => MECH_CODES.indexOf(m);
  const avoidedBy = all.sort((a, b) => rank(a.mechanism) - rank(b.mechanism) || b.exits - a.exits
    || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0) || ((a.device ?? '') < (b.device ?? '') ? -1 : (a.device ?? '') > (b.device ?? '') ? 1 : 0));

  return {
    schemaVersion: WHATIF_SCHEMA_VERSION, params: p, paramSources: { ...PARAM_SOURCES }, exitsTraced: input.exitsTraced,
    windowNs: input.windowNs, vcpus: accounts, pi, hybrid, redirect, stages, avoidedBy, avoidedExits,
    paper: PAPER, throughputAssumption: THROUGHPUT_ASSUMPTION, notes,
  };
}

function baselineLatencies(input: ModelInput): Float64Array {
  const { raiseNs, deliveryNs } = input.irqs;
  let n = 0;
  const out = new Float64Array(input.irqs.length);
  for (let i = 0; i < out.length; i++) {
    const d = deliveryNs[i]!, r = raiseNs[i]!;
    if (!Number.isNaN(d) && d >= r) out[n++] = d - r;
  }
  return out.subarray(0, n);
}

/** The values that are not NaN (a latency column without its "not seen" rows). */
function notNaN(a: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i]!)) out[n++] = a[i]!;
  return out.subarray(0, n);
}

/**
 * accountAfter (accounting.ts) for the removed exits whose mechanism is active: the same sums,
 * in exit order, keyed by (vm, vCPU) without a string per exit.
 */
function accountAfterActive(accounts: readonly VcpuAccount[], inp: Pick<ModelInput, 'strings' | 'exits'>, keys: ReturnType<typeof vcpuKeys>,
  removedPos: Int32Array, mech: Uint8Array, act: Uint8Array, indirectCostNs: number) {
  const { exits, strings } = inp;
  const nk = keys.vms.length;
  const handling = new Float64Array(nk);
  const count = new Float64Array(nk);
  const halt = CATEGORY_CODE.halt;
  for (let k = 0; k < removedPos.length; k++) {
    const e = removedPos[k]!;
    const m = mech[e]!;
    if (!act[m] || exits.category[e] === halt) continue;
    const j = keys.keyOf[e]!;
    handling[j]! += handlingNsAt(exits, e);
    count[j]!++;
  }
  // account (vm label, vCPU) -> key
  const byVcpu = new Map<string, Map<number, number>>();
  for (let j = 0; j < nk; j++) {
    const vm = strings[keys.vms[j]!]!;
    let m = byVcpu.get(vm);
    if (!m) byVcpu.set(vm, (m = new Map()));
    m.set(keys.vcpus[j]!, j);
  }
  return accountAfterSums(accounts, (a) => {
    const j = byVcpu.get(a.vm)?.get(a.vcpu);
    return j !== undefined ? { handling: handling[j]!, n: count[j]! } : { handling: 0, n: 0 };
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
  return windowsNs.map((w) => ({ idleWindowNs: w, ...sweepPoint(input, modelHybridIo(input, { ...p, idleWindowNs: w })) }));
}

/** A sweep row of the adaptive poller: keyed by QEMU's poll-max-ns instead of the idle window. */
export interface PollMaxSweepRow extends Omit<SweepRow, 'idleWindowNs'> { pollMaxNs: number }
export type HybridSweepRow = SweepRow | PollMaxSweepRow;

/**
 * The trade-off curve of the selected poller: fixed -> over idle windows (sweepIdleWindow, same
 * rows); adaptive -> over poll-max-ns with poll-grow/poll-shrink as given.
 */
export function sweepHybrid(input: ModelInput, params: Partial<WhatifParams> = {}, valuesNs: readonly number[] = DEFAULT_SWEEP_NS): HybridSweepRow[] {
  const p: WhatifParams = { ...DEFAULT_PARAMS, ...params, mechanisms: ['hybrid'] };
  if (p.pollMode !== 'adaptive') return sweepIdleWindow(input, params, valuesNs);
  return valuesNs.map((m) => ({ pollMaxNs: m, ...sweepPoint(input, modelHybridIo(input, { ...p, pollMaxNs: m })) }));
}

/** Exits avoided, their handling time and polling CPU of one hybrid run. */
function sweepPoint(input: ModelInput, h: HybridResult): Omit<SweepRow, 'idleWindowNs'> {
  const exits = input.exitsTraced ? input.exits : emptyExits();
  const exitPos = positionOfId(exits);
  const windowLen = input.windowNs.endNs - input.windowNs.startNs;
  const { kicks } = input;
  let exitsAvoided = 0;
  let dH = 0;
  for (let i = 0; i < kicks.length; i++) {
    const exitId = kicks.exitId[i]!;
    if (!(h.kickFlags[i]! & KICK_FLAG.AVOIDED) || exitId === NULL_I32) continue;
    const j = exitPos(exitId);
    if (j < 0) continue;
    exitsAvoided++;
    dH += handlingNsAt(exits, j);
  }
  return {
    kicksAvoided: h.kicksAvoided, exitsAvoided, dHandlingNs: input.exitsTraced ? dH : null,
    pollingCpuNs: h.pollingCpuNs, pollingCpus: windowLen > 0 ? h.pollingCpuNs / windowLen : null,
  };
}

export const DEFAULT_SWEEP_NS: readonly number[] = [0, 4_096, 8_192, 16_384, 32_768, 65_536, 131_072, 262_144, 524_288, 1_000_000];
