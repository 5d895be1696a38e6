// The fuzzer mutation run's command (stryker.fuzz.config.mjs): the campaign of
// stryker/mutant-campaign.mjs bundled with the sandbox's TypeScript by esbuild,
// then run here with the arguments given. Stryker puts every mutant into the
// sources at once and picks the live one per run by environment variable, so
// the sources do not change between mutants: the bundle is made once per
// sandbox and kept, named by a hash of the sources it was made from, so that a
// bundle of other sources (the repository's own, copied into a sandbox) is
// never run (.fuzz-bundle/campaign-HASH.mjs, written under a temporary name
// and renamed, since two commands may start together). A bundle loads in a
// tenth of the time tsx takes to compile the sources, and runs without tsx's
// per-function naming.
//   node stryker/campaign.mjs --seed 1 --runs 3000 --steps 50
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundle as makeBundle } from '../bin/bundle.mjs';

const root = process.cwd();
/** Every .ts file the campaign can import, in a fixed order, with its path, and the campaign itself. */
function sourcesHash() {
  const h = createHash('sha256');
  const walk = (rel) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) h.update(`${p}\0`).update(readFileSync(join(root, p))).update('\0');
    }
  };
  for (const d of ['emulator', 'procfs', 'scenarios']) walk(d);
  h.update(readFileSync(join(root, 'stryker', 'mutant-campaign.mjs')));
  return h.digest('hex').slice(0, 16);
}

const dir = join(root, '.fuzz-bundle');
const bundle = join(dir, `campaign-${sourcesHash()}.mjs`);
if (!existsSync(bundle)) {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `campaign.${process.pid}.mjs`);
  makeBundle(join(root, 'stryker', 'mutant-campaign.mjs'), { outfile: tmp });
  renameSync(tmp, bundle);
}
// The campaign reads its arguments from process.argv, as if it were the script run.
process.argv = [process.argv[0], join(root, 'stryker', 'mutant-campaign.mjs'), ...process.argv.slice(2)];
await import(pathToFileURL(bundle).href);
