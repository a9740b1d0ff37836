// The blocks of `format` texts that binary containers embed, and the event-id -> format map
// built from them. Layout (trace-cmd Documentation/trace-cmd/trace-cmd.dat.v6.5.txt, and
// tools/perf/util/trace-event-info.c which writes the same for perf.data HEADER_TRACING_DATA):
//   ftrace formats:  u32 count, count x (u64 size, text)
//   event formats:   u32 nr_systems, nr_systems x (system "\0", u32 count, count x (u64 size, text))
//   saved cmdlines:  "pid comm\n" lines, e.g. "60250 CPU 0/KVM\n" (kernel/trace/trace.c saved_cmdlines_show)
// Sizes are bounded by the block: a corrupt size is reported with its byte offset, never followed.
import { parseEventFormat, type EventFormat } from './parseFormat.js';
import { makeFieldReader, type RecordFieldReader } from './fieldReader.js';

/** Reports a problem at a byte offset inside the block being parsed. */
export type BlockWarn = (offset: number, message: string) => void;

export class EventFormatSet {
  readonly byId = new Map<number, EventFormat>();
  private readonly readers = new Map<number, RecordFieldReader>();
  constructor(readonly littleEndian = true) {}

  add(f: EventFormat): void {
    if (f.id >= 0) this.byId.set(f.id, f);
  }
  get(id: number): EventFormat | undefined { return this.byId.get(id); }
  /** The reusable reader for event `id` (created on first use). */
  reader(id: number): RecordFieldReader | undefined {
    let r = this.readers.get(id);
    if (r) return r;
    const f = this.byId.get(id);
    if (!f) return undefined;
    r = makeFieldReader(f, { littleEndian: this.littleEndian });
    this.readers.set(id, r);
    return r;
  }
  byName(name: string): EventFormat | undefined {
    for (const f of this.byId.values()) if (f.name === name) return f;
    return undefined;
  }
  get size(): number { return this.byId.size; }
}

function u64(buf: Buffer, o: number, le: boolean): number {
  const v = le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

function formats(buf: Buffer, pos: number, count: number, system: string, le: boolean, set: EventFormatSet, warn: BlockWarn): number {
  for (let i = 0; i < count; i++) {
    if (pos + 8 > buf.length) { warn(pos, `format ${i + 1} of ${count} (${system}): block ends before its size`); return -1; }
    const size = u64(buf, pos, le);
    if (pos + 8 + size > buf.length) { warn(pos, `format ${i + 1} of ${count} (${system}): size ${size} runs past the block end (${buf.length})`); return -1; }
    const f = parseEventFormat(buf.toString('latin1', pos + 8, pos + 8 + size), system);
    for (const p of f.problems) warn(pos + 8, `${system}/${f.name || '?'} format: ${p}`);
    if (f.id < 0) warn(pos + 8, `${system}/${f.name || '?'} format has no ID; its records cannot be decoded`);
    set.add(f);
    pos += 8 + size;
  }
  return pos;
}

/**
 * Parse an ftrace-formats block (`kind` "ftrace") or an event-formats block ("events") starting
 * at buf[0] into `set`. Returns the number of bytes consumed, or -1 when the block is corrupt.
 */
export function parseFormatSection(kind: 'ftrace' | 'events', buf: Buffer, set: EventFormatSet, warn: BlockWarn): number {
  const le = set.littleEndian;
  if (buf.length < 4) { warn(0, `${kind} formats block shorter than its count`); return -1; }
  const n = le ? buf.readUInt32LE(0) : buf.readUInt32BE(0);
  if (kind === 'ftrace') return formats(buf, 4, n, 'ftrace', le, set, warn);
  let pos = 4;
  for (let s = 0; s < n; s++) {
    const nul = buf.indexOf(0, pos);
    if (nul < 0 || nul + 5 > buf.length) { warn(pos, `event system ${s + 1} of ${n}: name or count missing`); return -1; }
    const system = buf.toString('latin1', pos, nul);
    const count = le ? buf.readUInt32LE(nul + 1) : buf.readUInt32BE(nul + 1);
    pos = formats(buf, nul + 5, count, system, le, set, warn);
    if (pos < 0) return -1;
  }
  return pos;
}

/** saved_cmdlines text ("pid comm" per line) to a pid -> comm map. Comms may hold spaces. */
export function parseSavedCmdlines(text: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const pidText = line.slice(0, sp);
    if (!/^\d+$/.test(pidText)) continue;
    m.set(Number(pidText), line.slice(sp + 1));
  }
  return m;
}

/** The v6-style tracing-data block (perf.data HEADER_TRACING_DATA, trace.dat v6 prefix). */
export interface TracingData {
  readonly version: string;
  readonly littleEndian: boolean;
  readonly longSize: number;
  readonly pageSize: number;
  readonly headerPage: string;
  readonly headerEvent: string;
  readonly formats: EventFormatSet;
  readonly cmdlines: Map<number, string>;
  /** Offset just past the saved cmdlines (where trace.dat v6 continues with nr_cpus). */
  readonly end: number;
}

/**
 * Parse a whole tracing-data block held in memory: "\x17\x08\x44tracing" version "\0", endian,
 * long size, u32 page size, header_page, header_event, ftrace formats, event formats, kallsyms
 * (u32 size, skipped), printk formats (u32 size, skipped), saved cmdlines (u64 size).
 * Returns null (after warn) when the block is unreadable.
 */
export function parseTracingData(buf: Buffer, warn: BlockWarn): TracingData | null {
  if (buf.length < 10 || buf[0] !== 0x17 || buf[1] !== 0x08 || buf[2] !== 0x44 || buf.toString('latin1', 3, 10) !== 'tracing') {
    warn(0, 'tracing data does not start with \\x17\\x08\\x44tracing');
    return null;
  }
  const vEnd = buf.indexOf(0, 10);
  if (vEnd < 0 || vEnd + 7 > buf.length) { warn(10, 'tracing data: version string not terminated'); return null; }
  const version = buf.toString('latin1', 10, vEnd);
  const littleEndian = buf[vEnd + 1] === 0;
  const longSize = buf[vEnd + 2]!;
  const pageSize = littleEndian ? buf.readUInt32LE(vEnd + 3) : buf.readUInt32BE(vEnd + 3);
  let pos = vEnd + 7;
  const named = (label: string): string | null => {
    const want = `${label}\0`;
    if (buf.toString('latin1', pos, pos + want.length) !== want || pos + want.length + 8 > buf.length) {
      warn(pos, `tracing data: expected "${label}"`);
      return null;
    }
    const size = u64(buf, pos + want.length, littleEndian);
    const from = pos + want.length + 8;
    if (from + size > buf.length) { warn(pos, `tracing data: ${label} size ${size} runs past the end`); return null; }
    pos = from + size;
    return buf.toString('latin1', from, from + size);
  };
  const headerPage = named('header_page');
  if (headerPage === null) return null;
  const headerEvent = named('header_event');
  if (headerEvent === null) return null;
  const formats = new EventFormatSet(littleEndian);
  for (const kind of ['ftrace', 'events'] as const) {
    const base = pos;
    const used = parseFormatSection(kind, buf.subarray(pos), formats, (o, m) => warn(base + o, m));
    if (used < 0) return null;
    pos += used;
  }
  for (const label of ['kallsyms', 'printk formats']) {
    if (pos + 4 > buf.length) { warn(pos, `tracing data: ${label} size missing`); return null; }
    const size = littleEndian ? buf.readUInt32LE(pos) : buf.readUInt32BE(pos);
    if (pos + 4 + size > buf.length) { warn(pos, `tracing data: ${label} size ${size} runs past the end`); return null; }
    pos += 4 + size;
  }
  let cmdlines = new Map<number, string>();
  if (pos + 8 <= buf.length) {
    const size = u64(buf, pos, littleEndian);
    if (pos + 8 + size > buf.length) { warn(pos, `tracing data: saved cmdlines size ${size} runs past the end`); return null; }
    cmdlines = parseSavedCmdlines(buf.toString('utf8', pos + 8, pos + 8 + size));
    pos += 8 + size;
  }
  return { version, littleEndian, longSize, pageSize, headerPage, headerEvent, formats, cmdlines, end: pos };
}
