// Range scanners for payload text: every helper reads text[s, e) with charCodeAt and allocates
// nothing, so decoders can walk a payload inside a larger chunk string without substrings.
// Invalid input is reported by the return value (-1 / NaN), never thrown.

const SP = 32;

/** First index >= i that is not a space (or tab), or e. */
export function skipSp(t: string, i: number, e: number): number {
  while (i < e) {
    const c = t.charCodeAt(i);
    if (c !== SP && c !== 9) break;
    i++;
  }
  return i;
}

/** End of the token starting at i: the first space/tab at or after i, or e. */
export function tokEnd(t: string, i: number, e: number): number {
  while (i < e) {
    const c = t.charCodeAt(i);
    if (c === SP || c === 9) break;
    i++;
  }
  return i;
}

/** e with trailing spaces, tabs, CR and LF removed. */
export function trimEnd(t: string, s: number, e: number): number {
  while (e > s) {
    const c = t.charCodeAt(e - 1);
    if (c !== SP && c !== 9 && c !== 13 && c !== 10) break;
    e--;
  }
  return e;
}

/** t[s, e) equals lit. */
export function eq(t: string, s: number, e: number, lit: string): boolean {
  return e - s === lit.length && t.startsWith(lit, s);
}

/** Unsigned decimal in t[s, e); -1 when empty or not all digits. Exact below 2^53. */
export function decU(t: string, s: number, e: number): number {
  if (s >= e) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = t.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Signed decimal in t[s, e); NaN when invalid. */
export function decI(t: string, s: number, e: number): number {
  if (s < e && t.charCodeAt(s) === 45) {
    const v = decU(t, s + 1, e);
    return v < 0 ? NaN : -v;
  }
  const v = decU(t, s, e);
  return v < 0 ? NaN : v;
}

/** Hex (optional 0x) in t[s, e) as a number; -1 when invalid or above 2^53. */
export function hexU(t: string, s: number, e: number): number {
  if (e - s >= 2 && t.charCodeAt(s) === 48 && (t.charCodeAt(s + 1) | 32) === 120) s += 2;
  if (s >= e) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = t.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else return -1;
    v = v * 16 + d;
  }
  return v > 9007199254740991 ? -1 : v;
}

/** A number printed with %#x / %x / %u: 0x prefix means hex, else decimal. -1 when invalid. */
export function numU(t: string, s: number, e: number): number {
  if (e - s >= 2 && t.charCodeAt(s) === 48 && (t.charCodeAt(s + 1) | 32) === 120) return hexU(t, s, e);
  return decU(t, s, e);
}

/** e without one trailing character c (e.g. the comma in "vcpu 0,"). */
export function dropLast(t: string, s: number, e: number, c: number): number {
  return e > s && t.charCodeAt(e - 1) === c ? e - 1 : e;
}

/** Index of lit in t within [s, e), or -1. Bounded: never scans past e (t may be a whole chunk). */
export function find(t: string, lit: string, s: number, e: number): number {
  const c0 = lit.charCodeAt(0);
  for (let i = s, last = e - lit.length; i <= last; i++) if (t.charCodeAt(i) === c0 && t.startsWith(lit, i)) return i;
  return -1;
}

/** Last index of lit in t within [s, e), or -1. Bounded like find. */
export function findLast(t: string, lit: string, s: number, e: number): number {
  const c0 = lit.charCodeAt(0);
  for (let i = e - lit.length; i >= s; i--) if (t.charCodeAt(i) === c0 && t.startsWith(lit, i)) return i;
  return -1;
}

/** Index of the character code c in t within [s, e), or -1. */
export function findChar(t: string, c: number, s: number, e: number): number {
  for (let i = s; i < e; i++) if (t.charCodeAt(i) === c) return i;
  return -1;
}
