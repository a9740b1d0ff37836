// `npm run lab -- [options]`: boot the lab guest, record each scenario with each tool, ingest every
// recording with es2scope and print the event counts per tool. See README.md in this folder.
// Exit codes: 0 done (problems, if any, are listed), 2 bad options, 3 KVM missing without
// --accel tcg (nothing started), 4 checks failed (root, tools, tracefs), 1 the lab failed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LAB_USAGE, parseLabArgs } from './args.js';
import { kvmFactsHere, runChecks } from './checks.js';
import { ensureKernel } from './kernel.js';
import { LabSession, switchTracingOff, type Recording } from './session.js';
import { formatCountsTable, guestThroughput } from './countsTable.js';

const log = (l: string): void => { process.stderr.write(`[lab ${new Date().toISOString().slice(11, 19)}] ${l}\n`); };

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(`${LAB_USAGE}\n`); return 0; }
  const p = parseLabArgs(argv, process.env);
  if (!p.ok) { process.stderr.write(`lab: ${p.error}\n${LAB_USAGE}\n`); return 2; }
  const o = { ...p.value, outDir: resolve(p.value.outDir) };
  const t0 = Date.now();
  // KVM first: without it (and without --accel tcg) stop at once, before installing anything
  const kvm = kvmFactsHere();
  if (!o.buildOnly && o.accel === 'kvm' && !kvm.ok) {
    process.stderr.write(`lab: cannot run a KVM guest here: ${kvm.reason}\nhint: ${kvm.hint}\n`);
    return 3;
  }
  const chk = runChecks(o.buildOnly ? [] : o.tools, o.noApt, log);
  if (o.buildOnly) {
    const k = await ensureKernel(o.cacheDir, log);
    process.stdout.write(`${k.vmlinux}\n`);
    return 0;
  }
  if (chk.problems.length) {
    process.stderr.write(`lab: not ready:\n${chk.problems.map((x) => `  - ${x}`).join('\n')}\n`);
    return 4;
  }
  if (o.accel === 'tcg') log('--accel tcg: QEMU emulates the guest in software; no kvm events will be traced (sched events and the mechanics only)');
  mkdirSync(o.outDir, { recursive: true });
  let session: LabSession | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`${sig}: stopping the guest and the recorders`);
    void (session?.close() ?? Promise.resolve()).finally(() => { switchTracingOff(chk.tracefs!); process.exit(130); });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const recs: Recording[] = [];
  let failed: string | null = null;
  try {
    session = await LabSession.open(o, chk.tracefs!, log, (x) => { session = x; });
    scenarios: for (const sc of o.scenarios) {
      for (const tool of o.tools) {
        const dead = session.deadReason;
        if (dead) { log(`stopping: ${dead} (guest console: ${join(session.runDir, 'guest-console.log')})`); failed = dead; break scenarios; }
        log(`scenario ${sc}, tool ${tool}`);
        const r = await session.record(sc, tool);
        recs.push(r);
        log(`  ${r.events} events (${r.recordS.toFixed(1)} s recording, ${r.ingestS.toFixed(1)} s ingest)${r.problems.length ? `; problems: ${r.problems.join('; ')}` : ''}`);
      }
    }
  } finally {
    await session?.close();
  }
  const rows = recs.map((r) => ({
    scenario: r.scenario, tool: r.tool, events: r.events, byEvent: r.byEvent, lostEvents: r.lostEvents,
    kicks: r.kicks ? r.kicks.total : null, guest: guestThroughput(r.scenario, r.reply?.fields),
    recordS: r.recordS, ingestS: r.ingestS, problems: r.problems.length,
  }));
  const summary = {
    schemaVersion: 1, accel: o.accel, outDir: o.outDir, totalS: (Date.now() - t0) / 1000,
    timings: session?.timings, notifyRanges: session?.ranges.map((r) => ({ ...r, start: `0x${r.start.toString(16)}`, end: `0x${r.end.toString(16)}` })),
    options: { ...o }, installed: chk.installed,
    recordings: recs.map((r) => ({ ...r, kicks: r.kicks ? { ...r.kicks } : null })),
  };
  writeFileSync(join(o.outDir, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
  const tm = session?.timings;
  process.stdout.write(`\nes2scope lab (--accel ${o.accel}) — ${o.outDir}\n`);
  if (tm) process.stdout.write(`guest kernel ${tm.kernelKey} ${tm.kernelCached ? '(cached)' : `(built in ${tm.kernelBuildS.toFixed(0)} s)`}, boot ${tm.bootS.toFixed(1)} s, total ${summary.totalS.toFixed(0)} s\n\n`);
  process.stdout.write(`${formatCountsTable(rows)}\n`);
  const probs = recs.flatMap((r) => r.problems.map((x) => `${r.scenario}/${r.tool}: ${x}`));
  if (probs.length) process.stdout.write(`\nproblems:\n${probs.map((x) => `  - ${x}`).join('\n')}\n`);
  const notes = recs.flatMap((r) => r.notes.map((x) => `${r.scenario}/${r.tool}: ${x}`));
  if (notes.length) process.stdout.write(`\nrecovered:\n${notes.map((x) => `  - ${x}`).join('\n')}\n`);
  if (o.accel === 'tcg') process.stdout.write('\nnote: TCG runs the guest without KVM: these traces hold no kvm events by design.\n');
  process.stdout.write(`\nsummary: ${join(o.outDir, 'summary.json')}\n`);
  if (failed) { process.stderr.write(`lab: the guest died: ${failed}\n`); return 1; }
  return 0;
}

main().then((code) => process.exit(code), (e: Error) => { process.stderr.write(`lab: ${e.message}\n`); process.exit(1); });
