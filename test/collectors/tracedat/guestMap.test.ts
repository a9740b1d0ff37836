// The GUEST option (vCPU -> host thread) and TSC2NSEC parameters as an API for the analyzer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Diagnostics } from '../../../collectors/common/diagnostics.js';
import { openTraceSource } from '../../../collectors/common/source.js';
import { readTraceDatMeta } from '../../../collectors/tracedat/index.js';

const FILE = join(import.meta.dirname, '../../../../shared/traces/hip24/exits-6.5-tsc2nsec-trace.dat');

test('GUEST option maps vCPUs to host threads; TSC2NSEC mult/shift read as stored', async (t) => {
  if (!existsSync(FILE)) return t.skip(`shared trace missing: ${FILE}`);
  const src = await openTraceSource(FILE);
  const ra = await src.random();
  try {
    const meta = await readTraceDatMeta(ra, FILE, new Diagnostics(FILE));
    assert.equal(meta.guests.length, 1);
    assert.deepEqual([...meta.guests[0]!.vcpuToHostTid], [[0, 60250], [1, 60251]]);
    assert.deepEqual(meta.tsc2nsec, { mult: 0x2bdc11f7, shift: 31, offset: 0n });
    assert.equal(meta.buffers[0]!.clock, 'tsc2nsec');
    // the cmdlines saved in the file name the vCPU threads
    assert.equal(meta.cmdlines.get(60250), 'CPU 0/KVM');
  } finally {
    await ra.close();
  }
});
