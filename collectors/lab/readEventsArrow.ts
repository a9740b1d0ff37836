// Reads the few columns kick counting needs from an events .arrow written by `es2scope ingest`
// (collectors/common/columns.ts names them). The lab lives in collectors/, which may not import
// src/, so it reads the IPC file with apache-arrow directly.
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import type { KickRow } from './kicks.js';

export function* readKickRows(path: string): Generator<KickRow> {
  const t = tableFromIPC(readFileSync(path));
  const ev = t.getChild('event');
  const wr = t.getChild('write');
  const gpa = t.getChild('gpa');
  const port = t.getChild('port');
  const reason = t.getChild('reason');
  if (!ev) throw new Error(`${path}: no "event" column (not an es2scope events table?)`);
  for (let i = 0; i < t.numRows; i++) {
    const g = gpa?.get(i) as bigint | number | null | undefined;
    yield {
      event: String(ev.get(i)),
      write: (wr?.get(i) as boolean | null | undefined) ?? null,
      gpa: g === null || g === undefined ? null : BigInt(g),
      port: (port?.get(i) as number | null | undefined) ?? null,
      reason: (reason?.get(i) as string | null | undefined) ?? null,
    };
  }
}
