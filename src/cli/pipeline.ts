// Wiring of collectors -> table: open an input, pick its collector, stream it through the events
// builder, and hand each Arrow record batch to a consumer (a file writer, an analyzer, or both).
// Also reads back events Arrow files so every command accepts a trace or an .arrow file alike.
import type { RecordBatch, Schema } from 'apache-arrow';
import { Diagnostics, TraceInputError, type DiagnosticsJson } from '../../collectors/common/diagnostics.js';
import { EventBatchBuilder } from '../../collectors/common/eventBatch.js';
import { tscHzBig } from '../../collectors/common/cycles.js';
import { openTraceSource } from '../../collectors/common/source.js';
import { collectorByName, collectors, detectFormat } from '../../collectors/index.js';
import { EventsBatchConverter } from '../table/eventsArrow.js';
import { EventsSummary, type EventsSummaryJson } from '../table/eventsSummary.js';
import { isArrowFile, readArrowBatches, readArrowMetadata } from '../table/readEvents.js';
import { makeProgress } from './progress.js';

export interface InputIdentity {
  path: string;
  format: string;
  sizeBytes: number | null;
}

export interface EventsRun {
  input: InputIdentity;
  schema: Schema;
  diagnostics: DiagnosticsJson;
  summary: EventsSummaryJson;
}

export interface ReadOptions {
  format?: string;
  strict?: boolean;
  /** Show a progress bar (only when stderr is a terminal). */
  progress?: boolean;
  chunkSize?: number;
  batchRows?: number;
  /**
   * onBatch keeps nothing of a batch (nor of the Arrow data made from it) after it returns, so the
   * builder may reuse its arrays (less GC); ingest to a file sets it, analyzers must not.
   */
  recycleBatches?: boolean;
  /** TSC frequency (Hz) to convert raw-cycle timestamps (x86-tsc/counter clock without TSC2NSEC) to ns. */
  tscHz?: number;
}

/**
 * Read a trace (any supported format) or an events .arrow file, calling `onBatch` for every
 * Arrow record batch in order. Returns the input identity, diagnostics and summary.
 */
export async function readEvents(
  path: string,
  onBatch: (b: RecordBatch) => void,
  opts: ReadOptions = {},
  onConverter?: (c: EventsBatchConverter) => void,
): Promise<EventsRun> {
  if (opts.tscHz !== undefined) tscHzBig(opts.tscHz); // a bad --tsc-hz fails before any reading
  const source = await openTraceSource(path);
  try {
    if ((opts.format === undefined || opts.format === 'auto' || opts.format === 'arrow') && isArrowFile(source.head) && source.size !== null) {
      return await readArrowEvents(path, source.size, onBatch);
    }
    let collector;
    if (opts.format && opts.format !== 'auto') {
      collector = collectorByName(opts.format);
      if (!collector) {
        throw new TraceInputError(`unknown format "${opts.format}"`, undefined, `formats: auto, arrow, ${collectors().map((c) => c.name).join(', ')}`);
      }
    } else {
      const det = detectFormat(source.head);
      if (!det.collector) {
        const why = det.declined.map((d) => `  - ${d.name}: ${d.why}`).join('\n');
        throw new TraceInputError(`not a trace es2scope can read; formats tried:\n${why}`, source.name,
          'pass --format to force one, or see README.md "Supported formats"');
      }
      collector = det.collector;
    }
    const diag = new Diagnostics(source.name, opts.strict ?? false);
    diag.format = collector.name;
    const converter = new EventsBatchConverter(undefined, { reuseBuffers: opts.recycleBatches ?? false });
    onConverter?.(converter);
    const summary = new EventsSummary();
    const builder = new EventBatchBuilder((batch) => {
      summary.add(batch);
      onBatch(converter.convert(batch));
    }, opts.batchRows, opts.recycleBatches ?? false);
    const bar = opts.progress ? makeProgress(source.size, source.name) : null;
    try {
      await collector.collect({
        source, builder, diag,
        ...(bar ? { progress: (bytes: number) => bar.update(bytes) } : {}),
        ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}),
        ...(opts.tscHz !== undefined ? { tscHz: opts.tscHz } : {}),
      });
      builder.flush();
    } finally {
      bar?.stop();
    }
    if (opts.tscHz !== undefined && diag.timeUnit === 'cycles') {
      // only the trace.dat reader converts so far: say so rather than drop the flag silently
      diag.note(`--tsc-hz was NOT applied: the ${collector.name} reader does not convert cycles yet; ts_ns holds raw counts (timeUnit cycles)`);
    }
    if (builder.rowCount === 0 && diag.truncated) {
      const ex = diag.toJSON().warnings.find((w) => w.kind.endsWith('truncated'))?.examples[0];
      throw new TraceInputError(`the file was cut before its first complete event${ex ? `: ${ex.where}: ${ex.message}` : ''}`, source.name,
        'the trace was cut (copy interrupted, disk full, recorder killed); copy or record it again');
    }
    if (builder.rowCount === 0 && diag.warningCount > 0) {
      // nothing could be read, but lines were there: the wrong format was forced, or no trace at all
      const ex = diag.toJSON().warnings[0]?.examples[0];
      throw new TraceInputError(`no event could be read as ${collector.name}: ${diag.warningCount} line(s) did not match`, source.name,
        `${ex ? `first: ${ex.where}: ${ex.message}${ex.line !== undefined ? ` | ${ex.line}` : ''}\n  ` : ''}${opts.format && opts.format !== 'auto' ? 'drop --format to detect the format' : 'pass --format to name the format'}`);
    }
    return {
      input: { path: source.name, format: collector.name, sizeBytes: source.size },
      schema: converter.schema,
      diagnostics: diag.toJSON(),
      summary: summary.toJSON(),
    };
  } finally {
    await source.dispose();
  }
}

async function readArrowEvents(path: string, size: number | null, onBatch: (b: RecordBatch) => void): Promise<EventsRun> {
  const md = await readArrowMetadata(path).catch((e: unknown) => {
    throw new TraceInputError(`not a complete Arrow IPC file (${(e as Error).message})`, path,
      'the file is truncated or was still being written; run "es2scope ingest" on the trace again');
  });
  if (md.get('es2scope.table') !== 'events') {
    throw new TraceInputError('this Arrow file is not an es2scope events table', path,
      `its metadata says table=${md.get('es2scope.table') ?? '(none)'}; pass the events .arrow written by "es2scope ingest"`);
  }
  let schema: Schema | null = null;
  const batches = readArrowBatches(path);
  for (;;) {
    // only the reader's own failures are about the file; onBatch's errors pass through as they are
    let next: IteratorResult<RecordBatch, unknown>;
    try {
      next = await batches.next();
    } catch (e) {
      throw new TraceInputError(`cannot read the Arrow record batches (${(e as Error).message})`, path,
        'the file is damaged or truncated; run "es2scope ingest" on the trace again');
    }
    if (next.done) break;
    schema ??= next.value.schema;
    onBatch(next.value);
  }
  const input = md.get('es2scope.input');
  const diagnostics = md.get('es2scope.diagnostics');
  const summary = md.get('es2scope.summary');
  if (!schema || !diagnostics || !summary) {
    throw new TraceInputError('events Arrow file lacks its es2scope metadata (was it written completely?)', path,
      'ingest the trace again');
  }
  const inputJson = input ? (JSON.parse(input) as InputIdentity) : { path, format: 'arrow', sizeBytes: size };
  return {
    input: inputJson,
    schema,
    diagnostics: JSON.parse(diagnostics) as DiagnosticsJson,
    summary: JSON.parse(summary) as EventsSummaryJson,
  };
}
