// TSC2NSEC applied without BigInt (collectors/tracedat/tsc2nsec.ts) must equal trace-cmd's
// ((cycles * mult) >> shift) + offset exactly: 32-bit carries, large multipliers, every shift the
// double path takes, and a clean refusal (-1) where it cannot be exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tsc2nsecNumber } from '../../../collectors/tracedat/tsc2nsec.js';

const formula = (c: bigint, mult: number, shift: number, offset: bigint): bigint => ((c * BigInt(mult)) >> BigInt(shift)) + offset;

/** Deterministic pseudo-random integers (xorshift), so a failure reproduces. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

test('cycles across 2^32 carries, big multipliers, shifts 16..32: exact against the BigInt formula', () => {
  const r = rng(12345);
  const cases: [number, number, bigint][] = [[2796202, 23, 0n], [0xffffffff, 32, 0n], [0x80000001, 31, 123n], [65535, 16, 0n], [1, 16, -5n]];
  for (let i = 0; i < 200; i++) cases.push([r(), 16 + (r() % 17), BigInt(r() % 1000000) - 500000n]);
  for (const [mult, shift, offset] of cases) {
    const f = tsc2nsecNumber(mult, shift, offset);
    const cycles = [0, 1, 4294967295, 4294967296, 4294967297, 2 ** 40 - 1, 2 ** 43 + 12345, 2 ** 52 + 7];
    for (let i = 0; i < 40; i++) cycles.push(r() * 2 ** 20 + (r() & 0xfffff));
    for (const c of cycles) {
      const want = formula(BigInt(c), mult, shift, offset);
      const got = f(c);
      if (got === -1) assert.ok(want < 0n || want > BigInt(Number.MAX_SAFE_INTEGER) || ((BigInt(c) * BigInt(mult)) >> BigInt(shift)) >= BigInt(Number.MAX_SAFE_INTEGER), `refused ${c} * ${mult} >> ${shift}`);
      else assert.equal(BigInt(got), want, `${c} * ${mult} >> ${shift} + ${offset}`);
    }
  }
});

test('shift outside 16..32, a 33-bit multiplier or a huge offset: refused, so the BigInt path runs', () => {
  assert.equal(tsc2nsecNumber(2796202, 12, 0n)(1e12), -1);
  assert.equal(tsc2nsecNumber(2796202, 40, 0n)(1e12), -1);
  assert.equal(tsc2nsecNumber(2 ** 33, 20, 0n)(1e12), -1);
  assert.equal(tsc2nsecNumber(2796202, 23, 1n << 60n)(1e12), -1);
  // a result beyond 2^53 ns is refused, not rounded
  assert.equal(tsc2nsecNumber(0xffffffff, 16, 0n)(2 ** 52), -1);
});
