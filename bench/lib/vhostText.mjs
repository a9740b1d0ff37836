// Synthetic trace-cmd report text for the analysis benches: the real line shapes of
// hip24/vhost-host-report.txt (trace-formats.md 2.2) repeated with shifted µs timestamps, one vCPU
// thread, a cycle of EPT_MISCONFIG + fast MMIO kick, MSR_WRITE (TSC deadline) and HLT exits.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const P = ' qemu-system-x86-150750 [019] ';
const pad = (ev) => `${ev}:`.padEnd(22);
const us = (t) => `${Math.floor(t / 1e6)}.${String(t % 1e6).padStart(6, '0')}`;
const CYCLE = [
  [pad('kvm_exit'), 'reason EPT_MISCONFIG rip 0xffffffffb2633af9 info 0 0', 1],
  [pad('kvm_fast_mmio'), 'fast mmio at gpa 0x800007004', 0],
  [pad('kvm_entry'), ' vcpu 0 rip 0xffffffffb2633afc', 0],
  [pad('kvm_exit'), 'reason MSR_WRITE rip 0xffffffffb20d5bc8 info 0 0', 1],
  [pad('kvm_msr'), 'msr_write 6e0 = 0x50e9631e42', 0],
  [pad('kvm_entry'), ' vcpu 0 rip 0xffffffffb20d5bca', 0],
  [pad('kvm_exit'), 'reason HLT rip 0xffffffffb33f2e5f info 0 0', 1],
  [pad('kvm_entry'), ' vcpu 0 rip 0xffffffffb33f2e60', 0],
];

/** Write `exits` exits (and their kicks/entries) to `path`, timestamps from `startUs`; returns the line count. */
export async function writeVhostExitsText(path, exits, startUs) {
  const out = createWriteStream(path);
  out.write('cpus=20\n');
  let t = startUs, made = 0, lines = 0, buf = '';
  while (made < exits) {
    for (const [ev, payload, isExit] of CYCLE) {
      if (isExit && made >= exits) break;
      made += isExit; lines++;
      t += 1 + (made % 7);
      buf += `${P}${us(t)}: ${ev}${payload}\n`;
    }
    if (buf.length > 1 << 20) { if (!out.write(buf)) await once(out, 'drain'); buf = ''; }
  }
  out.end(buf);
  await once(out, 'finish');
  return lines;
}
