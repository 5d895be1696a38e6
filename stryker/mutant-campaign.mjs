// @ts-check
// The campaign the fuzzer's mutation run plays once a mutant, bundled from the
// sandbox's sources by stryker/campaign.mjs (never run from here directly):
// runs 0 .. runs-1 of a seed in order, judged as `procfs-emu fuzz` judges them
// (scenarios/fuzz/runs.ts CampaignRunner), stopping at the first failure. The
// mutant is killed by exit status 1 (a failure, printed) or by a crash; 0 means
// it survived. Failures are not shrunk (shrink: false): only whether the
// campaign fails counts here, and shrinking was half of a killed mutant's time.
// It loads none of the command line, zod or yaml, so it starts in a third of the time.
//   --seed S --runs N --steps N
import { parseArgs } from 'node:util';
import { CampaignRunner } from '../scenarios/fuzz/runs.ts';

const { values } = parseArgs({ options: { seed: { type: 'string' }, runs: { type: 'string' }, steps: { type: 'string' } }, strict: true });
/** A decimal integer argument, or exit status 2 naming it. */
function int(name) {
  const v = values[name];
  if (v === undefined || !/^[0-9]+$/.test(v)) {
    process.stderr.write(`mutant-campaign: --${name} takes a non-negative integer, got ${JSON.stringify(v)}\n`);
    process.exit(2);
  }
  return Number(v);
}
const o = { seed: int('seed'), runs: int('runs'), steps: int('steps'), bugs: [], shard: { index: 1, count: 1 }, checkDeterminism: false, maxFailures: 1, shrink: /** @type {const} */ (false) };
const runner = new CampaignRunner(o);
for (let run = 0; run < o.runs; run++) {
  const out = runner.run(run);
  if (out.failure !== null) {
    process.stdout.write(`mutant-campaign: seed ${o.seed}, run ${run} of ${o.runs} failed: ${out.failure.found} [${out.failure.cls}]\n`);
    process.exit(1);
  }
}
process.stdout.write(`mutant-campaign: seed ${o.seed}: ${o.runs} runs of ${o.steps} steps, no failure\n`);
