// perf script text -> events rows. Example line (perf 6.1, `perf script`, this machine):
//             perf 13371 [000]   812.628297: sched:sched_wakeup: comm=migration/0 pid=18 prio=0 target_cpu=000
// printed by tools/perf/builtin-script.c (perf_sample__fprintf_start + process_event); the header
// parser is collectors/common/text/header.ts parsePerfLine.
import type { CollectorContext } from '../common/collector.js';
import { TraceInputError } from '../common/diagnostics.js';
import { LineHeader, parsePerfLine, perfPrefix } from '../common/text/header.js';
import { LineMemo } from '../common/text/lineMemo.js';
import { scanLines } from '../common/text/lines.js';
import { TextRowWriter, type DecoderLookup } from '../common/text/rowWriter.js';
import { badLineKind } from '../common/text/sniffing.js';
import { runTextParallel, textParallelPlan } from '../common/text/parallelText.js';
import { siblingModule } from '../common/parallel/runner.js';
import { tracepointDecoder } from '../common/tracepoints/index.js';

/** Tracepoint rows looked at before deciding that perf printed no payloads at all. */
const EMPTY_PAYLOAD_PROBE = 200;
const FAILED_TO_PARSE = '[FAILED TO PARSE]';

const NO_LIBTRACEEVENT_HINT =
  'this perf was built without libtraceevent, so `perf script` prints no tracepoint fields; ' +
  'run `perf script` with a perf that has it (`perf version --build-options` shows libtraceevent: [ on ]), ' +
  'or ingest the perf.data file directly (es2scope ingest perf.data)';

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** A callchain frame line: leading whitespace, hex address, symbol. */
function isFrameLine(t: string, s: number, e: number): boolean {
  let i = s;
  while (i < e && (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9)) i++;
  if (i === s) return false;
  const a = i;
  while (i < e && isHex(t.charCodeAt(i))) i++;
  return i - a >= 4 && (i === e || t.charCodeAt(i) === 32);
}

/** Counts a perf script read keeps beyond the rows (summed over chunks in a parallel read). */
export interface PerfScriptCounts {
  tracepointRows: number;
  emptyPayloads: number;
  comments: number;
  frames: number;
  rows: number;
}

/**
 * Read every line of ctx.source into rows through `writer`. `probe`: stop early with a hint when
 * the first 200 tracepoint events all lack a payload (only the first chunk of a parallel read can
 * tell). `lineRef` renders line numbers in messages (chunk-relative tags in a worker).
 */
/** The line memo for perf script lines (one per builder: its entries hold that builder's codes). */
export function newPerfLineMemo(ctx: CollectorContext): LineMemo {
  return new LineMemo(perfPrefix, parsePerfLine, true, ctx.lineMemo !== false);
}

export async function perfScriptLines(ctx: CollectorContext, writer: TextRowWriter, lineRef: (n: number) => string, probe: boolean, memo = newPerfLineMemo(ctx)): Promise<{ lines: number; counts: PerfScriptCounts }> {
  const { diag } = ctx;
  const name = ctx.source.name;
  const h = new LineHeader();
  const n: PerfScriptCounts = { tracepointRows: 0, emptyPayloads: 0, comments: 0, frames: 0, rows: 0 };

  const { lines } = await scanLines(ctx, (t, s, e, lineNo, cut, bytes) => {
    if (memo.parse(t, s, e, h, bytes)) {
      // a cut last line that stops inside the event name would invent a name: drop it (already warned)
      if (cut && !h.eventColon) return;
      if (h.hasSystem) {
        n.tracepointRows++;
        if (h.payloadEnd === h.payloadStart) {
          n.emptyPayloads++;
          if (probe && n.emptyPayloads === n.tracepointRows && n.tracepointRows === EMPTY_PAYLOAD_PROBE) noPayloads(n.tracepointRows, `${name}:${lineRef(lineNo)}`);
        } else if (t.charCodeAt(h.payloadStart) === 91 && t.startsWith(FAILED_TO_PARSE, h.payloadStart)) {
          diag.warn('failed-to-parse', `${name}:${lineRef(lineNo)}`,
            `libtraceevent could not parse the print fmt of ${t.slice(h.eventStart, h.eventEnd)}; raw fields follow`,
            t.slice(s, e), 'a perf older than the traced kernel; decoded from the raw field=value list where possible');
        }
      }
      writer.event(t, h, lineNo);
      return;
    }
    let i = s;
    while (i < e && (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9)) i++;
    if (i === e) return; // blank lines separate events with callchains
    if (t.charCodeAt(i) === 35 /* # */) { n.comments++; return; }
    if (isFrameLine(t, s, e)) { n.frames++; return; }
    const kind = badLineKind(t, s, e);
    diag.warn(kind, `${name}:${lineRef(lineNo)}`,
      kind === 'binary' ? 'binary data where a perf script line was expected; skipped'
        : 'expected a perf script event line "comm tid [cpu] sec.usec: event: fields"; skipped',
      t.slice(s, e), 'is this `perf script` output? a custom -F without the time field cannot be read');
  }, {
    lineRef,
    // a line of a known shape, from its bytes: the same checks as above where they can differ
    // (empty or "[FAILED TO PARSE]" payloads go the text way, as does anything the writer declines)
    fastLine: (bytes, buf, p, limit, lineNo) => {
      const e = memo.fast(bytes, buf, p, limit, h);
      if (e < 0) return -1;
      if (h.hasSystem && (h.payloadEnd === h.payloadStart || bytes.getUint8(h.payloadStart) === 91)) return -1;
      if (!writer.eventFast(h, lineNo)) return -1;
      if (h.hasSystem) n.tracepointRows++;
      return e;
    },
  });
  n.rows = writer.rows;
  return { lines, counts: n };
}

function noPayloads(tracepointRows: number, where: string): never {
  throw new TraceInputError(`the first ${tracepointRows} tracepoint events have no payload (fields)`, where, NO_LIBTRACEEVENT_HINT);
}

/** After the last line: the all-empty check and the notes (same for serial and parallel reads). */
function finishPerfScript(ctx: CollectorContext, n: PerfScriptCounts): void {
  if (n.tracepointRows > 0 && n.emptyPayloads === n.tracepointRows) noPayloads(n.tracepointRows, `${ctx.source.name}:${n.rows}`);
}

function notePerfScript(ctx: CollectorContext, n: PerfScriptCounts): void {
  if (n.comments > 0) ctx.diag.note(`${n.comments} "#" header/comment line(s) skipped`);
  if (n.frames > 0) ctx.diag.note(`${n.frames} callchain frame line(s) skipped (perf record -g); frames are not kept`);
}

export async function collectPerfScript(ctx: CollectorContext, lookup: DecoderLookup): Promise<void> {
  // workers build their own decoder table, so only the standard one can be used in parallel
  const plan = lookup === tracepointDecoder ? textParallelPlan(ctx) : null;
  if (plan !== null) {
    const total: PerfScriptCounts = { tracepointRows: 0, emptyPayloads: 0, comments: 0, frames: 0, rows: 0 };
    await runTextParallel<PerfScriptCounts>(ctx, plan, siblingModule(import.meta.url, 'chunkTask'), null, (c) => {
      total.tracepointRows += c.tracepointRows;
      total.emptyPayloads += c.emptyPayloads;
      total.comments += c.comments;
      total.frames += c.frames;
      total.rows += c.rows;
    });
    finishPerfScript(ctx, total);
    notePerfScript(ctx, total);
    return;
  }
  const writer = new TextRowWriter(ctx, lookup);
  const { counts } = await perfScriptLines(ctx, writer, String, true);
  finishPerfScript(ctx, counts);
  writer.finish();
  notePerfScript(ctx, counts);
}
