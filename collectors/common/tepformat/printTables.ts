// The name tables inside a tracefs print fmt: __print_symbolic(REC->x, { 1, "A" }, ...) and
// __print_flags(REC->x, "|", { 0x1, "F" }, ...). Example (kernel 6.5 kvm_exit, from
// arch/x86/kvm/trace.h via include/trace/stages/stage3_trace_output.h; values are already
// macro-expanded by the kernel when it prints the format file):
//
//   (REC->isa == 1) ? __print_symbolic(REC->exit_reason & 0xffff, { 0, "EXCEPTION_NMI" }, { 0x040 + 1, "DB excp" }, { -1, "x" }) : ...
//
// We keep the tables, not an evaluator of the whole print fmt: decoders need the names, and the
// condition that picks a table (isa == 1) is tracepoint knowledge that lives in the decoder.
import type { PrintTable } from '../tracepoints/types.js';

const CALLS: Record<string, 'symbolic' | 'flags'> = {
  __print_symbolic: 'symbolic',
  __print_symbolic_u64: 'symbolic',
  __print_flags: 'flags',
  __print_flags_u64: 'flags',
};

/** Index just past the string literal starting at s[i] === '"' (bounded by s.length). */
function skipString(s: string, i: number): number {
  let j = i + 1;
  while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
  return Math.min(j + 1, s.length);
}

/** Split the argument list that starts after "(" at `start`; returns args and the index after ")". */
function splitArgs(s: string, start: number, sep = ',', close = ')'): { args: string[]; end: number } | null {
  const args: string[] = [];
  let depth = 0;
  let from = start;
  for (let i = start; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === "'") {
      i = (c === '"' ? skipString(s, i) : s.indexOf("'", i + 2) + 1) - 1;
      if (i < 0) return null;
      continue;
    }
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (depth === 0 && c === close) {
      args.push(s.slice(from, i).trim());
      return { args, end: i + 1 };
    } else if (c === ')' || c === '}' || c === ']') {
      if (--depth < 0) return null;
    } else if (c === sep && depth === 0) {
      args.push(s.slice(from, i).trim());
      from = i + 1;
    }
  }
  return null;
}

function unquote(lit: string): string | null {
  // Adjacent literals ("a" "b") concatenate, as in C.
  let out = '';
  let i = 0;
  let any = false;
  while (i < lit.length) {
    const c = lit[i]!;
    if (c === ' ' || c === '\t' || c === '\n') { i++; continue; }
    if (c !== '"') return null;
    const end = skipString(lit, i);
    out += lit.slice(i + 1, end - 1).replace(/\\(.)/g, (_m, ch: string) => (ch === 'n' ? '\n' : ch === 't' ? '\t' : ch));
    i = end;
    any = true;
  }
  return any ? out : null;
}

/**
 * Integer constant expression as printed in format files: decimal/hex/octal literals with U/L
 * suffixes, parentheses, unary - ~ !, and * / % + - << >> & ^ |. Returns null otherwise.
 */
export function evalConstExpr(expr: string): bigint | null {
  const toks = expr.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|<<|>>|[-+*/%&|^~!()]|\S/g);
  if (!toks) return null;
  let p = 0;
  const peek = (): string | undefined => toks[p];
  // C precedence, loosest first.
  const BIN: readonly (readonly string[])[] = [['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];
  const apply = (op: string, a: bigint, b: bigint): bigint => {
    switch (op) {
      case '|': return a | b;
      case '^': return a ^ b;
      case '&': return a & b;
      case '<<': return b < 0n || b > 127n ? (() => { throw new Error('shift'); })() : a << b;
      case '>>': return b < 0n || b > 127n ? (() => { throw new Error('shift'); })() : a >> b;
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      case '/': if (b === 0n) throw new Error('div0'); return a / b;
      case '%': if (b === 0n) throw new Error('div0'); return a % b;
    }
    throw new Error(op);
  };
  const level = (k: number): bigint => {
    if (k === BIN.length) return unary();
    let v = level(k + 1);
    while (peek() !== undefined && BIN[k]!.includes(peek()!)) {
      const op = toks[p++]!;
      v = apply(op, v, level(k + 1));
    }
    return v;
  };
  const unary = (): bigint => {
    const t = toks[p++];
    if (t === undefined) throw new Error('end');
    if (t === '-') return -unary();
    if (t === '+') return unary();
    if (t === '~') return ~unary();
    if (t === '!') return unary() === 0n ? 1n : 0n;
    if (t === '(') {
      const v = level(0);
      if (toks[p++] !== ')') throw new Error('paren');
      return v;
    }
    const lit = t.replace(/[uUlL]+$/, '');
    if (/^0[xX][0-9a-fA-F]+$/.test(lit)) return BigInt(lit);
    if (/^0[0-7]+$/.test(lit)) return BigInt(`0o${lit.slice(1)}`);
    if (/^\d+$/.test(lit)) return BigInt(lit);
    throw new Error(`token ${t}`);
  };
  try {
    const v = level(0);
    return p === toks.length ? v : null;
  } catch {
    return null;
  }
}

/**
 * All __print_symbolic / __print_flags tables in a print fmt, keyed by every REC->field their
 * first argument references, in print-fmt order. Unreadable entries are reported in `problems`.
 * Keys are the literal values (so `{ -1, "x" }` is key -1, not 0xffffffff).
 */
export function extractPrintTables(printFmt: string, problems: string[]): Map<string, PrintTable[]> {
  const out = new Map<string, PrintTable[]>();
  const s = printFmt;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"') { i = skipString(s, i); continue; }
    if (c !== '_' || !s.startsWith('__print_', i)) { i++; continue; }
    const m = /^__print_[a-z0-9_]+/.exec(s.slice(i, i + 40));
    const call = m ? m[0] : '';
    const kind = CALLS[call];
    let j = i + call.length;
    while (s[j] === ' ') j++;
    if (!kind || s[j] !== '(') { i += Math.max(call.length, 1); continue; }
    const split = splitArgs(s, j + 1);
    if (!split) { problems.push(`print fmt: unbalanced ${call}( at character ${i}`); break; }
    const [first, ...rest] = split.args;
    const entries = kind === 'flags' ? rest.slice(1) : rest;
    const table = new Map<number, string>();
    for (const e of entries) {
      if (!e.startsWith('{') || !e.endsWith('}')) { problems.push(`print fmt: ${call} entry is not { value, "name" }: ${e}`); continue; }
      const inner = splitArgs(`${e.slice(1, -1)})`, 0);
      const v = inner && inner.args.length === 2 ? evalConstExpr(inner.args[0]!) : null;
      const name = inner && inner.args.length === 2 ? unquote(inner.args[1]!) : null;
      if (v === null || name === null) { problems.push(`print fmt: ${call} entry not understood: ${e}`); continue; }
      table.set(Number(v), name);
    }
    const pt: PrintTable = { kind, table };
    const refs = new Set<string>();
    for (const r of (first ?? '').matchAll(/REC->([A-Za-z_][A-Za-z0-9_]*)/g)) refs.add(r[1]!);
    for (const f of refs) {
      let l = out.get(f);
      if (!l) out.set(f, (l = []));
      l.push(pt);
    }
    i = split.end;
  }
  return out;
}
