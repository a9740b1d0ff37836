// Is this trace-cmd report text? Its stdout starts with "cpus=N" (trace-cmd trace-read.c), possibly
// after "version = N" from older releases; event lines then look like ftrace's.
import type { SniffResult } from '../common/collector.js';
import { LineHeader, parseFtraceLine } from '../common/text/header.js';
import { headIsBinary, headLines } from '../common/text/sniffing.js';

export function sniffTraceCmd(head: Buffer): SniffResult {
  if (head.length === 0) return { ok: false, why: 'empty input' };
  if (headIsBinary(head)) return { ok: false, why: 'binary data, not text' };
  const lines = headLines(head, 40);
  let i = 0;
  while (i < lines.length && (lines[i]!.trim() === '' || /^version = \d+/.test(lines[i]!.trim()))) i++;
  if (i >= lines.length || !/^cpus=\d+\s*$/.test(lines[i]!.trim())) {
    return { ok: false, why: 'no "cpus=N" preamble (trace-cmd report prints it first)' };
  }
  const h = new LineHeader();
  for (const l of lines.slice(i + 1)) {
    if (parseFtraceLine(l, 0, l.length, h)) return { ok: true };
  }
  // a report of an empty trace is still a report
  return lines.length <= i + 1 || lines.slice(i + 1).every((l) => /^\s*(CPU \d+ is empty)?\s*$/.test(l))
    ? { ok: true }
    : { ok: false, why: '"cpus=N" preamble but no "comm-pid [cpu] time: event:" lines follow' };
}
