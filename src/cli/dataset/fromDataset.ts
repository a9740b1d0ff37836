// `es2scope stat|whatif DIR` on a dataset folder. How: each trace's events are read back from its
// Parquet parts in read order and pushed through the same analyzer as a trace file (so every
// number is computed by one code path, and any option of stat/whatif works on a dataset); the
// per-trace results are merged for one table across hosts and VMs, and summed per host for the
// comparison (exits per second, EHT, exits the ES2 model avoids). Why not SQL: EHT and the what-if
// model are sequential state machines over the events, which SQL would have to re-implement.
import type { RecordBatch } from 'apache-arrow';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalyzer } from '../../analyze/analyzer.js';
import { computeStat, statJson } from '../../analyze/stat.js';
import type { AnalysisResult, StatOptions } from '../../analyze/types.js';
import { modelInputFromAnalysis } from '../../analyze/whatif/fromAnalysis.js';
import { runWhatif, type WhatifResult } from '../../analyze/whatif/model.js';
import type { WhatifParams } from '../../analyze/whatif/params.js';
import { TraceInputError } from '../../../collectors/common/diagnostics.js';
import { DatasetError, checkDataset, readManifest, type ManifestEntry } from '../../table/dataset/manifest.js';
import { readTraceEvents } from '../../table/dataset/readBack.js';
import { checkParts } from '../../table/sql.js';
import type { HostComparisonRow } from '../../report/model.js';
import { formatStat } from '../print/stat.js';
import { mergeAnalyses, sumEht } from '../../analyze/merge.js';

export interface TraceAnalysis { entry: ManifestEntry; result: AnalysisResult }

/** True when `path` is a folder (then it must be a dataset; checkDataset says why not). */
export function isDatasetPath(path: string): boolean {
  try { return statSync(path).isDirectory(); } catch { return false; }
}

function asInputError(e: unknown): never {
  if (e instanceof DatasetError) throw new TraceInputError(e.message);
  throw e;
}

/** Analyse every trace of the dataset (in manifest order); `tap` sees each trace's event batches too. */
export async function analyzeDataset(dir: string, opts: { windowNs?: number; tap?: (entry: ManifestEntry) => (b: RecordBatch) => void } = {}): Promise<TraceAnalysis[]> {
  let entries: ManifestEntry[];
  try {
    checkDataset(dir);
    entries = readManifest(dir);
    checkParts(dir, entries);
  } catch (e) { asInputError(e); }
  if (entries.length === 0) throw new TraceInputError(`${dir}: the dataset holds no trace yet`, undefined, 'add traces with: es2scope ingest TRACE... --dataset DIR');
  const tmp = mkdtempSync(join(tmpdir(), 'es2scope-dataset-'));
  try {
    const out: TraceAnalysis[] = [];
    for (const entry of entries) {
      const analyzer = createAnalyzer(opts.windowNs ? { windowNs: opts.windowNs } : {});
      const tap = opts.tap?.(entry);
      await readTraceEvents(dir, entry, tmp, tap ? (b) => { analyzer.push(b); tap(b); } : (b) => analyzer.push(b));
      const q = entry.quality;
      out.push({
        entry,
        result: analyzer.finish({
          path: entry.input.path, format: entry.input.format, sizeBytes: entry.input.sizeBytes,
          diagnostics: { timePrecisionNs: q.timePrecisionNs, lostEventsTotal: q.lostEvents, lostMarkers: q.lostMarkers, notes: [], warningCount: q.warnings },
        }),
      });
    }
    return out;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export type HostRow = HostComparisonRow;

/** The what-if model of each trace (each on its own clock). */
export function whatifPerTrace(traces: readonly TraceAnalysis[], params: Partial<WhatifParams> = {}): WhatifResult[] {
  return traces.map((t) => runWhatif(modelInputFromAnalysis(t.result), params));
}

/** Per-host comparison; the what-if model runs per trace with `params` (or `whatifs`, one per trace, are given). */
export function hostComparison(traces: readonly TraceAnalysis[], params: Partial<WhatifParams> = {}, whatifs?: readonly WhatifResult[]): HostRow[] {
  const byHost = new Map<string, { t: TraceAnalysis; i: number }[]>();
  traces.forEach((t, i) => byHost.set(t.entry.host, [...(byHost.get(t.entry.host) ?? []), { t, i }]));
  return [...byHost].map(([host, tis]) => {
    const ts = tis.map((x) => x.t);
    const spanNs = ts.reduce((s, t) => s + (t.result.quality.firstNs !== null && t.result.quality.lastNs !== null ? Number(t.result.quality.lastNs - t.result.quality.firstNs) : 0), 0);
    const exits = ts.reduce((s, t) => s + t.result.exits.length, 0);
    const eht = sumEht(ts.map((t) => t.result.eht.total));
    const exitsAvoided = tis.reduce((s, { t, i }) => {
      const stages = (whatifs?.[i] ?? runWhatif(modelInputFromAnalysis(t.result), params)).stages;
      return s + (stages.at(-1)?.exitsAvoided ?? 0);
    }, 0);
    return {
      host, traces: ts.length, vms: ts.reduce((s, t) => s + t.result.vms.length, 0), spanNs, exits,
      exitsPerSec: spanNs > 0 ? exits / (spanNs / 1e9) : null,
      ehtBusy: eht?.ehtBusy ?? null, ehtWall: eht?.ehtWall ?? null,
      exitsAvoided, avoidedPct: exits > 0 ? (100 * exitsAvoided) / exits : null,
    };
  }).sort((a, b) => a.host.localeCompare(b.host));
}

const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(2)}%`);

export function formatHostComparison(rows: readonly HostRow[]): string {
  const head = ['host', 'traces', 'VMs', 'span s', 'exits', 'exits/s', 'EHT busy', 'EHT wall', 'avoided', 'avoided %'];
  const cells = rows.map((r) => [r.host, String(r.traces), String(r.vms), (r.spanNs / 1e9).toFixed(3), String(r.exits),
    r.exitsPerSec === null ? '-' : r.exitsPerSec.toFixed(0), pct(r.ehtBusy), pct(r.ehtWall), String(r.exitsAvoided), r.avoidedPct === null ? '-' : `${r.avoidedPct.toFixed(1)}%`]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join('  ');
  return `per host (EHT summed over each host's traces; avoided = exits the ES2 model removes, default parameters unless given)\n${line(head)}\n${cells.map(line).join('\n')}\n`;
}

/** `es2scope stat DIR`: one stat table across the dataset, then the per-host comparison. */
export async function statDataset(dir: string, opts: StatOptions, json: boolean, windowNs?: number): Promise<string> {
  const traces = await analyzeDataset(dir, windowNs ? { windowNs } : {});
  const s = computeStat(mergeAnalyses(traces.map((t) => t.result)), opts);
  const hosts = hostComparison(traces);
  const label = `dataset ${dir}: ${traces.length} trace(s), ${new Set(traces.map((t) => t.entry.host)).size} host(s)`;
  if (json) {
    const base = statJson(s, { path: dir, format: 'dataset' }) as object;
    return `${JSON.stringify({ ...base, hosts, traces: traces.map((t) => ({ traceId: t.entry.traceId, host: t.entry.host, path: t.entry.input.path, exits: t.result.exits.length })) }, null, 2)}\n`;
  }
  return `${formatStat(s, label)}\n${formatHostComparison(hosts)}`;
}

export const PER_TRACE_SUMS = 'per-trace sums: the model runs once per trace (each trace has its own clock), and these totals add up its per-trace counts; EHT after, latency and throughput bounds are per trace (run whatif on one trace for them)';

/** `es2scope whatif DIR`: the model per trace, summed per host and over the dataset. */
export async function whatifDataset(dir: string, params: Partial<WhatifParams>, json: boolean): Promise<string> {
  const traces = await analyzeDataset(dir);
  const hosts = hostComparison(traces, params);
  const total = { exits: hosts.reduce((s, h) => s + h.exits, 0), exitsAvoided: hosts.reduce((s, h) => s + h.exitsAvoided, 0) };
  // Why not one merged model run: traces of different hosts have unrelated clocks (the model's
  // trace window, polling CPU share and throughput bound are per clock), so the model runs per
  // trace and only counts are added up; the output says so.
  if (json) return `${JSON.stringify({ table: 'whatif-dataset', dataset: dir, aggregation: PER_TRACE_SUMS, params, total, hosts }, null, 2)}\n`;
  return `ES2 what-if over dataset ${dir}: ${traces.length} trace(s); ${total.exitsAvoided} of ${total.exits} exits avoided (${total.exits ? ((100 * total.exitsAvoided) / total.exits).toFixed(1) : '-'}%)\n`
    + `note: ${PER_TRACE_SUMS}\n${formatHostComparison(hosts)}`;
}
