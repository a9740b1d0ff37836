// trace.dat -> events rows: reads the metadata, opens one lazy stream per CPU and merges them in
// time order (k-way merge over a heap; ties by CPU, then record order). Only one block of pages
// (or one compressed chunk) per CPU is in memory at a time.
import { C, LOST_EVENT } from '../common/columns.js';
import type { CollectorContext } from '../common/collector.js';
import { convertedNote, cyclesToNs, tscHzBig } from '../common/cycles.js';
import type { TracepointDecoder } from '../common/tracepoints/types.js';
import type { RecordFieldReader } from '../common/tepformat/fieldReader.js';
import type { FieldLayout } from '../common/tepformat/parseFormat.js';
import { ABSENT, type EventBatchBuilder } from '../common/eventBatch.js';
import { decompressorFor } from './decompress.js';
import { CpuStream, pagesPerRead, REC_LOST } from './cpuStream.js';
import type { TraceDatMeta } from './meta.js';
import { readTraceDatMeta } from './readMeta.js';
import { hostTime, TSYNC_INTERPOLATE } from './timeShift.js';
import { tsc2nsecNumber } from './tsc2nsec.js';

export type DecoderLookup = (name: string) => TracepointDecoder | undefined;

/** Below 2^53: a double time that is exact and fits ts_ns (Int64) as two 32-bit halves. */
const MAX_I64_NUM = Number.MAX_SAFE_INTEGER;

/** Clocks whose timestamps are not nanoseconds (kernel/trace/trace.c trace_clocks[]). */
const CYCLE_CLOCKS = new Set(['x86-tsc', 'counter']);

interface EventInfo {
  readonly nameCode: number;
  readonly reader: RecordFieldReader | undefined;
  readonly decoder: TracepointDecoder | undefined;
  /** common_pid of the format, resolved once. */
  readonly pidField: FieldLayout | undefined;
  /** The decoder compiled for this format (its binary fast path), else undefined. */
  readonly decode: ((b: EventBatchBuilder) => void) | undefined;
}

/** Direct-mapped pid -> comm code cache in front of the Map (a pid repeats on a CPU for a while). */
const PID_CACHE = 4096;

function describe(meta: TraceDatMeta): string {
  const b = meta.buffers[0];
  return `trace.dat v${meta.version}, ${meta.compression === 'none' ? 'uncompressed' : `${meta.compression} ${meta.compressionVersion}`}, ` +
    `clock ${b?.clock ?? meta.traceClock ?? '?'}${meta.tsc2nsec ? ' + TSC2NSEC' : ''}, page ${meta.pageSize}, ` +
    `${b?.cpus.length ?? 0} CPUs with data${meta.uname ? `, ${meta.uname}` : ''}${meta.toolVersion ? `, trace-cmd ${meta.toolVersion}` : ''}`;
}

/** Stream every record of a trace.dat into ctx.builder. Returns the metadata (guests, clock, ...). */
export async function readTraceDat(ctx: CollectorContext, decoderFor: DecoderLookup): Promise<TraceDatMeta> {
  const { source, builder: b, diag } = ctx;
  diag.format = 'tracedat';
  const ra = await source.random();
  try {
    const meta = await readTraceDatMeta(ra, source.name, diag);
    diag.note(describe(meta));
    const top = meta.buffers.find((x) => x.name === '') ?? meta.buffers[0];
    if (!top) {
      diag.warn('tracedat-meta', `${source.name}@0x0`, 'no BUFFER/flyrecord data in the file: the table is empty');
      return meta;
    }
    // Instances (trace-cmd record/extract -B) are read too, after the top one, as trace-cmd report
    // does: one time order over every CPU of every instance (tracecmd_iterate_events_multi).
    const buffers = [top, ...meta.buffers.filter((x) => x !== top)];
    const clock = top.clock || meta.traceClock || 'local';
    for (const extra of buffers.slice(1)) {
      // (a file of instances only, `trace-cmd extract -B x` without -t, has no top: the first is read as it)
      const other = extra.clock && extra.clock !== clock ? `; its clock is "${extra.clock}", the top instance's "${clock}": times of the two are not comparable, merged as trace-cmd report merges them` : '';
      diag.note(`instance "${extra.name}" (${extra.cpus.length} CPUs with data) read too: its rows are merged by time with the other instances' (ties: top first), and the events table does not say which instance a row came from (trace-cmd report prefixes them "${extra.name}: ")${other}`);
    }
    // tsc2nsec: trace-cmd's pseudo clock, x86-tsc in the ring buffer + TSC2NSEC in the file.
    const tsc = meta.tsc2nsec && meta.tsc2nsec.mult !== 0 ? meta.tsc2nsec : null;
    const tscMult = BigInt(tsc?.mult ?? 0);
    const tscShift = BigInt(tsc?.shift ?? 0);
    const tscNs = tsc2nsecNumber(tsc?.mult ?? 0, tsc?.shift ?? 0, tsc?.offset ?? 0n);
    // --tsc-hz converts raw cycles when the file cannot (no TSC2NSEC); TSC2NSEC, when present, wins
    let hz: bigint | null = null;
    if (!tsc && (CYCLE_CLOCKS.has(clock) || clock === 'tsc2nsec')) {
      if (ctx.tscHz !== undefined) {
        hz = tscHzBig(ctx.tscHz);
        diag.note(convertedNote(clock, hz));
      } else {
        diag.timeUnit = 'cycles';
        diag.note(`TIME UNIT = CYCLES: clock "${clock}" without a TSC2NSEC option, so ts_ns holds raw ${clock} counts, NOT nanoseconds; pass --tsc-hz HZ to convert`);
      }
    } else if (ctx.tscHz !== undefined) {
      diag.note(`--tsc-hz ignored: ${tsc ? 'the file has TSC2NSEC' : `clock "${clock}" is not a cycle counter`}`);
    }
    if (clock === 'uptime') {
      diag.note('TIME UNIT = JIFFIES: clock "uptime" counts jiffies, so ts_ns is not nanoseconds');
    }
    const tsOffset = meta.tsOffsetNs;
    const offsetTimes = tsOffset !== 0n; // a boolean for the per-record paths (no BigInt compare there)
    if (offsetTimes) {
      diag.note(`${meta.tsOffsetFrom.join(' + ')} option (trace-cmd record ${meta.tsOffsetFrom.map((o) => (o === 'DATE' ? '--date' : '--ts-offset')).join(', ')}): ${tsOffset} ns added to every time, as trace-cmd report does`);
    }
    const shift = meta.timeShift;
    if (shift) {
      const n = shift.cpus.map((c) => c.length);
      diag.note(`TIME_SHIFT (guest file, peer trace id 0x${shift.peerTraceId.toString(16)}): timestamps moved to the host clock as trace-cmd report does, `
        + `${n.length} CPUs with ${Math.min(...n)}-${Math.max(...n)} offset samples, ${shift.flags & TSYNC_INTERPOLATE ? 'interpolated' : 'stepwise'}`);
    } else if (meta.timeShiftPresent) {
      diag.note('TIME_SHIFT option present but unreadable (warned): timestamps are the guest\'s own, not moved to the host clock');
    }
    for (const g of meta.guests) {
      diag.note(`guest "${g.name}" (trace id ${g.traceId}): ${[...g.vcpuToHostTid].map(([v, t]) => `vCPU ${v} -> host tid ${t}`).join(', ')}`);
    }
    if (meta.cpuCount !== null) diag.note(`host CPU count ${meta.cpuCount}`);

    const dec = meta.compression === 'none' ? null : await decompressorFor(meta.compression);
    const nStreams = buffers.reduce((n, x) => n + x.cpus.length, 0);
    // "NAME:" before an instance's CPU in warnings ("file:es2i:cpu1+0x40"); nothing for the top one
    const labels = buffers.map((x) => (x.name === '' ? '' : `${x.name}:`));
    const streams: CpuStream[] = buffers.flatMap((buf, bufferIndex) => {
      const pageSize = buf.pageSize || meta.pageSize;
      return buf.cpus.map((c) => new CpuStream(
        c.cpu, ra, c.offset, c.size, pageSize, meta.page, meta.littleEndian, dec, diag,
        (off) => (off >= 0 ? `${source.name}@0x${off.toString(16)}` : `${source.name}:${labels[bufferIndex]}cpu${c.cpu}`),
        pagesPerRead(nStreams, pageSize), ctx.chunkSize,
        shift ? (raw: bigint) => hostTime(raw, c.cpu, shift) : undefined,
        bufferIndex,
      ));
    });

    const names = b.dictionaries[C.event]!;
    const comms = b.dictionaries[C.comm]!;
    const lostCode = names.code(LOST_EVENT);
    // by event id (common_type is a u16): an array index instead of a Map lookup per record
    const events: (EventInfo | undefined)[] = new Array<EventInfo | undefined>(65536).fill(undefined);
    const unreported = new Map(meta.formatProblems);
    const reportFormatProblems = (key: string): void => {
      for (const p of unreported.get(key) ?? []) diag.warn('tracedat-format', p.where, p.message, undefined, 'records of this event are decoded as far as its format allows');
      unreported.delete(key);
    };
    const eventInfo = (id: number): EventInfo => {
      let e = id >= 0 ? events[id] : undefined;
      if (!e) {
        const f = meta.formats.get(id);
        if (f) reportFormatProblems(`${f.system}/${f.name}`);
        const reader = f ? meta.formats.reader(id) : undefined;
        const decoder = f ? decoderFor(f.name) : undefined;
        e = f
          ? { nameCode: names.code(f.name), reader, decoder, pidField: reader?.ref('common_pid'), decode: reader && decoder?.compileFields?.(reader) }
          : { nameCode: names.code(`[unknown event id ${id}]`), reader: undefined, decoder: undefined, pidField: undefined, decode: undefined };
        if (id >= 0) events[id] = e;
      }
      return e;
    };
    const commCode = new Map<number, number>();
    const pidKeys = new Float64Array(PID_CACHE).fill(NaN); // NaN: no pid matches an empty slot
    const pidCodes = new Int32Array(PID_CACHE);
    const commOf = (pid: number): number => {
      const slot = pid & (PID_CACHE - 1);
      if (pidKeys[slot] === pid) return pidCodes[slot]!;
      let c = commCode.get(pid);
      if (c === undefined) {
        // libtraceevent's tep_data_comm_from_pid: "<idle>" for 0, "<...>" when not saved
        c = comms.code(meta.cmdlines.get(pid) ?? (pid === 0 ? '<idle>' : '<...>'));
        commCode.set(pid, c);
      }
      pidKeys[slot] = pid;
      pidCodes[slot] = c;
      return c;
    };
    const le = meta.littleEndian;

    // heap of streams that have a current record, ordered by (ts, stream order); stream order =
    // (instance, cpu), trace-cmd's tie order
    const heap: CpuStream[] = [];
    // times compared as doubles while both are exact (below 2^53), as BigInts above
    const less = (x: CpuStream, y: CpuStream): boolean => {
      if (x.tsBigCur === null && y.tsBigCur === null) return x.tsNum < y.tsNum || (x.tsNum === y.tsNum && x.order < y.order);
      const a = x.ts;
      const c = y.ts;
      return a < c || (a === c && x.order < y.order);
    };
    const push = (s: CpuStream): void => {
      heap.push(s);
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        const child = heap[i]!;
        const parent = heap[p]!;
        if (!less(child, parent)) break;
        heap[i] = parent;
        heap[p] = child;
        i = p;
      }
    };
    const siftDown = (): void => {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < n && less(heap[l]!, heap[m]!)) m = l;
        if (r < n && less(heap[r]!, heap[m]!)) m = r;
        if (m === i) return;
        // a swap through two locals: a destructuring swap allocated an array per record here
        const top = heap[i]!;
        heap[i] = heap[m]!;
        heap[m] = top;
        i = m;
      }
    };
    const step = async (s: CpuStream): Promise<boolean> => {
      while (!s.advance()) if (!(await s.refill())) return false;
      return true;
    };
    for (const s of streams) if (await step(s)) push(s);

    let unknownIds = 0;
    let rows = 0;
    /** The current record's time in BigInt, exact (TSC2NSEC or --tsc-hz applied; no DATE/OFFSET). */
    const exactTs = (s: CpuStream): bigint => (tsc ? ((s.ts * tscMult) >> tscShift) + tsc.offset : hz !== null ? cyclesToNs(s.ts, hz) : s.ts);
    /** The columns of the current record of `s` (any kind of record, any time), but not end(). */
    const writeRow = (s: CpuStream): void => {
      let ts: bigint | null = null;
      // DATE/OFFSET: in BigInt (a --date offset is ~1.7e18 ns, past doubles' exact range)
      if (offsetTimes) b.big64(C.ts_ns, ts = exactTs(s) + tsOffset);
      else if (tsc) {
        const ns = s.tsBigCur === null ? tscNs(s.tsNum) : -1;
        if (ns >= 0) {
          const lo = ns >>> 0;
          b.halves64(C.ts_ns, lo, (ns - lo) / 4294967296);
          if (s.kind === REC_LOST) ts = BigInt(ns);
        } else b.big64(C.ts_ns, ts = exactTs(s));
      } else if (hz !== null) b.big64(C.ts_ns, ts = exactTs(s));
      else if (s.tsBigCur === null && s.tsNum <= MAX_I64_NUM) {
        const lo = s.tsNum >>> 0;
        b.halves64(C.ts_ns, lo, (s.tsNum - lo) / 4294967296);
      } else b.big64(C.ts_ns, ts = exactTs(s));
      b.i32(C.cpu, s.cpu);
      b.num64(C.src_line, s.offset);
      if (s.kind === REC_LOST) {
        b.dictCode(C.event, lostCode);
        if (s.lostCount !== null) b.i32(C.count, Math.min(s.lostCount, 0x7fffffff));
        diag.lostEvents({ cpu: s.cpu, tsNs: ts ?? s.ts, count: s.lostCount, where: `${source.name}:${labels[s.bufferIndex]}cpu${s.cpu}+0x${s.offset.toString(16)}` });
      } else {
        const buf = s.block;
        const dv = s.view;
        const o = s.recStart;
        const id = s.recLen >= 2 ? dv.getUint16(o, le) : -1;
        const e = eventInfo(id);
        b.dictCode(C.event, e.nameCode);
        if (e.reader) {
          const r = e.reader.bindView(buf, dv, o, s.recLen);
          const pid = r.numAt(e.pidField);
          if (pid !== undefined) {
            b.i32(C.tid, pid);
            b.dictCode(C.comm, commOf(pid));
          }
          if (e.decode !== undefined) e.decode(b);
          else e.decoder?.decodeFields(r, b);
        } else if (unknownIds++ < 1000) {
          diag.warn('tracedat-unknown-event', `${source.name}:${labels[s.bufferIndex]}cpu${s.cpu}+0x${s.offset.toString(16)}`, `record with event id ${id} has no format in the file; kept as "[unknown event id ${id}]"`);
        }
      }
    };
    while (heap.length > 0) {
      const s = heap[0]!;
      let written = false;
      if (s.kind !== REC_LOST && s.tsBigCur === null && s.recLen >= 2 && !offsetTimes) {
        // the common case in one go: an event record whose time is a double below 2^53 ns
        const ns = tsc ? tscNs(s.tsNum) : hz === null && s.tsNum <= MAX_I64_NUM ? s.tsNum : -1;
        const dv = s.view;
        const o = s.recStart;
        const id = dv.getUint16(o, le);
        const e = events[id] ?? eventInfo(id); // the array read inlined; eventInfo is too big to be
        if (ns >= 0 && e.reader !== undefined) {
          let tid = ABSENT;
          let comm = ABSENT;
          const r = e.reader.bindView(s.block, dv, o, s.recLen);
          const pid = r.numAt(e.pidField);
          if (pid !== undefined) {
            tid = pid;
            comm = commOf(pid);
          }
          const lo = ns >>> 0;
          // lo as an int32 (same bits in the Uint32 column): an uint32 above 2^31 is a heap number per call
          b.rowHeader(lo | 0, (ns - lo) / 4294967296, s.cpu, ABSENT, tid, ABSENT, comm, e.nameCode, s.offset);
          if (tid === ABSENT && comm !== ABSENT) { b.i32(C.tid, tid); b.dictCode(C.comm, comm); } // a pid of -2^31
          if (e.decode !== undefined) e.decode(b);
          else e.decoder?.decodeFields(r, b);
          written = true;
        }
      }
      if (!written) writeRow(s);
      b.end();
      if ((++rows & 0xffff) === 0 && ctx.progress) ctx.progress(0);
      // advance() is synchronous; only a block boundary needs an await (one per read block or compressed chunk)
      if (s.advance() || (await step(s))) siftDown();
      else {
        const last = heap.pop()!;
        if (heap.length > 0) { heap[0] = last; siftDown(); }
      }
    }

    if (unreported.size > 0) {
      let n = 0;
      for (const l of unreported.values()) n += l.length;
      const first = unreported.values().next().value![0]!;
      diag.note(`${n} oddities in the format texts of ${unreported.size} events that have no record in this file (not warnings: nothing was decoded with them), e.g. ${first.where}: ${first.message}`);
    }
    for (const s of streams) {
      const name = buffers[s.bufferIndex]!.name;
      const k = meta.cpuStatsByBuffer.get(name)?.get(s.cpu);
      diag.cpuStats.push({
        cpu: s.cpu, ...(name !== '' ? { buffer: name } : {}), recordsInFile: s.records,
        ...(k?.entries !== undefined ? { entries: k.entries } : {}),
        ...(k?.overrun !== undefined ? { overrun: k.overrun } : {}),
        ...(k?.readEvents !== undefined ? { readEvents: k.readEvents } : {}),
        missingPages: s.missingPages, lostReported: s.lostReported,
      });
      if (k?.overrun) diag.note(`${name !== '' ? `instance "${name}" ` : ''}CPU ${s.cpu}: the kernel reports ${k.overrun} events overwritten (overrun) before they were read`);
    }
    return meta;
  } finally {
    await ra.close();
  }
}
