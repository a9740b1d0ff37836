// Shared decoder of the tracefs event `format` descriptions embedded in binary traces (trace.dat,
// perf.data) and of records laid out by them. See README.md.
export { parseEventFormat, type EventFormat, type FieldLayout, type FieldLocation } from './parseFormat.js';
export { extractPrintTables, evalConstExpr } from './printTables.js';
export { RecordFieldReader, makeFieldReader, type FieldReaderOptions } from './fieldReader.js';
export { EventFormatSet, parseFormatSection, parseSavedCmdlines, parseTracingData, type TracingData, type BlockWarn } from './formatSet.js';
