// The guest kernel: find it in the cache by the hash of its inputs, or build it once
// (guest/build-kernel.sh) under a lock, so that concurrent labs do not build it twice.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelCacheKey, type KeyInput } from './cacheKey.js';
import { KERNEL_TARBALL } from './checks.js';

export const GUEST_DIR = fileURLToPath(new URL('./guest/', import.meta.url));

/** Inputs of the key: every file under guest/ plus the source package's identity. */
export function kernelKeyInputs(guestDir = GUEST_DIR, tarball = KERNEL_TARBALL): KeyInput[] {
  const inputs: KeyInput[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p, `${rel}${name}/`);
      else if (name === 'README.md') continue; // documentation does not change the vmlinux
      else inputs.push({ name: `guest/${rel}${name}`, content: readFileSync(p) });
    }
  };
  walk(guestDir, '');
  const ver = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'linux-source-6.1'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  const st = existsSync(tarball) ? statSync(tarball) : null;
  inputs.push({ name: 'source', content: `${tarball} ${ver} ${st?.size ?? 0}` });
  return inputs;
}

export interface KernelResult { vmlinux: string; key: string; cached: boolean; buildS: number }

export async function ensureKernel(cacheDir: string, log: (l: string) => void): Promise<KernelResult> {
  const key = kernelCacheKey(kernelKeyInputs());
  const dir = join(cacheDir, `kernel-${key}`);
  const vmlinux = join(dir, 'vmlinux');
  if (existsSync(vmlinux)) return { vmlinux, key, cached: true, buildS: 0 };
  mkdirSync(dir, { recursive: true });
  log(`building the guest kernel (key ${key}) into ${dir}: about 4 min on 2 idle cores`);
  const t0 = Date.now();
  // flock: a second lab waits for the first build and then finds the kernel
  const script = `test -f '${vmlinux}' || '${join(GUEST_DIR, 'build-kernel.sh')}' '${KERNEL_TARBALL}' '${dir}'`;
  const code = await new Promise<number>((resolve) => {
    const c = spawn('flock', [join(cacheDir, `kernel-${key}.lock`), 'sh', '-c', script], { stdio: ['ignore', 'inherit', 'inherit'] });
    c.on('close', (n) => resolve(n ?? 1));
    c.on('error', () => resolve(127));
  });
  if (code !== 0 || !existsSync(vmlinux)) throw new Error(`guest kernel build failed (exit ${code}); log: ${join(dir, 'build.log')}`);
  return { vmlinux, key, cached: false, buildS: (Date.now() - t0) / 1000 };
}
