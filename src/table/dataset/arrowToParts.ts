// An Arrow IPC file (e.g. a derived table written by derivedArrow.ts) -> staging Parquet parts of
// at most ~partRows rows each, read batch by batch so memory stays bounded.
import type { RecordBatch, Schema } from 'apache-arrow';
import { writeFileSync } from 'node:fs';
import { batchesToParquet } from '../parquet.js';
import { readArrowBatches } from '../readEvents.js';
import { DEFAULT_PART_ROWS } from './eventsStaging.js';

/** Writes `${prefix}-<n>.parquet`; returns the files written (at least one, so the schema is kept). */
export async function arrowFileToParquetParts(arrowPath: string, prefix: string, partRows = DEFAULT_PART_ROWS): Promise<{ files: string[]; rows: number }> {
  const files: string[] = [];
  let pending: RecordBatch[] = [];
  let pendingRows = 0;
  let rows = 0;
  let schema: Schema | null = null;
  const flush = (): void => {
    if (!schema) return;
    const file = `${prefix}-${files.length}.parquet`;
    writeFileSync(file, batchesToParquet(schema, pending));
    files.push(file);
    pending = [];
    pendingRows = 0;
  };
  for await (const b of readArrowBatches(arrowPath)) {
    schema ??= b.schema;
    pending.push(b);
    pendingRows += b.numRows;
    rows += b.numRows;
    if (pendingRows >= partRows) flush();
  }
  if (pending.length > 0 || files.length === 0) flush();
  return { files, rows };
}
