// One lab guest and its recordings: boot the cached kernel under QEMU, connect the host controller,
// find the notify registers, then for each (scenario, tool) record with `es2scope record` while the
// guest runs the workload, and ingest the recording with `es2scope ingest`. lab.ts and
// ab-polling.ts drive it; the recipes stay in collectors/record (one copy).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, closeSync, openSync, ftruncateSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabOptions, LabScenario, LabTool } from './args.js';
import { ensureKernel } from './kernel.js';
import { HostController } from './host/controller.js';
import type { GuestReply } from './host/reply.js';
import { QemuProcess, qemuArgs } from './qemu.js';
import { Qmp } from './qmp.js';
import { notifyRanges, parseQueryPci, type NotifyRange } from './pciInfo.js';
import { countKicks, type KickCount } from './kicks.js';
import { readKickRows } from './readEventsArrow.js';
import { RECORD_EVENTS } from '../record/events.js';

export const REPO = resolve(fileURLToPath(new URL('../../', import.meta.url)));

const OUTPUT_NAME: Record<LabTool, string> = { perf: 'perf.data', 'trace-cmd': 'trace.dat', ftrace: 'ftrace.txt', bpftrace: 'bpftrace.txt' };

export interface Recording {
  scenario: LabScenario;
  tool: LabTool;
  tag: string;
  file: string;
  eventsArrow: string | null;
  /** wall seconds: recorder start to end, and ingest */
  recordS: number;
  ingestS: number;
  reply: GuestReply | null;
  byEvent: Record<string, number>;
  events: number;
  lostEvents: number;
  warnings: number;
  kicks: KickCount | null;
  problems: string[];
  /** things that went wrong and were recovered (a retried recorder) */
  notes: string[];
  /** the recorder itself failed (not the workload or the ingest) */
  recorderFailed: boolean;
}

export interface SessionTimings { kernelKey: string; kernelCached: boolean; kernelBuildS: number; bootS: number }

/** es2scope's own CLI from this checkout (TypeScript through tsx: always the current code). */
function es2scope(args: string[]): { cmd: string; args: string[] } {
  return { cmd: process.execPath, args: ['--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts'), ...args] };
}

/**
 * utime+stime of a /proc/<pid>/task/<tid>/stat line in ms (Linux fs/proc/array.c do_task_stat), e.g.
 *   4242 (IO io0) S 1 4240 4240 0 -1 4194368 0 0 0 0 150 25 0 0 20 0 1 0 100 ...
 * Fields are counted after the last ")" that ends comm, since comm may hold spaces and parentheses.
 */
export function procStatCpuMs(stat: string, ticksPerS = 100): number | null {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // after comm: state(3) ppid ... utime is field 14, stime 15 -> indexes 11, 12 here
  const u = Number(f[11]); const sy = Number(f[12]);
  return Number.isFinite(u) && Number.isFinite(sy) ? ((u + sy) * 1000) / ticksPerS : null;
}

/** The useful tail of a child's stderr: the tool's own lines first (es2scope record prefixes them "  perf: "), no stack frames. */
export function stderrGist(stderr: string, max = 3): string {
  const lines = stderr.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() && !/^\s*at /.test(l));
  const tool = lines.filter((l) => /^\s+(perf|trace-cmd|bpftrace): /.test(l) || /^(es2scope|cannot record)/.test(l.trim()));
  return (tool.length ? tool : lines).slice(-max).map((l) => l.trim()).join(' | ');
}

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

/** Safety net after a recorder died abnormally: switch off what it may have left on (tracefs is machine-wide). */
export function switchTracingOff(tracefs: string): string[] {
  const touched: string[] = [];
  try { writeFileSync(join(tracefs, 'tracing_on'), '0\n'); touched.push('tracing_on=0'); } catch { /* not ours to fail on */ }
  for (const e of RECORD_EVENTS) {
    const [sys, ev] = e.split(':');
    const p = join(tracefs, 'events', sys!, ev!, 'enable');
    try {
      if (readFileSync(p, 'utf8').trim() !== '0') { writeFileSync(p, '0\n'); touched.push(`${e} off`); }
    } catch { /* event absent */ }
  }
  try { writeFileSync(join(tracefs, 'set_event_pid'), '\n'); } catch { /* ignore */ }
  return touched;
}

export class LabSession {
  timings: SessionTimings = { kernelKey: '', kernelCached: false, kernelBuildS: 0, bootS: 0 };
  ranges: NotifyRange[] = [];
  private controller: HostController | null = null;
  private qemu: QemuProcess | null = null;
  private qmp: Qmp | null = null;
  private readonly children = new Set<ChildProcess>();
  readonly runDir: string;

  private constructor(readonly opts: LabOptions, readonly tracefs: string, readonly log: (l: string) => void) {
    this.runDir = join(opts.outDir, 'run');
  }

  private alive = (): string | null => this.qemu?.exitInfo ?? null;

  /** Boot the guest. `register` receives the session before anything starts, so a signal handler can close it mid-boot. */
  static async open(opts: LabOptions, tracefs: string, log: (l: string) => void, register?: (s: LabSession) => void): Promise<LabSession> {
    const s = new LabSession(opts, tracefs, log);
    register?.(s);
    mkdirSync(s.runDir, { recursive: true });
    try {
      const k = await ensureKernel(opts.cacheDir, log);
      s.timings = { kernelKey: k.key, kernelCached: k.cached, kernelBuildS: k.buildS, bootS: 0 };
      log(`guest kernel ${k.cached ? 'from cache' : `built in ${k.buildS.toFixed(0)} s`}: ${k.vmlinux}`);
      // a sparse 64 MiB raw disk: the workload reads and writes random blocks of it
      const disk = join(s.runDir, 'disk.img');
      const fd = openSync(disk, 'w');
      ftruncateSync(fd, 64 * 1024 * 1024);
      closeSync(fd);
      s.controller = await HostController.start();
      const args = qemuArgs({
        accel: opts.accel, vmlinux: k.vmlinux, disk, runDir: s.runDir, ctrlPort: s.controller.ctrlPort,
        smp: opts.smp, memMb: opts.memMb,
        ...(opts.pollMaxNs !== undefined ? { pollMaxNs: opts.pollMaxNs } : {}),
        ...(opts.pollGrow !== undefined ? { pollGrow: opts.pollGrow } : {}),
        ...(opts.pollShrink !== undefined ? { pollShrink: opts.pollShrink } : {}),
      });
      writeFileSync(join(s.runDir, 'qemu-cmdline.txt'), `qemu-system-x86_64 ${args.map((a) => (/[\s,]/.test(a) && a.includes(' ') ? `'${a}'` : a)).join(' ')}\n`);
      const t0 = Date.now();
      log(`booting the guest (--accel ${opts.accel}); console: ${join(s.runDir, 'guest-console.log')}`);
      s.qemu = QemuProcess.start('qemu-system-x86_64', args, s.runDir);
      const hello = await s.controller.nextLine(opts.bootTimeoutS * 1000, () => s.deadReason);
      s.timings.bootS = (Date.now() - t0) / 1000;
      log(`guest up in ${s.timings.bootS.toFixed(1)} s: "${hello}"`);
      s.qmp = await Qmp.open(join(s.runDir, 'qmp.sock'));
      const pci = await s.qmp.execute('query-pci');
      writeFileSync(join(s.runDir, 'query-pci.json'), JSON.stringify(pci, null, 1));
      s.ranges = notifyRanges(parseQueryPci(pci), ['blk0', 'net0']);
      log(`notify registers: ${s.ranges.map((r) => `${r.id} ${r.kind} 0x${r.start.toString(16)}-0x${r.end.toString(16)}`).join(', ') || 'none found'}`);
      return s;
    } catch (e) {
      await s.close();
      throw e;
    }
  }

  get qemuPid(): number | undefined { return this.qemu?.pid; }

  /** Why the guest is gone (QEMU exited), or null while it runs. */
  get deadReason(): string | null { return this.closing ? 'the lab is stopping' : this.alive(); }

  /** CPU time (user+sys, ms) of the QEMU thread with this name ("IO io0" = the disk's iothread), null when not found. */
  threadCpuMs(comm: string): number | null {
    const pid = this.qemuPid;
    if (pid === undefined) return null;
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() !== comm) continue;
        return procStatCpuMs(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      }
    } catch { /* QEMU gone */ }
    return null;
  }

  /** Change the iothread's adaptive polling window at run time (QEMU applies it to the AioContext). */
  async setPollMaxNs(ns: number): Promise<void> {
    await this.qmp!.execute('qom-set', { path: '/objects/io0', property: 'poll-max-ns', value: ns });
    const now = await this.qmp!.execute('qom-get', { path: '/objects/io0', property: 'poll-max-ns' });
    if (Number(now) !== ns) throw new Error(`qom-set poll-max-ns=${ns} did not stick (reads ${String(now)})`);
  }

  private workloadLine(s: LabScenario): string {
    const o = this.opts;
    switch (s) {
      case 'idle': return `idle ${o.workMs}`;
      case 'net-tx': return `net-tx ${o.workMs} ${o.netSize} ${this.controller!.sinkPort}`;
      case 'net-rr': return `net-rr ${o.workMs} ${o.netSize} ${this.controller!.echoPort}`;
      case 'disk': return `disk ${o.workMs} ${o.diskQd} ${o.diskBs}`;
    }
  }

  /** Run a child, collect its stderr; resolves with its exit code. */
  private run(cmd: string, args: string[], opts: { stdoutFile?: string; onStderr?: (s: string) => void } = {}): { done: Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string }>; child: ChildProcess } {
    const out = opts.stdoutFile ? openSync(opts.stdoutFile, 'w') : 'pipe';
    const child = spawn(cmd, args, { cwd: REPO, stdio: ['ignore', out, 'pipe'] });
    if (typeof out === 'number') closeSync(out);
    this.children.add(child);
    let stderr = '';
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { const s = d.toString(); stderr += s; opts.onStderr?.(stderr); });
    const done = new Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string }>((res) => {
      child.on('close', (code, signal) => { this.children.delete(child); res({ code, signal, stderr, stdout }); });
      child.on('error', (e) => { this.children.delete(child); res({ code: 127, signal: null, stderr: `${stderr}\n${e.message}`, stdout }); });
    });
    return { done, child };
  }

  /**
   * Record one scenario with one tool, then ingest it. Never throws for a tool failure: it is in
   * `problems`. A recorder that fails is retried once (perf -p can lose a race with a QEMU worker
   * thread that exits while perf opens its events; the machine is shared): the first failure stays in `notes`.
   */
  async record(scenario: LabScenario, tool: LabTool, tag: string = scenario): Promise<Recording> {
    const first = await this.recordOnce(scenario, tool, tag);
    if (!first.recorderFailed || this.deadReason || this.closing) return first;
    this.log(`  ${tool} failed (${first.problems[0] ?? '?'}); retrying once`);
    const second = await this.recordOnce(scenario, tool, tag);
    second.notes.push(`first attempt failed and was retried: ${first.problems.join('; ')}`);
    return second;
  }

  private async recordOnce(scenario: LabScenario, tool: LabTool, tag: string): Promise<Recording> {
    if (this.closing) throw new Error('the lab is stopping');
    const o = this.opts;
    const dir = join(o.outDir, tag);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, OUTPUT_NAME[tool]);
    const rec: Recording = { scenario, tool, tag, file, eventsArrow: null, recordS: 0, ingestS: 0, reply: null, byEvent: {}, events: 0, lostEvents: 0, warnings: 0, kicks: null, problems: [], notes: [], recorderFailed: false };
    // the recorder's timer starts once it is tracing; it must cover pad + work + pad and the round trips
    const durationS = Math.ceil((2 * o.padMs + o.workMs) / 1000 + 2);
    const t0 = Date.now();
    let ready = false;
    const readyMark = tool === 'perf' ? '$ perf' : tool === 'bpftrace' ? null : 'tracing ';
    const recArgs = ['record', '--tool', tool, '--duration', String(durationS), '-o', file];
    if (this.qemuPid !== undefined) recArgs.push('--pid', String(this.qemuPid));
    const { cmd, args } = es2scope(recArgs);
    const r = this.run(cmd, args, { onStderr: (all) => { if (readyMark && all.includes(readyMark)) ready = true; } });
    // bpftrace prints "Attaching N probes..." on stdout (into the output file) once attached
    const deadline = Date.now() + 120_000;
    let exited = false;
    void r.done.then(() => { exited = true; });
    while (!exited && Date.now() < deadline) {
      if (tool === 'bpftrace') { try { ready = readFileSync(file, 'utf8').includes('Attaching'); } catch { /* not yet */ } }
      if (ready) break;
      await sleep(100);
    }
    if (ready && tool === 'perf') await sleep(1500); // perf opens its events after printing the command line
    if (!ready || exited) {
      const res = await r.done;
      rec.problems.push(`${tool} did not start recording (exit ${res.code ?? res.signal}): ${stderrGist(res.stderr)}`);
      rec.recorderFailed = true;
      if (tool === 'ftrace' || tool === 'trace-cmd') this.safety(rec);
      return rec;
    }
    try {
      const lines = [`idle ${o.padMs}`, this.workloadLine(scenario), `idle ${o.padMs}`];
      for (let i = 0; i < lines.length; i++) {
        const reply = await this.controller!.command(lines[i]!, o.workMs + o.padMs + 120_000, this.alive);
        if (!reply.ok) rec.problems.push(`guest: ${reply.line}`);
        if (i === 1) rec.reply = reply; // the workload's own answer: guest-measured ms, ops, bytes
      }
    } catch (e) {
      rec.problems.push(`workload: ${(e as Error).message}`);
    }
    if (exited) rec.problems.push(`the ${tool} recording (${durationS} s) ended before the workload finished: its tail is not in the trace`);
    const res = await r.done;
    rec.recordS = (Date.now() - t0) / 1000;
    writeFileSync(`${file}.record-log.txt`, res.stderr);
    if (res.code !== 0) {
      rec.problems.push(`es2scope record --tool ${tool} exited ${res.code ?? res.signal}: ${stderrGist(res.stderr)}`);
      rec.recorderFailed = true;
      if (tool === 'ftrace' || tool === 'trace-cmd') this.safety(rec);
      if (!existsSync(file)) return rec;
    }
    await this.ingest(rec);
    return rec;
  }

  private safety(rec: Recording): void {
    const t = switchTracingOff(this.tracefs);
    if (t.length) rec.problems.push(`switched tracing off after the recorder failed: ${t.join(', ')}`);
  }

  private async ingest(rec: Recording): Promise<void> {
    const arrow = `${rec.file}.events.arrow`;
    const t0 = Date.now();
    const { cmd, args } = es2scope(['ingest', rec.file, '-o', arrow, '--json']);
    const res = await this.run(cmd, args).done;
    rec.ingestS = (Date.now() - t0) / 1000;
    if (res.code !== 0) {
      rec.problems.push(`es2scope ingest exited ${res.code}: ${stderrGist(res.stderr)}`);
      return;
    }
    try {
      const j = JSON.parse(res.stdout) as { summary?: { events?: number; byEvent?: Record<string, number> }; diagnostics?: { lostEventsTotal?: number; warningCount?: number } };
      rec.byEvent = j.summary?.byEvent ?? {};
      rec.events = j.summary?.events ?? 0;
      rec.lostEvents = j.diagnostics?.lostEventsTotal ?? 0;
      rec.warnings = j.diagnostics?.warningCount ?? 0;
      rec.eventsArrow = arrow;
      rec.kicks = countKicks(readKickRows(arrow), this.ranges);
    } catch (e) {
      rec.problems.push(`reading the ingest result: ${(e as Error).message}`);
    }
  }

  /** Power the guest off, stop QEMU and every helper this session started (by pid), close servers. */
  async close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = this.doClose();
    return this.closing;
  }

  /** Set once close() starts: no new recording starts after it (Ctrl-C / SIGTERM). */
  closing: Promise<void> | null = null;

  private async doClose(): Promise<void> {
    for (const c of this.children) c.kill('SIGINT'); // recorders restore tracefs on SIGINT
    const t = Date.now();
    while (this.children.size && Date.now() - t < 15_000) await sleep(100);
    for (const c of this.children) c.kill('SIGKILL');
    if (this.controller?.connected && this.qemu && !this.qemu.exitInfo) {
      try { await this.controller.command('off', 5000, this.alive); } catch { /* it reboots: QEMU exits */ }
    }
    try { if (this.qmp && this.qemu && !this.qemu.exitInfo) await this.qmp.execute('quit', undefined, 3000); } catch { /* already gone */ }
    this.qmp?.close();
    await this.qemu?.stop();
    this.controller?.close();
  }
}
