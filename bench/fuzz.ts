/**
 * The fuzzer's figures: runs per second by steps per run (one thread), the
 * speed-up with two worker threads, runs and milliseconds to find each
 * injected bug, and the time to shrink a failure.
 *
 * Runs are what a campaign does for one run (campaign.ts runOne; without a
 * failure that is generate() against a live session, judged by the oracle and
 * the invariants after every step). Bug detection times generate() up to the
 * first failing run; shrinking that failure is timed on its own.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BugName } from '../emulator/bugs.ts';
import { runOne } from '../scenarios/fuzz/campaign.ts';
import type { CampaignOptions } from '../scenarios/fuzz/campaign.ts';
import { generate } from '../scenarios/fuzz/generate.ts';
import type { runCampaignWorkers } from '../scenarios/fuzz/pool.ts';
import { runPrng } from '../scenarios/fuzz/prng.ts';
import { shrink } from '../scenarios/fuzz/shrink.ts';
import type { Scenario } from '../scenarios/types.ts';
import { median } from './mix.ts';
import { sibling } from './sibling.ts';

/** A campaign of `runs` runs of `steps` steps, no bug, one shard, stopping at the first failure. */
export function campaignOptions(seed: number, runs: number, steps: number): CampaignOptions {
  return { seed, runs, steps, bugs: [], shard: { index: 1, count: 1 }, checkDeterminism: false, maxFailures: 1 };
}

// ---- runs per second -------------------------------------------------------

export interface RunsMeasure {
  runsPerSec: number;
  windows: number[];
  runs: number;
  /** Runs that failed although no bug was injected (the oracle or the invariants disagree with the emulator). */
  cleanFailures: number;
}

/** Runs of `steps` steps, campaign `seed`, for `windows` windows of `windowMs`; the median rate. */
export function measureRuns(steps: number, seed: number, windowMs: number, windows = 5, warmupMs = 400): RunsMeasure {
  let index = 0;
  let cleanFailures = 0;
  const o = campaignOptions(seed, Number.MAX_SAFE_INTEGER, steps);
  const one = (): void => {
    if (runOne(o, index++).failure !== null) cleanFailures++;
  };
  let t0 = performance.now();
  while (performance.now() - t0 < warmupMs) one();
  const rates: number[] = [];
  let runs = 0;
  for (let w = 0; w < windows; w++) {
    let n = 0;
    t0 = performance.now();
    let t = t0;
    while (t - t0 < windowMs) {
      one();
      n++;
      t = performance.now();
    }
    rates.push(n / ((t - t0) / 1000));
    runs += n;
  }
  return { runsPerSec: median(rates), windows: rates, runs, cleanFailures };
}

// ---- scaling over worker threads -------------------------------------------

export interface ScalingPhase {
  workers: number;
  runsPerSec: number;
  /** CPUs the process got during the phase (process CPU time over wall time; the main thread only waits). */
  cpus: number;
  runsPerCpuSec: number;
}

export interface ScalingMeasure {
  /** Runs per second with one worker, and with two (summed), each the median of its phases. */
  oneWorker: number;
  twoWorkers: number;
  speedup: number;
  /**
   * Runs per CPU-second with two workers over that with one: 1 when the work
   * itself scales, whatever share of the machine the process got. The
   * speed-up is about this times the CPUs the two-worker phases got.
   */
  cpuEfficiency: number;
  /** CPUs the process used with one worker (median): above 1 when background threads (V8's GC, compiler) work beside it. */
  cpusOne: number;
  /** CPUs the process got in the two-worker phases (median): 2 on an idle two-core machine. */
  cpusTwo: number;
  phases: ScalingPhase[];
}

type WorkerMsg = { type: 'ready' } | { type: 'done'; runs: number; seconds: number };

/** A worker thread running bench/fuzz_worker: its bundle, or its source under tsx (a TypeScript worker needs the loader registered first). */
function startWorker(index: number, steps: number): Worker {
  const workerData = { index, steps, warmupMs: 800 };
  const w = sibling('fuzz_worker');
  if (!w.tsx) return new Worker(w.url, { workerData });
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(w.url.href)}); })`;
  return new Worker(code, { eval: true, workerData });
}

function nextMessage(w: Worker): Promise<WorkerMsg> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: WorkerMsg) => {
      w.off('error', onErr);
      resolve(m);
    };
    const onErr = (e: Error) => {
      w.off('message', onMsg);
      reject(e);
    };
    w.once('message', onMsg);
    w.once('error', onErr);
  });
}

async function phase(workers: Worker[], ms: number): Promise<ScalingPhase> {
  const done = workers.map((w) => nextMessage(w));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const w of workers) w.postMessage({ type: 'run', ms });
  const results = await Promise.all(done);
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpuSec = (c.user + c.system) / 1e6;
  let rate = 0;
  let runs = 0;
  for (const r of results) {
    if (r.type !== 'done') continue;
    rate += r.runs / r.seconds;
    runs += r.runs;
  }
  return { workers: workers.length, runsPerSec: rate, cpus: cpuSec / wall, runsPerCpuSec: runs / cpuSec };
}

/**
 * Two worker threads that speak the run/done protocol, once both are ready;
 * phases of `phaseMs` alternate one worker alone and both at once (1, 2, 2,
 * 1, so a drift in the machine's load hits both sides alike). The speed-up
 * is the two-worker rate over the one-worker rate.
 */
export async function scalingOf(workers: [Worker, Worker], phaseMs: number): Promise<ScalingMeasure> {
  try {
    await Promise.all(workers.map((w) => nextMessage(w)));
    const phases: ScalingPhase[] = [];
    for (const n of [1, 2, 2, 1]) phases.push(await phase(workers.slice(0, n), phaseMs));
    const of = (n: number, f: (p: ScalingPhase) => number) => median(phases.filter((p) => p.workers === n).map(f));
    const one = of(1, (p) => p.runsPerSec);
    const two = of(2, (p) => p.runsPerSec);
    return {
      oneWorker: one, twoWorkers: two, speedup: two / one,
      cpuEfficiency: of(2, (p) => p.runsPerCpuSec) / of(1, (p) => p.runsPerCpuSec), cpusOne: of(1, (p) => p.cpus), cpusTwo: of(2, (p) => p.cpus), phases,
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Steady-state scaling of fuzz runs of `steps` steps over two warmed-up threads. */
export function measureScaling(steps: number, phaseMs: number): Promise<ScalingMeasure> {
  return scalingOf([startWorker(0, steps), startWorker(1, steps)], phaseMs);
}

/**
 * The machine's own ceiling: the same phases with two threads that only spin
 * on integer arithmetic (no allocation, no shared state). On a machine that
 * gives each thread a whole core this is about 2.
 */
export function measureCpuScaling(phaseMs: number): Promise<ScalingMeasure> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    parentPort.on('message', (m) => {
      let x = 1, n = 0;
      const t0 = performance.now();
      let t = t0;
      while (t - t0 < m.ms) {
        for (let i = 0; i < 100000; i++) x = (Math.imul(x, 1664525) + 1013904223) | 0;
        n++;
        t = performance.now();
      }
      parentPort.postMessage({ type: 'done', runs: n + (x & 0), seconds: (t - t0) / 1000 });
    });
    parentPort.postMessage({ type: 'ready' });`;
  return scalingOf([new Worker(code, { eval: true }), new Worker(code, { eval: true })], phaseMs);
}

export interface PoolScaling {
  runs: number;
  oneWorkerMs: number;
  twoWorkersMs: number;
  speedup: number;
  /** Wall time of an 8-run campaign with 1 and with 2 workers: about the cost of starting the workers. */
  startupOneMs: number;
  startupTwoMs: number;
}

/**
 * The fuzzer's own worker pool end to end (pool.ts runCampaignWorkers), the
 * compiled one of dist/ as `procfs-emu fuzz` runs it: the same campaign of
 * `runs` runs with 1 and then 2 worker threads, wall time including starting
 * the workers.
 */
export async function measurePoolScaling(distPool: URL, steps: number, runs: number): Promise<PoolScaling> {
  const pool = (await import(distPool.href)) as { runCampaignWorkers: typeof runCampaignWorkers };
  const timed = async (n: number, workers: number): Promise<number> => {
    const s = performance.now();
    const r = await pool.runCampaignWorkers(campaignOptions(300, n, steps), workers);
    if (r.runs !== n) throw new Error(`pool: ${r.runs} of ${n} runs done (${r.stopped}, ${r.failures.length} failures)`);
    return performance.now() - s;
  };
  const startupOneMs = await timed(8, 1);
  const startupTwoMs = await timed(8, 2);
  const one = await timed(runs, 1);
  const two = await timed(runs, 2);
  return { runs, oneWorkerMs: one, twoWorkersMs: two, speedup: one / two, startupOneMs, startupTwoMs };
}

// ---- bug detection and shrinking --------------------------------------------

export interface SeedDetection {
  seed: number;
  found: boolean;
  runs: number;
  ms: number;
}

export interface BugDetection {
  /** Seeds (of `seeds`) whose campaign found the bug within the caps. */
  found: number;
  seeds: number;
  /** Median and max over the seeds; a seed that did not find the bug counts as infinite (null in JSON). */
  medianMs: number | null;
  maxMs: number | null;
  medianRuns: number | null;
  maxRuns: number | null;
  perSeed: SeedDetection[];
}

export interface DetectionCaps {
  runsMax: number;
  msMax: number;
}

/**
 * One campaign per seed (seeds 1..n), runs of `steps` steps with `bug`
 * injected, until a run fails: runs and wall milliseconds to that run, inclusive.
 * Also hands back the first failing scenario (for the shrink figure).
 */
export function detectBug(bug: BugName, steps: number, seeds: number, caps: DetectionCaps): { detection: BugDetection; failing: Scenario | null } {
  const perSeed: SeedDetection[] = [];
  let failing: Scenario | null = null;
  for (let seed = 1; seed <= seeds; seed++) {
    const t0 = performance.now();
    let runs = 0;
    let found = false;
    while (runs < caps.runsMax && performance.now() - t0 < caps.msMax) {
      const g = generate(runPrng(seed, runs++), { steps, bugs: [bug] });
      if (g.result.failure !== null) {
        found = true;
        failing ??= g.scenario;
        break;
      }
    }
    perSeed.push({ seed, found, runs, ms: performance.now() - t0 });
  }
  const inf = (d: SeedDetection, v: number) => (d.found ? v : Infinity);
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const ms = perSeed.map((d) => inf(d, d.ms));
  const runs = perSeed.map((d) => inf(d, d.runs));
  return {
    detection: {
      found: perSeed.filter((d) => d.found).length,
      seeds,
      medianMs: finite(median(ms)),
      maxMs: finite(Math.max(...ms)),
      medianRuns: finite(median(runs)),
      maxRuns: finite(Math.max(...runs)),
      perSeed,
    },
    failing,
  };
}

export interface ShrinkMeasure {
  bug: BugName;
  ms: number;
  stepsBefore: number;
  stepsAfter: number;
  candidates: number;
}

/** Time the shrinker on one failing scenario. */
export function measureShrink(bug: BugName, s: Scenario): ShrinkMeasure {
  const t0 = performance.now();
  const r = shrink(s, { bugs: [bug] });
  return { bug, ms: performance.now() - t0, stepsBefore: s.steps.length, stepsAfter: r.scenario.steps.length, candidates: r.tried };
}

// ---- worker start-up and the mutation command --------------------------------

export interface WorkerStart {
  /** Median over `tries` of the milliseconds from starting a pool of one compiled worker to the end of an 8-run campaign of one step a run (one chunk). */
  ms: number;
  tries: number[];
  /** The same with a pool of two workers, one chunk each. */
  twoMs: number;
}

/**
 * Worker start-up with compiled code (dist/, npm run build): what
 * `procfs-emu fuzz --workers N` pays per worker before its first run. The
 * pool is dist/scenarios/fuzz/pool.js, in a child process under plain node
 * (bench/worker_start.mjs), so its workers load the worker bundle as the
 * compiled command line does; a message when dist/ is missing or it fails.
 */
export function measureWorkerStart(distPool: URL, tries = 5): WorkerStart | string {
  if (!existsSync(fileURLToPath(distPool))) return `worker start-up: ${fileURLToPath(distPool)} is missing (run npm run build first)`;
  const script = fileURLToPath(new URL('./worker_start.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [script, distPool.href, String(tries)], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) return `worker start-up: bench/worker_start.mjs exited with ${r.status ?? r.signal}: ${r.stderr.trim().split('\n')[0] ?? ''}`;
  const t = JSON.parse(r.stdout) as { one: number[]; two: number[] };
  return { ms: median(t.one), tries: t.one, twoMs: median(t.two) };
}

export interface MutationRun {
  /** The sample (stryker/sample.mjs MUTATE_SAMPLE) the run mutated. */
  sample: number;
  /** Wall time of the whole Stryker run: instrumenting, the dry run, every mutant, the reports. */
  ms: number;
  /** Mutants run (Stryker's report without the ones its ignorers left out). */
  mutants: number;
  msPerMutant: number;
  byStatus: Record<string, number>;
  exitStatus: number | null;
}

/**
 * A real mutation run of the fuzzer (npm run mutation:fuzz on the sample
 * docs/testing.md reports, MUTATE_SAMPLE=14), timed from start to end and
 * divided by the mutants it ran: the "per mutant on average" of issue 12.
 * It writes reports/mutation/fuzz.json as npm run mutation:fuzz does.
 */
export function measureMutationRun(root: string, sample = 14): MutationRun {
  const s = performance.now();
  const r = spawnSync(join(root, 'node_modules', '.bin', 'stryker'), ['run', 'stryker.fuzz.config.mjs'], {
    cwd: root, encoding: 'utf8', timeout: 3_600_000, env: { ...process.env, MUTATE_SAMPLE: String(sample), NO_COLOR: '1' },
  });
  const ms = performance.now() - s;
  const byStatus: Record<string, number> = {};
  const report = join(root, 'reports', 'mutation', 'fuzz.json');
  if (r.status === 0 && existsSync(report)) {
    const files = (JSON.parse(readFileSync(report, 'utf8')) as { files: Record<string, { mutants: { status: string }[] }> }).files;
    for (const f of Object.values(files)) for (const m of f.mutants) byStatus[m.status] = (byStatus[m.status] ?? 0) + 1;
  }
  const mutants = Object.entries(byStatus).filter(([k]) => k !== 'Ignored').reduce((n, [, c]) => n + c, 0);
  return { sample, ms, mutants, msPerMutant: mutants === 0 ? Number.NaN : ms / mutants, byStatus, exitStatus: r.status };
}

export interface MutationCommand {
  command: string;
  ms: number;
  exitStatus: number | null;
}

/**
 * What one mutant costs the fuzzer's mutation run (stryker.fuzz.config.mjs):
 * the wall time of its command runner's command on the unmutated sources,
 * which Stryker runs once per mutant in a sandbox copy (Stryker's own
 * bookkeeping per mutant comes on top, a few milliseconds).
 */
export function measureMutationCommand(root: string, command: string, outDir: string): MutationCommand {
  const s = performance.now();
  const r = spawnSync(command.replace(/--out \S+/, `--out ${outDir}`), { cwd: root, shell: true, encoding: 'utf8', timeout: 300_000 });
  return { command, ms: performance.now() - s, exitStatus: r.status };
}
