// `es2scope record`: record exactly the events the analysis needs with perf, trace-cmd (tracefs +
// `trace-cmd extract`), raw ftrace or bpftrace. Checks first, records, and always switches tracing
// back off (also on Ctrl-C / SIGTERM).
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, openSync, closeSync, writeFileSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { RECORD_EVENTS } from './events.js';
import { TracefsSession, availableTracepoints, findTracefs } from './tracefs.js';
import { bpftraceScript } from '../bpftrace/script.js';
import { aggregateScript } from '../bpftrace/aggregate.js';

export const RECORD_TOOLS = ['perf', 'trace-cmd', 'ftrace', 'bpftrace'] as const;
export type RecordTool = (typeof RECORD_TOOLS)[number];

export interface RecordOptions {
  tool: RecordTool;
  durationS: number;
  output: string;
  /** QEMU process id: only its events (and its threads' scheduling). */
  pid?: number;
  /** Per-CPU ring buffer size for tracefs-based tools; default sized for ~10^6 events/s. */
  bufferKb?: number;
  /** bpftrace only: keep per-reason histograms in the kernel instead of a line per event. */
  aggregate?: boolean;
  log?: (line: string) => void;
}

export interface Problem { what: string; fix: string }

export interface Preflight {
  problems: Problem[];
  tracefs: string | null;
  /** Tracepoints of RECORD_EVENTS this kernel has. */
  events: string[];
  /** Tracepoints wanted but absent (e.g. AVIC events on Intel, kvm_exit on kvm_pvm builds still have it). */
  missing: string[];
}

const TOOL_BINARY: Record<RecordTool, string | null> = { perf: 'perf', 'trace-cmd': 'trace-cmd', ftrace: null, bpftrace: 'bpftrace' };
const TOOL_PACKAGE: Record<RecordTool, string> = { perf: 'linux-perf', 'trace-cmd': 'trace-cmd', ftrace: '', bpftrace: 'bpftrace' };

function which(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

/** What recording with `tool` needs, and what is missing with how to fix it. */
export function preflight(tool: RecordTool): Preflight {
  const problems: Problem[] = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    problems.push({ what: 'not running as root', fix: 'run es2scope record with sudo (tracing needs CAP_SYS_ADMIN / CAP_PERFMON)' });
  }
  const bin = TOOL_BINARY[tool];
  if (bin && !which(bin)) problems.push({ what: `${bin} is not installed`, fix: `apt-get install ${TOOL_PACKAGE[tool]}` });
  const tf = findTracefs(problems.length === 0);
  if (!tf.path) problems.push({ what: tf.why ?? 'tracefs not found', fix: 'mount -t tracefs nodev /sys/kernel/tracing' });
  const events = tf.path ? availableTracepoints(tf.path, RECORD_EVENTS) : [];
  const missing = RECORD_EVENTS.filter((e) => !events.includes(e));
  if (tf.path && !events.some((e) => e.startsWith('kvm:'))) {
    problems.push({ what: 'no kvm tracepoints in tracefs (the kvm module is not loaded)', fix: 'modprobe kvm_intel or kvm_amd (or kvm), then start the guest' });
  }
  return { problems, tracefs: tf.path, events, missing };
}

/** Default per-CPU buffer: room for ~10^6 events/s * duration at ~64 B each, spread over CPUs, 16..512 MiB. */
export function defaultBufferKb(durationS: number, ncpu = cpus().length): number {
  const bytes = (1e6 * durationS * 64) / Math.max(1, ncpu);
  return Math.min(512 * 1024, Math.max(16 * 1024, Math.ceil(bytes / 1024)));
}

/** Run a child for the recording; Ctrl-C/SIGTERM stop it (and then the cleanup runs). */
function runChild(cmd: string, args: string[], stdoutFile: string | null, log: (l: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = stdoutFile ? openSync(stdoutFile, 'w') : 'inherit';
    log(`$ ${cmd} ${args.map((a) => (/[\s'"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}${stdoutFile ? ` > ${stdoutFile}` : ''}`);
    const child = spawn(cmd, args, { stdio: ['ignore', out, 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('error', reject);
    child.on('close', (code) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (typeof out === 'number') closeSync(out);
      const lines = err.split('\n').filter((l) => l && !/RLIMIT_MEMLOCK|^Attaching/.test(l));
      for (const l of lines.slice(0, 20)) log(`  ${cmd}: ${l}`);
      resolve(code ?? 1);
    });
  });
}

function sleepInterruptible(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); process.off('SIGINT', done); process.off('SIGTERM', done); resolve(); }
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

export interface RecordResult { output: string; events: string[]; nextCommand: string }

export async function record(opts: RecordOptions): Promise<RecordResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const pf = preflight(opts.tool);
  if (pf.problems.length) {
    throw new Error(`cannot record with ${opts.tool}:\n${pf.problems.map((p) => `  - ${p.what}\n    fix: ${p.fix}`).join('\n')}`);
  }
  if (pf.missing.length) log(`note: not in this kernel, not recorded: ${pf.missing.join(', ')}`);
  if (opts.aggregate && opts.tool !== 'bpftrace') throw new Error('--aggregate needs --tool bpftrace (the histograms are kept in the kernel by eBPF)');
  const sleep = ['/bin/sleep', String(opts.durationS)];
  switch (opts.tool) {
    case 'perf': {
      const args = ['record', '-q', ...pf.events.flatMap((e) => ['-e', e]), '-m', '4M', '-o', opts.output];
      if (opts.pid !== undefined) args.push('-p', String(opts.pid)); else args.push('-a');
      args.push('--', ...sleep);
      const code = await runChild('perf', args, null, log);
      if (code !== 0) throw new Error(`perf record exited with ${code}`);
      break;
    }
    case 'bpftrace': {
      const dir = mkdtempSync(join(tmpdir(), 'es2scope-bt-'));
      try {
        const script = join(dir, 'es2scope.bt');
        const pid = opts.pid !== undefined ? { pid: opts.pid } : {};
        writeFileSync(script, opts.aggregate ? aggregateScript(pid) : bpftraceScript({ available: new Set(pf.events), ...pid }));
        const code = await runChild('bpftrace', [script, '-c', sleep.join(' ')], opts.output, log);
        if (code !== 0) throw new Error(`bpftrace exited with ${code}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      break;
    }
    case 'ftrace':
    case 'trace-cmd': {
      const tf = new TracefsSession(pf.tracefs!);
      const cleanup = () => { tf.restore(); };
      process.once('exit', cleanup);
      try {
        tf.tracingOn(false);
        tf.setBufferKb(opts.bufferKb ?? defaultBufferKb(opts.durationS));
        // set_event_pid filters by thread id: list every thread of the QEMU process (vCPUs included)
        if (opts.pid !== undefined) tf.setEventPids(readdirSync(`/proc/${opts.pid}/task`).map(Number));
        for (const e of pf.events) tf.enable(e);
        tf.clear();
        log(`tracing ${pf.events.length} events for ${opts.durationS} s (Ctrl-C stops early)`);
        tf.tracingOn(true);
        await sleepInterruptible(opts.durationS * 1000);
        tf.tracingOn(false);
        if (opts.tool === 'ftrace') {
          // tracefs files report size 0: copy by reading until EOF, not by stat size
          await pipeline(createReadStream(join(pf.tracefs!, 'trace')), createWriteStream(opts.output));
        } else {
          // `trace-cmd record` needs the function tracer, which some hosts lock down; extract
          // reads the same per-CPU ring buffers into a trace.dat
          const code = await runChild('trace-cmd', ['extract', '-o', opts.output], null, log);
          if (code !== 0) throw new Error(`trace-cmd extract exited with ${code}`);
        }
      } finally {
        const errs = tf.restore();
        process.off('exit', cleanup);
        for (const e of errs) log(`warning: could not restore ${e}`);
      }
      break;
    }
  }
  return { output: opts.output, events: pf.events, nextCommand: `es2scope stat ${opts.output}` };
}
