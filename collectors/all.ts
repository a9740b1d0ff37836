// Every input format es2scope reads. Add a collector here (one import, one list entry).
import type { Collector } from './common/collector.js';
import { perfScript } from './perf-script/index.js';
import { traceCmd } from './trace-cmd/index.js';
import { ftrace } from './ftrace/index.js';
import { bpftraceCollector } from './bpftrace/index.js';
import { perfDataCollector } from './perfdata/index.js';
import { traceDat } from './tracedat/index.js';

export const ALL_COLLECTORS: readonly Collector[] = [
  perfDataCollector,
  traceDat,
  perfScript,
  traceCmd,
  ftrace,
  bpftraceCollector,
];
