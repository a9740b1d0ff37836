// perf.data collector: the binary file perf record writes (regular and pipe mode, zstd -z).
import type { Collector, CollectorContext, SniffResult } from '../common/collector.js';
import { siblingModule } from '../common/parallel/runner.js';
import { readInWorker, useWorker } from '../tracedat/inWorker.js';
import { PerfDataReader, isPerfData } from './reader.js';

export const perfDataCollector: Collector = {
  name: 'perfdata',
  description: 'perf record output (perf.data, PERFILE2; file or pipe mode, zstd-compressed with -z)',
  binary: true,
  recordRecipe: [
    "perf record -e 'kvm:*' -e sched:sched_switch -e sched:sched_wakeup -a -o perf.data -- sleep 10",
    "perf record -z -e 'kvm:*' -e sched:sched_switch -a -o perf.data -- sleep 10   # zstd-compressed, smaller",
  ],
  sniff(head: Buffer): SniffResult {
    if (isPerfData(head)) return { ok: true };
    if (head.length >= 8 && head.toString('latin1', 0, 8) === 'PERFFILE') return { ok: false, why: 'old "PERFFILE" perf.data (before Linux 2.6.37) is not supported' };
    return { ok: false, why: 'no "PERFILE2" magic in the first 8 bytes' };
  },
  async collect(ctx: CollectorContext): Promise<void> {
    // a large plain file: decode in a worker thread while this one writes the table
    if (useWorker(ctx)) await readInWorker(ctx, siblingModule(import.meta.url, 'workerTask'));
    else await new PerfDataReader(ctx).run();
  },
};
