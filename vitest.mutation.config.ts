import { defineConfig } from 'vitest/config';

// The suite as the mutation run uses it (stryker.suite.config.mjs): the tests that judge the
// emulator and procfs (unit tests, the corpus, the judge, the injected bugs), without the
// package, command-line, workflow and campaign tests, which build, spawn or sleep and would
// make each mutant cost minutes without judging these files any better.
export default defineConfig({
  test: {
    include: [
      'test/emulator/**/*.test.ts', 'test/procfs/**/*.test.ts', 'test/scenarios/corpus.test.ts',
      'test/scenarios/oracle.test.ts', 'test/scenarios/judge/**/*.test.ts', 'test/scenarios/expect.test.ts',
      'test/fuzz/invariants.test.ts',
    ],
    // marks.test.ts reads the sources' mark call sites, which Stryker's instrumented copies change.
    exclude: ['test/emulator/marks.test.ts'],
    testTimeout: 60_000,
    pool: 'threads',
  },
});
