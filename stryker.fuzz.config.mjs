// Mutation testing of the fuzzer alone (`npm run mutation:fuzz`): StrykerJS's command runner
// plays one fixed campaign per mutant (seed 1, 3 000 runs of 50 steps, no --bugs); a mutant
// is killed when the campaign finds a failure (exit status 1) or crashes.
// MUTATE narrows it (a comma list of globs), as for stryker.suite.config.mjs.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const mutate = (process.env.MUTATE ?? 'procfs/*.ts,emulator/kern_*.ts,emulator/vnode.ts,emulator/mount.ts,emulator/kauth.ts')
  .split(',').filter((g) => g !== '');
export default {
  testRunner: 'command',
  commandRunner: { command: 'node --import tsx scenarios/cli.ts fuzz --seed 1 --runs 3000 --steps 50 --out .fuzz-scratch/mutation' },
  mutate: [...mutate, '!procfs/index.ts'],
  coverageAnalysis: 'off',
  concurrency: 2,
  timeoutMS: 120_000,
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: 'reports/mutation/fuzz.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
