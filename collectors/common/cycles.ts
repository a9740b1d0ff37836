// Raw TSC / "counter" clock cycles -> nanoseconds with a user-given frequency (--tsc-hz), exactly:
// ns = floor(cycles * 1e9 / hz) in BigInt (no float on time). Truncation matches the kernel's
// own cycles->ns conversions (mul_u64_u32_shr), so a converted time is never later than the true one.
import { TraceInputError } from './diagnostics.js';

const NS_PER_S = 1_000_000_000n;

/** Check --tsc-hz: a whole, positive number of Hz (e.g. 2400000000). Returns it as a BigInt. */
export function tscHzBig(hz: number): bigint {
  if (!Number.isSafeInteger(hz) || hz <= 0) {
    throw new TraceInputError(`--tsc-hz ${hz} is not a whole, positive number of Hz`, undefined,
      'give the TSC frequency in Hz, e.g. --tsc-hz 2400000000 (dmesg: "tsc: Refined TSC clocksource calibration: 2399.987 MHz" -> 2399987000)');
  }
  return BigInt(hz);
}

/** floor(cycles * 1e9 / hz) for cycles >= 0. */
export function cyclesToNs(cycles: bigint, hz: bigint): bigint {
  return (cycles * NS_PER_S) / hz;
}

/** The note a collector leaves after converting. */
export function convertedNote(clock: string, hz: bigint): string {
  return `TIME UNIT = NS (converted): raw ${clock} cycles converted with --tsc-hz ${hz} (${Number(hz) / 1e6} MHz) as floor(cycles * 1e9 / hz)`;
}
