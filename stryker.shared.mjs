// What both mutation runs (stryker.suite.config.mjs, stryker.fuzz.config.mjs) share: the files
// mutated, the equivalent mutants left out by rule (stryker/ignorers.mjs) and the reporting.
// MUTATE (a comma list of Stryker globs with optional :from-to line ranges) narrows the files;
// MUTATE_SAMPLE=K takes a deterministic sample of them (stryker/sample.mjs, docs/testing.md).
import { EXCLUDED, SCOPE, sampleWindows } from './stryker/sample.mjs';

function mutateList() {
  const sample = process.env.MUTATE_SAMPLE;
  if (sample !== undefined && sample !== '') return sampleWindows(SCOPE, Number(sample), EXCLUDED);
  return [...(process.env.MUTATE ?? SCOPE).split(',').filter((g) => g !== ''), ...EXCLUDED.map((f) => `!${f}`)];
}

/** The options both runs take; `name` names the JSON report (reports/mutation/NAME.json). */
export function sharedOptions(name) {
  return {
    mutate: mutateList(),
    plugins: ['./stryker/ignorers.mjs'],
    ignorers: ['ProcfsEquivalents'],
    concurrency: 2,
    reporters: ['clear-text', 'json', 'progress'],
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    tempDirName: '.stryker-tmp',
    cleanTempDir: 'always',
  };
}
