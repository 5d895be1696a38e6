// One ESM bundle for node 20 by esbuild, the installed packages left as imports:
// what the build (the fuzz worker), the bench (bench/run.mjs) and the fuzzer's
// mutation command (stryker/campaign.mjs) make. `more` adds esbuild options
// (outdir and splitting in place of outfile).
import { buildSync } from 'esbuild';

export function bundle(entry, more) {
  buildSync({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning', ...more });
}
