// Test helper: a binary collector's rows against the text collector's rows of `trace-cmd report -t`
// on the same file.
import assert from 'node:assert/strict';
import type { Row } from './collect.js';

/**
 * libtraceevent's sched_switch plugin prints prev_state from its own letter table (older than the
 * kernel's): TASK_IDLE "I" -> "W", EXIT_ZOMBIE "Z" -> "X", EXIT_DEAD "X" -> "Z", and it drops the
 * preempted "+". Binary records use the kernel's print fmt. Pairs "binary>text".
 */
export const PLUGIN_STATE_REWRITES: ReadonlySet<string> = new Set(['I>W', 'R+>R', 'Z>X', 'X>Z']);

/**
 * Same rows, in the same order, every column equal but src_line (a byte offset in one, a line in
 * the other) and the plugin's prev_state letters. Returns how many rows differed only by those.
 */
export function assertSameAsReport(bin: readonly Row[], txt: readonly Row[]): number {
  assert.equal(bin.length, txt.length);
  let pluginStates = 0;
  for (let i = 0; i < bin.length; i++) {
    const a: Row = { ...bin[i], src_line: null };
    const b: Row = { ...txt[i], src_line: null };
    if (PLUGIN_STATE_REWRITES.has(`${a.prev_state}>${b.prev_state}`)) { pluginStates++; b.prev_state = a.prev_state; }
    assert.deepEqual(a, b, `row ${i}`);
  }
  return pluginStates;
}
