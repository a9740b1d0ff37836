// What a trace.dat says about itself, gathered before any event is read.
import type { EventFormatSet } from '../common/tepformat/formatSet.js';
import type { TimeShift } from './timeShift.js';

export interface CpuData {
  readonly cpu: number;
  /** File offset of this CPU's ring-buffer pages (v7 compressed: of its chunk table). */
  readonly offset: number;
  /** Bytes in the file (compressed size when compressed). */
  readonly size: number;
}

export interface BufferInfo {
  /** Instance name; "" for the top instance. */
  readonly name: string;
  readonly clock: string;
  readonly pageSize: number;
  readonly cpus: readonly CpuData[];
}

export interface GuestInfo {
  readonly name: string;
  readonly traceId: bigint;
  /** vCPU id -> host thread (PID) that runs it. */
  readonly vcpuToHostTid: ReadonlyMap<number, number>;
}

export interface Tsc2Nsec {
  readonly mult: number;
  readonly shift: number;
  readonly offset: bigint;
}

export interface CpuStat {
  readonly cpu: number;
  readonly entries?: number;
  readonly overrun?: number;
  readonly readEvents?: number;
  readonly droppedEvents?: number;
}

/** Page header layout from header_page: timestamp @0, commit @8 (4 or 8 bytes), data after. */
export interface PageLayout {
  readonly commitOffset: number;
  readonly commitSize: number;
  readonly dataOffset: number;
}

/** A problem in one event's format text, reported only if that event has records (see read.ts). */
export interface FormatProblem {
  readonly where: string;
  readonly message: string;
}

export interface TraceDatMeta {
  readonly version: number;
  readonly littleEndian: boolean;
  readonly longSize: number;
  readonly pageSize: number;
  /** "none" for v6 and uncompressed v7. */
  readonly compression: string;
  readonly compressionVersion: string;
  readonly page: PageLayout;
  /** header_page and header_event texts as stored. */
  readonly headerPageText: string;
  readonly headerEventText: string;
  readonly formats: EventFormatSet;
  /**
   * Per-event format oddities by "system/name" (e.g. an unreadable __print_symbolic entry of
   * xdp/xdp_redirect). trace-cmd extract embeds every event of the kernel, so most of them concern
   * events with no record in the file: read.ts warns for those that have records, notes the rest.
   */
  readonly formatProblems: ReadonlyMap<string, readonly FormatProblem[]>;
  readonly cmdlines: ReadonlyMap<number, string>;
  readonly buffers: readonly BufferInfo[];
  /** Selected clock from the TRACECLOCK option ("[x86-tsc]"), when present. */
  readonly traceClock: string | null;
  readonly tsc2nsec: Tsc2Nsec | null;
  readonly timeShiftPresent: boolean;
  /** TIME_SHIFT samples (guest file), applied to every timestamp by read.ts; null when absent or unreadable. */
  readonly timeShift: TimeShift | null;
  /** DATE (µs x 1000) + OFFSET (ns) options: added to every time after TSC2NSEC, as trace-cmd report does. */
  readonly tsOffsetNs: bigint;
  readonly tsOffsetFrom: readonly string[];
  readonly guests: readonly GuestInfo[];
  readonly cpuCount: number | null;
  readonly uname: string | null;
  readonly toolVersion: string | null;
  /** The top instance's per-CPU statistics (CPUSTAT options). */
  readonly cpuStats: ReadonlyMap<number, CpuStat>;
  /** Per-CPU statistics by instance name ("" = top). */
  readonly cpuStatsByBuffer: ReadonlyMap<string, ReadonlyMap<number, CpuStat>>;
}
