// Data quality in the export: unpaired exits by kind, pairs left out, time resolution, time
// inversions as gauges, the time unit as a resource attribute; the same numbers as stat --json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '../..');
const VHOST = join(ROOT, '../shared/traces/hip24/vhost-host-report.txt');
const TSC = join(ROOT, 'fixtures/ftrace/trace-x86-tsc.txt');
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });

function value(prom: string, name: string, label = ''): number {
  const line = prom.split('\n').find((l) => l.startsWith(name) && l.includes(label));
  assert.ok(line, `${name} ${label} missing`);
  return Number(line!.slice(line!.lastIndexOf(' ') + 1));
}

test('export: unpaired exits by kind, pairs left out, resolution and inversions = stat --json quality', (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const prom = cli(['export', VHOST, '--print', 'prometheus', '--no-whatif']).stdout;
  const q = JSON.parse(cli(['stat', VHOST, '--json']).stdout).quality.summary;
  assert.equal(value(prom, 'es2scope_trace_unpaired{', 'kind="exit_without_entry_at_end"'), q.exitsWithoutEntry.atEnd);
  assert.equal(value(prom, 'es2scope_trace_unpaired{', 'kind="exit_without_entry_before_next_exit"'), q.exitsWithoutEntry.beforeNextExit);
  assert.equal(value(prom, 'es2scope_trace_unpaired{', 'kind="entry_without_exit_at_start"'), q.entriesWithoutExit.atStart);
  assert.equal(value(prom, 'es2scope_trace_unpaired{', 'kind="entry_without_exit_in_middle"'), q.entriesWithoutExit.inMiddle);
  assert.equal(value(prom, 'es2scope_trace_pairs_left_out{', 'cause="rip_jump"'), q.pairsLeftOut.ripJump);
  assert.equal(value(prom, 'es2scope_trace_pairs_left_out{', 'cause="lost_events"'), q.pairsLeftOut.lostEvents);
  assert.equal(value(prom, 'es2scope_trace_time_resolution_nanoseconds{'), q.timeResolutionNs);
  assert.equal(value(prom, 'es2scope_trace_time_inversions{'), q.timeInversions.count);
  assert.match(prom, /es2scope_trace_time_unit="ns"/);
});

test('export of a raw-cycles trace: resource attribute time_unit=cycles and a loud stderr line', () => {
  const r = cli(['export', TSC, '--print', 'prometheus', '--no-whatif']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /es2scope_trace_time_unit="cycles"/);
  assert.match(r.stderr, /TIME UNIT = CYCLES/);
});
