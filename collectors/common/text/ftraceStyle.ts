// The streaming driver for formats whose lines are "comm-pid [cpu] flags time: event: payload":
// raw ftrace (trace, trace_pipe) and trace-cmd report. Markers are counted, lost markers become
// "[lost]" rows, anything else that is not an event is a counted warning with file:line.
import type { CollectorContext } from '../collector.js';
import { LineHeader, parseFtraceLine } from './header.js';
import { scanLines } from './lines.js';
import { parseMarker, type MarkerKind } from './markers.js';
import { TextRowWriter, type DecoderLookup } from './rowWriter.js';
import { badLineKind } from './sniffing.js';

export interface FtraceStyleOptions {
  /** What a malformed line should have looked like, for the error text. */
  readonly expected: string;
  readonly hint: string;
}

export async function collectFtraceStyle(ctx: CollectorContext, lookup: DecoderLookup, opts: FtraceStyleOptions): Promise<void> {
  const { diag } = ctx;
  const name = ctx.source.name;
  const writer = new TextRowWriter(ctx, lookup);
  const h = new LineHeader();
  const counts = new Map<MarkerKind, number>();
  const emptyCpus: number[] = [];
  let bufferPrefix = false;
  let cpus: number | null = null;

  await scanLines(ctx, (t, s, e, lineNo, cut) => {
    if (parseFtraceLine(t, s, e, h)) {
      // a cut last line that stops inside the event name would invent a name: drop it (already warned)
      if (cut && !h.eventColon) return;
      if (h.bufferPrefix) bufferPrefix = true;
      writer.event(t, h, lineNo);
      return;
    }
    const m = parseMarker(t, s, e);
    if (m === null) {
      const kind = badLineKind(t, s, e);
      diag.warn(kind, `${name}:${lineNo}`, kind === 'binary' ? 'binary data where a text line was expected; skipped' : `expected ${opts.expected}; skipped`,
        t.slice(s, e), opts.hint);
      return;
    }
    counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
    if (m.kind === 'lost') writer.lost(m.cpu, m.count, lineNo);
    else if (m.kind === 'cpu-empty' && m.cpu !== null) emptyCpus.push(m.cpu);
    else if (m.kind === 'cpus') cpus = m.count;
    else if (m.kind === 'buffer-started') {
      diag.note(`"##### CPU n buffer started ####" seen: the ring buffer wrapped, so events before that point on that CPU were overwritten (line ${lineNo}, CPU ${m.cpu})`);
    }
  });
  writer.finish();
  if (cpus !== null) diag.note(`trace-cmd preamble: cpus=${cpus}`);
  if (emptyCpus.length > 0) diag.note(`CPUs with no events ("CPU n is empty"): ${emptyCpus.join(', ')}`);
  if (bufferPrefix) diag.note('lines carry a "<buffer>: " prefix (trace-cmd instance or several input files); the buffer name is not kept');
  const comments = counts.get('comment') ?? 0;
  if (comments > 0) diag.note(`${comments} header/comment line(s) skipped`);
}
