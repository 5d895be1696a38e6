// Mutation testing of the suite (`npm run mutation:suite`): StrykerJS with the vitest runner,
// over procfs/ and the kernel paths procfs stands on, with the tests of vitest.mutation.config.ts.
// Not part of `npm test`. MUTATE narrows it, e.g. MUTATE=procfs/vnops.ts npm run mutation:suite.
import { sharedOptions } from './stryker.shared.mjs';

const shared = sharedOptions('suite');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...shared,
  testRunner: 'vitest',
  plugins: [...shared.plugins, '@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  timeoutMS: 60_000,
};
