// Numbers from the perf.data format: include/uapi/linux/perf_event.h (kernel records, sample_type
// bits) and tools/lib/perf/include/perf/event.h (records perf itself writes, type >= 64), plus the
// feature bit numbers of tools/perf/util/header.h.

/** "PERFILE2" read as a little-endian u64 is 0x32454c4946524550; the byte-swapped magic means big-endian. */
export const MAGIC = 'PERFILE2';
export const MAGIC_SWAPPED = '2ELIFREP';

/** perf_file_header: magic, size, attr_size, attrs/data/event_types sections, 256-bit feature bitmap. */
export const FILE_HEADER_BYTES = 104;
/** Pipe-mode header: only magic and size. */
export const PIPE_HEADER_BYTES = 16;
/** perf_event_header: u32 type, u16 misc, u16 size. */
export const RECORD_HEADER_BYTES = 8;

export const enum Rec {
  MMAP = 1,
  LOST = 2,
  COMM = 3,
  EXIT = 4,
  THROTTLE = 5,
  UNTHROTTLE = 6,
  FORK = 7,
  READ = 8,
  SAMPLE = 9,
  MMAP2 = 10,
  LOST_SAMPLES = 13,
  // perf's own (user) records
  HEADER_ATTR = 64,
  HEADER_EVENT_TYPE = 65,
  HEADER_TRACING_DATA = 66,
  HEADER_BUILD_ID = 67,
  FINISHED_ROUND = 68,
  ID_INDEX = 69,
  AUXTRACE_INFO = 70,
  AUXTRACE = 71,
  AUXTRACE_ERROR = 72,
  EVENT_UPDATE = 78,
  TIME_CONV = 79,
  HEADER_FEATURE = 80,
  COMPRESSED = 81,
  FINISHED_INIT = 82,
  COMPRESSED2 = 83,
}

/** First record type that perf writes itself (never from the kernel, never carries sample_id_all). */
export const USER_TYPE_START = 64;

/** perf_event_header.misc bit on COMM: the comm changed because of exec(). */
export const MISC_COMM_EXEC = 1 << 13;

/** sample_type bits (enum perf_event_sample_format). Only the ones laid out before RAW matter here. */
export const S = {
  IP: 1 << 0,
  TID: 1 << 1,
  TIME: 1 << 2,
  ADDR: 1 << 3,
  READ: 1 << 4,
  CALLCHAIN: 1 << 5,
  ID: 1 << 6,
  CPU: 1 << 7,
  PERIOD: 1 << 8,
  STREAM_ID: 1 << 9,
  RAW: 1 << 10,
  IDENTIFIER: 1 << 16,
} as const;

/** read_format bits. */
export const RF = {
  TOTAL_TIME_ENABLED: 1 << 0,
  TOTAL_TIME_RUNNING: 1 << 1,
  ID: 1 << 2,
  GROUP: 1 << 3,
  LOST: 1 << 4,
} as const;

/** perf_event_attr.type */
export const PERF_TYPE_TRACEPOINT = 2;

/** Feature bits (tools/perf/util/header.h, enum HEADER_*). */
export const enum Feat {
  TRACING_DATA = 1,
  BUILD_ID = 2,
  HOSTNAME = 3,
  OSRELEASE = 4,
  VERSION = 5,
  ARCH = 6,
  NRCPUS = 7,
  CPUDESC = 8,
  CPUID = 9,
  TOTAL_MEM = 10,
  CMDLINE = 11,
  EVENT_DESC = 12,
  CLOCKID = 23,
  COMPRESSED = 27,
}
/** The feature bitmap has 256 bits. */
export const FEAT_BITS = 256;
