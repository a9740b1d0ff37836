// Parser for the tracefs `format` description of one event, as embedded in trace.dat (all
// versions) and in perf.data's HEADER_TRACING_DATA. Example input (kernel: kernel/trace/
// trace_events.c f_show(), "\tfield:%s %s;\toffset:%u;\tsize:%u;\tsigned:%d;\n"):
//
//   name: kvm_exit
//   ID: 2088
//   format:
//   	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
//   	field:__data_loc char[] name;	offset:8;	size:4;	signed:1;
//   	field:char comm[16];	offset:12;	size:16;	signed:1;
//
//   print fmt: "vcpu %u reason %s", REC->vcpu_id, __print_symbolic(REC->exit_reason, { 0, "EXCEPTION_NMI" })
//
// The parser never throws: lines it cannot read are listed in `problems` (with the line number
// inside the text) so that the caller can count a warning with its own file offset.
import type { PrintTable } from '../tracepoints/types.js';
import { extractPrintTables } from './printTables.js';

/** How a field's bytes are found: in place, or via a 32-bit (len << 16 | offset) locator. */
export type FieldLocation = 'inline' | 'data_loc' | 'rel_loc';

export interface FieldLayout {
  readonly name: string;
  /** C type as printed, without the name (e.g. "unsigned long", "__data_loc char[]", "char"). */
  readonly type: string;
  readonly offset: number;
  readonly size: number;
  readonly signed: boolean;
  /** Element count for fixed arrays (`char comm[16]`), null for scalars and __data_loc. */
  readonly arrayLen: number | null;
  readonly location: FieldLocation;
  /** Element type is char (array is text). */
  readonly isChar: boolean;
  /** common_* fields that every record starts with. */
  readonly common: boolean;
}

export interface EventFormat {
  /** Event system ("kvm", "sched", "ftrace"), when the container names it. */
  readonly system: string;
  readonly name: string;
  /** Event id (`common_type` of its records); -1 when the text had none (header_page). */
  readonly id: number;
  readonly fields: readonly FieldLayout[];
  readonly byName: ReadonlyMap<string, FieldLayout>;
  /** The print fmt text after "print fmt: " (format string and arguments), "" when absent. */
  readonly printFmt: string;
  /** __print_symbolic / __print_flags tables per referenced field, in print-fmt order. */
  readonly printTables: ReadonlyMap<string, readonly PrintTable[]>;
  /** Lines that could not be read: "line N: why: text". */
  readonly problems: readonly string[];
  /** The format text as given (tools that rewrite a container keep it verbatim). */
  readonly text: string;
}

function parseField(decl: string): { name: string; type: string; arrayLen: number | null } | null {
  // decl is "unsigned long guest_rip" | "char comm[16]" | "__data_loc char[] name"
  let s = decl.trim();
  let arrayLen: number | null = null;
  if (s.endsWith(']')) {
    const open = s.lastIndexOf('[');
    if (open < 0) return null;
    const inner = s.slice(open + 1, -1).trim();
    const before = s.slice(0, open);
    // "__data_loc char[] name" has the brackets on the type, not here; "x[N]" is an array.
    if (/^\d+$/.test(inner)) arrayLen = Number(inner);
    else if (inner === '') arrayLen = 0; // flexible array ("char buf[]", size 0): data runs to the record end
    else arrayLen = -1; // symbolic length: derived from size later
    s = before.trimEnd();
  }
  const m = /([A-Za-z_][A-Za-z0-9_]*)$/.exec(s);
  if (!m) return null;
  const name = m[1]!;
  const type = s.slice(0, s.length - name.length).trim();
  if (type === '') return null;
  return { name, type, arrayLen };
}

function attr(line: string, key: string): number | null {
  const i = line.indexOf(`${key}:`);
  if (i < 0) return null;
  const j = line.indexOf(';', i);
  const v = line.slice(i + key.length + 1, j < 0 ? undefined : j).trim();
  return /^-?\d+$/.test(v) ? Number(v) : null;
}

/** Parse one `format` file text. `system` is recorded as given (trace.dat stores it outside the text). */
export function parseEventFormat(text: string, system = ''): EventFormat {
  const fields: FieldLayout[] = [];
  const problems: string[] = [];
  let name = '';
  let id = -1;
  let printFmt = '';
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    const line = raw.trim();
    if (line === '' || line === 'format:') continue;
    if (line.startsWith('name:')) { name = line.slice(5).trim(); continue; }
    if (line.startsWith('ID:')) {
      const v = line.slice(3).trim();
      if (/^\d+$/.test(v)) id = Number(v);
      else problems.push(`line ${n + 1}: ID is not a number: ${raw}`);
      continue;
    }
    if (line.startsWith('print fmt:')) {
      // The print fmt is the rest of the text (it is one line in practice, but keep any tail).
      printFmt = [line.slice(10).trim(), ...lines.slice(n + 1)].join('\n').trim();
      break;
    }
    if (line.startsWith('field:') || line.startsWith('field ')) {
      const semi = line.indexOf(';');
      const decl = parseField(line.slice(6, semi < 0 ? undefined : semi));
      const offset = attr(line, 'offset');
      const size = attr(line, 'size');
      const signedAttr = attr(line, 'signed');
      if (!decl || offset === null || size === null || offset < 0 || size < 0) {
        problems.push(`line ${n + 1}: unreadable field: ${raw}`);
        continue;
      }
      let location: FieldLocation = 'inline';
      let type = decl.type;
      if (type.startsWith('__data_loc')) location = 'data_loc';
      else if (type.startsWith('__rel_loc')) location = 'rel_loc';
      const baseType = type.replace(/^__(data|rel)_loc\s*/, '').replace(/\[\]$/, '').trim();
      const isChar = /(^|\s)(unsigned\s+|signed\s+)?char$/.test(baseType);
      let arrayLen = location === 'inline' ? decl.arrayLen : null;
      if (arrayLen === -1) arrayLen = isChar ? size : null;
      fields.push({
        name: decl.name, type, offset, size,
        // header_page has no "signed:"; char is signed on x86 but text either way
        signed: signedAttr === 1,
        arrayLen, location, isChar,
        common: decl.name.startsWith('common_'),
      });
      continue;
    }
    problems.push(`line ${n + 1}: unexpected line: ${raw}`);
  }
  const byName = new Map<string, FieldLayout>();
  for (const f of fields) if (!byName.has(f.name)) byName.set(f.name, f);
  const printTables = printFmt === '' ? new Map<string, PrintTable[]>() : extractPrintTables(printFmt, problems);
  return { system, name, id, fields, byName, printFmt, printTables, problems, text };
}
