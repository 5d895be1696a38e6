// Worker start-up with compiled code, in a process of its own under plain node
// (as `procfs-emu fuzz --workers N` runs): a tsx main thread would slow the
// workers' module loading too. Prints one JSON line: {"one": [ms...], "two": [ms...]}.
//   node bench/worker_start.mjs DIST_POOL_URL TRIES
// Each figure is the wall time from starting a pool to the end of an 8-run
// campaign of one step a run per worker (one chunk each), the pool closed.
const [poolUrl, triesArg] = process.argv.slice(2);
const { runCampaignWorkers } = await import(poolUrl);
const tries = Number(triesArg);

async function timed(workers) {
  const s = performance.now();
  const r = await runCampaignWorkers({ seed: 1, runs: workers * 8, steps: 1, bugs: [], shard: { index: 1, count: 1 }, checkDeterminism: false, maxFailures: 1 }, workers);
  if (r.runs !== workers * 8) throw new Error(`worker start-up: ${r.runs} runs done, not ${workers * 8}`);
  return performance.now() - s;
}

const one = [];
for (let i = 0; i < tries; i++) one.push(await timed(1));
const two = [];
for (let i = 0; i < 3; i++) two.push(await timed(2));
process.stdout.write(`${JSON.stringify({ one, two })}\n`);
