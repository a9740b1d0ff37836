// One trace -> its parts in a dataset (runs on a worker thread, see worker.ts). Events are read
// once and go both to the analyzer (which knows each thread's VM only at the end) and to staging
// Parquet parts of bounded size; the derived tables are written as Arrow, then as staging Parquet;
// DuckDB's partitioned COPY splits every table by host and VM; the parts are renamed into the
// dataset. The caller appends the returned manifest entry: until then no query sees the parts.
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createAnalyzer } from '../../analyze/analyzer.js';
import { CATEGORIES, EXIT_FLAG, IRQ_DELIVERIES, IRQ_SOURCES, VCPU_STATES, type DataQuality } from '../../analyze/types.js';
import { writeDerivedTables } from '../../table/derivedArrow.js';
import { arrowFileToParquetParts } from '../../table/dataset/arrowToParts.js';
import { EventsStagingWriter } from '../../table/dataset/eventsStaging.js';
import { DATASET_SCHEMA_VERSION, STAGING_DIR, type ManifestEntry } from '../../table/dataset/manifest.js';
import { copyPartitioned, moveIntoDataset, openPartitioner, vmKeys } from '../../table/dataset/partition.js';
import { readEvents, type EventsRun } from '../pipeline.js';

export interface TraceJob {
  trace: string;
  datasetDir: string;
  host: string;
  /** sha256 of the trace bytes (hex). */
  traceId: string;
  format?: string;
  /** Rows per staging part (memory bound). */
  partRows?: number;
  /** DuckDB threads for this trace's partitioned COPY. */
  duckThreads: number;
}

export const DERIVED_DATASET_TABLES = ['exits', 'irqs', 'vcpu_runs', 'io_kicks'] as const;

/** File-name tag of a trace's parts: the first 16 hex digits of its sha256. */
export function partTag(traceId: string): string {
  return traceId.slice(0, 16);
}

/** What the partitioning and the manifest need of one trace's analysis (small). */
interface StagedTrace {
  run: EventsRun;
  d: EventsRun['diagnostics'];
  staged: Record<string, string[]>;
  rows: Record<string, number>;
  threads: { tid: number; vm: number }[];
  vmKeys: string[];
  quality: Pick<DataQuality, 'firstNs' | 'lastNs' | 'unpairedExitsAtEnd' | 'exitsWithoutEntry'>;
}

/** Read the trace once: events -> staging parts, analysis -> derived tables -> staging parts. */
async function stageTrace(job: TraceJob, stagedDir: string, arrowDir: string): Promise<StagedTrace> {
  // the dataset has no accesses table: do not keep those rows
  const analyzer = createAnalyzer({ keepAccesses: false });
  const writer = new EventsStagingWriter(stagedDir, job.partRows);
  const run = await readEvents(job.trace, (b) => { analyzer.push(b); writer.push(b); }, { format: job.format, progress: false });
  writer.flush();
  const d = run.diagnostics;
  const result = analyzer.finish({
    path: run.input.path, format: run.input.format, sizeBytes: run.input.sizeBytes,
    diagnostics: { timePrecisionNs: d.timePrecisionNs, lostEventsTotal: d.lostEventsTotal, lostMarkers: d.lostMarkers, notes: d.notes, warningCount: d.warningCount },
  });
  const md = new Map([['es2scope.input', JSON.stringify(run.input)], ['es2scope.trace_id', job.traceId]]);
  const derivedRows = await writeDerivedTables(arrowDir, result, {
    categories: CATEGORIES, irqSources: IRQ_SOURCES, irqDeliveries: IRQ_DELIVERIES, vcpuStates: VCPU_STATES,
    exitFlagBrokenByLost: EXIT_FLAG.BROKEN_BY_LOST, exitFlagNoEntryAtEnd: EXIT_FLAG.NO_ENTRY_AT_END,
  }, md);
  const threads = result.threads.map((t) => ({ tid: t.tid, vm: t.vm }));
  const keys = vmKeys(result.vms);
  const { firstNs, lastNs, unpairedExitsAtEnd, exitsWithoutEntry } = result.quality;
  // the derived tables are on disk now; each is converted batch by batch from its .arrow file
  // (the caller holds no reference to `result`, so it can be collected meanwhile)
  const staged: Record<string, string[]> = { events: writer.files };
  for (const t of DERIVED_DATASET_TABLES) {
    // an empty table gets no part (and arrow-rs refuses some zero-row IPC batches arrow-js writes)
    staged[t] = !derivedRows[`${t}.arrow`] ? [] : (await arrowFileToParquetParts(join(arrowDir, `${t}.arrow`), join(stagedDir, t), job.partRows)).files;
    rmSync(join(arrowDir, `${t}.arrow`), { force: true });
  }
  const rows: Record<string, number> = { events: writer.rows };
  for (const t of DERIVED_DATASET_TABLES) rows[t] = derivedRows[`${t}.arrow`] ?? 0;
  return { run, d, staged, rows, threads, vmKeys: keys, quality: { firstNs, lastNs, unpairedExitsAtEnd, exitsWithoutEntry } };
}

export async function ingestTraceToDataset(job: TraceJob): Promise<ManifestEntry> {
  const stage = join(job.datasetDir, STAGING_DIR, job.traceId);
  rmSync(stage, { recursive: true, force: true });
  const stagedDir = join(stage, 'staged');
  const arrowDir = join(stage, 'arrow');
  mkdirSync(stagedDir, { recursive: true });
  mkdirSync(arrowDir, { recursive: true });
  mkdirSync(join(stage, 'out'), { recursive: true });
  try {
    // Memory: the events go to staging parts as they come (a part is encoded and its batches
    // dropped every partRows rows), and the analysis result lives only inside stageTrace, so it
    // is released before DuckDB's partitioned COPY runs.
    const st = await stageTrace(job, stagedDir, arrowDir);
    const { run, d, staged, rows } = st;

    const ctx = await openPartitioner(st.threads, st.vmKeys, job.duckThreads, join(stage, 'duck-tmp'));
    const outByTable: Record<string, string[]> = {};
    try {
      for (const [table, files] of Object.entries(staged)) {
        // an empty table has no part: its schema is in every other trace's parts
        if (files.length === 0 || rows[table] === 0) { outByTable[table] = []; continue; }
        outByTable[table] = await copyPartitioned(ctx, { table, staged: files, outDir: join(stage, 'out', table), host: job.host, fileTag: partTag(job.traceId) });
      }
    } finally {
      ctx.close();
    }
    const parts: Record<string, string[]> = {};
    for (const [table, p] of Object.entries(outByTable)) parts[table] = moveIntoDataset(join(stage, 'out', table), p, job.datasetDir, table);

    const q = st.quality;
    const entry: ManifestEntry = {
      traceId: job.traceId,
      host: job.host,
      input: { path: job.trace === '-' ? '-' : resolve(job.trace), format: run.input.format, sizeBytes: run.input.sizeBytes ?? safeSize(job.trace) },
      ingestedAt: new Date().toISOString(),
      schemaVersion: DATASET_SCHEMA_VERSION,
      firstNs: q.firstNs === null ? null : q.firstNs.toString(),
      lastNs: q.lastNs === null ? null : q.lastNs.toString(),
      rows,
      quality: {
        lostMarkers: d.lostMarkers, lostEvents: d.lostEventsTotal, warnings: d.warningCount,
        unpairedExits: q.unpairedExitsAtEnd + q.exitsWithoutEntry, timePrecisionNs: d.timePrecisionNs, truncated: d.truncated,
      },
      parts,
    };
    return entry;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function safeSize(p: string): number | null {
  try { return statSync(p).size; } catch { return null; }
}
