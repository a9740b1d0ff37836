// What the lab needs before it starts anything: root, tracefs, the recording tools, QEMU, the
// guest kernel's source package and build tools, and (unless --accel tcg) a usable /dev/kvm.
// Missing Debian packages are installed under the shared apt lock unless --no-apt.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { findTracefs } from '../record/tracefs.js';
import { kvmVerdict, type KvmVerdict } from './kvmCheck.js';
import type { LabTool } from './args.js';

export const KERNEL_TARBALL = '/usr/src/linux-source-6.1.tar.xz';

/** Things checked by command or file, with the Debian package that provides each. */
export const NEEDS: readonly { what: string; test: { bin: string } | { file: string }; pkg: string; tool?: LabTool }[] = [
  { what: 'qemu-system-x86_64', test: { bin: 'qemu-system-x86_64' }, pkg: 'qemu-system-x86' },
  { what: 'perf', test: { bin: 'perf' }, pkg: 'linux-perf', tool: 'perf' },
  { what: 'trace-cmd', test: { bin: 'trace-cmd' }, pkg: 'trace-cmd', tool: 'trace-cmd' },
  { what: 'bpftrace', test: { bin: 'bpftrace' }, pkg: 'bpftrace', tool: 'bpftrace' },
  { what: 'linux-source-6.1 (guest kernel source)', test: { file: KERNEL_TARBALL }, pkg: 'linux-source-6.1' },
  { what: 'gcc', test: { bin: 'gcc' }, pkg: 'gcc' },
  { what: 'make', test: { bin: 'make' }, pkg: 'make' },
  { what: 'flex', test: { bin: 'flex' }, pkg: 'flex' },
  { what: 'bison', test: { bin: 'bison' }, pkg: 'bison' },
  { what: 'bc', test: { bin: 'bc' }, pkg: 'bc' },
  { what: 'patch', test: { bin: 'patch' }, pkg: 'patch' },
  { what: 'xz', test: { bin: 'xz' }, pkg: 'xz-utils' },
  { what: 'libelf headers', test: { file: '/usr/include/libelf.h' }, pkg: 'libelf-dev' },
  { what: 'flock', test: { bin: 'flock' }, pkg: 'util-linux' },
];

const has = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

/** The Debian packages missing for these tools (pure over a `present` predicate, for tests). */
export function missingPackages(tools: readonly LabTool[], present: (t: { bin: string } | { file: string }) => boolean): { what: string; pkg: string }[] {
  return NEEDS.filter((n) => (!n.tool || tools.includes(n.tool)) && !present(n.test)).map((n) => ({ what: n.what, pkg: n.pkg }));
}

const presentOnHost = (t: { bin: string } | { file: string }): boolean => ('bin' in t ? has(t.bin) : existsSync(t.file));

export interface CheckResult { problems: string[]; installed: string[]; tracefs: string | null }

export function kvmFactsHere(): KvmVerdict {
  const dm = spawnSync('dmesg', [], { encoding: 'utf8' });
  return kvmVerdict({ devKvm: existsSync('/dev/kvm'), dmesg: (dm.stdout ?? '').split('\n') });
}

export function runChecks(tools: readonly LabTool[], noApt: boolean, log: (l: string) => void): CheckResult {
  const problems: string[] = [];
  const installed: string[] = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) problems.push('not root: tracefs, perf/bpftrace system-wide recording and apt need root (run with sudo)');
  let missing = missingPackages(tools, presentOnHost);
  if (missing.length && !problems.length && !noApt) {
    const pkgs = [...new Set(missing.map((m) => m.pkg))];
    log(`installing missing Debian packages: ${pkgs.join(' ')} (flock /tmp/es2scope-apt.lock apt-get install -y ...)`);
    const r = spawnSync('flock', ['/tmp/es2scope-apt.lock', 'apt-get', 'install', '-y', ...pkgs], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) problems.push(`apt-get install ${pkgs.join(' ')} failed: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' | ')}`);
    else installed.push(...pkgs);
    missing = missingPackages(tools, presentOnHost);
  }
  for (const m of missing) problems.push(`${m.what} is missing (fix: apt-get install ${m.pkg})`);
  const tf = findTracefs(!problems.length);
  if (!tf.path) problems.push(`${tf.why ?? 'tracefs not found'} (fix: mount -t tracefs nodev /sys/kernel/tracing)`);
  return { problems, installed, tracefs: tf.path };
}
