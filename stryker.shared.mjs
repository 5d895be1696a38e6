// What both mutation runs (stryker.suite.config.mjs, stryker.fuzz.config.mjs) share: the files
// mutated (MUTATE, a comma list of Stryker globs with optional :from-to line ranges, samples them)
// and the reporting.
const mutate = (process.env.MUTATE ?? 'procfs/*.ts,emulator/kern_*.ts,emulator/vnode.ts,emulator/mount.ts,emulator/kauth.ts')
  .split(',').filter((g) => g !== '');

/** The options both runs take; `name` names the JSON report (reports/mutation/NAME.json). */
export function sharedOptions(name) {
  return {
    mutate: [...mutate, '!procfs/index.ts'],
    concurrency: 2,
    reporters: ['clear-text', 'json', 'progress'],
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    tempDirName: '.stryker-tmp',
    cleanTempDir: 'always',
  };
}
