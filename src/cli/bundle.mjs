// Bundles the compiled CLI's start-up path into dist/bundle/ (run after tsc by `npm run build`).
// Why: Node 20 loads ES modules one file at a time (resolve, stat, read, compile: no compile
// cache), and `es2scope ingest` loaded ~400 files (apache-arrow alone ~300): about 0.3 s of
// start-up, a fifth of a 3 M-event trace.dat ingest. One bundle with a chunk per command loads in
// a fraction of that. bin/es2scope.js runs the bundle only while none of its sources (listed in
// dist/bundle/inputs.json) changed since it was built; else dist/ as tsc compiled it.
// Two forms: main.js (+ chunks), ES modules, for every command; and per command a start-up script
// (startup-<command>.cjs, one CommonJS function) with a V8 code cache made after a warm-up run
// (startup-<command>.cache), which bin/es2scope.js prefers for the commands that have one (ingest,
// --version, ...; see buildStartup below): no compile of the bundle, and the functions the warm-up
// ran come as bytecode. Measured with the lazy Intl.Segmenter below (2-core VM, load 1.3-1.6,
// median of 10 interleaved runs, wall / CPU): tiny trace.dat ingest 0.395 / 0.43 -> 0.275 / 0.30 s,
// tiny perf.data 0.345 / 0.38 -> 0.26 / 0.275 s, --version 0.19 / 0.19 -> 0.14 / 0.135 s
// (`node -e 0`: 0.12 / 0.11 s).
// What is bundled: our code and the packages of the start-up path (apache-arrow, yargs,
// cli-progress, fzstd, with their dependencies). Everything else (DuckDB, parquet-wasm, resvg,
// vega, OpenTelemetry: native code, WebAssembly, data files, and only loaded by some commands)
// stays an import of node_modules.
// import.meta.url: every bundled module keeps its own, pointing at its file as tsc emitted it
// (dist/...js) or at its node_modules file, so worker threads started by URL (dist/**/worker.js,
// task modules) and files located relative to a module (yargs' locales) are found as before.
// Worker threads started by siblingModule() run their own entry of the ES module bundle (no cache).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// ES2SCOPE_BUNDLE_OUTDIR: somewhere else (tests; bin/es2scope.js runs that folder when it is set too)
const outdir = process.env.ES2SCOPE_BUNDLE_OUTDIR || join(root, 'dist', 'bundle');
const BUNDLED_PACKAGES = new Set(['apache-arrow', 'yargs', 'cli-progress', 'fzstd', 'zstddec']);
const COMMANDS_INDEX = join(root, 'src', 'cli', 'commands', 'index.ts');

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
function withMetaUrl(text, path, inPackage) {
  const mirror = workers.callers.has(path);
  const target = inPackage ? path : join(mirror ? outdir : join(root, 'dist'), relative(root, path)).replace(/\.ts$/, '.js');
  const rel = JSON.stringify(posix(relative(outdir, target)));
  return text.replace(/\bimport\.meta\.url\b/g, `new URL(${rel}, import.meta.url).href`);
}

/**
 * string-width (three copies, under yargs' cliui and wrap-ansi) makes an Intl.Segmenter when it is
 * loaded: ICU's break-iterator data, 25-45 ms and ~4 MB of fresh memory on this VM, a third of
 * `es2scope --version`, for text widths that only --help and usage errors measure. Make it on
 * first use instead. Only where the segmenter is used for .segment() alone (else left as is).
 */
function withLazySegmenter(text) {
  const m = /^(?:const|let|var) (\w+) = new Intl\.Segmenter\(\);$/m.exec(text);
  if (!m) return text;
  const name = m[1];
  const uses = text.match(new RegExp(`\\b${name}\\b`, 'g')).length - 1;
  const segments = text.match(new RegExp(`\\b${name}\\.segment\\(`, 'g'))?.length ?? 0;
  if (uses !== segments) return text;
  return text.replace(m[0], `let ${name}Made; const ${name} = { segment: (s) => (${name}Made ??= new Intl.Segmenter()).segment(s) };`);
}

/** The two source rewrites above, in one onLoad (esbuild takes the first onLoad that answers): each file read once. */
const sourceRewrites = {
  name: 'es2scope-source-rewrites',
  setup(build) {
    build.onLoad({ filter: /\.(ts|mjs|js|cjs)$/ }, (args) => {
      const original = readFileSync(args.path, 'utf8');
      const inPackage = args.path.includes(`${sep}node_modules${sep}`);
      let text = inPackage && /\.m?js$/.test(args.path) ? withLazySegmenter(original) : original;
      if (text.includes('import.meta.url')) text = withMetaUrl(text, args.path, inPackage);
      if (text === original) return undefined;
      return { contents: text, loader: args.path.endsWith('.ts') ? 'ts' : 'js', resolveDir: dirname(args.path) };
    });
  },
};

/** Our own sources among a build's inputs (metafile keys are relative to root: absWorkingDir). */
const ourSources = (metafile) => Object.keys(metafile.inputs).filter((f) => !f.includes('node_modules/') && !f.includes(':'));

/** The metafile inputs reached from `starts`, following the imports for which follow(importer, import) says so. */
function reach(meta, starts, follow) {
  const seen = new Set();
  const todo = [...starts];
  while (todo.length > 0) {
    const k = todo.pop();
    if (seen.has(k)) continue;
    seen.add(k);
    for (const im of meta.inputs[k]?.imports ?? []) if (follow(k, im)) todo.push(im.path);
  }
  return seen;
}

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
  plugins: [externals, sourceRewrites],
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
const sources = ourSources(result.metafile);
const startup = await buildStartup(result.metafile).catch((e) => {
  console.error(`es2scope bundle: no start-up script (${String(e?.message ?? e).split('\n')[0]}); commands start from the ES module bundle`);
  return null;
});
writeFileSync(join(outdir, 'inputs.json'), `${JSON.stringify({ builtMs, files: [...sources, 'package-lock.json'], ...(startup ? { startup } : {}) })}\n`);
console.log(`es2scope bundle: ${inputs.length} modules -> ${Object.keys(result.metafile.outputs).length} files in ${posix(relative(root, outdir))}/` +
  (startup ? `; start-up scripts for ${startup.commands.map((c) => `${c}${startup.scripts[c].cache ? '' : ' (no code cache)'}`).join(', ')}` : ''));

/*
 * Start-up scripts: the same program once more, per command, as ONE CommonJS function (dist/bundle/
 * startup-<command>.cjs) that bin/es2scope.js compiles with vm.Script and a V8 code cache
 * (startup-<command>.cache). Why: Node 20 has no compile cache for ES modules
 * (module.enableCompileCache is Node 22), and compiling the ES module bundle was ~50-65 ms of a
 * tiny ingest, plus the lazy compile of every function run. The cache is made here, after a
 * warm-up run of the command (on the fixtures, else its --help), so the functions it ran are in
 * it as bytecode. One script per command, each with only that command in it: the other commands'
 * code would only cost reading, and a bigger cache costs deserializing it (fresh memory is dear
 * on this VM). Only for commands whose whole import graph loads under require(): an ES-only
 * package (vega-lite has top-level await) cannot be bundled as CommonJS, so those commands,
 * --help and typos start from the ES module bundle as before.
 * Nothing here may fail the build: no start-up script (or no cache) only means a slower start.
 */
async function buildStartup(meta) {
  const { fast, commandModules } = fastCommands(meta);
  if (fast.length === 0) return null;
  const scripts = {};
  const tmp = mkdtempSync(join(tmpdir(), 'es2scope-warmup-'));
  try {
    for (const name of fast) {
      const base = `startup-${name.replace(/[^\w]+/g, '')}`;
      const file = join(outdir, `${base}.cjs`);
      const others = new Set([...commandModules].filter(([n]) => n !== name).map(([, m]) => m));
      const files = await buildStartupScript(file, others);
      const cache = warmUp(file, join(outdir, `${base}.cache`), warmUpRuns(name, tmp));
      // bin/es2scope.js checks these (not all the bundle's sources): fewer stats, dear on this VM
      scripts[name] = { script: `${base}.cjs`, ...(cache ? { cache: `${base}.cache` } : {}), files: sourcesOf(meta, files) };
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { commands: fast, scripts };
}

/**
 * What a start-up script is fresh against: its own sources, those of every worker entry (from the
 * ES module bundle's metafile) when it can start workers (it holds a module naming one), and the
 * lock file for the bundled packages.
 */
function sourcesOf(meta, own) {
  const out = new Set(own);
  if (own.some((f) => workers.callers.has(join(root, f)))) {
    const entries = workers.entries.map((e) => posix(relative(root, e)));
    for (const k of reach(meta, entries, (_k, im) => !im.external && !im.path.includes('node_modules/'))) out.add(k);
  }
  return [...out, 'package-lock.json'];
}

/** startup-<command>.cjs: main.ts with the modules of the `others` commands left out; returns its sources. */
async function buildStartupScript(file, others) {
  const leaveOut = {
    name: 'es2scope-other-commands',
    setup(build) {
      build.onResolve({ filter: /^\./ }, (args) => {
        const p = join(args.resolveDir, args.path).replace(/\.js$/, '.ts');
        return args.importer === COMMANDS_INDEX && others.has(p) ? { path: p, namespace: 'es2scope-left-out' } : undefined;
      });
      build.onLoad({ filter: /.*/, namespace: 'es2scope-left-out' }, () => ({
        contents: "throw new Error('es2scope: internal: this command is not in this start-up script (bin/es2scope.js picks the script by command)');",
        loader: 'js',
      }));
    },
  };
  // One function expression (what vm.Script compiles, with the parameters of a CommonJS module);
  // strict like the ES modules it is made of; import.meta of every module from this file's path
  // (the metaUrl plugin made each module's import.meta.url relative to it, as in the ES bundle).
  // No comments or indentation (minifyWhitespace; names are kept): less to read, and comments
  // with non-ASCII text would make the whole source a two-byte string.
  const r = await esbuild.build({
    entryPoints: [join(root, 'src', 'cli', 'main.ts')],
    outfile: file,
    absWorkingDir: root,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    charset: 'ascii',
    minifyWhitespace: true,
    legalComments: 'none',
    define: { 'import.meta': '__es2scopeImportMeta' },
    banner: { js: "(function (exports, require, module, __filename, __dirname) {'use strict';const __es2scopeImportMeta = { url: require('node:url').pathToFileURL(__filename).href, resolve: (s) => require('node:url').pathToFileURL(require.resolve(s)).href };" },
    footer: { js: '\n})' },
    plugins: [leaveOut, externals, sourceRewrites],
    logLevel: 'silent',
    metafile: true,
  });
  if (r.errors.length > 0) throw new Error(r.errors[0].text);
  // bin/es2scope.js reads it as latin1 (one byte a character: the cheapest string to make)
  if (/[^\x00-\x7f]/.test(readFileSync(file, 'latin1'))) throw new Error(`${posix(relative(root, file))} is not ASCII`);
  // our files only (not packages, not the left-out commands' stand-ins)
  return ourSources(r.metafile);
}

/** What the warm-up of a command's script runs: ingest of each binary and a text fixture; else --help. */
function warmUpRuns(name, tmp) {
  if (name === '--version') return [['--version']];
  const runs = [];
  if (name === 'ingest') {
    // trace.dat last: what the bench times most (the runs before it compile the other readers)
    for (const fx of ['fixtures/perfdata/sched-lost.perf.data', 'fixtures/perf-script/sched-ns.txt', 'fixtures/tracedat/sched-lost-v7-zstd.dat']) {
      if (existsSync(join(root, fx))) runs.push(['ingest', fx, '-o', join(tmp, `warmup-${runs.length}.arrow`), '--quiet']);
    }
  }
  return runs.length > 0 ? runs : [[name, '--help']];
}

/**
 * The commands that can start from the CommonJS start-up script: every package their import graph
 * reaches (statically or by import(), our own modules followed, bundled packages inside) resolves
 * for require() to a CommonJS file. '--version' runs main.ts alone (commands/index.ts).
 */
function fastCommands(meta) {
  const commands = new Map();
  for (const m of readFileSync(COMMANDS_INDEX, 'utf8').matchAll(/^\s*([\w-]+): async \(\) => \(await import\('(\.\/[\w./-]+)'\)\)/gm)) {
    commands.set(m[1], join(dirname(COMMANDS_INDEX), m[2]).replace(/\.js$/, '.ts'));
  }
  const key = (abs) => posix(relative(root, abs));
  const byKey = meta.inputs;
  /** Packages outside the bundle reached from `start`; not into the command modules when `alone`. */
  const externalsFrom = (start, alone) => {
    const out = new Map();
    reach(meta, [start], (k, im) => {
      if (!im.external) return !(alone && k === key(COMMANDS_INDEX) && im.kind === 'dynamic-import');
      if (!isBuiltin(im.path)) out.set(im.path, k); // isBuiltin knows node: names too
      return false;
    });
    return out;
  };
  const requirable = (exts) => [...exts].every(([spec, importer]) => loadsAsCommonJS(spec, join(root, importer)));
  const mainKey = key(join(root, 'src', 'cli', 'main.ts'));
  if (!byKey[mainKey] || !requirable(externalsFrom(mainKey, true))) return { fast: [], commandModules: commands };
  const fast = ['--version'];
  for (const [name, abs] of commands) if (byKey[key(abs)] && requirable(externalsFrom(key(abs), false))) fast.push(name);
  return { fast, commandModules: commands };
}

/** Does require(spec) from `importer` load a CommonJS file (not an ES module, not an error)? */
function loadsAsCommonJS(spec, importer) {
  let file;
  try {
    file = createRequire(importer).resolve(spec);
  } catch {
    return false;
  }
  if (/\.(cjs|node|json)$/.test(file)) return true;
  if (!/\.js$/.test(file)) return false;
  for (let d = dirname(file); ; d = dirname(d)) {
    const pj = join(d, 'package.json');
    if (existsSync(pj)) {
      try {
        return JSON.parse(readFileSync(pj, 'utf8')).type !== 'module';
      } catch {
        return false;
      }
    }
    if (dirname(d) === d) return true;
  }
}

/**
 * Runs a start-up script on `runs` in a child node (bundleWarmup.mjs; without NODE_OPTIONS: V8
 * rejects a cache made under other V8 flags) that writes the code cache it produced.
 * Returns true when it did (else bin/es2scope.js compiles the script plainly).
 */
function warmUp(file, cacheFile, runs) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [join(root, 'src', 'cli', 'bundleWarmup.mjs'), file, cacheFile, JSON.stringify(runs)], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  if (r.status === 0 && existsSync(cacheFile)) return true;
  console.error(`es2scope bundle: no code cache for ${posix(relative(root, file))} (warm-up failed: ${(r.stderr || r.error?.message || `status ${r.status}`).trim().split('\n').slice(-3).join(' | ')})`);
  rmSync(cacheFile, { force: true });
  return false;
}
