// Mutation testing of the whole suite (`npm run mutation:suite`): StrykerJS with the vitest
// runner, over procfs/ and the kernel paths procfs stands on. Not part of `npm test`.
// MUTATE narrows it (a comma list of globs), e.g. MUTATE=procfs/vnops.ts npm run mutation:suite.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const mutate = (process.env.MUTATE ?? 'procfs/*.ts,emulator/kern_*.ts,emulator/vnode.ts,emulator/mount.ts,emulator/kauth.ts')
  .split(',').filter((g) => g !== '');
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: [...mutate, '!procfs/index.ts'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 60_000,
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: 'reports/mutation/suite.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
