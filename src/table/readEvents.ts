// Read an events Arrow IPC file back, batch by batch, with its es2scope metadata.
import { RecordBatchReader, type RecordBatch, type Schema } from 'apache-arrow';
import { open } from 'node:fs/promises';

const ARROW_FILE_MAGIC = Buffer.from('ARROW1');

/** True when the bytes start like an Arrow IPC file (magic "ARROW1"). */
export function isArrowFile(head: Buffer): boolean {
  return head.length >= 6 && head.subarray(0, 6).equals(ARROW_FILE_MAGIC);
}

/** Footer schema metadata (diagnostics, input identity) of an Arrow IPC file. */
export async function readArrowMetadata(path: string): Promise<Map<string, string>> {
  const fh = await open(path, 'r');
  try {
    const reader = await RecordBatchReader.from(fh);
    await reader.open();
    const md = new Map(reader.schema.metadata);
    await reader.cancel();
    return md;
  } finally {
    await fh.close();
  }
}

/**
 * Read the record batches of an Arrow IPC file one at a time. Uses the file (footer) reader:
 * es2scope writes each dictionary once, after the batches (see eventsArrow.ts).
 */
export async function* readArrowBatches(path: string): AsyncGenerator<RecordBatch, Schema | null> {
  const fh = await open(path, 'r');
  try {
    const reader = await RecordBatchReader.from(fh);
    let schema: Schema | null = null;
    for await (const batch of reader) {
      schema ??= batch.schema;
      yield batch;
    }
    return schema;
  } finally {
    await fh.close();
  }
}
