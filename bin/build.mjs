// `npm run build` (and prepack): dist/ from scratch. tsc (tsconfig.build.json)
// emits ESM JavaScript and .d.ts beside each file; then the files the compiled
// command line reads beside itself: dist/package.json (cli.ts takes its
// version from the package.json one folder above its own), and the regression
// corpus with its schema (`procfs-emu start` runs dist/scenarios/corpus).
// Last, the fuzz worker thread as one bundle (esbuild, packages left as
// imports, campaign.js split off as the chunk it imports at a first failure):
// one file instead of some seventy halves a worker's start-up (pool.ts
// workerEntry, BENCHMARKS.md).
// `--no-check` skips type checking (npm test has just done it).
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { bundle } from './bundle.mjs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const args = [tsc, '-p', join(root, 'tsconfig.build.json'), ...(process.argv.includes('--no-check') ? ['--noCheck'] : [])];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
writeFileSync(join(dist, 'package.json'), `${JSON.stringify({ private: true, type: 'module', version: pkg.version }, null, 2)}\n`);
cpSync(join(root, 'scenarios', 'corpus'), join(dist, 'scenarios', 'corpus'), { recursive: true });
cpSync(join(root, 'scenarios', 'schema.json'), join(dist, 'scenarios', 'schema.json'));

bundle(join(dist, 'scenarios', 'fuzz', 'worker.js'), { outdir: join(dist, 'scenarios', 'fuzz', 'bundle'), splitting: true });
