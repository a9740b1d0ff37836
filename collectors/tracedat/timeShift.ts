// TIME_SHIFT (option 12): a guest's trace.dat carries, per guest CPU, samples of the guest->host
// clock offset taken while tracing (trace-cmd agent / host-guest time sync). trace-cmd report moves
// every guest timestamp onto the host clock with them before anything else (TSC2NSEC, offsets),
// and so do we, so that a guest file lines up with its host's trace. Follows trace-cmd 3.4
// lib/trace-cmd/trace-input.c: tsync_cpu_offsets_load (samples sorted by time, equal times
// dropped), timestamp_host_sync (binary search of the pair around ts), timestamp_correction_calc:
//   tscor = flags & INTERPOLATE ? min.offset + ((ts - min.time) * (max.offset - min.offset) + delta/2) / delta
//                               : min.offset          (delta = max.time - min.time)
//   ts' = ((ts * min.scaling) >> min.fraction) + tscor
// with one sample just ts + offset. Arithmetic in 64 bits as in C (products wrap, signed division
// truncates toward zero), so the same file gives trace-cmd's numbers to the nanosecond.
// Option layout: u64 peer trace id, u32 flags, u32 cpu count, per CPU { u32 n, i64 time[n],
// i64 offset[n], i64 scaling[n] }, then (when bytes remain, trace-cmd >= 3.0) per CPU i64 fraction[n].

/** TRACECMD_TSYNC_FLAG_INTERPOLATE (trace-cmd.h). */
export const TSYNC_INTERPOLATE = 1;

export interface TimeShiftSample {
  readonly time: bigint;
  readonly offset: bigint;
  readonly scaling: bigint;
  readonly fraction: bigint;
}

export interface TimeShift {
  readonly peerTraceId: bigint;
  readonly flags: number;
  /** By guest CPU: samples sorted by time, no two with the same time. */
  readonly cpus: readonly (readonly TimeShiftSample[])[];
}

const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const i64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** Parse the option's bytes; a text saying what is wrong when they do not hold what they announce. */
export function parseTimeShift(d: Buffer, le: boolean): TimeShift | string {
  let p = 0;
  const need = (n: number): boolean => p + n <= d.length;
  const u32 = (): number => { const v = le ? d.readUInt32LE(p) : d.readUInt32BE(p); p += 4; return v; };
  const s64 = (): bigint => { const v = le ? d.readBigInt64LE(p) : d.readBigInt64BE(p); p += 8; return v; };
  if (!need(16)) return 'TIME_SHIFT option shorter than 16 bytes';
  const peerTraceId = BigInt.asUintN(64, s64());
  const flags = u32();
  const cpuCount = u32();
  if (cpuCount > 1 << 16) return `TIME_SHIFT option announces ${cpuCount} CPUs`;
  const raw: { time: bigint[]; offset: bigint[]; scaling: bigint[]; fraction: bigint[] }[] = [];
  for (let c = 0; c < cpuCount; c++) {
    if (!need(4)) return `TIME_SHIFT option ends before CPU ${c}'s sample count`;
    const n = u32();
    if (!need(n * 24)) return `TIME_SHIFT option: CPU ${c} announces ${n} samples, room for ${Math.floor((d.length - p) / 24)}`;
    const time = Array.from({ length: n }, s64);
    const offset = Array.from({ length: n }, s64);
    const scaling = Array.from({ length: n }, s64);
    raw.push({ time, offset, scaling, fraction: new Array<bigint>(n).fill(0n) });
  }
  if (p < d.length) {
    for (const r of raw) {
      if (!need(r.time.length * 8)) return 'TIME_SHIFT option: fraction bits cut short';
      r.fraction = Array.from({ length: r.time.length }, s64);
    }
  }
  const cpus = raw.map((r) => {
    const samples = r.time.map((time, i) => ({ time, offset: r.offset[i]!, scaling: r.scaling[i]!, fraction: r.fraction[i]! }));
    samples.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0)); // stable, as qsort's equal-time order does not matter below
    return samples.filter((s, i) => i === 0 || s.time !== samples[i - 1]!.time);
  });
  return { peerTraceId, flags, cpus };
}

/** trace-cmd's timestamp_correction_calc. */
function corrected(ts: bigint, flags: number, min: TimeShiftSample, max: TimeShiftSample): bigint {
  let tscor: bigint;
  if (flags & TSYNC_INTERPOLATE) {
    const delta = i64(max.time - min.time);
    const off = i64(i64(ts - min.time) * i64(max.offset - min.offset));
    // C's signed division truncates toward zero, as BigInt's does; a zero delta cannot happen
    // (equal times were dropped), but a file is not to be trusted
    tscor = delta === 0n ? min.offset : i64(min.offset + i64(off + delta / 2n) / delta);
  } else {
    tscor = min.offset;
  }
  const f = min.fraction & 63n;
  const t = u64(u64(ts * u64(min.scaling)) >> f);
  return u64(t + tscor);
}

/** Host time of guest time `ts` (a u64) on guest CPU `cpu`; ts itself when the CPU has no samples. */
export function hostTime(ts: bigint, cpu: number, shift: TimeShift): bigint {
  const s = shift.cpus[cpu];
  if (s === undefined || s.length === 0) return ts;
  if (s.length === 1) return u64(ts + s[0]!.offset);
  if (s.length === 2) return corrected(ts, shift.flags, s[0]!, s[1]!);
  // trace-cmd compares the u64 ts with the i64 sample times as unsigned long long
  if (ts <= u64(s[0]!.time)) return corrected(ts, shift.flags, s[0]!, s[1]!);
  if (ts >= u64(s[s.length - 1]!.time)) return corrected(ts, shift.flags, s[s.length - 2]!, s[s.length - 1]!);
  let lo = 0;
  let hi = s.length - 1;
  let mid = (lo + hi) >> 1;
  while (lo <= hi) {
    const t = u64(s[mid]!.time);
    if (ts < t) hi = mid - 1;
    else if (ts > t) lo = mid + 1;
    else break;
    mid = (lo + hi) >> 1;
  }
  return corrected(ts, shift.flags, s[mid]!, s[mid + 1]!);
}
