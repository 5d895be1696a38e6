// Runs a bench/ program as compiled JavaScript, the way the package's code runs
// (npm run bench: `node bench/run.mjs bench.ts ...`). esbuild bundles the
// program and, for the benchmark, the worker and memory programs it starts,
// into bench/NAME.bundle.mjs beside their sources, so every path a program
// takes from import.meta.url still points where it did; packages stay imports.
// Under tsx the same code runs slower than it ships: tsx keeps function names
// by wrapping every function it creates, closures made per event included.
//   node bench/run.mjs PROGRAM.ts [arguments...]
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundle } from '../bin/bundle.mjs';

/** What each program starts in another thread or process, bundled beside it. */
const STARTS = { 'bench.ts': ['fuzz_worker.ts', 'rss.ts'], 'profile.ts': [] };

const here = fileURLToPath(new URL('.', import.meta.url));
const [program, ...args] = process.argv.slice(2);
if (program === undefined || !(program in STARTS)) {
  process.stderr.write(`usage: node bench/run.mjs ${Object.keys(STARTS).join('|')} [arguments...]\n`);
  process.exit(2);
}

/** bench/NAME.ts -> bench/NAME.bundle.mjs. */
function bundleName(ts) {
  return `${basename(ts, '.ts')}.bundle.mjs`;
}

for (const ts of [program, ...STARTS[program]]) {
  bundle(join(here, ts), { outfile: join(here, bundleName(ts)) });
}
process.argv = [process.argv[0], join(here, program), ...args];
await import(pathToFileURL(join(here, bundleName(program))).href);
