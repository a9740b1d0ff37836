// trace-cmd trace.dat (v6, v7; none/zlib/zstd) collector. See README.md.
import type { Collector, CollectorContext, SniffResult } from '../common/collector.js';
import { tracepointDecoder } from '../common/tracepoints/index.js';
import { siblingModule } from '../common/parallel/runner.js';
import { readInWorker, useWorker } from './inWorker.js';
import { readTraceDat } from './read.js';
import { TRACEDAT_MAGIC } from './readMeta.js';

export { readTraceDat } from './read.js';
export { readTraceDatMeta } from './readMeta.js';
export type { TraceDatMeta, GuestInfo, BufferInfo, Tsc2Nsec } from './meta.js';

export function sniffTraceDat(head: Buffer): SniffResult {
  if (head.length >= 10 && head.subarray(0, 10).equals(TRACEDAT_MAGIC)) {
    const v = head.toString('latin1', 10, Math.min(head.length, 14)).split('\0')[0];
    if (v === '0.6') return { ok: false, why: 'tracing-data header of perf ("0.6"), not a trace.dat' };
    return { ok: true };
  }
  return { ok: false, why: 'does not start with the trace.dat magic \\x17\\x08\\x44tracing' };
}

export const traceDat: Collector = {
  name: 'tracedat',
  description: 'trace-cmd trace.dat (v6/v7, zlib/zstd), binary ring-buffer pages decoded via the embedded formats',
  binary: true,
  sniff: sniffTraceDat,
  collect: async (ctx: CollectorContext) => {
    // a large plain file: decode in a worker thread while this one writes the table
    if (useWorker(ctx)) {
      ctx.diag.format = 'tracedat'; // as readTraceDat does on a serial read
      await readInWorker(ctx, siblingModule(import.meta.url, 'workerTask'));
    } else await readTraceDat(ctx, tracepointDecoder);
  },
  recordRecipe: [
    "trace-cmd record -e kvm -e sched:sched_switch -e sched:sched_wakeup -o trace.dat -- sleep 10",
    "# or without trace-cmd record: enable events in /sys/kernel/tracing, run, then `trace-cmd extract -o trace.dat`",
  ],
};
