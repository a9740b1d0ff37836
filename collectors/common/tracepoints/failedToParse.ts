// "[FAILED TO PARSE] field=value ..." payloads, printed by libtraceevent when it cannot parse an
// event's print fmt. Example (perf 6.1 on a 6.18 kernel, ../shared/lab/README.md §1.6):
//   kvm:kvm_inj_exception: [FAILED TO PARSE] exception=14 has_error=1 error_code=0 reinjected=0
// Printer: libtraceevent event-parse.c print_event_fields(): numbers as %llu/%lld, or 0x%llx for
// longs and pointers; char arrays as strings. The values become a FieldReader so the binary decoder
// handles them by field name.
import type { EventBatchBuilder } from '../eventBatch.js';
import { decI, findChar, skipSp, tokEnd, trimEnd } from './scan.js';
import type { FieldReader, PrintTable } from './types.js';

export const FAILED_TO_PARSE = '[FAILED TO PARSE]';

export class TextFieldReader implements FieldReader {
  private constructor(private readonly fields: ReadonlyMap<string, string>) {}

  /** Reads "a=1 b=0x2 c=text" in t[s, e); undefined when a token has no '='. */
  static parse(t: string, s: number, e: number): TextFieldReader | undefined {
    const m = new Map<string, string>();
    e = trimEnd(t, s, e);
    let i = skipSp(t, s, e);
    while (i < e) {
      const te = tokEnd(t, i, e);
      const eqAt = findChar(t, 61, i, te);
      if (eqAt <= i) return undefined;
      m.set(t.slice(i, eqAt), t.slice(eqAt + 1, te));
      i = skipSp(t, te, e);
    }
    return m.size ? new TextFieldReader(m) : undefined;
  }

  has(field: string): boolean { return this.fields.has(field); }

  num(field: string): number | undefined {
    const v = this.fields.get(field);
    if (v === undefined) return undefined;
    if (/^0x[0-9a-f]+$/i.test(v)) return parseInt(v.slice(2), 16);
    const n = decI(v, 0, v.length);
    return Number.isNaN(n) ? undefined : n;
  }

  set64(field: string, col: number, b: EventBatchBuilder): boolean {
    const v = this.fields.get(field);
    if (v === undefined) return false;
    if (/^0x/i.test(v)) return b.hex64(col, v, 0, v.length);
    if (!/^-?[0-9]+$/.test(v)) return false;
    b.big64(col, BigInt(v));
    return true;
  }

  str(field: string): string | undefined { return this.fields.get(field); }

  printTables(): readonly PrintTable[] { return []; }
}
