// Is this raw ftrace text (/sys/kernel/tracing/trace or trace_pipe)? Yes on a "# tracer:" header, or
// when the first lines parse as "comm-pid [cpu] [flags] time: event:" lines without a trace-cmd preamble.
import type { SniffResult } from '../common/collector.js';
import { LineHeader, parseFtraceLine } from '../common/text/header.js';
import { headIsBinary, headLines } from '../common/text/sniffing.js';

export function sniffFtrace(head: Buffer): SniffResult {
  if (head.length === 0) return { ok: false, why: 'empty input' };
  if (headIsBinary(head)) return { ok: false, why: 'binary data, not text' };
  const lines = headLines(head);
  const first = lines.find((l) => l.trim() !== '');
  if (first === undefined) return { ok: false, why: 'no lines' };
  if (/^\s*cpus=\d+/.test(first)) return { ok: false, why: 'starts with "cpus=N": that is trace-cmd report' };
  if (/^# tracer: /.test(first)) return { ok: true };
  const h = new LineHeader();
  let seen = 0;
  let ok = 0;
  for (const l of lines) {
    if (l.trim() === '' || l.trimStart().startsWith('#')) continue;
    if (++seen > 20) break;
    if (parseFtraceLine(l, 0, l.length, h)) ok++;
  }
  if (ok > 0 && ok * 2 >= seen) return { ok: true };
  return { ok: false, why: seen === 0 ? 'no event lines' : `no "comm-pid [cpu] time: event:" lines among the first ${seen} lines` };
}
