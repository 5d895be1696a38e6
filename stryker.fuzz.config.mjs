// Mutation testing of the fuzzer alone (`npm run mutation:fuzz`): StrykerJS's command runner
// plays one fixed campaign per mutant (seed 1, 3 000 runs of 50 steps, no --bugs); a mutant
// is killed when the campaign finds a failure (exit status 1) or crashes. MUTATE narrows it.
import { sharedOptions } from './stryker.shared.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...sharedOptions('fuzz'),
  testRunner: 'command',
  commandRunner: { command: 'node stryker/campaign.mjs --seed 1 --runs 3000 --steps 50' },
  coverageAnalysis: 'off',
  timeoutMS: 120_000,
};
