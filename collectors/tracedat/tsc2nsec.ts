// TSC2NSEC conversion of trace.dat time stamps, ((cycles * mult) >> shift) + offset, as trace-cmd
// applies it (lib/trace-cmd/trace-input.c, tsc2nsec option written by trace-cmd record
// --tsc2nsec; example option values: mult 2796202, shift 23, offset 0), exact and without a BigInt
// per record: every kvm_exit of a tsc2nsec host trace goes through it.

const TWO16 = 65536;
const TWO32 = 4294967296;

/**
 * A converter for one file's TSC2NSEC values: cycles (an exact double below 2^53) -> ns as an
 * exact double, or -1 when the double path cannot be exact (shift outside 16..32, mult outside
 * 32 bits, result or offset outside [0, 2^53)); the caller then uses the BigInt formula.
 */
export function tsc2nsecNumber(mult: number, shift: number, offset: bigint): (cycles: number) => number {
  const usable = Number.isInteger(mult) && mult >= 0 && mult < TWO32 && Number.isInteger(shift) && shift >= 16 && shift <= 32
    && offset >= -BigInt(Number.MAX_SAFE_INTEGER) && offset <= BigInt(Number.MAX_SAFE_INTEGER);
  if (!usable) return () => -1;
  const off = Number(offset);
  const mH = Math.floor(mult / TWO16);
  const mL = mult % TWO16;
  const highScale = 2 ** (32 - shift);
  const lowDiv = 2 ** (shift - 16);
  return (cycles: number): number => {
    // cycles = tH * 2^32 + tL; cycles * mult = tH*mult * 2^32 + tL*mH * 2^16 + tL*mL, every
    // product below 2^53; floor(x / 2^shift) taken part by part (shift <= 32 keeps tH*mult whole)
    const tH = Math.floor(cycles / TWO32);
    const tL = cycles - tH * TWO32;
    const low = Math.floor((tL * mH + Math.floor((tL * mL) / TWO16)) / lowDiv);
    const q = tH * mult * highScale + low;
    const ns = q + off;
    return q < Number.MAX_SAFE_INTEGER && ns >= 0 && ns <= Number.MAX_SAFE_INTEGER ? ns : -1;
  };
}
