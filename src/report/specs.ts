// Vega-Lite specs, one builder per chart, from the report's aggregated tables (model.ts). Pure:
// data in, spec out. Every chart has marks even without data: an empty input gives a text mark
// saying why, so a reader never wonders whether a blank box is a bug.
import type { TopLevelSpec } from 'vega-lite';
import type { ReportData } from './model.js';

export interface ChartSpec {
  /** File-name-safe id: charts/<id>.svg, .png, .vl.json */
  id: string;
  title: string;
  /** One sentence under the chart: what it shows and how to read it. */
  caption: string;
  spec: TopLevelSpec;
}

/** Series names of the interrupt latency CDF (fromAnalysis.ts writes them). */
export const IRQ_BASELINE = 'baseline (trace)';
export const IRQ_ES2 = 'ES2 (model)';

export const SCHEMA_URL = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Local fonts only: the report must not fetch anything. DejaVu Sans is what PNGs are drawn with. */
export const FONT = 'DejaVu Sans, Verdana, Arial, sans-serif';
const WIDTH = 520;

const CONFIG = {
  font: FONT,
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
  title: { fontSize: 14, anchor: 'start' as const },
};

type Values = Record<string, unknown>[];

function top(spec: Record<string, unknown>, title: string): TopLevelSpec {
  return { $schema: SCHEMA_URL, title, config: CONFIG, background: 'white', padding: 8, ...spec } as TopLevelSpec;
}

/** A chart that says why it is empty (still a real mark, so rendering checks can count it). */
function placeholder(title: string, message: string): TopLevelSpec {
  return top({
    width: WIDTH, height: 60,
    data: { values: [{ message }] },
    mark: { type: 'text', fontSize: 13, color: '#555', align: 'center', baseline: 'middle' },
    encoding: { text: { field: 'message', type: 'nominal' } },
  }, title);
}

export function exitsByReasonSpec(d: ReportData): ChartSpec {
  const title = 'VM exits by reason';
  const caption = 'Count and total handling time per exit reason. HLT/MWAIT (idle: the vCPU waits for work) is drawn apart, with its own scale, because its time is idle time and would hide everything else.';
  if (!d.headline.exitsTraced || d.exitsByReason.length === 0) {
    return { id: 'exits-by-reason', title, caption, spec: placeholder(title, 'exits not traced (no kvm_exit events in this trace)') };
  }
  const rows = d.exitsByReason.map((r) => ({ ...r, totalMs: r.totalNs / 1e6, group: r.halt ? 'halt (idle)' : 'busy exits' }));
  const pair = (group: string, values: Values) => ({
    hconcat: [
      {
        width: 250, height: { step: 18 }, title: `${group}: count`,
        data: { values }, mark: 'bar',
        encoding: {
          y: { field: 'reason', type: 'nominal', sort: { field: 'count', order: 'descending' }, title: null },
          x: { field: 'count', type: 'quantitative', title: 'exits' },
          color: { field: 'category', type: 'nominal', title: 'category' },
          tooltip: [{ field: 'reason' }, { field: 'category' }, { field: 'count', type: 'quantitative' }],
        },
      },
      {
        width: 250, height: { step: 18 }, title: `${group}: handling time`,
        data: { values }, mark: 'bar',
        encoding: {
          y: { field: 'reason', type: 'nominal', sort: { field: 'count', order: 'descending' }, title: null },
          x: { field: 'totalMs', type: 'quantitative', title: 'total time (ms)' },
          color: { field: 'category', type: 'nominal', title: 'category' },
          tooltip: [{ field: 'reason' }, { field: 'totalMs', type: 'quantitative', format: '.3f', title: 'ms' }],
        },
      },
    ],
  });
  const busy = rows.filter((r) => !r.halt);
  const halt = rows.filter((r) => r.halt);
  const parts = [busy.length ? pair('busy exits', busy) : null, halt.length ? pair('HLT (idle)', halt) : null].filter(Boolean);
  return { id: 'exits-by-reason', title, caption, spec: top({ vconcat: parts, resolve: { scale: { x: 'independent', y: 'independent' } } }, title) };
}

export function ehtOverTimeSpec(d: ReportData): ChartSpec {
  const title = 'Exit handling time (EHT) over time, per vCPU';
  const caption = 'EHT (busy) = handling time of non-halt exits / (guest time + that handling time), per vCPU and time bin. Below it, EHT (wall) counts halt (idle) time as handling time too. At most the 12 busiest vCPUs are drawn.';
  if (!d.headline.exitsTraced || d.ehtOverTime.length === 0) {
    return { id: 'eht-over-time', title, caption, spec: placeholder(title, 'EHT: not traced (no kvm_exit/kvm_entry pairs)') };
  }
  // a new segment starts after a bin without a value, so a line never bridges a gap in the data
  const binMs = inferBinMs(d.ehtOverTime.map((r) => r.tMs));
  const segOf = new Map<string, { lastMs: number; seg: number }>();
  const values = d.ehtOverTime.flatMap((r) => [
    { vcpu: r.vcpu, tMs: r.tMs, pct: r.ehtBusyPct, definition: 'EHT (busy)' },
    { vcpu: r.vcpu, tMs: r.tMs, pct: r.ehtWallPct, definition: 'EHT (wall)' },
  ]).filter((r) => r.pct !== null).map((r) => {
    const key = `${r.vcpu}\u0000${r.definition}`;
    const st = segOf.get(key) ?? { lastMs: -Infinity, seg: 0 };
    if (r.tMs - st.lastMs > binMs * 1.5) st.seg++;
    st.lastMs = r.tMs;
    segOf.set(key, st);
    return { ...r, segment: `${r.vcpu}#${st.seg}` };
  });
  // busy and wall EHT differ by orders of magnitude (wall counts idle): one panel each
  return {
    id: 'eht-over-time', title, caption,
    spec: top({
      data: { values },
      facet: { row: { field: 'definition', type: 'nominal', title: null, header: { labelFontSize: 12, labelFontWeight: 'bold' } } },
      spec: {
        width: WIDTH, height: 150,
        mark: { type: 'line', point: { size: 16 } },
        encoding: {
          x: { field: 'tMs', type: 'quantitative', title: 'time since trace start (ms)' },
          y: { field: 'pct', type: 'quantitative', title: 'EHT (%)' },
          detail: { field: 'segment', type: 'nominal' },
          color: { field: 'vcpu', type: 'nominal', title: 'vCPU', sort: naturalOrder(values.map((r) => r.vcpu)) },
          tooltip: [{ field: 'vcpu' }, { field: 'definition' }, { field: 'tMs', type: 'quantitative', title: 'ms' }, { field: 'pct', type: 'quantitative', format: '.3f', title: '%' }],
        },
      },
      resolve: { scale: { y: 'independent' } },
    }, title),
  };
}

/** `pair`: a before/after pair drawn as a wide solid line under a thin dashed one, so equal curves both show. */
function cdfSpec(id: string, title: string, caption: string, empty: string, points: ReportData['exitDurationCdf'], seriesTitle: string, xTitle: string, pair?: [string, string]): ChartSpec {
  if (points.length === 0) return { id, title, caption, spec: placeholder(title, empty) };
  // log scale needs positive values; 0 µs (below the trace's resolution) is drawn at the axis floor
  const floor = Math.min(...points.map((p) => p.valueUs).filter((v) => v > 0), 1) / 2 || 0.001;
  const values = points.map((p) => ({ ...p, x: p.valueUs > 0 ? p.valueUs : floor, ...(pair ? { pairRank: p.series === pair[0] ? 0 : 1 } : {}) }));
  return {
    id, title, caption,
    spec: top({
      width: WIDTH, height: 240, data: { values },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale: { type: 'log' }, title: xTitle },
        y: { field: 'fraction', type: 'quantitative', title: 'fraction ≤ x', scale: { domain: [0, 1] } },
        ...(pair ? {
          color: { field: 'series', type: 'nominal', title: seriesTitle, scale: { domain: pair, range: ['#9ecae1', '#d62728'] } },
          strokeDash: { field: 'series', type: 'nominal', title: seriesTitle, scale: { domain: pair, range: [[1, 0], [6, 4]] } },
          strokeWidth: { field: 'series', type: 'nominal', title: seriesTitle, scale: { domain: pair, range: [5, 2] } },
          order: { field: 'pairRank', type: 'quantitative' },
        } : { color: { field: 'series', type: 'nominal', title: seriesTitle } }),
        tooltip: [{ field: 'series' }, { field: 'valueUs', type: 'quantitative', format: '.3f', title: 'µs' }, { field: 'fraction', type: 'quantitative', format: '.3f' }],
      },
    }, title),
  };
}

export function exitDurationSpec(d: ReportData): ChartSpec {
  return cdfSpec('exit-duration-cdf', 'Exit handling time distribution per reason (CDF)',
    'Cumulative distribution of exit→entry time per reason, log scale. Steps at whole µs mean the trace has µs resolution (see data quality).',
    d.headline.exitsTraced ? 'no paired exits' : 'exits not traced (no kvm_exit events in this trace)',
    d.exitDurationCdf, 'reason', 'exit handling time (µs, log)');
}

export function irqLatencySpec(d: ReportData): ChartSpec {
  return cdfSpec('irq-latency-cdf', 'Interrupt delivery latency, before and after ES2 (CDF)',
    'Device interrupt raised → delivered to the target vCPU. "baseline" is the trace; "ES2" redirects an interrupt whose target vCPU is not running to a running vCPU of the same VM (model).',
    'no device interrupts with a traced delivery', d.irqLatencyCdf, 'scenario', 'latency (µs, log)', [IRQ_BASELINE, IRQ_ES2]);
}

export function avoidedSpec(d: ReportData): ChartSpec {
  const title = 'Exits ES2 would avoid, by mechanism and reason';
  const caption = 'Model estimate: exits removed by posted-interrupt delivery and by hybrid I/O polling, stacked by exit reason.';
  if (d.avoided.length === 0) {
    return { id: 'avoided-exits', title, caption, spec: placeholder(title, d.headline.exitsTraced ? 'the model avoids no exits in this trace' : 'exits not traced: nothing to avoid') };
  }
  return {
    id: 'avoided-exits', title, caption,
    spec: top({
      width: WIDTH, height: { step: 40 }, data: { values: d.avoided },
      mark: 'bar',
      encoding: {
        y: { field: 'mechanism', type: 'nominal', title: null },
        x: { field: 'count', type: 'quantitative', stack: 'zero', title: 'exits avoided' },
        color: { field: 'reason', type: 'nominal', title: 'exit reason' },
        tooltip: [{ field: 'mechanism' }, { field: 'reason' }, { field: 'count', type: 'quantitative' }],
      },
    }, title),
  };
}

export function sweepSpec(d: ReportData): ChartSpec {
  const title = 'Hybrid I/O polling trade-off';
  const caption = 'Sweep of the idle window after which a poller goes back to notifications: exits avoided against the CPU time spent polling. Labels are the idle window (µs).';
  if (d.sweep.length === 0) {
    return { id: 'polling-tradeoff', title, caption, spec: placeholder(title, 'no I/O kicks in this trace: nothing to poll for') };
  }
  const values = sweepLabels(d.sweep);
  return {
    id: 'polling-tradeoff', title, caption,
    spec: top({
      width: WIDTH, height: 240, data: { values },
      encoding: {
        x: { field: 'pollingCpuPct', type: 'quantitative', title: 'polling CPU (% of one CPU over the trace)' },
        y: { field: 'exitsAvoidedPct', type: 'quantitative', title: 'I/O kick exits avoided (%)' },
        order: { field: 'idleWindowUs', type: 'quantitative' },
      },
      layer: [
        { mark: { type: 'line', point: true } },
        { mark: { type: 'text', dx: 6, dy: -6, align: 'left', fontSize: 10 }, encoding: { text: { field: 'label', type: 'nominal' } } },
        {
          mark: { type: 'point', opacity: 0 },
          encoding: { tooltip: [{ field: 'idleWindowUs', type: 'quantitative', title: 'idle window µs' }, { field: 'exitsAvoided', type: 'quantitative' }, { field: 'exitsAvoidedPct', type: 'quantitative', format: '.1f' }, { field: 'pollingCpuPct', type: 'quantitative', format: '.2f' }] },
        },
      ],
    }, title),
  };
}

function fmtWindow(us: number): string {
  return us >= 1000 ? `${Number((us / 1000).toFixed(2))} ms` : `${Number(us.toFixed(us < 10 ? 1 : 0))} µs`;
}

/** Label a sweep point only when it is far enough from the last labelled one to be read. */
function sweepLabels(rows: ReportData['sweep']): (ReportData['sweep'][number] & { label: string })[] {
  const xs = rows.map((r) => r.pollingCpuPct), ys = rows.map((r) => r.exitsAvoidedPct);
  const dx = Math.max(...xs) - Math.min(...xs) || 1, dy = Math.max(...ys) - Math.min(...ys) || 1;
  let last: { x: number; y: number } | null = null;
  return rows.map((r) => {
    const far = !last || Math.abs(r.pollingCpuPct - last.x) / dx > 0.12 || Math.abs(r.exitsAvoidedPct - last.y) / dy > 0.12;
    if (far) last = { x: r.pollingCpuPct, y: r.exitsAvoidedPct };
    return { ...r, label: far ? fmtWindow(r.idleWindowUs) : '' };
  });
}

export function heatmapSpec(d: ReportData): ChartSpec {
  const byExits = d.heatmapUnit === 'exits';
  const title = byExits ? 'Exits per vCPU over time' : 'KVM events per thread over time (exits not traced)';
  const caption = byExits
    ? 'Each cell counts the exits of one vCPU in one time bin (colour on a log scale).'
    : 'This trace has no kvm_exit: each cell counts the KVM events of one thread in one time bin (colour on a log scale).';
  if (d.heatmap.length === 0) return { id: 'exit-heatmap', title, caption, spec: placeholder(title, byExits ? 'no per-vCPU exits' : 'no KVM events with a thread in this trace') };
  const binMs = inferBinMs(d.heatmap.map((c) => c.tMs));
  const values = d.heatmap.map((c) => ({ ...c, tEndMs: c.tMs + binMs }));
  return {
    id: 'exit-heatmap', title, caption,
    spec: top({
      width: WIDTH, height: { step: 22 }, data: { values },
      mark: 'rect',
      encoding: {
        x: { field: 'tMs', type: 'quantitative', title: 'time since trace start (ms)', scale: { nice: false } },
        x2: { field: 'tEndMs' },
        // natural order: vCPU 2 before vCPU 10
        y: { field: 'vcpu', type: 'nominal', title: byExits ? 'vCPU' : 'thread', sort: naturalOrder(d.heatmap.map((c) => c.vcpu)) },
        color: { field: 'count', type: 'quantitative', scale: { type: 'log', scheme: 'viridis' }, title: byExits ? 'exits' : 'events' },
        tooltip: [{ field: 'vcpu', title: byExits ? 'vCPU' : 'thread' }, { field: 'tMs', type: 'quantitative', title: 'ms' }, { field: 'count', type: 'quantitative' }],
      },
    }, title),
  };
}

function naturalOrder(labels: string[]): string[] {
  return [...new Set(labels)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** Smallest positive gap between bin starts (all series share one bin width). */
function inferBinMs(ts: number[]): number {
  const u = [...new Set(ts)].sort((a, b) => a - b);
  let best = Infinity;
  for (let i = 1; i < u.length; i++) best = Math.min(best, u[i]! - u[i - 1]!);
  return Number.isFinite(best) && best > 0 ? best : 1;
}

export function eventsOverTimeSpec(d: ReportData): ChartSpec {
  const title = 'I/O kicks, interrupts and other traced events over time';
  const caption = 'Events per time bin by tracepoint (the I/O path events and the most frequent others; the rest summed as "other"), log scale. Present for every trace, with or without kvm_exit.';
  if (d.eventsOverTime.length === 0) return { id: 'events-over-time', title, caption, spec: placeholder(title, 'no events') };
  return {
    id: 'events-over-time', title, caption,
    spec: top({
      width: WIDTH, height: 220, data: { values: d.eventsOverTime },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 'tMs', type: 'quantitative', title: 'time since trace start (ms)' },
        // symlog: a 44-event series stays visible next to an 800-event one
        y: { field: 'count', type: 'quantitative', title: 'events per bin', scale: { type: 'symlog' } },
        color: { field: 'event', type: 'nominal', title: 'event', scale: { scheme: 'tableau20' } },
        tooltip: [{ field: 'event' }, { field: 'tMs', type: 'quantitative', title: 'ms' }, { field: 'count', type: 'quantitative' }],
      },
    }, title),
  };
}

export function devicesSpec(d: ReportData): ChartSpec {
  const title = 'I/O kicks by device (notify address or port)';
  const caption = 'Guest→host notifications per device key: fast MMIO / MMIO writes by guest-physical address, port I/O by port. Each is an exit that hybrid polling can remove.';
  if (d.devices.length === 0) return { id: 'io-devices', title, caption, spec: placeholder(title, 'no I/O kicks (kvm_fast_mmio, kvm_mmio write, kvm_pio) in this trace') };
  return {
    id: 'io-devices', title, caption,
    spec: top({
      width: WIDTH, height: { step: 18 }, data: { values: d.devices },
      mark: 'bar',
      encoding: {
        y: { field: 'device', type: 'nominal', sort: { field: 'count', order: 'descending' }, title: null },
        x: { field: 'count', type: 'quantitative', title: 'kicks' },
        color: { field: 'kind', type: 'nominal', title: 'kind' },
        tooltip: [{ field: 'device' }, { field: 'kind' }, { field: 'count', type: 'quantitative' }],
      },
    }, title),
  };
}

export function paperSpec(d: ReportData): ChartSpec {
  const title = "The paper's figures next to this trace's";
  const caption = 'ES2 paper: EHT below 2.5 % (TCP stream) and 0.1 % (UDP stream); Memcached 1.9x, Nginx 1.6x. This trace: EHT (busy) before/after the model, and the throughput upper bound. The paper\'s exact EHT formula is not public: compare orders of magnitude.';
  const ehts = d.paper.filter((r) => r.metric === 'EHT %');
  const thr = d.paper.filter((r) => r.metric === 'throughput x');
  const panel = (values: PaperValues, xTitle: string) => ({
    width: 220, height: { step: 22 }, data: { values },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: 300 } },
      x: { field: 'value', type: 'quantitative', title: xTitle },
      tooltip: [{ field: 'label' }, { field: 'source' }, { field: 'value', type: 'quantitative', format: '.3f' }],
    },
    layer: [
      { mark: 'bar', encoding: { color: { field: 'source', type: 'nominal', title: 'source', scale: { domain: ['paper', 'this trace'], range: ['#9e9e9e', '#1f77b4'] } } } },
      { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 }, encoding: { text: { field: 'value', type: 'quantitative', format: '.3~f' } } },
    ],
  });
  return {
    id: 'paper-vs-trace', title, caption,
    spec: top({ hconcat: [panel(ehts, 'EHT (%)'), panel(thr, 'throughput (x)')], resolve: { scale: { x: 'independent' } } }, title),
  };
}
type PaperValues = ReportData['paper'];

/** Dataset reports only: one bar per host for exits/s, EHT (busy and wall) and exits avoided. */
export function hostComparisonSpec(d: ReportData): ChartSpec {
  const title = 'Hosts compared';
  const caption = "One row per host of the dataset, its traces summed: exits per second of traced time, EHT (busy: H / (G + H); wall: (H + Hh) / (G + H + Hh)) and the share of exits the ES2 model removes (the model runs per trace, on that trace's own clock).";
  const hosts = d.hosts ?? [];
  if (hosts.length === 0) return { id: 'host-comparison', title, caption, spec: placeholder(title, 'not a dataset: one trace, one host') };
  const rate = hosts.map((h) => ({ host: h.host, value: h.exitsPerSec ?? 0, known: h.exitsPerSec !== null }));
  const eht = hosts.flatMap((h) => [
    { host: h.host, kind: 'busy', value: h.ehtBusy === null ? 0 : h.ehtBusy * 100 },
    { host: h.host, kind: 'wall', value: h.ehtWall === null ? 0 : h.ehtWall * 100 },
  ]);
  const avoided = hosts.map((h) => ({ host: h.host, value: h.avoidedPct ?? 0, exitsAvoided: h.exitsAvoided, exits: h.exits }));
  const y = { field: 'host', type: 'nominal', sort: null, title: null, axis: { labelLimit: 200 } };
  return {
    id: 'host-comparison', title, caption,
    spec: top({
      hconcat: [
        {
          width: 180, height: { step: 22 }, title: 'exits per second', data: { values: rate }, mark: 'bar',
          encoding: { y, x: { field: 'value', type: 'quantitative', title: 'exits/s' }, tooltip: [{ field: 'host' }, { field: 'value', type: 'quantitative', format: ',.0f', title: 'exits/s' }] },
        },
        {
          width: 180, height: { step: 11 }, title: 'EHT (%)', data: { values: eht }, mark: 'bar',
          encoding: {
            y, yOffset: { field: 'kind', type: 'nominal' },
            x: { field: 'value', type: 'quantitative', title: 'EHT (%)' },
            color: { field: 'kind', type: 'nominal', title: 'EHT', scale: { domain: ['busy', 'wall'], range: ['#1f77b4', '#9ecae1'] } },
            tooltip: [{ field: 'host' }, { field: 'kind' }, { field: 'value', type: 'quantitative', format: '.3f', title: '%' }],
          },
        },
        {
          width: 180, height: { step: 22 }, title: 'exits avoided by ES2 (%)', data: { values: avoided }, mark: 'bar',
          encoding: {
            y, x: { field: 'value', type: 'quantitative', title: 'avoided (% of exits)' }, color: { value: '#2ca02c' },
            tooltip: [{ field: 'host' }, { field: 'exitsAvoided', type: 'quantitative', title: 'avoided' }, { field: 'exits', type: 'quantitative' }, { field: 'value', type: 'quantitative', format: '.1f', title: '%' }],
          },
        },
      ],
    }, title),
  };
}

/** All charts of a report, in page order. */
export function buildCharts(d: ReportData): ChartSpec[] {
  return [
    exitsByReasonSpec(d),
    ehtOverTimeSpec(d),
    exitDurationSpec(d),
    irqLatencySpec(d),
    avoidedSpec(d),
    sweepSpec(d),
    heatmapSpec(d),
    eventsOverTimeSpec(d),
    devicesSpec(d),
    paperSpec(d),
    // a dataset report (several hosts/traces) adds the per-host comparison
    ...(d.hosts && d.hosts.length > 0 ? [hostComparisonSpec(d)] : []),
  ];
}
