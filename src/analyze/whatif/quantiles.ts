// Latency distribution summary: nearest-rank percentiles on integer nanoseconds (deterministic,
// no interpolation, so every printed value is one that was observed). Pure.

export interface LatencyStats { n: number; p50Ns: number | null; p90Ns: number | null; p99Ns: number | null; maxNs: number | null }

export function latencyStats(valuesNs: ArrayLike<number>): LatencyStats {
  const a = Float64Array.from(valuesNs).sort();
  const n = a.length;
  const rank = (q: number): number | null => (n === 0 ? null : a[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!);
  return { n, p50Ns: rank(0.5), p90Ns: rank(0.9), p99Ns: rank(0.99), maxNs: n ? a[n - 1]! : null };
}
