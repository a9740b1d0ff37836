// `npm run lab:ab-polling -- [options]`: the A/B check of issue 9. QEMU's iothread adaptive
// polling is the hybrid I/O mechanism: record the disk workload with poll-max-ns=0 and =N on one
// guest, count the kicks (guest writes to virtio-blk's notify register) in each, predict from the
// off trace with `es2scope whatif` (hybrid; the adaptive poller with QEMU's poll-max-ns = N and
// its poll-grow/poll-shrink defaults, and for reference the fixed window = enter gap = N) and
// print predicted vs measured kicks removed, plus the guest-reported throughput of each run.
// Exit codes: AB_USAGE.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AB_USAGE, parseAbArgs } from './args.js';
import { kvmFactsHere, runChecks } from './checks.js';
import { LabSession, REPO, switchTracingOff, type Recording } from './session.js';
import { abCompare, formatAbTable, type RunResult, type WhatifHybrid } from './abTable.js';

const log = (l: string): void => { process.stderr.write(`[ab ${new Date().toISOString().slice(11, 19)}] ${l}\n`); };

function toRun(label: 'off' | 'on', pollMaxNs: number, r: Recording, iothreadCpuMs: number | null): RunResult {
  const f = r.reply?.fields;
  return {
    label, pollMaxNs,
    kicks: r.kicks ?? { byId: {}, byAddress: {}, total: 0, source: 'none', kvmEvents: 0 },
    ops: f?.ops ?? null, bytes: f?.bytes ?? null, guestMs: f?.ms ?? null, iothreadCpuMs,
  };
}

/** `es2scope whatif <off trace> --mechanisms hybrid --json` plus the poller flags; null result when it fails or there is no trace. */
function whatifOf(off: Recording, pollerFlags: string[]): { result: WhatifHybrid | null; cmd: string[] } {
  if (!off.eventsArrow) return { result: null, cmd: [] };
  const cmd = ['whatif', off.eventsArrow, '--mechanisms', 'hybrid', ...pollerFlags, '--json'];
  const w = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts'), ...cmd], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (w.status === 0) return { result: JSON.parse(w.stdout) as WhatifHybrid, cmd };
  log(`es2scope whatif failed (exit ${w.status}): ${(w.stderr ?? '').trim().split('\n').slice(-2).join(' | ')}`);
  return { result: null, cmd };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(`${AB_USAGE}\n`); return 0; }
  const p = parseAbArgs(argv, process.env);
  if (!p.ok) { process.stderr.write(`ab-polling: ${p.error}\n${AB_USAGE}\n`); return 2; }
  const { tool, onNs, json } = p.value;
  const o = { ...p.value.lab, outDir: resolve(p.value.lab.outDir) };
  const kvm = kvmFactsHere();
  if (o.accel === 'kvm' && !kvm.ok) {
    process.stderr.write(`ab-polling: skipped: ${kvm.reason}\nhint: ${kvm.hint}\n`);
    return 3;
  }
  const chk = runChecks([tool], o.noApt, log);
  if (chk.problems.length) {
    process.stderr.write(`ab-polling: not ready:\n${chk.problems.map((x) => `  - ${x}`).join('\n')}\n`);
    return 4;
  }
  if (o.accel === 'tcg') log('--accel tcg: TCG produces no kvm events, so no kicks can be counted and no comparison is possible; running the mechanics only');
  mkdirSync(o.outDir, { recursive: true });
  let session: LabSession | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`${sig}: stopping`);
    void (session?.close() ?? Promise.resolve()).finally(() => { switchTracingOff(chk.tracefs!); process.exit(130); });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const runs: RunResult[] = [];
  const recs: Recording[] = [];
  try {
    session = await LabSession.open(o, chk.tracefs!, log, (x) => { session = x; });
    for (const [label, ns] of [['off', 0], ['on', onNs]] as const) {
      if (session.deadReason) throw new Error(`the guest died: ${session.deadReason} (console: ${join(session.runDir, 'guest-console.log')})`);
      await session.setPollMaxNs(ns);
      log(`run "${label}": poll-max-ns=${ns}, disk workload ${o.workMs} ms, qd ${o.diskQd}, bs ${o.diskBs}, tool ${tool}`);
      const cpu0 = session.threadCpuMs('IO io0');
      const r = await session.record('disk', tool, `ab-${label}`);
      const cpu1 = session.threadCpuMs('IO io0');
      recs.push(r);
      runs.push(toRun(label, ns, r, cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null));
      log(`  ${r.events} events, kicks ${r.kicks?.byId.blk0 ?? '-'}, guest: ${r.reply?.line ?? '-'}${r.problems.length ? `; problems: ${r.problems.join('; ')}` : ''}`);
    }
  } finally {
    await session?.close();
  }
  const off = recs[0]!;
  // QEMU's own defaults for the "on" run: poll-grow 0 (double), poll-shrink 0 (reset); only poll-max-ns is set
  const adaptive = whatifOf(off, ['--poll-mode', 'adaptive', '--poll-max-ns', String(onNs), '--poll-grow', '0', '--poll-shrink', '0']);
  const fixed = whatifOf(off, ['--poll-mode', 'fixed', '--idle-window-ns', String(onNs), '--enter-gap-ns', String(onNs)]);
  const whatif = adaptive.result;
  const blk = session?.ranges.filter((r) => r.id === 'blk0') ?? [];
  const res = abCompare(o.accel, runs[0]!, runs[1]!, whatif, blk, 'blk0', fixed.result);
  const out = {
    schemaVersion: 1, check: 'qemu-adaptive-polling-ab', accel: o.accel, tool, onNs, outDir: o.outDir,
    comparable: res.comparable, why: res.why,
    predictedKicksRemoved: res.predictedRemoved, predictedKicksRemovedFixed: res.predictedRemovedFixed, measuredKicksRemoved: res.measuredRemoved,
    measuredKicksRemovedPerOps: res.measuredRemovedPerOps, predictedOverMeasured: res.ratio, predictedOverMeasuredFixed: res.ratioFixed,
    rows: res.rows, notes: res.notes,
    whatifCommand: adaptive.cmd.length ? `es2scope ${adaptive.cmd.join(' ')}` : null,
    whatifCommandFixed: fixed.cmd.length ? `es2scope ${fixed.cmd.join(' ')}` : null,
    notify: blk.map((r) => ({ ...r, start: `0x${r.start.toString(16)}`, end: `0x${r.end.toString(16)}` })),
    runs: runs.map((r, i) => ({ ...r, file: recs[i]?.file, problems: recs[i]?.problems ?? [] })),
    timings: session?.timings,
  };
  writeFileSync(join(o.outDir, 'ab-polling.json'), `${JSON.stringify(out, null, 1)}\n`);
  if (json) process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
  else {
    process.stdout.write(`\nQEMU adaptive polling A/B (virtio-blk iothread, --accel ${o.accel}, ${tool}) — ${o.outDir}\n\n${formatAbTable(res)}\n\n`);
    process.stdout.write(res.comparable
      ? `kicks removed: predicted ${res.predictedRemoved} (adaptive; fixed window ${res.predictedRemovedFixed ?? '-'}), measured ${res.measuredRemoved} (scaled to the off run's I/O: ${res.measuredRemovedPerOps}); `
        + `predicted/measured ${res.ratio === null ? '-' : res.ratio.toFixed(2)} (fixed window ${res.ratioFixed === null ? '-' : res.ratioFixed.toFixed(2)})\n`
      : `no comparison: ${res.why}\n`);
    for (const n of res.notes) process.stdout.write(`note: ${n}\n`);
    process.stdout.write(`JSON: ${join(o.outDir, 'ab-polling.json')}\n`);
  }
  return res.comparable ? 0 : 5;
}

main().then((code) => process.exit(code), (e: Error) => { process.stderr.write(`ab-polling: ${e.message}\n`); process.exit(1); });
