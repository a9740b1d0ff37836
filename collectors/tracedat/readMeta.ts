// Reads everything before the ring-buffer pages of a trace.dat: the file header, event formats,
// saved cmdlines and options, for v6 (fixed order) and v7 (sections found through options).
// Example start of a v7 file (HIP24 apicv-6.5-trace.dat, written by trace-cmd 3.2
// lib/trace-cmd/trace-output.c):
//   17 08 44 74 72 61 63 69 6e 67 37 00 | 00 | 08 | 00 10 00 00 | "zlib\0" "1.2.11\0" | 27 ea 27 00 00 00 00 00
//   magic "tracing" "7\0"           endian long  page size      compression          first OPTIONS offset
// Every size read from the file is checked against the file size before it is followed.
import type { RandomAccess } from '../common/source.js';
import { TraceInputError, type Diagnostics } from '../common/diagnostics.js';
import { EventFormatSet, parseFormatSection, parseSavedCmdlines } from '../common/tepformat/formatSet.js';
import { parseEventFormat } from '../common/tepformat/parseFormat.js';
import { decompressorFor } from './decompress.js';
import { recoverCutBuffer } from './recoverCut.js';
import type { CpuData, FormatProblem, PageLayout, TraceDatMeta } from './meta.js';
import { OPT, newOptionState, readOptions, applyOption, type OptionState } from './options.js';

export const TRACEDAT_MAGIC = Buffer.from([0x17, 0x08, 0x44, 0x74, 0x72, 0x61, 0x63, 0x69, 0x6e, 0x67]);
/** Sections larger than this are treated as corrupt sizes (event formats are a few MB at most). */
const MAX_META_SECTION = 512 * 1024 * 1024;

export const SECTION = { OPTIONS: 0, HEADER_INFO: 16, FTRACE_EVENTS: 17, EVENT_FORMATS: 18, KALLSYMS: 19, PRINTK: 20, CMDLINES: 21 } as const;

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Small header reads are served from blocks of this size (see FileReader.read). */
const META_BLOCK = 64 << 10;

class FileReader {
  /** The last block read ahead, and its file offset. */
  private block: Buffer | null = null;
  private blockAt = 0;
  constructor(readonly ra: RandomAccess, readonly name: string, readonly le: boolean) {}
  where(pos: number): string { return `${this.name}@${hex(pos)}`; }
  /**
   * Bytes [pos, pos + n), fewer at the end of the file. Reads of up to META_BLOCK bytes go
   * through a read-ahead block: the header walk asks for ~100 pieces of 4-600 bytes, and each
   * file read is a thread-pool round trip (~0.1 ms here). The bytes returned are never reused.
   */
  private async read(pos: number, n: number): Promise<Buffer> {
    if (n > META_BLOCK) return this.ra.read(pos, n);
    let b = this.block;
    if (b === null || pos < this.blockAt || pos + n > this.blockAt + b.length) {
      b = this.block = await this.ra.read(pos, META_BLOCK);
      this.blockAt = pos;
    }
    const o = pos - this.blockAt;
    return b.subarray(o, Math.min(o + n, b.length));
  }
  async exact(pos: number, n: number, what: string): Promise<Buffer> {
    if (pos < 0 || n < 0 || pos + n > this.ra.size) {
      throw new TraceInputError(`truncated file: ${what} needs ${n} bytes at ${hex(pos)}, file has ${this.ra.size}`, this.where(pos),
        'the trace.dat was cut (copy interrupted, disk full, trace-cmd killed); record or copy it again');
    }
    return this.read(pos, n);
  }
  async u16(pos: number, what: string): Promise<number> { const b = await this.exact(pos, 2, what); return this.le ? b.readUInt16LE(0) : b.readUInt16BE(0); }
  async u32(pos: number, what: string): Promise<number> { const b = await this.exact(pos, 4, what); return this.le ? b.readUInt32LE(0) : b.readUInt32BE(0); }
  async u64(pos: number, what: string): Promise<number> {
    const b = await this.exact(pos, 8, what);
    const v = this.le ? b.readBigUInt64LE(0) : b.readBigUInt64BE(0);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
  /** A NUL-terminated string at pos (at most `max` bytes); returns it and the position after the NUL. */
  async cstr(pos: number, max: number, what: string): Promise<[string, number]> {
    const b = await this.read(pos, max);
    const nul = b.indexOf(0);
    if (nul < 0) throw new TraceInputError(`${what}: no terminating NUL within ${max} bytes`, this.where(pos), 'the file header is corrupt or this is not a trace.dat');
    return [b.toString('latin1', 0, nul), pos + nul + 1];
  }
}

export function pageLayoutFrom(headerPage: string, diag: Diagnostics, where: string): PageLayout {
  const f = parseEventFormat(headerPage);
  const commit = f.byName.get('commit');
  const data = f.byName.get('data');
  if (!commit || !data || (commit.size !== 4 && commit.size !== 8)) {
    diag.warn('tracedat-header-page', where, 'header_page lacks a usable commit/data field; assuming 64-bit layout (commit @8, data @16)', headerPage.slice(0, 200));
    return { commitOffset: 8, commitSize: 8, dataOffset: 16 };
  }
  return { commitOffset: commit.offset, commitSize: commit.size, dataOffset: data.offset };
}

/** header_page / header_event pair: "header_page\0" u64 size text "header_event\0" u64 size text. */
function headerInfoFromBuffer(b: Buffer, le: boolean, fail: (msg: string) => never): { page: string; event: string; end: number } {
  const u64 = (o: number): number => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  if (b.toString('latin1', 0, 12) !== 'header_page\0' || b.length < 20) fail('expected "header_page"');
  const ps = u64(12);
  if (20 + ps + 21 > b.length) fail(`header_page size ${ps} runs past its block`);
  const page = b.toString('latin1', 20, 20 + ps);
  const o = 20 + ps;
  if (b.toString('latin1', o, o + 13) !== 'header_event\0') fail('expected "header_event"');
  const es = u64(o + 13);
  if (o + 21 + es > b.length) fail(`header_event size ${es} runs past its block`);
  return { page, event: b.toString('latin1', o + 21, o + 21 + es), end: o + 21 + es };
}

export async function readTraceDatMeta(ra: RandomAccess, name: string, diag: Diagnostics): Promise<TraceDatMeta> {
  const head = await ra.read(0, 256);
  if (head.length < 10 || !head.subarray(0, 10).equals(TRACEDAT_MAGIC)) {
    throw new TraceInputError('not a trace.dat: the file does not start with \\x17\\x08\\x44tracing', `${name}@0x0`, 'use --format to pick another reader');
  }
  const vEnd = head.indexOf(0, 10);
  if (vEnd < 0 || vEnd > 20) throw new TraceInputError('trace.dat version string not terminated', `${name}@0xa`, 'the file header is corrupt');
  const versionText = head.toString('latin1', 10, vEnd);
  const version = Number(versionText);
  if (version !== 6 && version !== 7) {
    throw new TraceInputError(`unsupported trace.dat version "${versionText}" (es2scope reads 6 and 7)`, `${name}@0xa`,
      'convert it with `trace-cmd convert --file-version 7`, or report it');
  }
  if (head.length < vEnd + 7) throw new TraceInputError('truncated file header', `${name}@${hex(vEnd)}`);
  const le = head[vEnd + 1] === 0;
  const longSize = head[vEnd + 2]!;
  const pageSize = le ? head.readUInt32LE(vEnd + 3) : head.readUInt32BE(vEnd + 3);
  if (pageSize < 64 || pageSize > 1 << 24 || (pageSize & (pageSize - 1)) !== 0) {
    throw new TraceInputError(`implausible page size ${pageSize}`, `${name}@${hex(vEnd + 3)}`, 'the file header is corrupt');
  }
  const fr = new FileReader(ra, name, le);
  const formats = new EventFormatSet(le);
  const st = newOptionState();
  const warnAt = (base: number) => (off: number, msg: string): void => diag.warn('tracedat-meta', fr.where(base + off), msg);
  // format-section problems: those about one event's format ("kvm/kvm_exit format: ...") wait until
  // that event is seen in the data; the others (sizes, counts) are about the file and warn now
  const formatProblems = new Map<string, FormatProblem[]>();
  const formatWarnAt = (base: number) => (off: number, msg: string): void => {
    const m = /^(\S+\/\S*) format[ :]/.exec(msg);
    if (!m) return warnAt(base)(off, msg);
    let l = formatProblems.get(m[1]!);
    if (!l) formatProblems.set(m[1]!, (l = []));
    l.push({ where: fr.where(base + off), message: msg });
  };
  let pos = vEnd + 7;
  let compression = 'none';
  let compressionVersion = '';
  let headerPage = '';
  let headerEvent = '';
  let cmdlines = new Map<number, string>();

  if (version === 6) {
    // header_page, header_event
    const hpLen = await fr.u64(pos + 12, 'header_page size');
    if (pos + 20 + hpLen > ra.size) await fr.exact(pos, 20 + hpLen, 'header_page');
    const heLenPos = pos + 20 + hpLen + 13;
    const heLen = await fr.u64(heLenPos, 'header_event size');
    const hi = await fr.exact(pos, 20 + hpLen + 21 + heLen, 'header info');
    ({ page: headerPage, event: headerEvent } = headerInfoFromBuffer(hi, le, (m) => { throw new TraceInputError(m, fr.where(pos)); }));
    pos += hi.length;
    // ftrace formats and event systems: sizes are only known while reading, so read piecewise
    for (const kind of ['ftrace', 'events'] as const) {
      const start = pos;
      const parts: Buffer[] = [];
      const push = async (n: number, what: string): Promise<Buffer> => { const b = await fr.exact(pos, n, what); parts.push(b); pos += n; return b; };
      const readFormats = async (count: number): Promise<void> => {
        for (let i = 0; i < count; i++) {
          const sz = await fr.u64(pos, `${kind} format size`);
          await push(8, 'format size');
          if (sz > MAX_META_SECTION) throw new TraceInputError(`format size ${sz} is implausible`, fr.where(pos - 8), 'the file is corrupt');
          await push(sz, 'format text');
        }
      };
      const n = await fr.u32(pos, `${kind} count`);
      await push(4, 'count');
      if (kind === 'ftrace') await readFormats(n);
      else {
        for (let s = 0; s < n; s++) {
          const [, after] = await fr.cstr(pos, 4096, 'event system name');
          await push(after - pos, 'system name');
          const c = await fr.u32(pos, 'event count');
          await push(4, 'event count');
          await readFormats(c);
        }
      }
      parseFormatSection(kind, Buffer.concat(parts), formats, formatWarnAt(start));
    }
    const ksize = await fr.u32(pos, 'kallsyms size');
    pos += 4 + ksize;
    const psize = await fr.u32(pos, 'printk formats size');
    pos += 4 + psize;
    const csize = await fr.u64(pos, 'saved cmdlines size');
    cmdlines = parseSavedCmdlines((await fr.exact(pos + 8, csize, 'saved cmdlines')).toString('utf8'));
    pos += 8 + csize;
    const nrCpus = await fr.u32(pos, 'number of CPUs');
    pos += 4;
    /**
     * A v6 data label at `at` ("options  \0" is followed by options up to DONE, then the next
     * label); returns the last label and the position after it.
     */
    const labelAt = async (at: number, into: OptionState, prefix: string): Promise<[string, number]> => {
      let tag = (await fr.exact(at, 10, 'data label')).toString('latin1');
      at += 10;
      if (tag !== 'options  \0') return [tag, at];
      for (let guard = 0; guard < 1 << 16; guard++) {
        const id = await fr.u16(at, 'option id');
        at += 2;
        if (id === OPT.DONE) break;
        const size = await fr.u32(at, 'option size');
        const err = applyOption(id, await fr.exact(at + 4, size, `option ${id}`), le, into);
        if (err) diag.warn('tracedat-meta', fr.where(at - 2), `${prefix}${err}`);
        at += 4 + size;
      }
      tag = (await fr.exact(at, 10, 'data label')).toString('latin1');
      return [tag, at + 10];
    };
    let label: string;
    [label, pos] = await labelAt(pos, st, '');
    if (label === 'latency  \0') {
      throw new TraceInputError('this trace.dat holds latency-tracer text, not ring-buffer events', fr.where(pos - 10), 'run `trace-cmd report` on it and read the text');
    }
    if (label !== 'flyrecord\0') throw new TraceInputError(`expected "flyrecord", found ${JSON.stringify(label)}`, fr.where(pos - 10), 'the file is corrupt');
    const cpuTable = async (at: number): Promise<CpuData[]> => {
      const tab = await fr.exact(at, nrCpus * 16, 'per-CPU offset table');
      const cpus: CpuData[] = [];
      for (let c = 0; c < nrCpus; c++) {
        const off = Number(le ? tab.readBigUInt64LE(c * 16) : tab.readBigUInt64BE(c * 16));
        const size = Number(le ? tab.readBigUInt64LE(c * 16 + 8) : tab.readBigUInt64BE(c * 16 + 8));
        cpus.push({ cpu: c, offset: off, size });
      }
      return cpus;
    };
    st.buffers.unshift({ name: '', clock: st.traceClock ?? 'local', pageSize, cpus: await cpuTable(pos) });
    // v6 instances: at each BUFFER option's offset, the instance's own options (its TRACECLOCK)
    // and "flyrecord" with a per-CPU table (trace-input.c tracecmd_buffer_instance_handle)
    for (const b of st.v6Buffers) {
      try {
        const own = newOptionState();
        const [tag, at] = await labelAt(b.offset, own, `instance "${b.name}": `);
        if (tag !== 'flyrecord\0') throw new TraceInputError(`expected "flyrecord", found ${JSON.stringify(tag)}`, fr.where(at - 10), 'the BUFFER option points elsewhere');
        // CPUSTATs among the instance's own options are its statistics
        for (const [name, stats] of own.cpuStatsByBuffer) if (stats.size > 0) st.cpuStatsByBuffer.set(name === '' ? b.name : name, stats);
        st.buffers.push({ name: b.name, clock: own.traceClock ?? st.traceClock ?? 'local', pageSize, cpus: await cpuTable(at) });
      } catch (e) {
        if (!(e instanceof TraceInputError)) throw e;
        // a file cut before the instance's table is a cut file (its records are missing)
        if (b.offset + 10 + nrCpus * 16 > ra.size) diag.truncated = true;
        diag.warn(diag.truncated ? 'tracedat-truncated' : 'tracedat-meta', fr.where(b.offset), `instance "${b.name}" is not read: ${e.message}`, undefined, 'the file is cut or its BUFFER option is corrupt');
      }
    }
  } else {
    const [cname, p1] = await fr.cstr(pos, 64, 'compression name');
    const [cver, p2] = await fr.cstr(p1, 64, 'compression version');
    compression = cname;
    compressionVersion = cver;
    const dec = await decompressorFor(cname);
    if (!dec) {
      throw new TraceInputError(`unsupported compression "${cname}" ${cver} (es2scope reads none, zlib, zstd)`, fr.where(pos),
        'convert it with `trace-cmd convert --compression zlib` (or none)');
    }
    pos = p2;
    const readSection = async (off: number, want: number, what: string): Promise<Buffer> => {
      const h = await fr.exact(off, 16, `${what} section header`);
      const id = le ? h.readUInt16LE(0) : h.readUInt16BE(0);
      const flags = le ? h.readUInt16LE(2) : h.readUInt16BE(2);
      const size = Number(le ? h.readBigUInt64LE(8) : h.readBigUInt64BE(8));
      if (id !== want) throw new TraceInputError(`expected ${what} section (id ${want}), found id ${id}`, fr.where(off), 'a section offset in the options is corrupt');
      if (size > MAX_META_SECTION) throw new TraceInputError(`${what} section size ${size} is implausible`, fr.where(off + 8), 'the file is corrupt');
      const body = await fr.exact(off + 16, size, `${what} section`);
      if (!(flags & 1)) return body;
      if (body.length < 8) throw new TraceInputError(`${what} compressed section shorter than its sizes`, fr.where(off + 16));
      const csize = le ? body.readUInt32LE(0) : body.readUInt32BE(0);
      const usize = le ? body.readUInt32LE(4) : body.readUInt32BE(4);
      if (csize + 8 > body.length) throw new TraceInputError(`${what}: compressed size ${csize} exceeds section size ${size}`, fr.where(off + 16), 'the file is corrupt');
      try {
        const out = dec(body.subarray(8, 8 + csize), usize);
        if (out.length !== usize) diag.warn('tracedat-meta', fr.where(off), `${what}: decompressed ${out.length} bytes, header says ${usize}`);
        return out;
      } catch (e) {
        throw new TraceInputError(`${what}: ${cname} data does not decompress (${(e as Error).message})`, fr.where(off + 24), 'the file is corrupt');
      }
    };
    /** Whether the section at off (16-byte header + its size) lies inside the file. */
    const sectionFits = async (off: number): Promise<boolean> => {
      if (off + 16 > ra.size) return false;
      const h = await ra.read(off, 16);
      return off + 16 + Number(le ? h.readBigUInt64LE(8) : h.readBigUInt64BE(8)) <= ra.size;
    };
    let optOff = await fr.u64(pos, 'first options offset');
    const seen = new Set<number>();
    while (optOff !== 0) {
      if (seen.has(optOff) || seen.size > 4096) throw new TraceInputError('options sections form a loop', fr.where(optOff));
      if (seen.size > 0 && !(await sectionFits(optOff))) {
        // trace-cmd writes the BUFFER options before the ring-buffer data and the last OPTIONS
        // section (CPUSTAT, ...) after it: a file cut in or after the data keeps its events
        diag.truncated = true;
        diag.warn('tracedat-truncated', fr.where(Math.min(optOff, ra.size)), `the file ends at 0x${ra.size.toString(16)}, before the end of the OPTIONS section at ${hex(optOff)}: the options after the cut (CPU statistics, ...) are missing`,
          undefined, 'the trace.dat was cut (copy interrupted, disk full, trace-cmd killed); the table holds what the file has');
        break;
      }
      seen.add(optOff);
      const block = await readSection(optOff, SECTION.OPTIONS, 'OPTIONS');
      st.nextOptions = 0;
      readOptions(block, le, st, warnAt(optOff + 16));
      optOff = st.nextOptions;
    }
    const secOff = (id: number): number | undefined => st.sections.get(id);
    const hiOff = secOff(OPT.HEADER_INFO);
    if (hiOff === undefined) throw new TraceInputError('no HEADER_INFO section', fr.where(0), 'the file is incomplete');
    const hi = await readSection(hiOff, SECTION.HEADER_INFO, 'HEADER_INFO');
    ({ page: headerPage, event: headerEvent } = headerInfoFromBuffer(hi, le, (m) => { throw new TraceInputError(m, fr.where(hiOff)); }));
    for (const [id, kind] of [[OPT.FTRACE_EVENTS, 'ftrace'], [OPT.EVENT_FORMATS, 'events']] as const) {
      const off = secOff(id);
      if (off === undefined) continue;
      const b = await readSection(off, id, kind === 'ftrace' ? 'FTRACE_EVENTS' : 'EVENT_FORMATS');
      parseFormatSection(kind, b, formats, formatWarnAt(off));
    }
    const cmdOff = secOff(OPT.CMDLINES);
    if (cmdOff !== undefined) {
      const b = await readSection(cmdOff, SECTION.CMDLINES, 'CMDLINES');
      if (b.length >= 8) {
        const n = Number(le ? b.readBigUInt64LE(0) : b.readBigUInt64BE(0));
        if (8 + n > b.length) diag.warn('tracedat-meta', fr.where(cmdOff), `saved cmdlines size ${n} runs past its section`);
        cmdlines = parseSavedCmdlines(b.toString('utf8', 8, Math.min(b.length, 8 + n)));
      }
    }
    for (const b of st.v6Buffers) {
      diag.warn('tracedat-meta', fr.where(0), `BUFFER option of instance "${b.name}" has the v6 layout (an offset and a name only) in a v7 file: the instance is not read`, undefined, 'the option is corrupt');
    }
    if (diag.truncated && !st.buffers.some((b) => b.name === '')) {
      const r = cname === 'none' ? null : await recoverCutBuffer(ra, pos + 8, le, pageSize, st.traceClock ?? 'local', st.cpuStats);
      if (!r) {
        throw new TraceInputError(`the file was cut at 0x${ra.size.toString(16)} before its BUFFER option (trace-cmd writes the per-CPU data offsets at the end of a v7 file)${cname === 'none' ? ' and its data is uncompressed, so the CPUs cannot be told apart' : ''}`,
          fr.where(ra.size), 'copy or record the file again');
      }
      st.buffers.unshift(r.buffer);
      diag.warn('tracedat-truncated', fr.where(r.dataOffset), `per-CPU data located by walking the sections: ${r.buffer.cpus.length} CPU blocks${r.cpusKnown ? ' (CPU numbers from CPUSTAT)' : ': CPU NUMBERS UNKNOWN, the cpu column holds the block index'}`,
        undefined, 'the BUFFER option was after the cut');
    }
  }
  if (formats.size === 0) diag.warn('tracedat-meta', fr.where(0), 'no event formats in the file: records cannot be named');
  const page = pageLayoutFrom(headerPage, diag, fr.where(0));
  return {
    version, littleEndian: le, longSize, pageSize, compression, compressionVersion, page, headerPageText: headerPage, headerEventText: headerEvent, formats, formatProblems, cmdlines,
    buffers: st.buffers, traceClock: st.traceClock, tsc2nsec: st.tsc2nsec, timeShiftPresent: st.timeShiftPresent, timeShift: st.timeShift,
    tsOffsetNs: st.tsOffsetNs, tsOffsetFrom: st.tsOffsetFrom,
    guests: st.guests, cpuCount: st.cpuCount, uname: st.uname, toolVersion: st.toolVersion, cpuStats: st.cpuStats, cpuStatsByBuffer: st.cpuStatsByBuffer,
  };
}

export type { OptionState };
