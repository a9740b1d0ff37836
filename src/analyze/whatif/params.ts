// Model parameters: every one has a default, a unit in its name and a source for the default.
// They travel in every output (JSON, Arrow metadata) so that a number can be traced to its knobs.

// 2: params gained pollMode, pollMaxNs, pollGrow, pollShrink (adaptive hybrid poller); in adaptive
// mode hybrid devices carry poll_ns facts and sweep rows are keyed by pollMaxNs.
export const WHATIF_SCHEMA_VERSION = 2;

/** Hybrid poller: a fixed idle window, or QEMU's adaptive poll time (util/aio-posix.c). */
export type PollMode = 'fixed' | 'adaptive';
export const POLL_MODES: readonly PollMode[] = ['fixed', 'adaptive'];

export type Mechanism = 'pi' | 'hybrid' | 'redirect';
/** Stacking order of the report: baseline, +PI, +hybrid I/O, +redirection (= ES2). */
export const MECHANISMS: readonly Mechanism[] = ['pi', 'hybrid', 'redirect'];

export interface WhatifParams {
  mechanisms: Mechanism[];
  /** PI: an EXTERNAL_INTERRUPT exit within this long after an interrupt raised for the vCPU is an injection kick. */
  kickWindowNs: number;
  /** PI: how to treat an EOI exit whose vector's trigger mode the trace does not show. */
  eoiUnknownTrigger: 'edge' | 'level';
  /** Hybrid: enter POLL when the gap between two kicks on a device key is below this. */
  enterGapNs: number;
  /** Hybrid: POLL ends after this long without a kick (QEMU poll-max-ns analogue). */
  idleWindowNs: number;
  /** Hybrid: one poller per device key, or one shared poller per VM (union of POLL time). */
  poller: 'per-key' | 'shared';
  /** Hybrid: optional CPU quota for polling: at most quotaNs of POLL per quotaPeriodNs (0 = none). */
  quotaNs: number;
  quotaPeriodNs: number;
  /** Hybrid: 'fixed' (enterGapNs + idleWindowNs) or 'adaptive' (QEMU's poll_ns replayed; the three poll* below). */
  pollMode: PollMode;
  /** Adaptive: QEMU poll-max-ns, the most the poller busy-polls after an event (0 = never polls). */
  pollMaxNs: number;
  /** Adaptive: QEMU poll-grow, poll_ns multiplier when the block time was within poll-max-ns (0 = QEMU's default, double). */
  pollGrow: number;
  /** Adaptive: QEMU poll-shrink, poll_ns divisor when the block time exceeded poll-max-ns (0 = QEMU's default, reset to 0). */
  pollShrink: number;
  /** Redirection: latency of an interrupt redirected to a running vCPU. */
  redirectCostNs: number;
  /** Indirect cost per avoided exit (cache/TLB pollution) added to dH. */
  indirectCostNs: number;
}

/** Defaults and where they come from (printed with --help and in the README). */
export const DEFAULT_PARAMS: Readonly<WhatifParams> = Object.freeze({
  mechanisms: [...MECHANISMS],
  kickWindowNs: 20_000,
  eoiUnknownTrigger: 'edge',
  enterGapNs: 50_000,
  idleWindowNs: 32_768,
  poller: 'per-key',
  quotaNs: 0,
  quotaPeriodNs: 1_000_000,
  pollMode: 'fixed',
  pollMaxNs: 32_768,
  pollGrow: 0,
  pollShrink: 0,
  redirectCostNs: 1_000,
  indirectCostNs: 0,
});

export const PARAM_SOURCES: Readonly<Record<keyof WhatifParams, string>> = Object.freeze({
  mechanisms: 'all three; stacked in the order pi, hybrid, redirect',
  kickWindowNs: 'an assumption: a kick IPI reaches the target pCPU within a few µs; 20 µs leaves room for µs-resolution text traces',
  eoiUnknownTrigger: 'MSI (virtio) vectors are edge-triggered; only IOAPIC level vectors keep EOI exits under virtual-interrupt delivery',
  enterGapNs: 'an assumption of the order of vhost-net busy-poll (poll-us, commonly tens of µs) and below KVM halt polling (200 µs)',
  idleWindowNs: "QEMU iothread adaptive polling poll-max-ns default (32768 ns, util/aio-posix.c)",
  poller: 'per-key: one poller thread per virtqueue, as vhost does',
  quotaNs: '0: no quota (the paper describes a bounded poller; its quota is not public)',
  quotaPeriodNs: '1 ms period for the quota',
  pollMode: 'fixed: the ES2-style window (enterGapNs, idleWindowNs); adaptive replays QEMU 7.2 util/aio-posix.c poll_ns (the A/B check against QEMU)',
  pollMaxNs: 'QEMU iothread poll-max-ns default 32768 ns (EVENT_LOOP_BACKEND_POLL_MAX_NS_DEFAULT, util/event-loop-base.c)',
  pollGrow: 'QEMU poll-grow default 0 = double poll_ns; from 0 it starts at 4000 ns (util/aio-posix.c "start polling at 4 microseconds")',
  pollShrink: 'QEMU poll-shrink default 0 = reset poll_ns to 0 when the block time exceeds poll-max-ns (util/aio-posix.c)',
  redirectCostNs: 'of the order of a microsecond (a posted-interrupt IPI to a running pCPU)',
  indirectCostNs: '0: no indirect cost unless measured',
});

/** Parse "--mechanisms pi,hybrid" (order does not matter; the report stacks in MECHANISMS order). */
export function parseMechanisms(text: string): Mechanism[] {
  const want = text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = want.filter((m) => !(MECHANISMS as readonly string[]).includes(m));
  if (bad.length) throw new Error(`unknown mechanism(s) ${bad.join(', ')}; choose from ${MECHANISMS.join(', ')}`);
  return MECHANISMS.filter((m) => want.includes(m));
}

/** Check ranges; returns the problems (empty = valid). */
export function validateParams(p: WhatifParams): string[] {
  const bad: string[] = [];
  for (const k of ['kickWindowNs', 'enterGapNs', 'idleWindowNs', 'quotaNs', 'redirectCostNs', 'indirectCostNs', 'pollMaxNs', 'pollGrow', 'pollShrink'] as const) {
    if (!Number.isInteger(p[k]) || p[k] < 0) bad.push(`${k} must be an integer >= 0 (got ${p[k]})`);
  }
  if (!Number.isInteger(p.quotaPeriodNs) || p.quotaPeriodNs <= 0) bad.push(`quotaPeriodNs must be an integer > 0 (got ${p.quotaPeriodNs})`);
  if (p.quotaNs > p.quotaPeriodNs) bad.push('quotaNs must not exceed quotaPeriodNs');
  if (!(POLL_MODES as readonly string[]).includes(p.pollMode)) bad.push(`pollMode must be ${POLL_MODES.join(' or ')} (got ${p.pollMode})`);
  if (p.pollMode === 'adaptive' && p.quotaNs > 0) bad.push('quotaNs applies to the fixed poller only (QEMU has no polling quota); use --quota-ns 0 with --poll-mode adaptive');
  return bad;
}
