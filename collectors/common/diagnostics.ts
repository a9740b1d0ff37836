// What went wrong or looked odd while reading a trace: counted warnings with file:line examples,
// lost-event markers per CPU, time resolution, truncation. Every stage's output carries this so
// that reports can show data quality next to the numbers.

export interface WarningExample {
  /** `file:line` for text, `file@0xOFFSET` for binary input. */
  where: string;
  message: string;
  /** The offending line (cut to 200 characters), when there is one. */
  line?: string;
  hint?: string;
}

export interface LostMarker {
  cpu: number | null;
  /** Time of the marker (ns) when the format gives one. */
  tsNs: bigint | null;
  /** Events lost; null when the format only says "some". */
  count: number | null;
  where: string;
}

export interface CpuBufferStats {
  cpu: number;
  /** The trace.dat instance (trace-cmd -B) this CPU buffer belongs to; absent for the top one. */
  buffer?: string;
  /** Kernel per-CPU statistics stored in the file (trace.dat), when present. */
  entries?: number;
  overrun?: number;
  readEvents?: number;
  /** Records actually found in the file for this CPU. */
  recordsInFile: number;
  /** Pages flagged with missing events, and the lost count they report. */
  missingPages?: number;
  lostReported?: number;
}

/** 'cycles': ts_ns holds raw x86-tsc/counter values (clock without TSC2NSEC and no --tsc-hz). */
export type TimeUnit = 'ns' | 'cycles';

export interface DiagnosticsJson {
  file: string;
  format: string;
  warnings: { kind: string; count: number; examples: WarningExample[] }[];
  warningCount: number;
  lost: (Omit<LostMarker, 'tsNs'> & { tsNs: string | null })[];
  lostEventsTotal: number | null;
  lostMarkers: number;
  timePrecisionNs: number;
  /** What ts_ns counts: nanoseconds, or raw TSC/counter cycles (no frequency known). */
  timeUnit: TimeUnit;
  truncated: boolean;
  notes: string[];
  cpuStats: CpuBufferStats[];
}

/** Thrown for input that cannot be read at all, or any warning under --strict. */
export class TraceInputError extends Error {
  constructor(message: string, readonly where?: string, readonly hint?: string) {
    super(where ? `${where}: ${message}${hint ? `\n  hint: ${hint}` : ''}` : `${message}${hint ? `\n  hint: ${hint}` : ''}`);
    this.name = 'TraceInputError';
  }
}

const EXAMPLES_PER_KIND = 5;

export class Diagnostics {
  format = '';
  timePrecisionNs = 1;
  /** Set to 'cycles' by a collector whose timestamps are raw counter values; durations then are not ns. */
  timeUnit: TimeUnit = 'ns';
  truncated = false;
  readonly notes: string[] = [];
  readonly lost: LostMarker[] = [];
  readonly cpuStats: CpuBufferStats[] = [];
  private readonly warnings = new Map<string, { count: number; examples: WarningExample[] }>();

  constructor(readonly file: string, readonly strict = false) {}

  /** Count a non-fatal oddity. Under --strict the first one stops the run. */
  warn(kind: string, where: string, message: string, line?: string, hint?: string): void {
    const ex: WarningExample = { where, message };
    if (line !== undefined) ex.line = line.length > 200 ? `${line.slice(0, 200)}…` : line;
    if (hint !== undefined) ex.hint = hint;
    if (this.strict) {
      throw new TraceInputError(`${message}${ex.line !== undefined ? `\n  line: ${ex.line}` : ''}`, where, hint);
    }
    let w = this.warnings.get(kind);
    if (!w) this.warnings.set(kind, (w = { count: 0, examples: [] }));
    w.count++;
    if (w.examples.length < EXAMPLES_PER_KIND) w.examples.push(ex);
  }

  /**
   * Add `count` warnings of one kind at once, keeping the first examples (merging the counts of a
   * worker thread that read part of the input; see collectors/common/parallel).
   */
  warnMany(kind: string, count: number, examples: readonly WarningExample[]): void {
    if (count <= 0) return;
    if (this.strict && examples[0]) {
      const ex = examples[0];
      throw new TraceInputError(`${ex.message}${ex.line !== undefined ? `\n  line: ${ex.line}` : ''}`, ex.where, ex.hint);
    }
    let w = this.warnings.get(kind);
    if (!w) this.warnings.set(kind, (w = { count: 0, examples: [] }));
    w.count += count;
    for (const ex of examples) if (w.examples.length < EXAMPLES_PER_KIND) w.examples.push(ex);
  }

  /** Record a lost-event marker (the collector also writes a "[lost]" row). */
  lostEvents(marker: LostMarker): void {
    this.lost.push(marker);
  }

  /** Coarsest time resolution seen (1000 for µs text). */
  precision(ns: number): void {
    if (ns > this.timePrecisionNs) this.timePrecisionNs = ns;
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  get warningCount(): number {
    let n = 0;
    for (const w of this.warnings.values()) n += w.count;
    return n;
  }

  toJSON(): DiagnosticsJson {
    let total: number | null = 0;
    for (const l of this.lost) total = l.count === null || total === null ? null : total + l.count;
    return {
      file: this.file,
      format: this.format,
      warnings: [...this.warnings].map(([kind, w]) => ({ kind, count: w.count, examples: w.examples })),
      warningCount: this.warningCount,
      lost: this.lost.slice(0, 1000).map((l) => ({ ...l, tsNs: l.tsNs === null ? null : l.tsNs.toString() })),
      lostEventsTotal: total,
      lostMarkers: this.lost.length,
      timePrecisionNs: this.timePrecisionNs,
      timeUnit: this.timeUnit,
      truncated: this.truncated,
      notes: this.notes,
      cpuStats: this.cpuStats,
    };
  }
}
