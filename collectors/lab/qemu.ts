// QEMU for the lab guest: the command line (pure, unit-tested) and the process (boot, ask QMP
// where the notify registers are, stop by pid). Facts behind the flags (shared/lab/README.md §6):
// kvm_pvm emulates every guest instruction, so the CPU model drops what its emulator lacks
// (cx16, smap, smep, popcnt, xsave), ACPI AML is avoided (acpi=ht pci=noacpi), the delay-loop
// calibration is skipped (lpj=), and the guest is the uncompressed PVH vmlinux (no decompressor).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Accel } from './args.js';

export interface QemuConfig {
  accel: Accel;
  vmlinux: string;
  disk: string;
  runDir: string;
  ctrlPort: number;
  smp: number;
  memMb: number;
  pollMaxNs?: number;
  pollGrow?: number;
  pollShrink?: number;
}

export const GUEST_CMDLINE = [
  'console=ttyS0', 'panic=-1', 'noxsave', 'clearcpuid=smap,smep,popcnt',
  // a fixed loops-per-jiffy: the calibration loop takes seconds when every instruction is emulated
  'lpj=5192304', 'tsc=reliable', 'no_timer_check',
  // ACPI tables for the CPU list only: AML methods time out under emulation
  'acpi=ht', 'pci=noacpi', 'nowatchdog', 'rcupdate.rcu_cpu_stall_suppress=1',
  // no user space to run dhcp: the kernel configures eth0 (slirp: host is 10.0.2.2)
  'ip=10.0.2.15::10.0.2.2:255.255.255.0:guest:eth0:off',
  // there is no root file system (no user space): PID 1 parks in rootwait for a device that never
  // appears, instead of panicking "Unable to mount root fs", while the es2lab thread works
  'root=/dev/es2lab-no-root', 'rootwait',
];

export function qemuArgs(c: QemuConfig): string[] {
  const io = ['iothread', 'id=io0'];
  if (c.pollMaxNs !== undefined) io.push(`poll-max-ns=${c.pollMaxNs}`);
  if (c.pollGrow !== undefined) io.push(`poll-grow=${c.pollGrow}`);
  if (c.pollShrink !== undefined) io.push(`poll-shrink=${c.pollShrink}`);
  return [
    '-accel', c.accel,
    '-cpu', 'qemu64,-cx16,-smap,-smep,-popcnt',
    '-m', String(c.memMb), '-smp', String(c.smp),
    '-display', 'none', '-no-reboot', '-nodefaults',
    // debug-threads names the vCPU threads "CPU n/KVM" and the iothread "IO io0" in traces
    '-name', 'es2lab,debug-threads=on',
    '-pidfile', join(c.runDir, 'qemu.pid'),
    '-serial', `file:${join(c.runDir, 'guest-console.log')}`,
    '-qmp', `unix:${join(c.runDir, 'qmp.sock')},server=on,wait=off`,
    '-kernel', c.vmlinux,
    '-append', [...GUEST_CMDLINE, `es2lab.port=${c.ctrlPort}`].join(' '),
    '-netdev', 'user,id=n0', '-device', 'virtio-net-pci,netdev=n0,id=net0',
    // the disk is served by an iothread so that its adaptive polling (poll-max-ns) applies
    '-object', io.join(','),
    '-drive', `file=${c.disk},format=raw,if=none,id=d0,aio=threads`,
    '-device', 'virtio-blk-pci,drive=d0,id=blk0,iothread=io0',
  ];
}

export class QemuProcess {
  exitInfo: string | null = null;
  private constructor(readonly child: ChildProcess, readonly runDir: string) {}

  static start(binary: string, args: string[], runDir: string): QemuProcess {
    const err = openSync(join(runDir, 'qemu.stderr.txt'), 'w');
    const child = spawn(binary, args, { stdio: ['ignore', err, err] });
    closeSync(err);
    const q = new QemuProcess(child, runDir);
    child.on('exit', (code, sig) => {
      let tail = '';
      try { tail = readFileSync(join(runDir, 'qemu.stderr.txt'), 'utf8').trim().split('\n').slice(-3).join(' | '); } catch { /* none */ }
      q.exitInfo = `QEMU exited (${sig ?? `code ${code}`})${tail ? `: ${tail}` : ''}`;
    });
    child.on('error', (e) => { q.exitInfo = `QEMU did not start: ${e.message}`; });
    return q;
  }

  get pid(): number | undefined { return this.child.pid; }

  /** Stop QEMU by its pid: TERM, then KILL after graceMs. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exitInfo !== null || this.child.pid === undefined) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => { if (this.exitInfo === null) this.child.kill('SIGKILL'); }, graceMs);
    await gone;
    clearTimeout(t);
  }
}
