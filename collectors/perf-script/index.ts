// The perf script text collector: `perf script [--ns] [-F ...]` output of tracepoint recordings.
import type { Collector, CollectorContext } from '../common/collector.js';
import type { DecoderLookup } from '../common/text/rowWriter.js';
import { tracepointDecoder } from '../common/tracepoints/index.js';
import { collectPerfScript } from './parse.js';
import { sniffPerfScript } from './sniff.js';

export function perfScriptCollector(lookup: DecoderLookup = tracepointDecoder): Collector {
  return {
    name: 'perf-script',
    description: 'perf script text (µs, or ns with --ns)',
    binary: false,
    sniff: sniffPerfScript,
    collect: (ctx: CollectorContext) => collectPerfScript(ctx, lookup),
    recordRecipe: [
      "perf record -e 'kvm:*' -e sched:sched_switch -e sched:sched_wakeup -a -o perf.data -- sleep 10",
      'perf script --ns -i perf.data > perf-script.txt',
    ],
  };
}

export const perfScript: Collector = perfScriptCollector();
