// Test helper: run one collector over a file and get the events table back as plain rows.
import { Table, type RecordBatch } from 'apache-arrow';
import type { Collector } from '../../collectors/common/collector.js';
import { Diagnostics } from '../../collectors/common/diagnostics.js';
import { EventBatchBuilder } from '../../collectors/common/eventBatch.js';
import { openTraceSource } from '../../collectors/common/source.js';
import { EventsBatchConverter } from '../../src/table/eventsArrow.js';

export type Row = Record<string, any>;

export async function collectTable(collector: Collector, path: string, opts: { chunkSize?: number; strict?: boolean; lineMemo?: boolean } = {}): Promise<{ table: Table; diag: Diagnostics }> {
  const source = await openTraceSource(path);
  const diag = new Diagnostics(source.name, opts.strict ?? false);
  const conv = new EventsBatchConverter();
  const batches: RecordBatch[] = [];
  const builder = new EventBatchBuilder((b) => batches.push(conv.convert(b)), 1000);
  try {
    await collector.collect({ source, builder, diag, ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}), ...(opts.lineMemo === false ? { lineMemo: false } : {}) });
    builder.flush();
  } finally {
    await source.dispose();
  }
  return { table: new Table(conv.schema, batches), diag };
}

export async function collectRows(collector: Collector, path: string, opts: { chunkSize?: number } = {}): Promise<Row[]> {
  const { table } = await collectTable(collector, path, opts);
  return table.toArray().map((r) => r.toJSON() as Row);
}
