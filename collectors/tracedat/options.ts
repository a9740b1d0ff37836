// trace.dat options: u16 id, u32 size, data (Documentation/trace-cmd/trace-cmd.dat.v7.5.txt,
// "OPTIONS SECTION"; v6 uses the same records after "options  \0"). Example CPUSTAT data,
// the kernel's per_cpu/cpuN/stats text (kernel/trace/trace.c tracing_stats_read):
//   "CPU: 5\nentries: 5664\noverrun: 0\ncommit overrun: 0\nbytes: 190556\n...read events: 121\n"
// and, before an instance's CPUSTATs (trace-cmd record/extract -B), "\nBuffer: kvm\n\n".
import type { BufferInfo, CpuData, CpuStat, GuestInfo, Tsc2Nsec } from './meta.js';
import { parseTimeShift, type TimeShift } from './timeShift.js';

export const OPT = {
  DONE: 0, DATE: 1, CPUSTAT: 2, BUFFER: 3, TRACECLOCK: 4, UNAME: 5, HOOK: 6, OFFSET: 7, CPUCOUNT: 8,
  VERSION: 9, PROCMAPS: 10, TRACEID: 11, TIME_SHIFT: 12, GUEST: 13, TSC2NSEC: 14, HEADER_INFO: 16,
  FTRACE_EVENTS: 17, EVENT_FORMATS: 18, KALLSYMS: 19, PRINTK: 20, CMDLINES: 21, BUFFER_TEXT: 22,
} as const;

/** Mutable accumulator filled while options are read. */
export interface OptionState {
  buffers: BufferInfo[];
  traceClock: string | null;
  tsc2nsec: Tsc2Nsec | null;
  timeShiftPresent: boolean;
  timeShift: TimeShift | null;
  /** DATE (µs, times 1000) and OFFSET (ns) options summed: trace-cmd report adds it to every time. */
  tsOffsetNs: bigint;
  /** Which of the two set tsOffsetNs ("DATE", "OFFSET"), for the note. */
  tsOffsetFrom: string[];
  guests: GuestInfo[];
  cpuCount: number | null;
  uname: string | null;
  toolVersion: string | null;
  /** The top instance's per-CPU statistics (the same map as cpuStatsByBuffer.get('')). */
  cpuStats: Map<number, CpuStat>;
  /** Per-CPU statistics by instance name ("" = top). */
  cpuStatsByBuffer: Map<string, Map<number, CpuStat>>;
  /** The instance the next CPUSTAT options belong to (set by a "Buffer: name" CPUSTAT). */
  statBuffer: string;
  /**
   * v6 instances: a BUFFER option holds only the file offset of the instance's data (where its
   * "flyrecord" label and per-CPU table are); readMeta reads them there.
   */
  v6Buffers: { name: string; offset: number }[];
  /** v7 section offsets by option id (HEADER_INFO..CMDLINES). */
  sections: Map<number, number>;
  nextOptions: number;
}

export function newOptionState(): OptionState {
  const cpuStats = new Map<number, CpuStat>();
  return {
    buffers: [], traceClock: null, tsc2nsec: null, timeShiftPresent: false, timeShift: null, tsOffsetNs: 0n, tsOffsetFrom: [], guests: [], cpuCount: null,
    uname: null, toolVersion: null, cpuStats, cpuStatsByBuffer: new Map([['', cpuStats]]), statBuffer: '', v6Buffers: [], sections: new Map(), nextOptions: 0,
  };
}

class Reader {
  pos = 0;
  constructor(private readonly d: Buffer, private readonly le: boolean) {}
  has(n: number): boolean { return this.pos + n <= this.d.length; }
  u32(): number { const v = this.le ? this.d.readUInt32LE(this.pos) : this.d.readUInt32BE(this.pos); this.pos += 4; return v; }
  u64(): bigint { const v = this.le ? this.d.readBigUInt64LE(this.pos) : this.d.readBigUInt64BE(this.pos); this.pos += 8; return v; }
  cstr(): string | null {
    const nul = this.d.indexOf(0, this.pos);
    if (nul < 0) return null;
    const s = this.d.toString('utf8', this.pos, nul);
    this.pos = nul + 1;
    return s;
  }
  get rest(): number { return this.d.length - this.pos; }
}

const cstring = (d: Buffer): string => { const n = d.indexOf(0); return d.toString('utf8', 0, n < 0 ? d.length : n); };

function parseCpuStat(text: string): CpuStat | null {
  const num = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const cpu = num('CPU');
  if (cpu === undefined) return null;
  const s: { -readonly [K in keyof CpuStat]: CpuStat[K] } = { cpu };
  const e = num('entries'); if (e !== undefined) s.entries = e;
  const o = num('overrun'); if (o !== undefined) s.overrun = o;
  const r = num('read events'); if (r !== undefined) s.readEvents = r;
  const d = num('dropped events'); if (d !== undefined) s.droppedEvents = d;
  return s;
}

/**
 * C's strtoll(s, NULL, 0): leading space, a sign, then hex ("0x"), octal (a leading 0) or decimal
 * digits as far as they go; 0 without digits; clamped to the long long range on overflow.
 */
export function strtoll(s: string): bigint {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return 0n;
  const digits = m[2]!;
  const mag = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits[0] === '0' ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  const v = m[1] === '-' ? -mag : mag;
  const MAX = (1n << 63n) - 1n;
  return v > MAX ? MAX : v < -MAX - 1n ? -MAX - 1n : v;
}

const safe = (v: bigint): number => (v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v));

/**
 * Apply one option to the state. Returns an error text for a malformed option (the caller warns
 * with the byte offset), or null.
 */
export function applyOption(id: number, d: Buffer, le: boolean, st: OptionState): string | null {
  const r = new Reader(d, le);
  switch (id) {
    case OPT.DONE:
      if (!r.has(8)) return 'DONE option shorter than 8 bytes';
      st.nextOptions = safe(r.u64());
      return null;
    case OPT.CPUSTAT: {
      const text = cstring(d);
      // trace-cmd record/extract -B: the instance's CPUSTATs follow one of "\nBuffer: <name>\n\n"
      // (tracecmd/trace-record.c add_buffer_stat)
      const buffer = /^\s*Buffer: (.*)\n/.exec(text);
      if (buffer) {
        st.statBuffer = buffer[1]!;
        if (!st.cpuStatsByBuffer.has(st.statBuffer)) st.cpuStatsByBuffer.set(st.statBuffer, new Map());
        return null;
      }
      const s = parseCpuStat(text);
      if (!s) return 'CPUSTAT option without "CPU: n"';
      st.cpuStatsByBuffer.get(st.statBuffer)!.set(s.cpu, s);
      return null;
    }
    case OPT.BUFFER: {
      // v7: u64 offset, name\0, clock\0, [u32 sub-buffer size (trace-cmd >= 3.2)], u32 nr_cpus, nr x (u32 cpu, u64 offset, u64 size)
      // v6: u64 offset of the instance's data, name\0 (lib/trace-cmd/trace-input.c handle_buffer_option)
      if (!r.has(8)) return 'BUFFER option too short';
      const at = safe(r.u64()); // v7: section offset (the per-CPU offsets below are what we read)
      const name = r.cstr();
      if (name !== null && r.rest === 0 && name !== '') {
        st.v6Buffers.push({ name, offset: at });
        return null;
      }
      const clock = name === null ? null : r.cstr();
      if (name === null || clock === null) return 'BUFFER option: name or clock not terminated';
      let pageSize = 0;
      // Tell the two layouts apart by what the remaining bytes can hold.
      if (r.has(4)) {
        const save = r.pos;
        const n0 = r.u32();
        if (r.rest !== n0 * 20) {
          r.pos = save;
          pageSize = r.u32();
        } else r.pos = save;
      }
      if (!r.has(4)) return 'BUFFER option: CPU count missing';
      const n = r.u32();
      if (r.rest < n * 20) return `BUFFER option: ${n} CPUs announced, room for ${Math.floor(r.rest / 20)}`;
      const cpus: CpuData[] = [];
      for (let i = 0; i < n; i++) cpus.push({ cpu: r.u32(), offset: safe(r.u64()), size: safe(r.u64()) });
      st.buffers.push({ name, clock, pageSize, cpus });
      return null;
    }
    case OPT.TRACECLOCK: {
      const t = cstring(d);
      const m = /\[([^\]]+)\]/.exec(t);
      st.traceClock = m ? m[1]! : t.trim();
      return null;
    }
    case OPT.DATE:
    case OPT.OFFSET: {
      // trace-cmd record --date: "0x<µs>" between the trace clock and gettimeofday; --ts-offset:
      // ns as typed. trace-input.c reads both with strtoll(buf, NULL, 0).
      const v = strtoll(cstring(d));
      st.tsOffsetNs += id === OPT.DATE ? v * 1000n : v;
      st.tsOffsetFrom.push(id === OPT.DATE ? 'DATE' : 'OFFSET');
      return null;
    }
    case OPT.UNAME: st.uname = cstring(d); return null;
    case OPT.VERSION: st.toolVersion = cstring(d); return null;
    case OPT.CPUCOUNT:
      if (!r.has(4)) return 'CPUCOUNT option shorter than 4 bytes';
      st.cpuCount = r.u32();
      return null;
    case OPT.TIME_SHIFT: {
      st.timeShiftPresent = true;
      const t = parseTimeShift(d, le);
      if (typeof t === 'string') return `${t}; guest timestamps are left on the guest clock`;
      st.timeShift = t;
      return null;
    }
    case OPT.GUEST: {
      const name = r.cstr();
      if (name === null || !r.has(12)) return 'GUEST option too short';
      const traceId = r.u64();
      const n = r.u32();
      if (r.rest < n * 8) return `GUEST option: ${n} vCPUs announced, room for ${Math.floor(r.rest / 8)}`;
      const m = new Map<number, number>();
      for (let i = 0; i < n; i++) { const vcpu = r.u32(); m.set(vcpu, r.u32()); }
      st.guests.push({ name, traceId, vcpuToHostTid: m });
      return null;
    }
    case OPT.TSC2NSEC: {
      if (!r.has(16)) return 'TSC2NSEC option shorter than 16 bytes';
      const mult = r.u32();
      const shift = r.u32();
      const offset = r.u64();
      if (shift > 63) return `TSC2NSEC shift ${shift} out of range`;
      st.tsc2nsec = { mult, shift, offset };
      return null;
    }
    case OPT.HEADER_INFO: case OPT.FTRACE_EVENTS: case OPT.EVENT_FORMATS: case OPT.KALLSYMS:
    case OPT.PRINTK: case OPT.CMDLINES:
      if (!r.has(8)) return `section option ${id} shorter than 8 bytes`;
      st.sections.set(id, safe(r.u64()));
      return null;
    default:
      return null; // DATE, HOOK, OFFSET, PROCMAPS, TRACEID, BUFFER_TEXT: not needed for the events table
  }
}

/** Walk an options block; returns false when it is malformed (after warn). */
export function readOptions(block: Buffer, le: boolean, st: OptionState, warn: (offset: number, msg: string) => void): boolean {
  let p = 0;
  while (p + 6 <= block.length) {
    const id = le ? block.readUInt16LE(p) : block.readUInt16BE(p);
    const size = le ? block.readUInt32LE(p + 2) : block.readUInt32BE(p + 2);
    if (p + 6 + size > block.length) { warn(p, `option ${id} size ${size} runs past the options block (${block.length} bytes)`); return false; }
    const err = applyOption(id, block.subarray(p + 6, p + 6 + size), le, st);
    if (err) warn(p, err);
    p += 6 + size;
    if (id === OPT.DONE) return true;
  }
  return true;
}
