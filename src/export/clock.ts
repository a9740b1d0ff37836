// Trace clock -> Unix epoch. Points carry the trace's own time windows, but a trace clock is often
// not the wall clock (ftrace "local"/"mono" clocks count from boot, x86-tsc counts cycles): samples
// at 1970 + uptime are useless to a store with a retention window. So: a trace whose timestamps
// already look like Unix-epoch ns is kept as is; any other is shifted so that its end lands at the
// export time (or at --trace-end-time), keeping every interval exact. The offset is exported as a
// resource attribute so nothing is hidden.
import type { HrTime } from '@opentelemetry/api';

export type ClockMode = 'auto' | 'trace' | 'anchor';

export interface ClockMapping {
  /** Added to trace-clock ns to get Unix-epoch ns. */
  offsetNs: bigint;
  /** Why this offset (printed in verbose output and tests). */
  why: string;
}

// 2000-01-01T00:00:00Z in ns: below it a timestamp is not a plausible wall-clock reading.
const EPOCH_2000_NS = 946_684_800_000_000_000n;
const DAY_NS = 86_400_000_000_000n;

/**
 * Decide the offset. `nowNs` is the export time (Unix ns), `anchorEndNs` an explicit Unix time for
 * the trace's last timestamp.
 */
export function clockMapping(firstNs: bigint, lastNs: bigint, mode: ClockMode, nowNs: bigint, anchorEndNs?: bigint): ClockMapping {
  if (anchorEndNs !== undefined) return { offsetNs: anchorEndNs - lastNs, why: 'trace end anchored at the given --trace-end-time' };
  const wallLike = firstNs >= EPOCH_2000_NS && lastNs <= nowNs + DAY_NS;
  if (mode === 'trace' || (mode === 'auto' && wallLike)) {
    return { offsetNs: 0n, why: wallLike ? 'trace timestamps are Unix-epoch ns (wall clock)' : 'trace clock kept as is (--clock trace)' };
  }
  return { offsetNs: nowNs - lastNs, why: 'trace clock is not the wall clock: its end is anchored at the export time' };
}

/** Unix-epoch ns (bigint) -> OTel HrTime [seconds, nanoseconds]. */
export function hrTimeOf(epochNs: bigint): HrTime {
  const s = epochNs / 1_000_000_000n;
  let ns = epochNs % 1_000_000_000n;
  let sec = s;
  if (ns < 0n) { ns += 1_000_000_000n; sec -= 1n; }
  return [Number(sec), Number(ns)];
}

/** Trace ns -> HrTime via a mapping. */
export function traceHrTime(traceNs: bigint, map: ClockMapping): HrTime {
  return hrTimeOf(traceNs + map.offsetNs);
}

/** Parse --trace-end-time: an ISO date or Unix seconds (integer) -> Unix ns. Throws with a hint. */
export function parseTimeArg(text: string): bigint {
  if (/^\d+$/.test(text)) return BigInt(text) * 1_000_000_000n;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`cannot read the time "${text}": give an ISO date (2025-05-20T10:00:00Z) or Unix seconds`);
  return BigInt(ms) * 1_000_000n;
}
