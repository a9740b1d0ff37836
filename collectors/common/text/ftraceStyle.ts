// The streaming driver for formats whose lines are "comm-pid [cpu] flags time: event: payload":
// raw ftrace (trace, trace_pipe) and trace-cmd report. Markers are counted, lost markers become
// "[lost]" rows, anything else that is not an event is a counted warning with file:line.
// Large regular files are read in parallel chunks (parallelText.ts, ftraceChunkTask.ts).
import type { CollectorContext } from '../collector.js';
import { siblingModule } from '../parallel/runner.js';
import { tracepointDecoder } from '../tracepoints/index.js';
import { LineHeader, ftracePrefix, parseFtraceLine } from './header.js';
import { LineMemo } from './lineMemo.js';
import { scanLines } from './lines.js';
import { parseMarker, type MarkerKind } from './markers.js';
import { runTextParallel, textParallelPlan } from './parallelText.js';
import { TextRowWriter, type DecoderLookup } from './rowWriter.js';
import { badLineKind } from './sniffing.js';

export interface FtraceStyleOptions {
  /** What a malformed line should have looked like, for the error text. */
  readonly expected: string;
  readonly hint: string;
}

/** What a read keeps besides rows (merged over chunks, in order, in a parallel read). */
export interface FtraceStyleCounts {
  counts: Partial<Record<MarkerKind, number>>;
  emptyCpus: number[];
  bufferPrefix: boolean;
  cpus: number | null;
}

/** Read every line of ctx.source into rows through `writer`; lineRef renders line numbers in messages. */
/** The line memo for ftrace-style lines (one per builder: its entries hold that builder's codes). */
export function newFtraceLineMemo(ctx: CollectorContext): LineMemo {
  return new LineMemo(ftracePrefix, parseFtraceLine, false, ctx.lineMemo !== false);
}

export async function ftraceStyleLines(ctx: CollectorContext, writer: TextRowWriter, opts: FtraceStyleOptions, lineRef: (n: number) => string, memo = newFtraceLineMemo(ctx)): Promise<{ lines: number; counts: FtraceStyleCounts }> {
  const { diag } = ctx;
  const name = ctx.source.name;
  const h = new LineHeader();
  const n: FtraceStyleCounts = { counts: {}, emptyCpus: [], bufferPrefix: false, cpus: null };

  const { lines } = await scanLines(ctx, (t, s, e, lineNo, cut, bytes) => {
    if (memo.parse(t, s, e, h, bytes)) {
      // a cut last line that stops inside the event name would invent a name: drop it (already warned)
      if (cut && !h.eventColon) return;
      if (h.bufferPrefix) n.bufferPrefix = true;
      writer.event(t, h, lineNo);
      return;
    }
    const m = parseMarker(t, s, e);
    if (m === null) {
      const kind = badLineKind(t, s, e);
      diag.warn(kind, `${name}:${lineRef(lineNo)}`, kind === 'binary' ? 'binary data where a text line was expected; skipped' : `expected ${opts.expected}; skipped`,
        t.slice(s, e), opts.hint);
      return;
    }
    n.counts[m.kind] = (n.counts[m.kind] ?? 0) + 1;
    if (m.kind === 'lost') writer.lost(m.cpu, m.count, lineNo);
    else if (m.kind === 'cpu-empty' && m.cpu !== null) n.emptyCpus.push(m.cpu);
    else if (m.kind === 'cpus') n.cpus = m.count;
    else if (m.kind === 'buffer-started') {
      diag.note(`"##### CPU n buffer started ####" seen: the ring buffer wrapped, so events before that point on that CPU were overwritten (line ${lineRef(lineNo)}, CPU ${m.cpu})`);
    }
  }, {
    lineRef,
    // a line of a known shape, from its bytes (the writer declines what needs the text)
    fastLine: (bytes, buf, p, limit, lineNo) => {
      const e = memo.fast(bytes, buf, p, limit, h);
      if (e < 0 || !writer.eventFast(h, lineNo)) return -1;
      if (h.bufferPrefix) n.bufferPrefix = true;
      return e;
    },
  });
  return { lines, counts: n };
}

function noteFtraceStyle(ctx: CollectorContext, n: FtraceStyleCounts): void {
  const { diag } = ctx;
  if (n.cpus !== null) diag.note(`trace-cmd preamble: cpus=${n.cpus}`);
  if (n.emptyCpus.length > 0) diag.note(`CPUs with no events ("CPU n is empty"): ${n.emptyCpus.join(', ')}`);
  if (n.bufferPrefix) diag.note('lines carry a "<buffer>: " prefix (trace-cmd instance or several input files); the buffer name is not kept');
  const comments = n.counts.comment ?? 0;
  if (comments > 0) diag.note(`${comments} header/comment line(s) skipped`);
}

export async function collectFtraceStyle(ctx: CollectorContext, lookup: DecoderLookup, opts: FtraceStyleOptions): Promise<void> {
  // workers build their own decoder table, so only the standard one can be used in parallel
  const plan = lookup === tracepointDecoder ? textParallelPlan(ctx) : null;
  if (plan !== null) {
    const total: FtraceStyleCounts = { counts: {}, emptyCpus: [], bufferPrefix: false, cpus: null };
    await runTextParallel<FtraceStyleCounts>(ctx, plan, siblingModule(import.meta.url, 'ftraceChunkTask'), opts, (c) => {
      for (const [k, v] of Object.entries(c.counts) as [MarkerKind, number][]) total.counts[k] = (total.counts[k] ?? 0) + v;
      total.emptyCpus.push(...c.emptyCpus);
      total.bufferPrefix ||= c.bufferPrefix;
      if (c.cpus !== null) total.cpus = c.cpus;
    });
    noteFtraceStyle(ctx, total);
    return;
  }
  const writer = new TextRowWriter(ctx, lookup);
  const { counts } = await ftraceStyleLines(ctx, writer, opts, String);
  writer.finish();
  noteFtraceStyle(ctx, counts);
}
