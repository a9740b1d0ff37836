// Build step of src/cli/bundle.mjs: runs a start-up script (dist/bundle/startup-<command>.cjs) on
// a few command lines, then writes the V8 code cache of everything they compiled, for bin/es2scope.js.
// Usage: node src/cli/bundleWarmup.mjs <startup.cjs> <cache file> '<JSON list of argv lists>'
// Why a warm-up: a cache made right after compiling holds only the top-level code (V8 compiles
// functions lazily, on first call); made after the runs, it holds the bytecode of every function
// they called, so a start from the cache compiles (almost) nothing.
// The script is compiled exactly as bin/es2scope.js does (same file, same text): V8 accepts a
// cache only for a source of the same length, the same V8 version and the same V8 flags.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { Script, constants } from 'node:vm';

const [file, cacheFile, runsJson] = process.argv.slice(2).map((a, i) => (i < 2 ? resolve(a) : a));
const runs = JSON.parse(runsJson);
const script = new Script(readFileSync(file, 'latin1'), { filename: file, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
const module = { exports: {} };
// Written at exit: `--version` and `--help` end the process from inside yargs (process.exit).
process.on('exit', (code) => {
  if (code === 0) writeFileSync(cacheFile, script.createCachedData());
});
// the script's main.ts runs the CLI on process.argv when loaded: the first run; the others by main()
const [first, ...more] = runs;
process.argv = [process.argv[0], file, ...first];
process.exitCode = undefined;
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
// main.ts sets process.exitCode when its run is over
while (process.exitCode === undefined) await new Promise((r) => setTimeout(r, 2));
const codes = [process.exitCode];
for (const argv of more) codes.push(await module.exports.main(argv));
const failed = codes.findIndex((c) => c !== 0);
if (failed >= 0) {
  process.stderr.write(`warm-up command failed (exit ${codes[failed]}): es2scope ${runs[failed].join(' ')}\n`);
  process.exit(1);
}
process.exit(0);
