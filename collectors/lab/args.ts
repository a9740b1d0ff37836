// Command-line options of the lab (`npm run lab -- ...`) and of the A/B check
// (`npm run lab:ab-polling -- ...`). Pure: argv in, options or an error message out, so the
// parsing is unit-tested without booting anything.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const LAB_TOOLS = ['perf', 'trace-cmd', 'ftrace', 'bpftrace'] as const;
export type LabTool = (typeof LAB_TOOLS)[number];
export const LAB_SCENARIOS = ['idle', 'net-tx', 'net-rr', 'disk'] as const;
export type LabScenario = (typeof LAB_SCENARIOS)[number];
export type Accel = 'kvm' | 'tcg';

export interface LabOptions {
  accel: Accel;
  tools: LabTool[];
  scenarios: LabScenario[];
  /** Workload length inside each recording, guest clock. */
  workMs: number;
  /** Guest idle before and after the workload inside each recording. */
  padMs: number;
  /** Where recordings, ingested tables, logs and the summary go. */
  outDir: string;
  /** Guest kernel cache (keyed on a hash of its inputs). */
  cacheDir: string;
  /** virtio-blk iothread adaptive polling; undefined = QEMU's default (poll-max-ns 32768). */
  pollMaxNs?: number;
  pollGrow?: number;
  pollShrink?: number;
  diskQd: number;
  diskBs: number;
  netSize: number;
  smp: number;
  memMb: number;
  /** Do not apt-get install missing packages: stop and say what is missing. */
  noApt: boolean;
  /** Only build (or find) the guest kernel, print its path, and stop. */
  buildOnly: boolean;
  /** Boot timeout (guest hello on the control port). */
  bootTimeoutS: number;
}

export interface ParseResult<T> { ok: true; value: T }
export interface ParseError { ok: false; error: string }

export const LAB_USAGE = `usage: npm run lab -- [options]
  --accel kvm|tcg        kvm (default) needs /dev/kvm; tcg = QEMU software emulation (no kvm events)
  --tools LIST           comma list of ${LAB_TOOLS.join(',')} (default: all)
  --scenarios LIST       comma list of ${LAB_SCENARIOS.join(',')} (default: net-tx,net-rr,disk)
  --work-ms N            workload length per recording (default 1500)
  --pad-ms N             guest idle before/after the workload in each recording (default 250)
  --out DIR              output folder (default \${TMPDIR:-/tmp}/es2scope-lab/<UTC time>: recordings stay out of the repo)
  --cache DIR            guest kernel cache (default \${XDG_CACHE_HOME:-~/.cache}/es2scope-lab)
  --poll-max-ns N        virtio-blk iothread poll-max-ns (default: QEMU's own default)
  --poll-grow N, --poll-shrink N   iothread poll-grow / poll-shrink (default: QEMU's, 0 = x2 / reset)
  --disk-qd N            bios in flight per round (default 8), --disk-bs BYTES (default 4096)
  --net-size BYTES       bytes per send / request (default 1024)
  --smp N (default 2), --mem MB (default 256)
  --no-apt               do not install missing Debian packages, only name them
  --build-only           build or find the cached guest kernel, then stop
  --boot-timeout S       seconds to wait for the guest (default 600)`;

function defaultCache(env: Record<string, string | undefined>): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'es2scope-lab');
}

function utcStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function list<T extends string>(raw: string, allowed: readonly T[], what: string): T[] | string {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length) return `${what}: empty list`;
  for (const i of items) if (!(allowed as readonly string[]).includes(i)) return `${what}: unknown "${i}" (one of ${allowed.join(', ')})`;
  return [...new Set(items)] as T[];
}

function int(raw: string | undefined, what: string, min: number): number | string {
  if (raw === undefined) return `${what} needs a value`;
  if (!/^\d+$/.test(raw)) return `${what}: "${raw}" is not a whole number`;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) return `${what}: must be >= ${min}`;
  return n;
}

/** Parse lab options. `now` and `env` are inputs so the result is deterministic in tests. */
export function parseLabArgs(argv: readonly string[], env: Record<string, string | undefined> = {}, now = new Date()): ParseResult<LabOptions> | ParseError {
  const o: LabOptions = {
    accel: 'kvm', tools: [...LAB_TOOLS], scenarios: ['net-tx', 'net-rr', 'disk'],
    workMs: 1500, padMs: 250, outDir: join(env.TMPDIR || '/tmp', 'es2scope-lab', utcStamp(now)), cacheDir: defaultCache(env),
    diskQd: 8, diskBs: 4096, netSize: 1024, smp: 2, memMb: 256, noApt: false, buildOnly: false, bootTimeoutS: 600,
  };
  const fail = (error: string): ParseError => ({ ok: false, error });
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    let v: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) { v = a.slice(eq + 1); a = a.slice(0, eq); }
    const take = (): string | undefined => v ?? argv[++i];
    const num = (what: string, min: number): number | string => int(take(), what, min);
    let r: number | string;
    switch (a) {
      case '--accel': {
        const x = take();
        if (x !== 'kvm' && x !== 'tcg') return fail(`--accel: "${x ?? ''}" is not kvm or tcg`);
        o.accel = x;
        break;
      }
      case '--tools': { const x = list(take() ?? '', LAB_TOOLS, '--tools'); if (typeof x === 'string') return fail(x); o.tools = x; break; }
      case '--scenarios': { const x = list(take() ?? '', LAB_SCENARIOS, '--scenarios'); if (typeof x === 'string') return fail(x); o.scenarios = x; break; }
      case '--work-ms': if (typeof (r = num(a, 1)) === 'string') return fail(r); o.workMs = r; break;
      case '--pad-ms': if (typeof (r = num(a, 0)) === 'string') return fail(r); o.padMs = r; break;
      case '--out': { const x = take(); if (!x) return fail('--out needs a folder'); o.outDir = x; break; }
      case '--cache': { const x = take(); if (!x) return fail('--cache needs a folder'); o.cacheDir = x; break; }
      case '--poll-max-ns': if (typeof (r = num(a, 0)) === 'string') return fail(r); o.pollMaxNs = r; break;
      case '--poll-grow': if (typeof (r = num(a, 0)) === 'string') return fail(r); o.pollGrow = r; break;
      case '--poll-shrink': if (typeof (r = num(a, 0)) === 'string') return fail(r); o.pollShrink = r; break;
      case '--disk-qd': if (typeof (r = num(a, 1)) === 'string') return fail(r); if (r > 32) return fail('--disk-qd: at most 32 (the guest driver keeps 32 buffers)'); o.diskQd = r; break;
      case '--disk-bs': if (typeof (r = num(a, 512)) === 'string') return fail(r); if (r % 512 || r > 65536) return fail('--disk-bs: a multiple of 512, at most 65536'); o.diskBs = r; break;
      case '--net-size': if (typeof (r = num(a, 1)) === 'string') return fail(r); if (r > 65536) return fail('--net-size: at most 65536'); o.netSize = r; break;
      case '--smp': if (typeof (r = num(a, 1)) === 'string') return fail(r); o.smp = r; break;
      case '--mem': if (typeof (r = num(a, 64)) === 'string') return fail(r); o.memMb = r; break;
      case '--boot-timeout': if (typeof (r = num(a, 1)) === 'string') return fail(r); o.bootTimeoutS = r; break;
      case '--no-apt': o.noApt = true; break;
      case '--build-only': o.buildOnly = true; break;
      default: return fail(`unknown option "${argv[i]}"`);
    }
  }
  return { ok: true, value: o };
}

export interface AbOptions { lab: LabOptions; tool: LabTool; onNs: number; json: boolean }

export const AB_USAGE = `usage: npm run lab:ab-polling -- [--tool perf|trace-cmd|ftrace|bpftrace] [--on-ns N] [--json] [lab options]
  Records the disk scenario twice on one guest, QEMU iothread poll-max-ns=0 (off) then N (on, set
  at run time with QMP qom-set), predicts from the off trace with es2scope whatif (hybrid, idle
  window = enter gap = N) and prints predicted vs measured kicks removed.
  --tool T     recorder for both runs (default perf)
  --on-ns N    poll-max-ns of the "on" run (default 65536; QEMU's own default is 32768)
  --json       print only the JSON result on stdout
  lab options: see npm run lab -- --help (--accel, --work-ms, --disk-qd, --disk-bs, --poll-grow, ...)
  exit codes: 0 compared; 3 skipped: no KVM and no --accel tcg; 5 ran, but no comparison is
  possible (TCG, or no kicks traced); 2 bad options; 4 checks failed; 1 failure`;

export function parseAbArgs(argv: readonly string[], env: Record<string, string | undefined> = {}, now = new Date()): ParseResult<AbOptions> | ParseError {
  let tool: LabTool = 'perf';
  let onNs = 65536;
  let json = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    let v: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) { v = a.slice(eq + 1); a = a.slice(0, eq); }
    if (a === '--tool') {
      const x = v ?? argv[++i];
      if (!(LAB_TOOLS as readonly string[]).includes(x ?? '')) return { ok: false, error: `--tool: "${x ?? ''}" is not one of ${LAB_TOOLS.join(', ')}` };
      tool = x as LabTool;
    } else if (a === '--on-ns') {
      const r = int(v ?? argv[++i], '--on-ns', 1);
      if (typeof r === 'string') return { ok: false, error: r };
      onNs = r;
    } else if (a === '--json') json = true;
    else if (a === '--scenarios' || a === '--tools' || a === '--poll-max-ns') return { ok: false, error: `${a} is fixed by the A/B check (disk scenario, --tool, --on-ns)` };
    else rest.push(argv[i]!);
  }
  const lab = parseLabArgs(rest, env, now);
  if (!lab.ok) return lab;
  return { ok: true, value: { lab: { ...lab.value, tools: [tool], scenarios: ['disk'] }, tool, onNs, json } };
}
