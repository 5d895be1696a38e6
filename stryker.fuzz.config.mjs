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
  // A mutant that makes the campaign loop is cut at about 28 s (Stryker adds 1.5 times the unmutated
  // campaign's 5 s to this): five times what the campaign takes alone, room enough on a loaded machine.
  timeoutMS: 20_000,
};
