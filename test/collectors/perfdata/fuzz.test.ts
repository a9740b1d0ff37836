// Random byte damage (fixed seed, so failures reproduce): whatever the bytes say, the reader ends
// with rows + counted warnings or a TraceInputError; never another exception, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceInputError } from '../../../collectors/common/diagnostics.js';
import { perfDataCollector } from '../../../collectors/perfdata/index.js';
import { collectTable } from '../../helpers/collect.js';

const FIX = join(import.meta.dirname, '../../../fixtures/perfdata');

/** xorshift32: deterministic damage. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 4294967296; };
}

for (const name of ['sched-file', 'sched-zstd', 'sched-pipe']) {
  test(`${name}: 40 copies with random bytes overwritten read to an end or a TraceInputError`, async (t) => {
    const path = join(FIX, `${name}.perf.data`);
    if (!existsSync(path)) { t.skip('fixture missing'); return; }
    const orig = readFileSync(path);
    const dir = mkdtempSync(join(tmpdir(), 'es2scope-perfdata-fuzz-'));
    const rand = rng(0x5eed + name.length);
    try {
      for (let k = 0; k < 40; k++) {
        const b = Buffer.from(orig);
        const hits = 1 + Math.floor(rand() * 16);
        for (let h = 0; h < hits; h++) {
          // half the hits land in the first 4 KiB (header, attrs, first records), the rest anywhere
          const at = rand() < 0.5 ? 8 + Math.floor(rand() * 4088) : Math.floor(rand() * b.length);
          b[at] = Math.floor(rand() * 256);
        }
        const p = join(dir, `${k}.data`);
        writeFileSync(p, b);
        try {
          await collectTable(perfDataCollector, p);
        } catch (e) {
          assert.ok(e instanceof TraceInputError, `copy ${k}: ${(e as Error).stack}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
