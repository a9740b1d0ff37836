// Helpers shared by the text sniffers and by the bad-line warnings.

/** Up to `max` complete lines from the head of the input (a cut last line is dropped). */
export function headLines(head: Buffer, max = 200): string[] {
  const text = head.toString('utf8');
  const cut = head.length >= 64 * 1024 ? text.lastIndexOf('\n') : text.length;
  const lines = text.slice(0, cut < 0 ? 0 : cut).split('\n', max + 1);
  if (lines.length > max) lines.length = max;
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** Text with NULs or replacement characters is binary garbage rather than a malformed line. */
export function looksBinary(t: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = t.charCodeAt(i);
    if (c === 0 || c === 0xfffd || (c < 32 && c !== 9)) return true;
  }
  return false;
}

export function badLineKind(t: string, s: number, e: number): 'binary' | 'malformed' {
  return looksBinary(t, s, e) ? 'binary' : 'malformed';
}

/** Whether the head holds NULs or many non-text bytes (a binary file). */
export function headIsBinary(head: Buffer): boolean {
  const n = Math.min(head.length, 4096);
  let odd = 0;
  for (let i = 0; i < n; i++) {
    const c = head[i]!;
    if (c === 0) return true;
    if (c < 9 || (c > 13 && c < 32)) odd++;
  }
  return odd > n / 100;
}
