// The trace-cmd report text collector: `trace-cmd report [-t]` output (any trace-cmd version; with or
// without the 3.3+ irq-flags column; µs by default, ns with -t).
// Example (HIP24/Masterarbeit host_report.txt, trace-cmd < 3.3, kernel 6.5, kvm plugin active):
//  qemu-system-x86-150750 [019] 16062.943940: kvm_exit:             reason HLT rip 0xffffffffb33f2e5f info 0 0
// printed by trace-cmd tracecmd/trace-read.c (show_data -> tep_print_event "%16s-%-5d [%03d] %6.1000d: %s: %s").
import type { Collector, CollectorContext } from '../common/collector.js';
import { collectFtraceStyle } from '../common/text/ftraceStyle.js';
import type { DecoderLookup } from '../common/text/rowWriter.js';
import { tracepointDecoder } from '../common/tracepoints/index.js';
import { sniffTraceCmd } from './sniff.js';

export function traceCmdCollector(lookup: DecoderLookup = tracepointDecoder): Collector {
  return {
    name: 'trace-cmd',
    description: 'trace-cmd report text (µs, or ns with -t)',
    binary: false,
    sniff: sniffTraceCmd,
    collect: (ctx: CollectorContext) => collectFtraceStyle(ctx, lookup, {
      expected: 'a trace-cmd report line "comm-pid [cpu] sec.usec: event: fields"',
      hint: 'is this `trace-cmd report` output? the latency format (-l) and --ts-diff are not read; re-run `trace-cmd report -t`',
    }),
    recordRecipe: [
      'trace-cmd record -e kvm -e sched:sched_switch -e sched:sched_wakeup -o trace.dat sleep 10',
      'trace-cmd report -t -i trace.dat > trace-report.txt',
    ],
  };
}

export const traceCmd: Collector = traceCmdCollector();
