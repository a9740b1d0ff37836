// Which build bin/es2scope.js runs, for the bench output: 'bundle' (dist/bundle/, fresh: no source
// changed since it was built, see src/cli/bundle.mjs) or 'dist' (and why).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function cliEntry(root) {
  if (process.env.ES2SCOPE_NO_BUNDLE) return 'dist';
  try {
    const { builtMs, files } = JSON.parse(readFileSync(join(root, 'dist', 'bundle', 'inputs.json'), 'utf8'));
    return files.every((f) => statSync(join(root, f)).mtimeMs <= builtMs) ? 'bundle' : 'dist (bundle stale: run npm run build)';
  } catch {
    return 'dist (no bundle: run npm run build)';
  }
}
