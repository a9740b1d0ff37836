// perf_event_attr as stored in perf.data (attrs section, HEADER_ATTR records, EVENT_DESC), and the
// byte layout of the SAMPLE records and sample_id_all trailers it implies. Layout source:
// include/uapi/linux/perf_event.h (struct perf_event_attr; "PERF_RECORD_SAMPLE" comment) and
// tools/perf/util/evsel.c perf_evsel__parse_id_sample(). Example (perf 6.1 `perf report
// --header-only`): "event : name = sched:sched_switch, id = { 12, 13 }, type = 2, size = 128,
// config = 0x174, sample_type = IP|TID|TIME|CPU|PERIOD|RAW|IDENTIFIER, read_format = ID|LOST,
// sample_id_all = 1".
import { S } from './constants.js';

export interface PerfAttr {
  /** PERF_TYPE_* (2 = tracepoint). */
  readonly type: number;
  /** attr.size as written (varies by perf version: 64 .. 136+). */
  readonly size: number;
  /** attr.config; for tracepoints the tracefs event ID. Exact below 2^53. */
  readonly config: number;
  /** Low 32 bits of sample_type (every bit up to WEIGHT_STRUCT fits). */
  readonly sampleType: number;
  readonly readFormat: number;
  /** attr.sample_id_all: non-sample records end with a TID/TIME/ID/STREAM_ID/CPU/IDENTIFIER trailer. */
  readonly sampleIdAll: boolean;
  // ---- SAMPLE layout: byte offsets from the record start (after the 8-byte header), -1 = absent
  readonly offIdentifier: number;
  readonly offTid: number;
  readonly offTime: number;
  readonly offId: number;
  readonly offCpu: number;
  /** Offset just after the fixed part (IDENTIFIER .. PERIOD); READ, CALLCHAIN, RAW follow. */
  readonly offVariable: number;
  // ---- sample_id_all trailer: offsets counted back from the record end, -1 = absent
  readonly trailerBytes: number;
  readonly tTid: number;
  readonly tTime: number;
  readonly tId: number;
  readonly tCpu: number;
}

/** Reads the attr at bytes[off..]; `avail` bounds it. Returns null when fewer than 48 bytes are there. */
export function parseAttr(dv: DataView, off: number, avail: number, le: boolean): PerfAttr | null {
  if (avail < 48) return null;
  const type = dv.getUint32(off, le);
  const size = dv.getUint32(off + 4, le);
  const config = u64num(dv, off + 8, le);
  const sampleType = u64lo(dv, off + 24, le);
  const readFormat = u64lo(dv, off + 32, le);
  const flags = u64lo(dv, off + 40, le);
  return layout({ type, size, config, sampleType, readFormat, sampleIdAll: (flags & (1 << 18)) !== 0 });
}

type AttrCore = Pick<PerfAttr, 'type' | 'size' | 'config' | 'sampleType' | 'readFormat' | 'sampleIdAll'>;

/** Derive the sample and trailer offsets from sample_type (bit order = record order). */
export function layout(a: AttrCore): PerfAttr {
  const st = a.sampleType;
  let o = 8;
  const take = (bit: number): number => {
    if (!(st & bit)) return -1;
    const at = o;
    o += 8;
    return at;
  };
  const offIdentifier = take(S.IDENTIFIER);
  take(S.IP);
  const offTid = take(S.TID);
  const offTime = take(S.TIME);
  take(S.ADDR);
  const offId = take(S.ID);
  take(S.STREAM_ID);
  const offCpu = take(S.CPU);
  take(S.PERIOD);
  const offVariable = o;
  // trailer order: TID, TIME, ID, STREAM_ID, CPU, IDENTIFIER (perf_event__synth_id_sample / __perf_event_header__init_id)
  const order = [S.TID, S.TIME, S.ID, S.STREAM_ID, S.CPU, S.IDENTIFIER];
  const present = order.filter((b) => st & b);
  const trailerBytes = a.sampleIdAll ? present.length * 8 : 0;
  const back = (bit: number): number => {
    if (!a.sampleIdAll || !(st & bit)) return -1;
    return trailerBytes - present.indexOf(bit) * 8;
  };
  return {
    ...a, offIdentifier, offTid, offTime, offId, offCpu, offVariable,
    trailerBytes, tTid: back(S.TID), tTime: back(S.TIME), tId: back(S.IDENTIFIER) >= 0 ? back(S.IDENTIFIER) : back(S.ID), tCpu: back(S.CPU),
  };
}

const TWO32 = 4294967296;

/** u64 as a number (exact below 2^53; ids, configs and sizes are far below). */
export function u64num(dv: DataView, off: number, le: boolean): number {
  const a = dv.getUint32(off, le);
  const b = dv.getUint32(off + 4, le);
  return le ? b * TWO32 + a : a * TWO32 + b;
}
export function u64lo(dv: DataView, off: number, le: boolean): number {
  return dv.getUint32(le ? off : off + 4, le);
}
