// Bundles the compiled CLI's start-up path into dist/bundle/ (run after tsc by `npm run build`).
// Why: Node 20 loads ES modules one file at a time (resolve, stat, read, compile: no compile
// cache), and `es2scope ingest` loaded ~400 files (apache-arrow alone ~300): about 0.3 s of
// start-up, a fifth of a 3 M-event trace.dat ingest. One bundle with a chunk per command loads in
// a fraction of that. bin/es2scope.js runs the bundle only while none of its sources (listed in
// dist/bundle/inputs.json) changed since it was built; else dist/ as tsc compiled it.
// What is bundled: our code and the packages of the start-up path (apache-arrow, yargs,
// cli-progress, fzstd, with their dependencies). Everything else (DuckDB, parquet-wasm, resvg,
// vega, OpenTelemetry: native code, WebAssembly, data files, and only loaded by some commands)
// stays an import of node_modules.
// import.meta.url: every bundled module keeps its own, pointing at its file as tsc emitted it
// (dist/...js) or at its node_modules file, so worker threads started by URL (dist/**/worker.js,
// task modules) and files located relative to a module (yargs' locales) are found as before.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// ES2SCOPE_BUNDLE_OUTDIR: somewhere else (tests); bin/es2scope.js only runs dist/bundle/
const outdir = process.env.ES2SCOPE_BUNDLE_OUTDIR || join(root, 'dist', 'bundle');
const BUNDLED_PACKAGES = new Set(['apache-arrow', 'yargs', 'cli-progress', 'fzstd']);

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.log('es2scope bundle skipped: esbuild is not installed (the CLI runs from dist/ as compiled)');
  process.exit(0);
}

const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const posix = (p) => p.split(sep).join('/');

/** Bare imports from our code: bundled only for BUNDLED_PACKAGES; inside a bundled package: all of its own. */
const externals = {
  name: 'es2scope-externals',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      const fromPackage = args.importer.includes(`${sep}node_modules${sep}`);
      if (fromPackage || BUNDLED_PACKAGES.has(packageName(args.path))) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * Worker-thread modules, started by URL: `siblingModule(import.meta.url, 'name')` in our sources.
 * They become entry points of their own at their source path under dist/bundle/ (a worker loads
 * one bundle too), and the modules naming them get that mirror location as import.meta.url.
 */
const SIBLING = /siblingModule\(import\.meta\.url, '([\w.-]+)'\)/g;
function workerEntries() {
  const callers = new Set();
  const entries = new Set();
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(SIBLING)) {
          const entry = join(dirname(p), `${m[1]}.ts`);
          if (!existsSync(entry)) continue;
          callers.add(p);
          entries.add(entry);
        }
      }
    }
  };
  walk(join(root, 'collectors'));
  walk(join(root, 'src'));
  return { callers, entries: [...entries] };
}
const workers = workerEntries();
/** Output name of a worker entry: its source path, flattened. */
const workerOut = (e) => `worker-${posix(relative(root, e)).replace(/\.ts$/, '').replace(/[/.]/g, '_')}`;

/** import.meta.url -> the URL of the module's own file (tsc output for our .ts), relative to the bundle. */
const metaUrl = {
  name: 'es2scope-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.(ts|mjs|js|cjs)$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const inPackage = args.path.includes(`${sep}node_modules${sep}`);
      const mirror = workers.callers.has(args.path);
      const target = inPackage ? args.path : join(mirror ? outdir : join(root, 'dist'), relative(root, args.path)).replace(/\.ts$/, '.js');
      const rel = JSON.stringify(posix(relative(outdir, target)));
      const contents = text.replace(/\bimport\.meta\.url\b/g, `new URL(${rel}, import.meta.url).href`);
      const loader = args.path.endsWith('.ts') ? 'ts' : 'js';
      return { contents, loader, resolveDir: dirname(args.path) };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
// sources edited after this instant make the bundle stale (bin/es2scope.js then runs dist/)
const builtMs = Date.now();
// A failed bundle is not a failed build: bin/es2scope.js then runs dist/ (only start-up is slower).
const failed = (why) => {
  rmSync(outdir, { recursive: true, force: true });
  console.error(`es2scope bundle NOT made (${why}); the CLI runs from dist/ as compiled`);
  process.exit(0);
};
const result = await esbuild.build({
  // every output file at the top of dist/bundle/ (import.meta.url rewrites are relative to it)
  entryPoints: [{ in: join(root, 'src', 'cli', 'main.ts'), out: 'main' }, ...workers.entries.map((e) => ({ in: e, out: workerOut(e) }))],
  absWorkingDir: root,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  // bundled CommonJS packages (cli-progress) call require() for Node built-ins
  banner: { js: "import { createRequire as __es2scopeCreateRequire } from 'node:module'; const require = __es2scopeCreateRequire(import.meta.url);" },
  plugins: [externals, metaUrl],
  logLevel: 'warning',
  metafile: true,
}).catch((e) => failed(e.message.split('\n')[0]));
if (result.errors.length > 0 || !existsSync(join(outdir, 'main.js'))) failed('esbuild reported errors');
// a worker module at its mirror path (where siblingModule looks for it): a one-line re-export
for (const e of workers.entries) {
  const stub = join(outdir, relative(root, e)).replace(/\.ts$/, '.js');
  mkdirSync(dirname(stub), { recursive: true });
  writeFileSync(stub, `export * from ${JSON.stringify(`./${posix(relative(dirname(stub), join(outdir, `${workerOut(e)}.js`)))}`)};\n`);
}
const inputs = Object.keys(result.metafile.inputs);
// What bin/es2scope.js checks before running the bundle: our own sources (a plain tsc rebuild of
// unchanged sources keeps the bundle valid), and the lock file for the bundled packages.
const sources = inputs.filter((f) => !f.includes('node_modules/')).map((f) => posix(relative(root, join(root, f))));
writeFileSync(join(outdir, 'inputs.json'), `${JSON.stringify({ builtMs, files: [...sources, 'package-lock.json'] })}\n`);
console.log(`es2scope bundle: ${inputs.length} modules -> ${Object.keys(result.metafile.outputs).length} files in ${posix(relative(root, outdir))}/`);
