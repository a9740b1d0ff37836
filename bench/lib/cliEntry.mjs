// Which program bin/es2scope.js runs for `ingest`, for the bench output, as bin itself says it
// (ES2SCOPE_TRACE_STARTUP=1): e.g. 'startup-ingest.cjs (code cache used)', '.../dist/bundle/main.js',
// or '.../dist/src/cli/main.js' (bundle missing or stale: run npm run build). Asking bin, not
// repeating its freshness rules here, keeps the answer right as they change.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export function cliEntry(root, env = process.env) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'es2scope.js'), 'ingest', '--help'], {
    cwd: root, encoding: 'utf8', env: { ...env, ES2SCOPE_TRACE_STARTUP: '1' },
  });
  const lines = [...(r.stderr ?? '').matchAll(/^es2scope start-up: (.*)$/gm)];
  return lines.length > 0 ? lines[lines.length - 1][1] : `unknown (bin exited ${r.status})`;
}
