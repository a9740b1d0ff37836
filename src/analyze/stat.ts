// `es2scope stat` numbers: per key (reason, device or vCPU) Samples, Samples%, Time%, Min, Max,
// Avg (+- stddev%), p50, p99, in the spirit of perf kvm stat report
// (tools/perf/builtin-kvm.c: Samples% over all samples, Time% over the summed handling time,
// "( +- x% )" = standard error of the mean over the mean). Differences, on purpose: halt exits are
// kept apart (haltRows) so they do not swamp Time%; percentiles are exact (nearest rank).
import {
  ACCESS_KINDS, CATEGORIES, IRQ_DELIVERIES, IRQ_SOURCES, type AnalysisResult, type DataQuality, type StatOptions,
  type StatResult, type StatRow,
} from './types.js';

export const STAT_JSON_SCHEMA = 'es2scope.stat/1';

/** Durations of one key, in a growable Float64Array (no boxed numbers, no number[] re-allocation). */
interface Acc { durs: Float64Array; n: number; total: number; halt: boolean }

/** Does thread `t` pass the --vcpu / --vm filter? (--vm: host pid; a derived VM's index when it has no pid.) */
function threadFilter(r: AnalysisResult, opts: StatOptions): (thread: number) => boolean {
  const pass = r.threads.map((t) => {
    if (opts.vcpu !== undefined && t.vcpu !== opts.vcpu) return false;
    if (opts.vm !== undefined) {
      const vm = r.vms[t.vm];
      if (!vm) return false;
      if (vm.pid >= 0 ? vm.pid !== opts.vm : t.vm !== opts.vm) return false;
    }
    return true;
  });
  return (thread) => thread >= 0 && pass[thread] === true;
}

export function computeStat(r: AnalysisResult, opts: StatOptions): StatResult {
  const keep = threadFilter(r, opts);
  const groups = new Map<string, Acc>();
  // Two passes over the rows (count, then fill) so each key gets one exact-size Float64Array:
  // no growth copies, which at 10 M exits would double the peak memory.
  let filling = false;
  const add = (key: string, dur: number, halt: boolean): void => {
    const k = halt ? `\u0000${key}` : key;
    let a = groups.get(k);
    if (!a) groups.set(k, (a = { durs: new Float64Array(0), n: 0, total: 0, halt }));
    if (!filling) { a.n++; return; }
    a.durs[a.n++] = dur;
    a.total += dur;
  };
  const vcpuKey = (thread: number): string => {
    const t = r.threads[thread]!;
    return `vm ${r.vms[t.vm]?.pid ?? -1} vcpu ${t.vcpu}`;
  };
  const notes: string[] = [];
  const halt = CATEGORIES.indexOf('halt');

  for (let pass = 0; pass < 2; pass++) {
    if (pass === 1) {
      for (const a of groups.values()) { a.durs = new Float64Array(a.n); a.n = 0; }
      filling = true;
      notes.length = 0;
    }
    if (opts.event === 'vmexit') {
      if (!r.quality.exitsTraced) notes.push('exits not traced: this trace has no kvm_exit/kvm_entry (EHT unknown, not 0)');
      for (const ch of r.exits.chunks) {
        for (let i = 0; i < ch.length; i++) {
          if (ch.flags[i] !== 0 || !keep(ch.thread[i]!)) continue;
          const isHalt = ch.category[i] === halt;
          const key = opts.by === 'reason' ? r.reasons[ch.reason[i]!]!.name
            : opts.by === 'vcpu' ? vcpuKey(ch.thread[i]!)
            : ch.device[i]! >= 0 ? r.devices[ch.device[i]!]!.label : `(${CATEGORIES[ch.category[i]!]})`;
          add(key, ch.durNs[i]!, isHalt);
        }
      }
    } else if (opts.event === 'mmio' || opts.event === 'ioport') {
      // perf kvm stat keys: "0x%lx:W" / ":R" for MMIO, "0x%x:POUT" / ":PIN" for port I/O
      const suffix = ['W', 'R', 'POUT', 'PIN', 'W(fast)'];
      const wanted = opts.event === 'mmio' ? [0, 1, 4] : [2, 3];
      for (const ch of r.accesses.chunks) {
        for (let i = 0; i < ch.length; i++) {
          const kind = ch.kind[i]!;
          if (!wanted.includes(kind) || ch.flags[i] !== 0 || !keep(ch.thread[i]!)) continue;
          const dev = r.devices[ch.device[i]!]!;
          const key = opts.by === 'vcpu' ? vcpuKey(ch.thread[i]!) : `0x${dev.addr.toString(16)}:${suffix[kind]}`;
          add(key, ch.durNs[i]!, false);
        }
      }
      if (opts.event === 'mmio') notes.push('mmio: kvm_mmio write -> kvm_entry, kvm_exit -> kvm_mmio read (perf kvm stat rules); W(fast) = kvm_fast_mmio (ioeventfd kick) -> kvm_entry, which perf does not count');
      void ACCESS_KINDS;
    } else {
      for (const ch of r.irqs.chunks) {
        for (let i = 0; i < ch.length; i++) {
          if (ch.latencyNs[i]! < 0) continue;
          if ((opts.vcpu !== undefined || opts.vm !== undefined) && !keep(ch.target[i]!)) continue;
          const key = opts.by === 'reason' ? `${IRQ_SOURCES[ch.source[i]!]}->${IRQ_DELIVERIES[ch.delivery[i]!]}`
            : opts.by === 'vcpu' ? (ch.target[i]! >= 0 ? vcpuKey(ch.target[i]!) : `vcpu ${ch.targetVcpu[i]}`)
            : `vec ${ch.vector[i]}`;
          add(key, ch.latencyNs[i]!, false);
        }
      }
      notes.push('irq: latency = delivery - raise (kvm_inj_virq, or the target\'s next kvm_entry when posted to a vCPU not in guest mode)');
    }
  }

  let samples = 0, totalNs = 0, haltSamples = 0, haltNs = 0;
  for (const a of groups.values()) {
    if (a.halt) { haltSamples += a.n; haltNs += a.total; } else { samples += a.n; totalNs += a.total; }
  }
  const allSamples = samples + haltSamples;
  const rows: StatRow[] = [];
  const haltRows: StatRow[] = [];
  for (const [k, a] of groups) {
    const row = statRow(a.halt ? k.slice(1) : k, a, allSamples, a.halt ? totalNs + haltNs : totalNs);
    (a.halt ? haltRows : rows).push(row);
  }
  const cmp = sorter(opts.key);
  rows.sort(cmp);
  haltRows.sort(cmp);
  return {
    event: opts.event, by: opts.by, key: opts.key,
    filter: { vcpu: opts.vcpu ?? null, vm: opts.vm ?? null },
    rows, haltRows,
    total: { samples, totalNs, haltSamples, haltNs },
    timePctBasis: 'rows: % of the summed time of non-halt rows; haltRows: % of all exit time incl. halts (perf kvm stat Time%)',
    quality: r.quality,
    notes,
  };
}

function statRow(key: string, a: Acc, allSamples: number, timeBasisNs: number): StatRow {
  const n = a.n;
  const d = a.durs.subarray(0, n).sort();
  const mean = a.total / n;
  let m2 = 0;
  for (let i = 0; i < n; i++) m2 += (d[i]! - mean) ** 2;
  // perf's stddev_stats(): standard error of the mean; rel_stddev_stats(): as % of the mean
  const stderr = n > 1 ? Math.sqrt(m2 / (n - 1) / n) : 0;
  const rank = (q: number): number => d[Math.max(0, Math.ceil(q * n) - 1)]!;
  return {
    key, samples: n,
    samplesPct: allSamples > 0 ? (100 * n) / allSamples : 0,
    timePct: timeBasisNs > 0 ? (100 * a.total) / timeBasisNs : 0,
    totalNs: a.total, minNs: d[0]!, maxNs: d[n - 1]!, meanNs: mean,
    stddevPct: mean > 0 ? (100 * stderr) / mean : 0,
    p50Ns: rank(0.5), p99Ns: rank(0.99), halt: a.halt,
  };
}

function sorter(key: StatOptions['key']): (a: StatRow, b: StatRow) => number {
  const f: (r: StatRow) => number = key === 'sample' ? (r) => r.samples : key === 'time' ? (r) => r.totalNs
    : key === 'max' ? (r) => r.maxNs : key === 'min' ? (r) => r.minNs : key === 'mean' ? (r) => r.meanNs : (r) => r.p99Ns;
  return (a, b) => f(b) - f(a) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** Data quality as JSON (bigints as decimal strings). */
export function qualityJson(q: DataQuality): Record<string, unknown> {
  return { ...q, firstNs: q.firstNs === null ? null : q.firstNs.toString(), lastNs: q.lastNs === null ? null : q.lastNs.toString() };
}

/**
 * The stable `es2scope stat --json` shape (schema "es2scope.stat/1"). Durations are integer ns
 * except meanNs; percentages are 0..100. Documented in src/analyze/README.md.
 */
export function statJson(s: StatResult, input: { path: string; format: string } | null): Record<string, unknown> {
  return {
    schema: STAT_JSON_SCHEMA,
    input,
    event: s.event, by: s.by, key: s.key, filter: s.filter,
    rows: s.rows, haltRows: s.haltRows, total: s.total, timePctBasis: s.timePctBasis,
    quality: qualityJson(s.quality), notes: s.notes,
  };
}
