// tid -> comm over time, the way perf script names a sample's task: COMM records set a thread's
// name, FORK copies the parent's (tools/perf/util/thread.c thread__fork), a thread never named
// prints as ":<tid>" (thread__new), and the idle task is "swapper" (machine__idle_thread).
// Records reach this class in time order (see orderedQueue.ts), so "the comm now" is the comm
// current at the sample's time.
import { C } from '../common/columns.js';
import type { EventBatchBuilder } from '../common/eventBatch.js';

/** Direct-mapped tid -> code cache in front of the Map (every sample asks; tids repeat). */
const CACHE = 4096;

export class Threads {
  private readonly cacheTids = new Float64Array(CACHE).fill(NaN); // NaN: matches no tid
  private readonly cacheCodes = new Int32Array(CACHE);
  /** tid -> dictionary code of its comm in the builder's comm column. */
  private readonly codes = new Map<number, number>();
  /** tids whose name was set by a COMM (or inherited through FORK): perf's comm_set. */
  private readonly named = new Set<number>();

  constructor(private readonly b: EventBatchBuilder) {}

  setComm(tid: number, comm: string): void {
    this.cacheTids[tid & (CACHE - 1)] = NaN;
    this.codes.set(tid, this.b.dictionaries[C.comm]!.code(comm));
    this.named.add(tid);
  }

  /** FORK: a new task `tid` (an old one with this tid is gone) named after its parent if that has a name. */
  fork(tid: number, parentTid: number): void {
    this.cacheTids[tid & (CACHE - 1)] = NaN;
    const parent = this.named.has(parentTid) ? this.codes.get(parentTid) : undefined;
    if (parent !== undefined) {
      this.codes.set(tid, parent);
      this.named.add(tid);
    } else {
      this.codes.delete(tid);
      this.named.delete(tid);
    }
  }

  /** Dictionary code of the comm of `tid` now. */
  commCode(tid: number): number {
    const slot = tid & (CACHE - 1);
    if (this.cacheTids[slot] === tid) return this.cacheCodes[slot]!;
    let c = this.codes.get(tid);
    if (c === undefined) {
      c = this.b.dictionaries[C.comm]!.code(tid === 0 ? 'swapper' : `:${tid}`);
      this.codes.set(tid, c);
    }
    this.cacheTids[slot] = tid;
    this.cacheCodes[slot] = c;
    return c;
  }
}
