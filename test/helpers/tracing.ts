// Whether this machine can record: root, a tracefs, and a tool. Tests that record skip with the
// returned reason instead of passing silently.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function whyCannotTrace(tool?: string): string | null {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root: recording needs root';
  if (!existsSync('/sys/kernel/tracing/events')) {
    const m = spawnSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing'], { stdio: 'ignore' });
    if (m.status !== 0 || !existsSync('/sys/kernel/tracing/events')) return 'tracefs is not mounted and cannot be mounted here';
  }
  if (tool && spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) {
    const apt = spawnSync('sh', ['-c', `flock /tmp/es2scope-apt.lock apt-get install -y -qq ${tool === 'perf' ? 'linux-perf' : tool}`], { stdio: 'ignore', timeout: 300_000 });
    if (apt.status !== 0) return `${tool} is not installed and apt-get could not install it`;
  }
  return null;
}

export function whyNoKvm(): string | null {
  if (!existsSync('/dev/kvm')) return 'no /dev/kvm on this machine (KVM guests cannot run here)';
  return null;
}
