// Builds a TracepointDecoder from its text and binary halves, and routes perf's
// "[FAILED TO PARSE] field=value ..." payloads (libtraceevent could not parse the print fmt,
// see ../shared/lab/README.md §1.6) to the binary half through a text FieldReader.
import type { EventBatchBuilder } from '../eventBatch.js';
import { FAILED_TO_PARSE, TextFieldReader } from './failedToParse.js';
import type { CompiledFieldReader, FieldReader, TracepointDecoder } from './types.js';

export type TextDecode = (t: string, s: number, e: number, b: EventBatchBuilder) => boolean;
export type FieldsDecode = (r: FieldReader, b: EventBatchBuilder) => void;
/** Binary half compiled for one record format (see TracepointDecoder.compileFields). */
export type FieldsCompile = (r: CompiledFieldReader) => (b: EventBatchBuilder) => void;

/** Field names the binary half needs before a [FAILED TO PARSE] payload counts as decoded. */
export function defineDecoder(name: string, text: TextDecode, fields: FieldsDecode, required: readonly string[] = [], compile?: FieldsCompile): TracepointDecoder {
  return {
    name,
    decodeText(t, s, e, b) {
      // '[' starts no payload of a known event, so one charCode test keeps this off the hot path.
      if (t.charCodeAt(s) === 91 && t.startsWith(FAILED_TO_PARSE, s)) {
        const r = TextFieldReader.parse(t, s + FAILED_TO_PARSE.length, e);
        if (r === undefined) return false;
        for (const f of required) if (!r.has(f)) return false;
        fields(r, b);
        return true;
      }
      return text(t, s, e, b);
    },
    decodeFields: fields,
    // always present (maybe undefined): one object shape for every decoder keeps call sites monomorphic
    compileFields: compile,
  };
}
