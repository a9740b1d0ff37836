// bpftrace collector: our own compact line format (es2scope.bt), the cheapest way to trace a busy host.
import type { Collector, CollectorContext, SniffResult } from '../common/collector.js';
import { scanLines } from '../common/text/lines.js';
import { BpftraceLineParser } from './parse.js';
import { HEADER_MAGIC } from './script.js';

export const bpftraceCollector: Collector = {
  name: 'bpftrace',
  description: 'output of collectors/bpftrace/es2scope.bt (one compact line per event, CLOCK_MONOTONIC ns)',
  binary: false,
  recordRecipe: [
    'bpftrace collectors/bpftrace/es2scope.bt -c "/bin/sleep 10" > trace.bpf.txt',
    'es2scope record --tool bpftrace --duration 10 -o trace.bpf.txt   # generates the script for the tracepoints this kernel has',
  ],
  sniff(head: Buffer): SniffResult {
    const text = head.toString('latin1', 0, Math.min(head.length, 8192));
    if (text.includes(`${HEADER_MAGIC} `)) return { ok: true };
    return { ok: false, why: `no "${HEADER_MAGIC}" header line in the first 8 KiB (printed by es2scope.bt's BEGIN)` };
  },
  async collect(ctx: CollectorContext): Promise<void> {
    const parser = new BpftraceLineParser(ctx.builder, ctx.diag);
    ctx.diag.note('bpftrace timestamps are CLOCK_MONOTONIC ns (bpftrace nsecs), not the ftrace/perf local clock');
    await scanLines(ctx, (text, start, end, lineNo) => parser.line(text.slice(start, end), lineNo));
    if (!parser.headerSeen) ctx.diag.warn('no-header', ctx.source.name, 'no "# es2scope-bpftrace" header line: event lines could not be decoded');
  },
};
