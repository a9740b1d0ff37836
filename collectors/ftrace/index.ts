// The raw ftrace text collector: /sys/kernel/tracing/trace and trace_pipe (tgid column and irq-flags
// optional; µs for ns clocks, raw counts for x86-tsc/counter clocks).
// Example (this machine, kernel 6.18, trace file of an instance):
//             bash-13186   [000] d..2.   798.030725: sched_switch: prev_comm=bash prev_pid=13186 ...
// printed by kernel/trace/trace_output.c trace_print_context() + the event's TP_printk.
import type { Collector, CollectorContext } from '../common/collector.js';
import { collectFtraceStyle } from '../common/text/ftraceStyle.js';
import type { DecoderLookup } from '../common/text/rowWriter.js';
import { tracepointDecoder } from '../common/tracepoints/index.js';
import { sniffFtrace } from './sniff.js';

export function ftraceCollector(lookup: DecoderLookup = tracepointDecoder): Collector {
  return {
    name: 'ftrace',
    description: 'raw ftrace text (tracefs trace / trace_pipe)',
    binary: false,
    sniff: sniffFtrace,
    collect: (ctx: CollectorContext) => collectFtraceStyle(ctx, lookup, {
      expected: 'an ftrace line "comm-pid [cpu] flags sec.usec: event: fields"',
      hint: 'is this /sys/kernel/tracing/trace output? the latency format (options/latency-format) and context-info=0 are not read',
    }),
    recordRecipe: [
      'cd /sys/kernel/tracing && echo 16384 > buffer_size_kb && echo 1 > events/kvm/enable && echo 1 > events/sched/sched_switch/enable && echo 1 > events/sched/sched_wakeup/enable',
      'echo 1 > tracing_on; sleep 10; echo 0 > tracing_on; cp trace /tmp/ftrace-trace.txt',
      'echo 0 > events/enable',
    ],
  };
}

export const ftrace: Collector = ftraceCollector();
