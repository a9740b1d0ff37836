// tracefs access for recording: find or mount it, list tracepoints, and switch events on and off
// with a restore list, so that a recording never leaves tracing switched on (also on Ctrl-C).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const TRACEFS_CANDIDATES = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/** The tracefs mount point, mounting it at /sys/kernel/tracing when allowed; null with a reason otherwise. */
export function findTracefs(mount = true): { path: string | null; why?: string } {
  for (const p of TRACEFS_CANDIDATES) if (existsSync(join(p, 'events'))) return { path: p };
  if (!mount) return { path: null, why: 'tracefs is not mounted' };
  try {
    execFileSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing'], { stdio: 'pipe' });
    if (existsSync('/sys/kernel/tracing/events')) return { path: '/sys/kernel/tracing' };
  } catch (e) {
    return { path: null, why: `tracefs is not mounted and "mount -t tracefs nodev /sys/kernel/tracing" failed: ${(e as Error).message.split('\n')[0]}` };
  }
  return { path: null, why: 'tracefs mounted but has no events/ directory' };
}

/** Which of `wanted` ("system:event") exist in this kernel's tracefs. */
export function availableTracepoints(tracefs: string, wanted: readonly string[]): string[] {
  return wanted.filter((e) => {
    const [sys, ev] = e.split(':');
    return existsSync(join(tracefs, 'events', sys!, ev!, 'enable'));
  });
}

/** Writes tracefs files and remembers the old values so that restore() puts them back. */
export class TracefsSession {
  private readonly saved: [string, string][] = [];
  constructor(readonly root: string) {}

  private write(rel: string, value: string): void {
    const p = join(this.root, rel);
    if (!this.saved.some(([q]) => q === p)) {
      let old = '';
      try { old = readFileSync(p, 'utf8').trim(); } catch { /* write-only file */ }
      this.saved.push([p, old]);
    }
    writeFileSync(p, `${value}\n`);
  }

  setBufferKb(kb: number): void { this.write('buffer_size_kb', String(kb)); }
  enable(event: string): void {
    const [sys, ev] = event.split(':');
    this.write(join('events', sys!, ev!, 'enable'), '1');
  }
  setEventPids(pids: readonly number[]): void { this.write('set_event_pid', pids.join(' ')); }
  tracingOn(on: boolean): void { this.write('tracing_on', on ? '1' : '0'); }
  clear(): void { writeFileSync(join(this.root, 'trace'), ''); }

  /** Switch tracing off and put every file back as it was, newest first. Never throws. */
  restore(): string[] {
    const errors: string[] = [];
    try { writeFileSync(join(this.root, 'tracing_on'), '0\n'); } catch (e) { errors.push(String(e)); }
    for (const [p, old] of this.saved.reverse()) {
      if (p.endsWith('/tracing_on')) continue;
      try {
        // buffer_size_kb reads like "7 (expanded: 1408)"; keep the number
        const v = p.endsWith('buffer_size_kb') ? (old.match(/^\d+/)?.[0] ?? '') : p.endsWith('/enable') ? (old === '1' ? '1' : '0') : old;
        if (v !== '' || p.endsWith('set_event_pid')) writeFileSync(p, `${v}\n`);
      } catch (e) { errors.push(`${p}: ${(e as Error).message}`); }
    }
    const on = this.saved.find(([p]) => p.endsWith('/tracing_on'));
    if (on && on[1] === '1') {
      // tracing_on was 1 before (the kernel default, with no events enabled): leave it as found
      try { writeFileSync(join(this.root, 'tracing_on'), '1\n'); } catch { /* ignore */ }
    }
    this.saved.length = 0;
    return errors;
  }
}
