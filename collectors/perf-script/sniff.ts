// Is this perf script text? Yes when the first event lines parse as perf lines whose event has a
// "system:" part (perf prints "sched:sched_switch:", ftrace and trace-cmd print "sched_switch:").
import type { SniffResult } from '../common/collector.js';
import { LineHeader, parseFtraceLine, parsePerfLine } from '../common/text/header.js';
import { headIsBinary, headLines } from '../common/text/sniffing.js';

export function sniffPerfScript(head: Buffer): SniffResult {
  if (head.length === 0) return { ok: false, why: 'empty input' };
  if (headIsBinary(head)) return { ok: false, why: 'binary data, not text' };
  const h = new LineHeader();
  let seen = 0;
  let perf = 0;
  for (const l of headLines(head)) {
    const t = l.trimStart();
    if (t === '' || t.startsWith('#')) continue;
    if (++seen > 20) break;
    if (parseFtraceLine(l, 0, l.length, h)) return { ok: false, why: `line "${l.slice(0, 80)}" is ftrace/trace-cmd style (comm-pid [cpu])` };
    if (parsePerfLine(l, 0, l.length, h) && h.hasSystem) perf++;
  }
  if (perf > 0 && perf * 2 >= seen) return { ok: true };
  return { ok: false, why: seen === 0 ? 'no event lines in the first 64 KiB' : `no "comm tid [cpu] time: system:event:" lines among the first ${seen} lines` };
}
