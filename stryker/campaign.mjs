// The fuzzer mutation run's command (stryker.fuzz.config.mjs): the command line
// (scenarios/cli.ts) bundled from the sandbox's TypeScript by esbuild, then run
// here with the arguments given. Stryker puts every mutant into the sources at
// once and picks the live one per run by environment variable, so the sources
// do not change between mutants: the bundle is made once per sandbox and kept,
// named by a hash of the TypeScript it was made from, so that a bundle of other
// sources (the repository's own, copied into a sandbox) is never run
// (.fuzz-bundle/cli-HASH.mjs, one folder under the root as cli.ts must be to
// find package.json; written under a temporary name and renamed, since two
// commands may start together). A bundle loads in a tenth of the time
// tsx takes to compile the sources, and runs without tsx's per-closure naming.
//   node stryker/campaign.mjs fuzz --seed 1 --runs 3000 ...
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';

const root = process.cwd();
/** Every .ts file the command line can import, in a fixed order, with its path. */
function sourcesHash() {
  const h = createHash('sha256');
  const walk = (rel) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) h.update(`${p}\0`).update(readFileSync(join(root, p))).update('\0');
    }
  };
  for (const d of ['emulator', 'procfs', 'scenarios', 'bin']) walk(d);
  return h.digest('hex').slice(0, 16);
}

const dir = join(root, '.fuzz-bundle');
const cli = join(dir, `cli-${sourcesHash()}.mjs`);
if (!existsSync(cli)) {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `cli.${process.pid}.mjs`);
  buildSync({
    entryPoints: [join(root, 'scenarios', 'cli.ts')],
    outfile: tmp,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  renameSync(tmp, cli);
}
// The command line reads its arguments from process.argv, as under `node --import tsx scenarios/cli.ts`
// (argv[1] names the source, so no bundled module takes itself for the script run).
process.argv = [process.argv[0], join(root, 'scenarios', 'cli.ts'), ...process.argv.slice(2)];
await import(pathToFileURL(cli).href);
