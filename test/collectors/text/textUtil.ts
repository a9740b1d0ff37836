// Helpers for the text-collector tests: run a collector over a fixture or an inline text, get
// plain rows and the diagnostics back, and compute expected times from the raw text with BigInt.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Collector } from '../../../collectors/common/collector.js';
import type { Diagnostics } from '../../../collectors/common/diagnostics.js';
import { collectTable, type Row } from '../../helpers/collect.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const fixture = (p: string): string => join(ROOT, 'fixtures', p);
export const SHARED_TRACES = join(ROOT, '..', 'shared', 'traces');

export async function run(c: Collector, path: string, opts: { chunkSize?: number; strict?: boolean; lineMemo?: boolean } = {}): Promise<{ rows: Row[]; diag: Diagnostics }> {
  const { table, diag } = await collectTable(c, path, opts);
  return { rows: table.toArray().map((r) => r.toJSON() as Row), diag };
}

/** Write an inline text (or bytes) to a temp file and return its path. */
export function tmpTrace(content: string | Buffer, name = 'trace.txt'): string {
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-text-test-'));
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** "812.628297" -> 812628297000n, exactly, from the digits (the test's own reading of the time). */
export function nsOf(ts: string): bigint {
  const [sec, frac = ''] = ts.split('.');
  return BigInt(sec!) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
}

export function countBy(rows: Row[], key: string): Map<unknown, number> {
  const m = new Map<unknown, number>();
  for (const r of rows) m.set(r[key], (m.get(r[key]) ?? 0) + 1);
  return m;
}

export function warningsOf(diag: Diagnostics): Map<string, number> {
  return new Map(diag.toJSON().warnings.map((w) => [w.kind, w.count]));
}
