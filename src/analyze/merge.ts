// Several traces' analysis results -> one AnalysisResult, so that the per-trace code paths
// (computeStat, the report) give one answer across hosts and VMs with exact percentiles. Rows are
// copied with their lookup indices re-pointed (threads, VMs and devices are appended per trace;
// reasons and details are merged by name). Time-window EHT rows are dropped: traces of different
// hosts have unrelated clocks. Pure: no I/O.
// Options: `rebase` shifts each trace's times so it starts at 0 (a time axis then reads "since the
// trace's start", the only time axis traces of unrelated clocks share); `vmPrefix` names each
// trace's VMs (e.g. by host), since two hosts may both run a QEMU with the same pid.
import type { AnalysisResult, DataQuality, EhtRow, ReasonInfo } from './types.js';

function mapped<T extends ArrayLike<number> & { length: number }>(a: T, f: (v: number) => number): T {
  const out = new (a.constructor as new (n: number) => T)(a.length) as T & { [i: number]: number };
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]!);
  return out;
}
const shift = (off: number) => (v: number) => (v >= 0 ? v + off : v);

export function sumEht(rows: readonly (EhtRow | null)[]): EhtRow | null {
  const r = rows.filter((x): x is EhtRow => x !== null);
  if (!r.length) return null;
  const g = r.reduce((s, x) => s + x.guestNs, 0), h = r.reduce((s, x) => s + x.handlingNs, 0), hh = r.reduce((s, x) => s + x.haltNs, 0);
  return {
    scope: 'total', thread: -1, vm: -1,
    startNs: r.reduce((m, x) => (x.startNs < m ? x.startNs : m), r[0]!.startNs), endNs: r.reduce((m, x) => (x.endNs > m ? x.endNs : m), r[0]!.endNs),
    guestNs: g, handlingNs: h, haltNs: hh, exits: r.reduce((s, x) => s + x.exits, 0),
    ehtBusy: g + h > 0 ? h / (g + h) : null, ehtWall: g + h + hh > 0 ? (h + hh) / (g + h + hh) : null, excludedLost: false,
  };
}

function mergeQuality(qs: readonly DataQuality[]): DataQuality {
  const sum = (k: keyof DataQuality) => qs.reduce((s, q) => s + (q[k] as number), 0);
  const firsts = qs.map((q) => q.firstNs).filter((x): x is bigint => x !== null);
  const lasts = qs.map((q) => q.lastNs).filter((x): x is bigint => x !== null);
  return {
    lostMarkers: sum('lostMarkers'),
    lostEvents: qs.some((q) => q.lostEvents === null) ? null : sum('lostEvents'),
    exitEvents: sum('exitEvents'), entryEvents: sum('entryEvents'), pairedExits: sum('pairedExits'),
    unpairedExitsAtEnd: sum('unpairedExitsAtEnd'), entriesWithoutExitAtStart: sum('entriesWithoutExitAtStart'),
    entriesWithoutExit: sum('entriesWithoutExit'), exitsWithoutEntry: sum('exitsWithoutEntry'), exitsBrokenByLost: sum('exitsBrokenByLost'), exitsRipJump: sum('exitsRipJump'),
    timeInversions: sum('timeInversions'),
    timeUnit: qs.some((q) => q.timeUnit === 'cycles') ? 'cycles' : 'ns',
    timeResolutionNs: Math.max(1, ...qs.map((q) => q.timeResolutionNs)),
    // clocks of different hosts are unrelated: the span is only meaningful per trace
    firstNs: firsts.length ? firsts.reduce((a, b) => (b < a ? b : a)) : null,
    lastNs: lasts.length ? lasts.reduce((a, b) => (b > a ? b : a)) : null,
    events: sum('events'),
    exitsTraced: qs.some((q) => q.exitsTraced),
    warnings: qs.flatMap((q) => q.warnings),
    notes: [...new Set(qs.flatMap((q) => q.notes))],
  };
}

export interface MergeOptions {
  /** Shift each trace's times so that its first event is at 0 ns. */
  rebase?: boolean;
  /** Per result: a prefix for its VM labels ("host-a "), same length as the results. */
  vmPrefix?: readonly string[];
}

function minus(a: BigInt64Array, off: bigint): BigInt64Array {
  if (off === 0n) return a;
  const out = new BigInt64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! - off;
  return out;
}

function rebasedQuality(q: DataQuality): DataQuality {
  const t0 = q.firstNs ?? 0n;
  return { ...q, firstNs: q.firstNs === null ? null : 0n, lastNs: q.lastNs === null ? null : q.lastNs - t0 };
}

export function mergeAnalyses(rs: readonly AnalysisResult[], opts: MergeOptions = {}): AnalysisResult {
  if (rs.length === 1 && !opts.rebase && !opts.vmPrefix) return rs[0]!;
  const out: AnalysisResult = {
    schemaVersion: rs[0]?.schemaVersion ?? 1, input: null,
    exits: { length: 0, chunks: [] }, irqs: { length: 0, chunks: [] }, vcpuRuns: { length: 0, chunks: [] },
    ioKicks: { length: 0, chunks: [] }, accesses: { length: 0, chunks: [] },
    threads: [], vms: [], reasons: [], devices: [], details: [''],
    eht: { traced: rs.some((r) => r.eht.traced), windowNs: rs[0]?.eht.windowNs ?? 1e9, perVcpu: [], perVm: [], windows: [], total: null, definitions: rs[0]?.eht.definitions ?? { busy: '', wall: '' } },
    quality: mergeQuality(rs.map((r) => (opts.rebase ? rebasedQuality(r.quality) : r.quality))),
    postedDelivery: rs.some((r) => r.postedDelivery),
  };
  const reasonIdx = new Map<string, number>();
  const detailIdx = new Map<string, number>([['', 0]]);
  rs.forEach((r, ri) => {
    const tOff = out.threads.length, vOff = out.vms.length, dOff = out.devices.length;
    const t0 = opts.rebase ? r.quality.firstNs ?? 0n : 0n;
    const prefix = opts.vmPrefix?.[ri] ?? '';
    out.threads.push(...r.threads.map((t) => ({ ...t, vm: shift(vOff)(t.vm) })));
    out.vms.push(...r.vms.map((v) => ({ ...v, label: `${prefix}${v.label}`, threads: v.threads.map(shift(tOff)) })));
    out.devices.push(...r.devices.map((d) => ({ ...d, vm: shift(vOff)(d.vm) })));
    const rMap = r.reasons.map((x: ReasonInfo) => {
      const k = `${x.isa}\u0000${x.name}`;
      let i = reasonIdx.get(k);
      if (i === undefined) { i = out.reasons.length; out.reasons.push(x); reasonIdx.set(k, i); }
      return i;
    });
    const dMap = r.details.map((s) => {
      let i = detailIdx.get(s);
      if (i === undefined) { i = out.details.length; out.details.push(s); detailIdx.set(s, i); }
      return i;
    });
    const T = shift(tOff), D = shift(dOff), V = shift(vOff);
    for (const c of r.exits.chunks) out.exits.chunks.push({ ...c, exitNs: minus(c.exitNs, t0), thread: mapped(c.thread, T), reason: mapped(c.reason, (v) => rMap[v]!), device: mapped(c.device, D), detail: mapped(c.detail, (v) => dMap[v]!) });
    for (const c of r.accesses.chunks) out.accesses.chunks.push({ ...c, tsNs: minus(c.tsNs, t0), thread: mapped(c.thread, T), device: mapped(c.device, D) });
    for (const c of r.irqs.chunks) out.irqs.chunks.push({ ...c, raiseNs: minus(c.raiseNs, t0), target: mapped(c.target, T), vm: mapped(c.vm, V) });
    for (const c of r.vcpuRuns.chunks) out.vcpuRuns.chunks.push({ ...c, startNs: minus(c.startNs, t0), thread: mapped(c.thread, T), endState: mapped(c.endState, (v) => dMap[v]!) });
    for (const c of r.ioKicks.chunks) out.ioKicks.chunks.push({ ...c, tsNs: minus(c.tsNs, t0), thread: mapped(c.thread, T), device: mapped(c.device, D) });
    out.eht.perVcpu.push(...r.eht.perVcpu.map((e) => ({ ...e, startNs: e.startNs - t0, endNs: e.endNs - t0, thread: T(e.thread), vm: V(e.vm) })));
    out.eht.perVm.push(...r.eht.perVm.map((e) => ({ ...e, startNs: e.startNs - t0, endNs: e.endNs - t0, vm: V(e.vm) })));
  });
  for (const k of ['exits', 'irqs', 'vcpuRuns', 'ioKicks', 'accesses'] as const) out[k].length = rs.reduce((s, r) => s + r[k].length, 0);
  out.eht.total = sumEht(rs.map((r) => (r.eht.total && opts.rebase ? { ...r.eht.total, startNs: r.eht.total.startNs - (r.quality.firstNs ?? 0n), endNs: r.eht.total.endNs - (r.quality.firstNs ?? 0n) } : r.eht.total)));
  return out;
}
