// `es2scope stat` numbers: per key (reason, device or vCPU) Samples, Samples%, Time%, Min, Max,
// Avg (+- stddev%), p50, p99, in the spirit of perf kvm stat report
// (tools/perf/builtin-kvm.c: Samples% over all samples, Time% over the summed handling time,
// "( +- x% )" = standard error of the mean over the mean). Differences, on purpose: halt exits are
// kept apart (haltRows) so they do not swamp Time%; percentiles are exact (nearest rank).
import {
  ACCESS_KINDS, CATEGORIES, IRQ_DELIVERIES, IRQ_SOURCES, type AnalysisResult, type DataQuality, type StatOptions,
  type StatResult, type StatRow, type VmInfo,
} from './types.js';
import { dataQualitySummary, irqCounts, irqCountsLine } from './quality.js';

export const STAT_JSON_SCHEMA = 'es2scope.stat/1';

/** One key's rows: count, summed time, and (while its row is computed) its durations. */
interface Acc { key: string; n: number; total: number; halt: boolean; durs: Float64Array }

/**
 * Durations filled per pass at most (8 bytes each): keys are filled and summarised a few at a time
 * so that the copies never hold all durations at once (at 10 M exits that copy alone was 80 MB).
 */
const FILL_BUDGET = 1 << 21;

/** The value `--vm` accepts for VM index `vm`: its host pid, or its index when derived (no pid); -1 unknown. */
export function vmFilterValue(r: Pick<AnalysisResult, 'vms'>, vm: number): number {
  const v = r.vms[vm];
  if (!v) return -1;
  return v.pid >= 0 ? v.pid : vm;
}

/** A device row's key: its label, plus the platform device it is ("mmio 0xfec00000 (IOAPIC)": not a virtqueue). */
function deviceKey(d: AnalysisResult['devices'][number]): string {
  return d.platform ? `${d.label} (${d.platform})` : d.label;
}

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

/**
 * Calls `row(group, dur)` for every sample of the chosen event, in table order. `group` indexes
 * `groups`; a row's key string is made once per distinct small id (reason, thread, device...),
 * not once per row, and ids whose strings are equal share one group.
 */
type RowVisitor = (row: (group: number, dur: number) => void) => void;

function rowVisitor(r: AnalysisResult, opts: StatOptions, groups: Acc[], notes: string[]): RowVisitor {
  const keep = threadFilter(r, opts);
  const byKey = new Map<string, number>();
  // small id -> group index, per halt-ness
  const cache: [number[], number[]] = [[], []];
  const group = (id: number, halt: boolean, keyOf: () => string): number => {
    const c = cache[halt ? 1 : 0];
    const cached = c[id];
    if (cached !== undefined) return cached;
    const key = keyOf();
    const k = halt ? `\u0000${key}` : key;
    let g = byKey.get(k);
    if (g === undefined) {
      g = groups.length;
      groups.push({ key, n: 0, total: 0, halt, durs: EMPTY });
      byKey.set(k, g);
    }
    c[id] = g;
    return g;
  };
  const vcpuKey = (thread: number): string => {
    const t = r.threads[thread]!;
    return `vm ${vmFilterValue(r, t.vm)} vcpu ${t.vcpu}`;
  };
  const halt = CATEGORIES.indexOf('halt');

  if (opts.event === 'vmexit') {
    // the "exits not traced" note comes from quality (r.quality.notes): not repeated here
    return (row) => {
      for (const ch of r.exits.chunks) {
        for (let i = 0; i < ch.length; i++) {
          if (ch.flags[i] !== 0 || !keep(ch.thread[i]!)) continue;
          const isHalt = ch.category[i] === halt;
          let g: number;
          if (opts.by === 'reason') { const x = ch.reason[i]!; g = group(x, isHalt, () => r.reasons[x]!.name); }
          else if (opts.by === 'vcpu') { const x = ch.thread[i]!; g = group(x, isHalt, () => vcpuKey(x)); }
          else {
            const d = ch.device[i]!, c = ch.category[i]!;
            // ids: devices first, then one per category
            g = d >= 0 ? group(d + CATEGORIES.length, isHalt, () => deviceKey(r.devices[d]!)) : group(c, isHalt, () => `(${CATEGORIES[c]})`);
          }
          row(g, ch.durNs[i]!);
        }
      }
    };
  }
  if (opts.event === 'mmio' || opts.event === 'ioport') {
    // perf kvm stat keys: "0x%lx:W" / ":R" for MMIO, "0x%x:POUT" / ":PIN" for port I/O
    const suffix = ['W', 'R', 'POUT', 'PIN', 'W(fast)'];
    const wanted = opts.event === 'mmio' ? [0, 1, 4] : [2, 3];
    if (opts.event === 'mmio') notes.push('mmio: kvm_mmio write -> kvm_entry, kvm_exit -> kvm_mmio read (perf kvm stat rules); W(fast) = kvm_fast_mmio (ioeventfd kick) -> kvm_entry, which perf does not count');
    void ACCESS_KINDS;
    return (row) => {
      for (const ch of r.accesses.chunks) {
        for (let i = 0; i < ch.length; i++) {
          const kind = ch.kind[i]!;
          if (!wanted.includes(kind) || ch.flags[i] !== 0 || !keep(ch.thread[i]!)) continue;
          let g: number;
          if (opts.by === 'vcpu') { const x = ch.thread[i]!; g = group(x, false, () => vcpuKey(x)); }
          else {
            const d = ch.device[i]!;
            g = group(d * suffix.length + kind, false, () => `0x${r.devices[d]!.addr.toString(16)}:${suffix[kind]}`);
          }
          row(g, ch.durNs[i]!);
        }
      }
    };
  }
  notes.push('irq: latency = delivery - raise (kvm_inj_virq, or the target\'s next kvm_entry when posted to a vCPU not in guest mode)');
  const filtered = opts.vcpu !== undefined || opts.vm !== undefined;
  return (row) => {
    for (const ch of r.irqs.chunks) {
      for (let i = 0; i < ch.length; i++) {
        if (ch.latencyNs[i]! < 0) continue;
        if (filtered && !keep(ch.target[i]!)) continue;
        let g: number;
        if (opts.by === 'reason') { const so = ch.source[i]!, de = ch.delivery[i]!; g = group(so * IRQ_DELIVERIES.length + de, false, () => `${IRQ_SOURCES[so]}->${IRQ_DELIVERIES[de]}`); }
        else if (opts.by === 'vcpu') {
          const t = ch.target[i]!, v = ch.targetVcpu[i]!;
          // ids: threads as 2t, raw vCPU ids (target thread unknown) as 2(v+1)+1 (v >= -1)
          g = t >= 0 ? group(2 * t, false, () => vcpuKey(t)) : group(2 * (v + 1) + 1, false, () => `vcpu ${v}`);
        } else { const v = ch.vector[i]!; g = group(v + 1, false, () => `vec ${v}`); }
        row(g, ch.latencyNs[i]!);
      }
    }
  };
}

const EMPTY = new Float64Array(0);

export function computeStat(r: AnalysisResult, opts: StatOptions): StatResult {
  const groups: Acc[] = [];
  const notes: string[] = [];
  const visit = rowVisitor(r, opts, groups, notes);
  // Pass 1: count and sum per key (sums in table order, as the filled arrays would give).
  visit((g, dur) => { const a = groups[g]!; a.n++; a.total += dur; });

  let samples = 0, totalNs = 0, haltSamples = 0, haltNs = 0;
  for (const a of groups) {
    if (a.halt) { haltSamples += a.n; haltNs += a.total; } else { samples += a.n; totalNs += a.total; }
  }
  const allSamples = samples + haltSamples;
  const rows: StatRow[] = [];
  const haltRows: StatRow[] = [];
  // Then: the durations of a few keys at a time (exact-size arrays; at most FILL_BUDGET values
  // unless one key alone has more), each key's row computed and its array dropped.
  const fill = new Int32Array(groups.length);
  for (let first = 0; first < groups.length;) {
    let last = first, sum = groups[first]!.n;
    while (last + 1 < groups.length && sum + groups[last + 1]!.n <= FILL_BUDGET) sum += groups[++last]!.n;
    for (let g = first; g <= last; g++) { groups[g]!.durs = new Float64Array(groups[g]!.n); fill[g] = 0; }
    const lo = first, hi = last;
    visit((g, dur) => { if (g >= lo && g <= hi) groups[g]!.durs[fill[g]!++] = dur; });
    for (let g = first; g <= last; g++) {
      const a = groups[g]!;
      (a.halt ? haltRows : rows).push(statRow(a.key, a, allSamples, a.halt ? totalNs + haltNs : totalNs));
      a.durs = EMPTY;
    }
    first = last + 1;
  }
  if (opts.event === 'irq') {
    const c = irqCounts(r);
    notes.push(`irq samples = interrupts delivered with a measured latency; ${irqCountsLine(c)}`);
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
    samplesPctBasis: `samplesPct: % of all ${allSamples} samples incl. ${haltSamples} in haltRows (perf kvm stat Samples%); total.samples: the ${samples} non-halt samples only`,
    noMatch: allSamples === 0 ? noMatchMessage(r, opts) : null,
    quality: r.quality,
    notes,
  };
}

/** "no exits match --vcpu 5 (vCPUs in this trace: 0, 1)" when a --vcpu/--vm filter selects nothing; null otherwise. */
export function noMatchMessage(r: Pick<AnalysisResult, 'threads' | 'vms'>, opts: StatOptions): string | null {
  if (opts.vcpu === undefined && opts.vm === undefined) return null;
  const what = opts.event === 'vmexit' ? 'exits' : opts.event === 'irq' ? 'interrupts with a measured latency' : `${opts.event} accesses`;
  const flags = [opts.vm !== undefined ? `--vm ${opts.vm}` : '', opts.vcpu !== undefined ? `--vcpu ${opts.vcpu}` : ''].filter(Boolean).join(' ');
  const list = (xs: number[]): string => (xs.length ? [...new Set(xs)].sort((a, b) => a - b).join(', ') : 'none');
  const vcpus = list(r.threads.filter((t) => t.vcpu >= 0 && (opts.vm === undefined || vmFilterValue(r, t.vm) === opts.vm)).map((t) => t.vcpu));
  const vms = list(r.vms.map((_, i) => vmFilterValue(r, i)));
  return `no ${what} match ${flags} (VMs in this trace, as --vm takes them: ${vms}; vCPUs${opts.vm !== undefined ? ` of --vm ${opts.vm}` : ''}: ${vcpus})`;
}

function statRow(key: string, a: Acc, allSamples: number, timeBasisNs: number): StatRow {
  const n = a.n;
  const d = a.durs.sort();
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
export function statJson(s: StatResult, input: { path: string; format: string } | null, vms?: readonly VmInfo[]): Record<string, unknown> {
  return {
    schema: STAT_JSON_SCHEMA,
    input,
    event: s.event, by: s.by, key: s.key, filter: s.filter,
    rows: s.rows, haltRows: s.haltRows, total: s.total, timePctBasis: s.timePctBasis, samplesPctBasis: s.samplesPctBasis,
    timeUnit: s.quality.timeUnit ?? 'ns',
    quality: { ...qualityJson(s.quality), summary: dataQualitySummary(s.quality, vms ?? []) }, notes: s.notes,
  };
}
