// Test helpers: decode one payload into a real EventBatchBuilder and read the row back by column
// name; a fake FieldReader from a field->value map; real example lines from the shared reference.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COLUMNS, C } from '../../../../collectors/common/columns.js';
import { EventBatchBuilder, type EventBatch } from '../../../../collectors/common/eventBatch.js';
import { createTracepointDecoders } from '../../../../collectors/common/tracepoints/index.js';
import type { FieldReader, PrintTable } from '../../../../collectors/common/tracepoints/types.js';

const here = dirname(fileURLToPath(import.meta.url));
export const SHARED = resolve(here, '../../../../../shared');
export const REFERENCE = resolve(SHARED, 'reference/trace-formats.md');
export const VHOST_REPORT = resolve(SHARED, 'traces/hip24/vhost-host-report.txt');

export type Row = Record<string, number | bigint | string | boolean>;

export function rowsOf(batches: EventBatch[]): Row[] {
  const out: Row[] = [];
  for (const bt of batches) {
    for (let r = 0; r < bt.length; r++) {
      const row: Row = {};
      COLUMNS.forEach((c, ci) => {
        const col = bt.columns[ci]!;
        if (!col.valid[r]) return;
        const v = col.values[r]!;
        if (c.kind === 'dict') row[c.name] = bt.dictionaries[ci]![v as number]!;
        else if (c.kind === 'bool') row[c.name] = v === 1;
        else row[c.name] = v;
      });
      out.push(row);
    }
  }
  return out;
}

/** A builder with its own sink, for decoding many rows. */
export function newBuilder(): { b: EventBatchBuilder; rows: () => Row[] } {
  const batches: EventBatch[] = [];
  const b = new EventBatchBuilder((x) => batches.push(x), 1024);
  return { b, rows: () => { b.flush(); return rowsOf(batches); } };
}

const decoders = createTracepointDecoders();

/** Writes the required header fields and a row decoded from the payload; returns [ok, row without header]. */
export function decodeRow(event: string, payload: string, b?: EventBatchBuilder): { ok: boolean; row: Row } {
  const own = b ? undefined : newBuilder();
  const bb = b ?? own!.b;
  const d = decoders.get(event);
  if (!d) throw new Error(`no decoder for ${event}`);
  // decode inside a larger string, as collectors do, to catch start/end mistakes
  const text = `XX ${payload}\nYY`;
  bb.big64(C.ts_ns, 1n);
  bb.dict(C.event, event);
  bb.num64(C.src_line, 1);
  const ok = d.decodeText(text, 3, 3 + payload.length, bb);
  bb.end();
  return { ok, row: own ? stripHeader(own.rows()[0]!) : {} };
}

export function decodeFieldsRow(event: string, r: FieldReader): Row {
  const { b, rows } = newBuilder();
  b.big64(C.ts_ns, 1n);
  b.dict(C.event, event);
  b.num64(C.src_line, 1);
  decoders.get(event)!.decodeFields(r, b);
  b.end();
  return stripHeader(rows()[0]!);
}

export function stripHeader(r: Row): Row {
  const { ts_ns: _a, event: _b, src_line: _c, ...rest } = r;
  return rest;
}

/** A FieldReader over a plain map, as the trace.dat / perf.data readers would give. */
export function fakeReader(fields: Record<string, number | bigint | string>, tables: Record<string, PrintTable[]> = {}): FieldReader {
  return {
    has: (f) => f in fields,
    num: (f) => {
      const v = fields[f];
      return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
    },
    set64: (f, col, b) => {
      const v = fields[f];
      if (typeof v === 'number') { b.big64(col, BigInt(v)); return true; }
      if (typeof v === 'bigint') { b.big64(col, v); return true; }
      return false;
    },
    str: (f) => {
      const v = fields[f];
      return typeof v === 'string' ? v : undefined;
    },
    printTables: (f) => tables[f] ?? [],
  };
}

/**
 * The payload of the first line in a shared file that contains `needle`, taken after "<event>: "
 * (trace-cmd's padding to 20 columns kept: decoders must skip it). undefined when the file is missing.
 */
export function realPayload(file: string, event: string, needle: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.includes(needle));
  if (line === undefined) throw new Error(`${file}: no line contains ${JSON.stringify(needle)}`);
  const at = line.indexOf(`${event}: `);
  if (at < 0) throw new Error(`${file}: line has no "${event}: ": ${line}`);
  return line.slice(at + event.length + 2).replace(/`\s*$/, '');
}

export function missing(file: string): string {
  return `${file} is missing (shared reference/traces not mounted)`;
}
