// Streaming line splitter shared by the text formats. The input is read chunk by chunk and never
// held whole: each chunk is cut at its last newline byte (a UTF-8 multibyte character never
// contains 0x0A, so a cut there is always safe), decoded once, and its lines are handed out as
// (text, start, end) ranges of that decoded string so that parsers slice nothing they do not keep.
import { isAscii } from 'node:buffer';
import type { CollectorContext } from '../collector.js';

/**
 * Called once per line; `end` excludes the newline and a trailing CR. lineNo is 1-based. `cut` is
 * true for a last line without newline (it may stop anywhere, even inside the event name).
 * `bytes`: when the text is pure ASCII, a view of the bytes it was decoded from, so that byte
 * `i` is character `i` (lineMemo.ts compares lines four bytes at a time); null otherwise.
 */
export type LineHandler = (text: string, start: number, end: number, lineNo: number, cut: boolean, bytes: DataView | null) => void;

/**
 * Reads a whole line from its bytes alone (an ASCII piece of input), or declines. Returns the end
 * of the line's content after handling it (the index of its '\n', or of the '\r' of "\r\n"), or -1
 * to have the line handed to the LineHandler as text. `limit`: end of the piece (the byte after a
 * '\n'); `buf`: the same bytes as a Buffer (for a native search of the line end). Why: most lines repeat a known shape (lineMemo.ts) and need no string at all.
 */
export type FastLineHandler = (bytes: DataView, buf: Buffer, start: number, limit: number, lineNo: number) => number;

export interface ScanOptions {
  /** Lines longer than this (bytes) are skipped with a warning: no trace line is that long. */
  readonly maxLineBytes?: number;
  /** Line number text in warnings (chunk workers tag chunk-relative numbers; see ../parallel). */
  readonly lineRef?: (lineNo: number) => string;
  /** Tried first on each line of an ASCII piece; lines it declines get a string of their own. */
  readonly fastLine?: FastLineHandler;
}

export interface ScanResult {
  readonly lines: number;
  readonly bytes: number;
}

export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

/**
 * Read size for text. Why 64 KiB: each chunk becomes one string, and a string this small is born
 * in V8's young generation and dies there cheaply; 1 MiB strings go to the old generation and
 * cost a full collection every few dozen chunks (about a tenth of the ingest CPU time).
 */
export const TEXT_CHUNK_BYTES = 64 * 1024;

/** The text of a piece of input, and its bytes when they are the same characters (ASCII). */
function decode(buf: Buffer): { text: string; bytes: DataView | null } {
  // latin1 of pure ASCII is the same text, and skips UTF-8 validation on the common case.
  if (isAscii(buf)) return { text: buf.toString('latin1'), bytes: new DataView(buf.buffer, buf.byteOffset, buf.length) };
  return { text: buf.toString('utf8'), bytes: null };
}

/**
 * Split the source into lines. Warns (kind "huge-line") and skips a line longer than
 * maxLineBytes, and warns (kind "truncated") when the last line has no newline; that line is
 * still handed to `onLine`, since it may be complete.
 */
export async function scanLines(ctx: CollectorContext, onLine: LineHandler, opts: ScanOptions = {}): Promise<ScanResult> {
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const ref = opts.lineRef ?? String;
  const { source, diag } = ctx;
  let carry: Buffer | null = null;
  let skipping = false; // inside a huge line, dropping bytes up to its newline
  let lineNo = 0;
  let bytes = 0;

  const hugeLine = (where: number, sample: string): void => {
    diag.warn('huge-line', `${source.name}:${ref(where)}`, `line longer than ${maxLine} bytes; skipped`,
      sample.slice(0, 120), 'the input is probably not trace text, or two files were joined without a newline');
  };

  const emit = ({ text, bytes }: { text: string; bytes: DataView | null }, cut = false): void => {
    const n = text.length;
    let p = 0;
    while (p < n) {
      let nl = text.indexOf('\n', p);
      if (nl < 0) nl = n;
      let end = nl;
      if (end > p && text.charCodeAt(end - 1) === 13) end--;
      ++lineNo;
      if (end - p > maxLine) hugeLine(lineNo, text.slice(p, p + 120));
      else onLine(text, p, end, lineNo, cut, bytes);
      p = nl + 1;
    }
  };

  /** An ASCII piece that ends with '\n': lines by bytes first, a string per declined line. */
  const fast = opts.fastLine;
  const emitBytes = (buf: Buffer): void => {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    const n = buf.length;
    let p = 0;
    while (p < n) {
      ++lineNo;
      const fe = fast!(view, buf, p, n, lineNo);
      if (fe >= 0) {
        p = view.getUint8(fe) === 10 ? fe + 1 : fe + 2;
        continue;
      }
      let nl = buf.indexOf(10, p);
      if (nl < 0) nl = n;
      let end = nl;
      if (end > p && buf[end - 1] === 13) end--;
      if (end - p > maxLine) hugeLine(lineNo, buf.toString('latin1', p, p + 120));
      else onLine(buf.toString('latin1', p, end), 0, end - p, lineNo, false, null);
      p = nl + 1;
    }
  };
  const emitPiece = (buf: Buffer): void => {
    if (fast !== undefined && isAscii(buf)) emitBytes(buf); else emit(decode(buf));
  };

  for await (const chunk of source.chunks(ctx.chunkSize ?? TEXT_CHUNK_BYTES)) {
    bytes += chunk.length;
    ctx.progress?.(bytes);
    let start = 0;
    if (skipping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) continue;
      skipping = false;
      start = nl + 1;
    }
    const lastNl = chunk.lastIndexOf(10);
    if (lastNl < start) {
      // no complete line in this chunk: keep it for the next one
      const rest = chunk.subarray(start);
      carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
      if (carry.length > maxLine) {
        hugeLine(++lineNo, carry.subarray(0, 120).toString('latin1'));
        carry = null;
        skipping = true;
      }
      continue;
    }
    if (carry) {
      const firstNl = chunk.indexOf(10, start);
      if (carry.length + firstNl + 1 - start > maxLine) {
        hugeLine(++lineNo, carry.subarray(0, 120).toString('latin1'));
        carry = null;
        start = firstNl + 1;
      }
    }
    if (carry) {
      // only the line that straddles the chunk boundary is copied, never the whole chunk
      const firstNl = chunk.indexOf(10, start);
      emit(decode(Buffer.concat([carry, chunk.subarray(start, firstNl + 1)])));
      start = firstNl + 1;
    }
    carry = lastNl + 1 < chunk.length ? Buffer.from(chunk.subarray(lastNl + 1)) : null;
    if (lastNl + 1 > start) emitPiece(chunk.subarray(start, lastNl + 1));
  }
  if (carry && carry.length > 0 && !skipping) {
    diag.warn('truncated', `${source.name}:${ref(lineNo + 1)}`, 'the last line has no newline; the input may be cut short',
      carry.subarray(0, 200).toString('latin1'), 'kept if it parses; re-export the trace if it was copied while being written');
    emit(decode(carry), true);
  }
  return { lines: lineNo, bytes };
}
