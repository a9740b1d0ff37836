// A command whose work is complete when its handler returns (every file written and closed,
// nothing left in the background) says so here, and main.ts then ends the process at once with
// process.exit instead of letting Node wind down: waiting for V8's background compile jobs and
// unmapping the heap page by page took 30-40 ms of a 3 M-event ingest on the 2-CPU build machine
// (8 interleaved runs: trace.dat 0.97 -> 0.94 s, perf.data 1.44 -> 1.40 s). Only for commands
// that await everything they start (not, e.g., ones holding a DuckDB instance).
let complete = false;

/** The running command has finished all its work (called last in its handler). */
export function workComplete(): void {
  complete = true;
}

/** Whether the process may exit without winding down. */
export function mayExitAtOnce(): boolean {
  return complete;
}
