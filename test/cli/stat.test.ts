// `es2scope stat --json` against an independent awk pairing over the real trace-cmd report text:
// per reason, the number of exit->entry pairs and the summed durations (µs text) must be equal.
// Plus `es2scope analyze -o DIR` tables readable by pyarrow (skips when python/pyarrow is missing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '../..');
const VHOST = join(ROOT, '../shared/traces/hip24/vhost-host-report.txt');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// exit opens a pair per thread (tid = digits after the last '-' of the first field); the next entry
// of that thread closes it; a second exit replaces an open one (that exit is unpaired). A pair whose
// guest RIP moved by more than an instruction (0..15 bytes) is left out, as es2scope does: the
// guest ran in between and events are missing. RIPs compare as a string prefix plus the last 7 hex
// digits as a number (mawk has no 64-bit integers).
const AWK = `
function hex(s,   i, v) { v = 0; for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
function ripOf(   i) { for (i = 5; i < NF; i++) if ($i == "rip") return $(i + 1); return "" }
$4 == "kvm_exit:" || $4 == "kvm_entry:" {
  n = split($1, a, "-"); tid = a[n]; ts = $3; sub(/:$/, "", ts); sub(/\\./, "", ts)
  rip = ripOf(); sub(/^0x/, "", rip)
  if ($4 == "kvm_exit:") { open[tid] = 1; ex[tid] = ts; rs[tid] = $6; xr[tid] = rip }
  else if (open[tid]) {
    open[tid] = 0
    p = length(rip) - 7; q = length(xr[tid]) - 7
    d = hex(substr(rip, p + 1)) - hex(substr(xr[tid], q + 1))
    if (substr(rip, 1, p) != substr(xr[tid], 1, q) || d < 0 || d > 15) next
    c[rs[tid]]++; s[rs[tid]] += ts - ex[tid]
  }
}
END { for (r in c) printf "%s %d %d\\n", r, c[r], s[r] }`;

test('stat --json per-reason samples and summed exit->entry time equal an awk pairing of the text', (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const awk = spawnSync('awk', [AWK, VHOST], { encoding: 'utf8' });
  if (awk.status !== 0) return t.skip(`awk not usable: ${awk.stderr}`);
  const expected: Record<string, { samples: number; totalNs: number }> = {};
  for (const line of awk.stdout.trim().split('\n')) {
    const [reason, count, sumUs] = line.split(' ');
    expected[reason!] = { samples: Number(count), totalNs: Number(sumUs) * 1000 };
  }
  const r = cli(['stat', VHOST, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.schema, 'es2scope.stat/1');
  const got: Record<string, { samples: number; totalNs: number }> = {};
  for (const row of [...j.rows, ...j.haltRows]) got[row.key] = { samples: row.samples, totalNs: row.totalNs };
  assert.deepEqual(got, expected);
  assert.ok(j.haltRows.some((x: { key: string }) => x.key === 'HLT'), 'HLT kept apart');
  assert.equal(j.quality.timeResolutionNs, 1000);
});

test('stat --event mmio counts the fast-MMIO kicks; --event irq gives MSI->posted latencies', (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const m = JSON.parse(cli(['stat', VHOST, '--json', '--event', 'mmio']).stdout);
  const fast = m.rows.find((x: { key: string }) => x.key === '0x800007004:W(fast)');
  assert.ok(fast && fast.samples > 0 && fast.samples <= 43, JSON.stringify(m.rows));
  const q = JSON.parse(cli(['stat', VHOST, '--json', '--event', 'irq']).stdout);
  assert.ok(q.rows.some((x: { key: string }) => x.key === 'msi->posted'), JSON.stringify(q.rows.map((x: { key: string }) => x.key)));
});

test('analyze -o DIR writes exits/irqs/vcpu_runs/io_kicks Arrow files that pyarrow reads', (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const py = spawnSync('python3', ['-c', 'import pyarrow'], { encoding: 'utf8' });
  if (py.status !== 0) return t.skip('python3 with pyarrow not available (pip install pyarrow)');
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-analyze-'));
  try {
    const r = cli(['analyze', VHOST, '-o', dir, '-q']);
    assert.equal(r.status, 0, r.stderr);
    const check = spawnSync('python3', ['-c', `
import pyarrow.ipc as ipc, json, sys
d = sys.argv[1]
out = {}
for t in ['exits', 'irqs', 'vcpu_runs', 'io_kicks']:
    tb = ipc.open_file(f'{d}/{t}.arrow').read_all()
    out[t] = tb.num_rows
ex = ipc.open_file(f'{d}/exits.arrow').read_all()
paired = [r for r in ex.to_pylist() if r['flags'] == 0]
out['entry_minus_exit_ok'] = all(r['entry_ns'] - r['exit_ns'] == r['dur_ns'] for r in paired)
out['hlt'] = sum(1 for r in ex.to_pylist() if r['reason'] == 'HLT')
print(json.dumps(out))
`, dir], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    const got = JSON.parse(check.stdout);
    const summary = JSON.parse(spawnSync('cat', [join(dir, 'summary.json')], { encoding: 'utf8' }).stdout);
    assert.equal(got.exits, 810);
    assert.equal(got.entry_minus_exit_ok, true);
    assert.equal(got.irqs, summary.rows.irqs);
    assert.equal(got.vcpu_runs, summary.rows.vcpu_runs);
    assert.equal(got.io_kicks, summary.rows.io_kicks);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
