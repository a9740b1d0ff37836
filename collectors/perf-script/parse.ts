// perf script text -> events rows. Example line (perf 6.1, `perf script`, this machine):
//             perf 13371 [000]   812.628297: sched:sched_wakeup: comm=migration/0 pid=18 prio=0 target_cpu=000
// printed by tools/perf/builtin-script.c (perf_sample__fprintf_start + process_event); the header
// parser is collectors/common/text/header.ts parsePerfLine.
import type { CollectorContext } from '../common/collector.js';
import { TraceInputError } from '../common/diagnostics.js';
import { LineHeader, parsePerfLine } from '../common/text/header.js';
import { scanLines } from '../common/text/lines.js';
import { TextRowWriter, type DecoderLookup } from '../common/text/rowWriter.js';
import { badLineKind } from '../common/text/sniffing.js';

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

export async function collectPerfScript(ctx: CollectorContext, lookup: DecoderLookup): Promise<void> {
  const { diag } = ctx;
  const name = ctx.source.name;
  const writer = new TextRowWriter(ctx, lookup);
  const h = new LineHeader();
  let tracepointRows = 0;
  let emptyPayloads = 0;
  let comments = 0;
  let frames = 0;

  const checkPayloads = (lineNo: number): void => {
    throw new TraceInputError(`the first ${tracepointRows} tracepoint events have no payload (fields)`,
      `${name}:${lineNo}`, NO_LIBTRACEEVENT_HINT);
  };

  await scanLines(ctx, (t, s, e, lineNo, cut) => {
    if (parsePerfLine(t, s, e, h)) {
      // a cut last line that stops inside the event name would invent a name: drop it (already warned)
      if (cut && !h.eventColon) return;
      if (h.hasSystem) {
        tracepointRows++;
        if (h.payloadEnd === h.payloadStart) {
          emptyPayloads++;
          if (emptyPayloads === tracepointRows && tracepointRows === EMPTY_PAYLOAD_PROBE) checkPayloads(lineNo);
        } else if (t.startsWith(FAILED_TO_PARSE, h.payloadStart)) {
          diag.warn('failed-to-parse', `${name}:${lineNo}`,
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
    if (t.charCodeAt(i) === 35 /* # */) { comments++; return; }
    if (isFrameLine(t, s, e)) { frames++; return; }
    const kind = badLineKind(t, s, e);
    diag.warn(kind, `${name}:${lineNo}`,
      kind === 'binary' ? 'binary data where a perf script line was expected; skipped'
        : 'expected a perf script event line "comm tid [cpu] sec.usec: event: fields"; skipped',
      t.slice(s, e), 'is this `perf script` output? a custom -F without the time field cannot be read');
  });
  if (tracepointRows > 0 && emptyPayloads === tracepointRows) checkPayloads(writer.rows);
  writer.finish();
  if (comments > 0) diag.note(`${comments} "#" header/comment line(s) skipped`);
  if (frames > 0) diag.note(`${frames} callchain frame line(s) skipped (perf record -g); frames are not kept`);
}
