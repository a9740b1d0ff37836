// Run the es2scope CLI (TypeScript through tsx) as a child process, with a deadline.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const TRACES = resolve(ROOT, '..', 'shared', 'traces');

export interface CliResult { code: number | null; stdout: string; stderr: string; ms: number }

export function runCli(args: string[], opts: { env?: Record<string, string | undefined>; timeoutMs?: number; onStdout?: (text: string) => void; onSpawn?: (p: import('node:child_process').ChildProcess) => void } = {}): Promise<CliResult> {
  return new Promise((res) => {
    const t0 = Date.now();
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
      cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    opts.onSpawn?.(p);
    let stdout = ''; let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); opts.onStdout?.(stdout); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    p.on('close', (code) => { clearTimeout(timer); res({ code, stdout, stderr, ms: Date.now() - t0 }); });
  });
}
