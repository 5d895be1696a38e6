/**
 * The benchmark (npm run bench): lifecycle events per second through the
 * emulator with and without the oracle, the same mix on the host kernel, the
 * fuzzer's throughput, scaling, bug detection and shrinking, the regression
 * corpus's wall time, and resident memory against the number of events.
 *
 *   npm run bench                 a table on stdout (progress on stderr)
 *   npm run -s bench -- --json    one JSON document on stdout
 *   options: --quick (shorter windows, 3M events for memory), --quiet (no progress),
 *            --mutation (also a real mutation run of the fuzzer on docs/testing.md's
 *            sample, some ten minutes: mutationMsPerMutant is null without it)
 *
 * The measured code runs compiled: npm run bench bundles this program with
 * esbuild (bench/run.mjs); `npx tsx bench/bench.ts` measures the sources
 * under tsx instead, slower (tsx wraps each function it creates to keep its
 * name, the judge's many closures included).
 *
 * Not part of npm test. Timing and memory readings live here only.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BUG_NAMES } from '../emulator/bugs.ts';
import type { BugName } from '../emulator/bugs.ts';
import { collectScenarioFiles } from '../scenarios/collect.ts';
import { runFile } from '../scenarios/report.ts';
import type { Scenario } from '../scenarios/types.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BugDetection, MutationCommand, MutationRun, PoolScaling, RunsMeasure, ScalingMeasure, ShrinkMeasure, WorkerStart } from './fuzz.ts';
import {
  detectBug, measureCpuScaling, measureMutationCommand, measureMutationRun, measurePoolScaling, measureRuns, measureScaling, measureShrink, measureWorkerStart,
} from './fuzz.ts';
import type { MixMeasure } from './mix.ts';
import { FULL_EVENTS_PER_ROUND, SHARED_EVENTS_PER_ROUND, measureMix, median } from './mix.ts';
import { runRealKernel } from './real_kernel.ts';
import { BUNDLED, sibling } from './sibling.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));
const JSON_OUT = args.has('--json');
const QUICK = args.has('--quick');
const QUIET = args.has('--quiet');
const MUTATION = args.has('--mutation');

/** Sizes of the measurements (the full run stays well under three minutes on two cores). */
const P = QUICK
  ? { mixWindowMs: 300, mixWindows: 3, realSeconds: 1, corpusPasses: 1, fuzzWindowMs: 300, fuzzWindows: 3, scalingPhaseMs: 800, poolSeconds: 1.5, rssMillions: 3, seeds: 10, detectMsMax: 3000, detectRunsMax: 5000 }
  : { mixWindowMs: 600, mixWindows: 5, realSeconds: 3, corpusPasses: 3, fuzzWindowMs: 600, fuzzWindows: 5, scalingPhaseMs: 1500, poolSeconds: 5, rssMillions: 10, seeds: 10, detectMsMax: 10000, detectRunsMax: 20000 };
const FUZZ_STEPS = [20, 50, 200] as const;
/** Steps per run for bug detection and the scaling figure (the 50-step target). */
const DETECT_STEPS = 50;
/** "Flat" memory: at most this RSS growth (about half a byte per event over 9M events) ... */
const RSS_FLAT_MIB = 5;
/** ... and at most this growth of the live heap. */
const HEAP_FLAT_MIB = 1;

const notes: string[] = [];
const t0 = performance.now();

function progress(msg: string): void {
  if (!QUIET) process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
}

// ---- the machine ------------------------------------------------------------

function sh(cmd: string, argv: string[]): string | null {
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  return r.error === undefined && r.status === 0 ? r.stdout.trim() : null;
}

function machine() {
  const lscpu = sh('lscpu', []);
  const model = lscpu?.split('\n').find((l) => l.startsWith('Model name:'))?.slice('Model name:'.length).trim();
  return {
    nproc: Number(sh('nproc', []) ?? cpus().length),
    cpuModel: model ?? cpus()[0]?.model ?? 'unknown',
    node: process.version,
    /** How the measured code ran: bundled JavaScript (npm run bench) or the TypeScript sources under tsx. */
    runtime: BUNDLED ? 'compiled: bench/run.mjs bundle (esbuild)' : 'tsx (the sources)',
    platform: `${process.platform} ${process.arch}`,
    kernel: sh('uname', ['-sr']) ?? 'unknown',
    date: sh('date', []) ?? new Date().toString(),
    dateIso: new Date().toISOString(),
    /** The 1-minute load average when the bench started and ended: other work on the machine skews every figure. */
    loadavgStart: round(loadavg()[0]!, 2),
    loadavgEnd: 0,
  };
}

// ---- sections ---------------------------------------------------------------

function mixes() {
  progress('emulator, full mix, oracle off');
  const off = measureMix('full', false, P.mixWindowMs, P.mixWindows);
  progress(`  ${fmt(off.eventsPerSec)} events/s`);
  progress('emulator, full mix, oracle on');
  const on = measureMix('full', true, P.mixWindowMs, P.mixWindows);
  progress(`  ${fmt(on.eventsPerSec)} events/s`);
  progress('emulator, shared mix (the real-kernel mix), oracle off');
  const shared = measureMix('shared', false, P.mixWindowMs, P.mixWindows);
  progress(`  ${fmt(shared.eventsPerSec)} events/s`);
  return { off, on, shared };
}

function realKernel() {
  progress('real kernel: cc bench/real_kernel.c, shared mix');
  const r = runRealKernel(P.realSeconds);
  if (typeof r === 'string') {
    notes.push(r);
    progress(`  ${r}`);
    return null;
  }
  progress(`  ${fmt(r.eventsPerSec)} events/s, ${fmt(r.eventsPerCpuSec)} per CPU-second (${r.compiler})`);
  return r;
}

function corpus() {
  progress('regression corpus (scenarios/corpus)');
  const times: number[] = [];
  let files = 0;
  let passed = 0;
  for (let i = 0; i < P.corpusPasses; i++) {
    const s = performance.now();
    const found = collectScenarioFiles([`${ROOT}scenarios/corpus`]);
    if (!found.ok) {
      notes.push(`corpus: ${found.message}`);
      return null;
    }
    files = found.files.length;
    passed = 0;
    for (const f of found.files) if (runFile(f).status === 'pass') passed++;
    times.push(performance.now() - s);
  }
  if (passed !== files) notes.push(`corpus: ${files - passed} of ${files} scenarios did not pass`);
  progress(`  ${files} files, ${passed} pass, ${times.map((t) => t.toFixed(0)).join(' / ')} ms`);
  return { ms: median(times), firstPassMs: times[0]!, passes: times, files, passed };
}

interface FuzzFigures {
  runs: Record<string, RunsMeasure>;
  /** Steady state: the same threads, one alone then both (bench/fuzz_worker.ts). */
  scaling: ScalingMeasure | null;
  /** End to end: the fuzzer's pool (pool.ts) with 1 and 2 workers on one campaign. */
  pool: PoolScaling | null;
  /** The machine's ceiling: two threads spinning on arithmetic. */
  cpu: ScalingMeasure | null;
  detection: Record<string, BugDetection>;
  shrinks: ShrinkMeasure[];
  /** Compiled workers (dist/): start-up to the end of a first chunk. */
  workerStart: WorkerStart | null;
  /** The mutation run's command (stryker.fuzz.config.mjs) once on the unmutated sources: what a surviving mutant costs. */
  mutation: MutationCommand | null;
  /** With --mutation: a whole mutation run of the fuzzer, timed. */
  mutationRun: MutationRun | null;
}

async function fuzz(): Promise<FuzzFigures> {
  const out: FuzzFigures = { runs: {}, scaling: null, pool: null, cpu: null, detection: {}, shrinks: [], workerStart: null, mutation: null, mutationRun: null };
  progress('fuzzer: warm-up');
  for (const steps of FUZZ_STEPS) measureRuns(steps, 9, 300, 1, 0);
  for (const steps of FUZZ_STEPS) {
    progress(`fuzzer: runs/s at ${steps} steps, one thread`);
    const m = measureRuns(steps, 1, P.fuzzWindowMs, P.fuzzWindows);
    out.runs[String(steps)] = m;
    if (m.cleanFailures > 0) notes.push(`fuzzer: ${m.cleanFailures} of ${m.runs} runs at ${steps} steps failed with no bug injected`);
    progress(`  ${fmt(m.runsPerSec)} runs/s`);
  }
  const poolRuns = Math.max(200, Math.round((out.runs['50']?.runsPerSec ?? 500) * P.poolSeconds));
  progress(`fuzzer: the fuzzer's worker pool, one campaign of ${poolRuns} runs at ${DETECT_STEPS} steps, 1 then 2 workers`);
  try {
    out.pool = await measurePoolScaling(new URL('../dist/scenarios/fuzz/pool.js', import.meta.url), DETECT_STEPS, poolRuns);
    progress(`  ${fmt(out.pool.oneWorkerMs)} ms -> ${fmt(out.pool.twoWorkersMs)} ms, x${out.pool.speedup.toFixed(2)} (start-up ${fmt(out.pool.startupOneMs)} / ${fmt(out.pool.startupTwoMs)} ms)`);
  } catch (e) {
    notes.push(`fuzzer: the worker-pool figure failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  progress('fuzzer: worker start-up, compiled code (dist/scenarios/fuzz/pool.js)');
  try {
    const ws = measureWorkerStart(new URL('../dist/scenarios/fuzz/pool.js', import.meta.url));
    if (typeof ws === 'string') notes.push(ws);
    else out.workerStart = ws;
    progress(typeof ws === 'string' ? `  ${ws}` : `  ${fmt(ws.ms)} ms (1 worker), ${fmt(ws.twoMs)} ms (2 workers)`);
  } catch (e) {
    notes.push(`fuzzer: the worker start-up figure failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const cfg = (await import(new URL('../stryker.fuzz.config.mjs', import.meta.url).href)) as { default: { commandRunner: { command: string } } };
  progress(`fuzzer: the mutation run's command once, unmutated: ${cfg.default.commandRunner.command}`);
  const scratch = mkdtempSync(join(tmpdir(), 'procfs-emu-bench-'));
  try {
    out.mutation = measureMutationCommand(ROOT, cfg.default.commandRunner.command, scratch);
    if (out.mutation.exitStatus !== 0) notes.push(`mutation command: exit status ${out.mutation.exitStatus} on the unmutated sources (it must be 0)`);
    progress(`  ${fmt(out.mutation.ms)} ms, exit status ${out.mutation.exitStatus}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (MUTATION) {
    progress('fuzzer: a whole mutation run (npm run mutation:fuzz, MUTATE_SAMPLE=14), timed');
    try {
      out.mutationRun = measureMutationRun(ROOT);
      const mr = out.mutationRun;
      if (mr.exitStatus !== 0 || mr.mutants === 0) notes.push(`mutation run: Stryker exited with ${mr.exitStatus} after ${fmt(mr.ms)} ms and reported ${mr.mutants} mutants`);
      progress(`  ${fmt(mr.ms)} ms for ${mr.mutants} mutants: ${fmt(mr.msPerMutant)} ms a mutant (${Object.entries(mr.byStatus).map(([k, v]) => `${k} ${v}`).join(', ')})`);
    } catch (e) {
      notes.push(`mutation run: it failed to run: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  progress('machine: 2 threads spinning on arithmetic, alone and together (the scaling ceiling)');
  try {
    out.cpu = await measureCpuScaling(P.scalingPhaseMs / 2);
    progress(`  x${out.cpu.speedup.toFixed(2)}`);
  } catch (e) {
    notes.push(`machine: the CPU scaling calibration failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  progress(`fuzzer: steady-state scaling, the same 2 threads alone and together at ${DETECT_STEPS} steps`);
  try {
    out.scaling = await measureScaling(DETECT_STEPS, P.scalingPhaseMs);
    progress(`  ${fmt(out.scaling.oneWorker)} -> ${fmt(out.scaling.twoWorkers)} runs/s, x${out.scaling.speedup.toFixed(2)}; CPUs ${out.scaling.cpusOne.toFixed(2)} -> ${out.scaling.cpusTwo.toFixed(2)}, per CPU-second x${out.scaling.cpuEfficiency.toFixed(2)}`);
  } catch (e) {
    notes.push(`fuzzer: the steady-state scaling figure failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const failing = new Map<BugName, Scenario>();
  for (const bug of BUG_NAMES) {
    progress(`fuzzer: detecting ${bug} (${P.seeds} seeds, ${DETECT_STEPS} steps a run)`);
    const r = detectBug(bug, DETECT_STEPS, P.seeds, { runsMax: P.detectRunsMax, msMax: P.detectMsMax });
    out.detection[bug] = r.detection;
    if (r.failing !== null) failing.set(bug, r.failing);
    if (r.detection.found < r.detection.seeds) {
      notes.push(`fuzzer: ${bug} not found by ${r.detection.seeds - r.detection.found} of ${r.detection.seeds} seeds within ${P.detectRunsMax} runs / ${P.detectMsMax} ms`);
    }
    progress(`  found by ${r.detection.found}/${r.detection.seeds}; median ${num(r.detection.medianMs, 0)} ms, ${num(r.detection.medianRuns, 0)} runs`);
  }
  for (const [bug, s] of failing) {
    progress(`fuzzer: shrinking the first ${bug} failure (seed 1)`);
    const m = measureShrink(bug, s);
    out.shrinks.push(m);
    progress(`  ${m.ms.toFixed(0)} ms, ${m.stepsBefore} -> ${m.stepsAfter} steps, ${m.candidates} candidates`);
  }
  return out;
}

interface RssOut {
  gcExposed: boolean;
  events: number;
  seconds: number;
  eventsPerSec: number;
  rssGrowthMiB: number;
  heapGrowthMiB: number;
  state: Record<string, number>;
  samples: { events: number; rssMiB: number; heapUsedMiB: number }[];
}

function rss(): RssOut | null {
  progress(`memory: ${P.rssMillions}M events in a child (node --expose-gc --min-semi-space-size=16)`);
  const child = sibling('rss');
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--min-semi-space-size=16', ...(child.tsx ? ['--import', 'tsx'] : []), fileURLToPath(child.url), String(P.rssMillions)],
    { cwd: ROOT, encoding: 'utf8', timeout: 600_000 },
  );
  if (r.status !== 0) {
    notes.push(`memory: the child failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(0, 3).join(' ')}`);
    return null;
  }
  const out = JSON.parse(r.stdout) as RssOut;
  if (!out.gcExposed) notes.push('memory: global.gc was not exposed; RSS samples are without a forced collection');
  progress(`  RSS ${out.samples[0]!.rssMiB.toFixed(1)} MiB at 1M -> ${out.samples.at(-1)!.rssMiB.toFixed(1)} MiB at ${P.rssMillions}M`);
  return out;
}

// ---- formatting -------------------------------------------------------------

function fmt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

function num(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
const roundOrNull = (x: number | null | undefined, d = 1): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : round(x, d));

interface Target {
  name: string;
  target: string;
  value: string;
  reached: boolean | null;
}

// ---- main -------------------------------------------------------------------

const m = machine();
progress(`${m.cpuModel} x${m.nproc}, node ${m.node}, ${m.runtime}, ${m.date}`);
const mix = mixes();
const real = realKernel();
const corp = corpus();
const fz = await fuzz();
const mem = rss();

const ratio = real === null ? null : mix.shared.eventsPerSec / real.eventsPerSec;
const ratioFull = real === null ? null : mix.off.eventsPerSec / real.eventsPerSec;
/** The same ratio per CPU-second on both sides: what remains when other load is taken out. */
const ratioCpu = real === null ? null : mix.shared.eventsPerCpuSec / real.eventsPerCpuSec;
const runs50 = fz.runs['50']?.runsPerSec ?? null;
/**
 * fuzzScaling2: the steady-state speed-up of two worker threads playing campaign runs
 * (the fuzzer pool's per-worker start-up, a fixed cost, is reported apart with the pool's end-to-end figure).
 */
const scaling2 = fz.scaling?.speedup ?? null;
const shrinkMs = fz.shrinks.length === 0 ? null : median(fz.shrinks.map((s) => s.ms));
const detections = Object.entries(fz.detection);
const slowestBug = detections.reduce<[string, number]>((acc, [b, d]) => ((d.medianMs ?? Infinity) > acc[1] ? [b, d.medianMs ?? Infinity] : acc), ['', -1]);
const memFlat = mem === null ? null : mem.rssGrowthMiB <= RSS_FLAT_MIB && mem.heapGrowthMiB <= HEAP_FLAT_MIB;

for (const [what, x] of [['full mix, oracle off', mix.off], ['full mix, oracle on', mix.on], ['shared mix', mix.shared]] as const) {
  if (x.cpuShare < 0.9) {
    notes.push(`contention: the emulator (${what}) got ${x.cpuShare.toFixed(2)} of a CPU during its windows; per CPU-second it did ${fmt(x.eventsPerCpuSec)} events/s`);
  }
}
if (fz.scaling !== null && fz.scaling.cpusOne > 1.1) {
  notes.push(`fuzz scaling: with one fuzz worker running the process already kept ${fz.scaling.cpusOne.toFixed(2)} CPUs busy (background threads beside the worker, such as V8's garbage collector), ` +
    `so two workers on ${m.nproc} CPUs can gain at most about x${(m.nproc / fz.scaling.cpusOne).toFixed(2)}`);
}
if (fz.scaling !== null && fz.scaling.cpusTwo < 1.8) {
  notes.push(`contention: in the two-worker phases the process got ${fz.scaling.cpusTwo.toFixed(2)} CPUs (load average ${m.loadavgStart} at the start), so the speed-up cannot reach 2; ` +
    `runs per CPU-second with two workers were x${fz.scaling.cpuEfficiency.toFixed(2)} those with one`);
}

const workerStartMs = fz.workerStart?.ms ?? null;
const mutationCommandMs = fz.mutation === null || fz.mutation.exitStatus !== 0 ? null : fz.mutation.ms;
const mutationMs = fz.mutationRun === null || fz.mutationRun.exitStatus !== 0 || fz.mutationRun.mutants === 0 ? null : fz.mutationRun.msPerMutant;
if (!MUTATION) notes.push('mutation run: not measured (npm run -s bench -- --mutation times a whole one, some ten minutes); mutationCommandMs is one surviving mutant\'s campaign');
const perCpu = (n: number): number | null => {
  const xs = fz.scaling?.phases.filter((p) => p.workers === n).map((p) => p.runsPerCpuSec) ?? [];
  return xs.length === 0 ? null : median(xs);
};

/** Issue 12's targets, each against this run's figure. */
const targets: Target[] = [
  {
    name: 'emulator / real kernel, oracle off (same mix)', target: '>= 20x',
    value: ratio === null || ratioCpu === null ? 'n/a' : `${ratio.toFixed(1)}x (per CPU-second ${ratioCpu.toFixed(1)}x)`,
    reached: ratio === null ? null : ratio >= 20,
  },
  { name: 'events/s, oracle on (full mix)', target: '>= 800,000', value: fmt(mix.on.eventsPerSec), reached: mix.on.eventsPerSec >= 800_000 },
  { name: 'fuzz runs/s, 50 steps, 1 worker', target: '>= 5,000', value: runs50 === null ? 'n/a' : fmt(runs50), reached: runs50 === null ? null : runs50 >= 5000 },
  {
    name: 'worker start-up (compiled)', target: '< 150 ms', value: workerStartMs === null ? 'n/a' : `${fmt(workerStartMs)} ms`,
    reached: workerStartMs === null ? null : workerStartMs < 150,
  },
  {
    name: 'fuzz speed-up, 2 workers', target: '>= 1.7x',
    value: scaling2 === null || fz.scaling === null ? 'n/a' : `${scaling2.toFixed(2)}x (CPUs used: ${fz.scaling.cpusOne.toFixed(2)} -> ${fz.scaling.cpusTwo.toFixed(2)})`,
    reached: scaling2 === null ? null : scaling2 >= 1.7,
  },
  {
    name: 'every bug found, median < 50 ms', target: '< 50 ms each',
    value: `slowest ${slowestBug[0]}: ${Number.isFinite(slowestBug[1]) ? `${num(slowestBug[1], 1)} ms` : 'not found'}`,
    reached: slowestBug[1] < 50,
  },
  { name: 'corpus', target: '< 1,000 ms', value: corp === null ? 'n/a' : `${fmt(corp.ms)} ms`, reached: corp === null ? null : corp.ms < 1000 },
  {
    name: `memory flat, 1M -> ${P.rssMillions}M events`, target: `RSS +<= ${RSS_FLAT_MIB} MiB, heap +<= ${HEAP_FLAT_MIB} MiB`,
    value: mem === null ? 'n/a' : `RSS ${mem.rssGrowthMiB >= 0 ? '+' : ''}${mem.rssGrowthMiB.toFixed(1)} MiB, heap ${mem.heapGrowthMiB >= 0 ? '+' : ''}${mem.heapGrowthMiB.toFixed(2)} MiB`,
    reached: memFlat,
  },
  {
    name: 'mutation run of the fuzzer, per mutant', target: '< 2,000 ms',
    value: mutationMs === null ? (MUTATION ? 'n/a' : 'not measured (--mutation)') : `${fmt(mutationMs)} ms (${fz.mutationRun!.mutants} mutants in ${fmt(fz.mutationRun!.ms / 1000)} s)`,
    reached: mutationMs === null ? null : mutationMs < 2000,
  },
];

function mixJson(x: MixMeasure) {
  return {
    eventsPerSec: Math.round(x.eventsPerSec), windows: x.windows.map((w) => Math.round(w)), events: x.events, seconds: round(x.seconds, 3),
    cpuShare: round(x.cpuShare, 2), eventsPerCpuSec: Math.round(x.eventsPerCpuSec),
  };
}

const doc = {
  machine: m,
  eventsPerSecOracleOff: Math.round(mix.off.eventsPerSec),
  eventsPerSecOracleOn: Math.round(mix.on.eventsPerSec),
  fuzzRunsPerSec: Object.fromEntries(FUZZ_STEPS.map((s) => [String(s), round(fz.runs[String(s)]!.runsPerSec)])),
  fuzzScaling2: scaling2 === null ? null : round(scaling2, 2),
  /** Runs per CPU-second of the process in the steady-state phases, one worker and two (medians). */
  fuzzRunsPerCpuSec: { oneWorker: roundOrNull(perCpu(1)), twoWorkers: roundOrNull(perCpu(2)) },
  workerStartMs: roundOrNull(workerStartMs),
  mutationMsPerMutant: roundOrNull(mutationMs, 0),
  /** The mutation command once on the unmutated sources: the cost of a mutant the campaign does not kill. */
  mutationCommandMs: roundOrNull(mutationCommandMs, 0),
  bugDetection: Object.fromEntries(Object.entries(fz.detection).map(([bug, d]) => [bug, {
    medianMs: roundOrNull(d.medianMs), maxMs: roundOrNull(d.maxMs), medianRuns: d.medianRuns, maxRuns: d.maxRuns, found: d.found, seeds: d.seeds,
    perSeed: d.perSeed.map((s) => ({ seed: s.seed, found: s.found, runs: s.runs, ms: round(s.ms) })),
  }])),
  shrinkMs: roundOrNull(shrinkMs),
  corpusMs: corp === null ? null : round(corp.ms),
  rssGrowthMiB: mem === null ? null : round(mem.rssGrowthMiB, 2),
  realKernelEventsPerSec: real === null ? null : Math.round(real.eventsPerSec),
  realKernelRatio: ratio === null ? null : round(ratio, 2),
  details: {
    mix: {
      full: { eventsPerRound: FULL_EVENTS_PER_ROUND, oracleOff: mixJson(mix.off), oracleOn: mixJson(mix.on) },
      shared: { eventsPerRound: SHARED_EVENTS_PER_ROUND, oracleOff: mixJson(mix.shared) },
      method: `median of ${P.mixWindows} windows of ${P.mixWindowMs} ms after a warm-up, wall clock, one kernel per measurement`,
    },
    realKernel: real === null ? null : {
      ...real, eventsPerSec: Math.round(real.eventsPerSec), eventsPerCpuSec: Math.round(real.eventsPerCpuSec), windows: real.windows.map((w) => Math.round(w)),
      ratioSharedMix: roundOrNull(ratio, 2), ratioPerCpuSecond: roundOrNull(ratioCpu, 2), ratioFullMixVsReal: roundOrNull(ratioFull, 2),
    },
    fuzz: {
      stepsForDetectionAndScaling: DETECT_STEPS,
      runs: Object.fromEntries(Object.entries(fz.runs).map(([s, r]) => [s, { runsPerSec: round(r.runsPerSec), windows: r.windows.map((w) => round(w)), runs: r.runs, cleanFailures: r.cleanFailures }])),
      scaling2Source: fz.scaling !== null ? 'steadyState' : null,
      pool: fz.pool === null ? null : { runs: fz.pool.runs, oneWorkerMs: round(fz.pool.oneWorkerMs), twoWorkersMs: round(fz.pool.twoWorkersMs), speedup: round(fz.pool.speedup, 2), startupOneMs: round(fz.pool.startupOneMs), startupTwoMs: round(fz.pool.startupTwoMs), what: 'pool.ts runCampaignWorkers, one campaign, wall time including worker start-up; startup*: an 8-run campaign' },
      cpuScaling2: fz.cpu === null ? null : { speedup: round(fz.cpu.speedup, 2), cpusTwo: round(fz.cpu.cpusTwo, 2), what: 'two worker threads spinning on integer arithmetic, one alone then both: what this machine gives two threads' },
      steadyState: fz.scaling === null ? null : {
        oneWorker: round(fz.scaling.oneWorker), twoWorkers: round(fz.scaling.twoWorkers), speedup: round(fz.scaling.speedup, 2),
        cpuEfficiency: round(fz.scaling.cpuEfficiency, 2), cpusOne: round(fz.scaling.cpusOne, 2), cpusTwo: round(fz.scaling.cpusTwo, 2),
        phases: fz.scaling.phases.map((p) => ({ workers: p.workers, runsPerSec: round(p.runsPerSec), cpus: round(p.cpus, 2), runsPerCpuSec: round(p.runsPerCpuSec) })),
        what: 'two warmed-up worker threads (bench/fuzz_worker.ts), one alone then both, runs/s summed',
      },
      workerStart: fz.workerStart === null ? null : {
        ms: round(fz.workerStart.ms), tries: fz.workerStart.tries.map((t) => round(t)), twoWorkersMs: round(fz.workerStart.twoMs),
        what: 'a pool from dist/scenarios/fuzz/pool.js in a plain node process (bench/worker_start.mjs; the build\'s worker bundle): start to the end of one 8-run chunk of 1-step runs',
      },
      mutationCommand: fz.mutation === null ? null : {
        command: fz.mutation.command, ms: round(fz.mutation.ms), exitStatus: fz.mutation.exitStatus,
        what: 'stryker.fuzz.config.mjs\'s command once on the unmutated sources; Stryker runs it once a mutant (its own overhead on top)',
      },
      mutationRun: fz.mutationRun === null ? null : {
        ...fz.mutationRun, ms: round(fz.mutationRun.ms), msPerMutant: round(fz.mutationRun.msPerMutant),
        what: 'npm run mutation:fuzz with MUTATE_SAMPLE=14, wall time over the mutants run (2 at a time, stryker.shared.mjs concurrency)',
      },
      detectionCaps: { runsMax: P.detectRunsMax, msMax: P.detectMsMax },
      shrinks: fz.shrinks.map((s) => ({ ...s, ms: round(s.ms) })),
      shrinkMaxMs: fz.shrinks.length === 0 ? null : round(Math.max(...fz.shrinks.map((s) => s.ms))),
    },
    corpus: corp === null ? null : { files: corp.files, passed: corp.passed, firstPassMs: round(corp.firstPassMs), passesMs: corp.passes.map((t) => round(t)) },
    memory: mem === null ? null : {
      events: mem.events, eventsPerSec: Math.round(mem.eventsPerSec), heapGrowthMiB: round(mem.heapGrowthMiB, 3), state: mem.state,
      samples: mem.samples.map((s) => ({ events: s.events, rssMiB: round(s.rssMiB, 2), heapUsedMiB: round(s.heapUsedMiB, 3) })),
      flatIf: `RSS growth <= ${RSS_FLAT_MIB} MiB and heap growth <= ${HEAP_FLAT_MIB} MiB between the 1M and the last sample`,
    },
    quick: QUICK,
    wallSeconds: 0,
  },
  targets,
  notes,
};
doc.details.wallSeconds = round((performance.now() - t0) / 1000);
doc.machine.loadavgEnd = round(loadavg()[0]!, 2);
progress(`done in ${doc.details.wallSeconds} s`);

if (JSON_OUT) {
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
} else {
  process.stdout.write(table());
}

function table(): string {
  const rows: [string, string][] = [];
  const add = (k: string, v: string) => rows.push([k, v]);
  const mixRow = (x: MixMeasure) => `${fmt(x.eventsPerSec)}  (per CPU-second ${fmt(x.eventsPerCpuSec)}, CPU share ${x.cpuShare.toFixed(2)})`;
  add('events/s, full mix, oracle off', mixRow(mix.off));
  add('events/s, full mix, oracle on', mixRow(mix.on));
  add('events/s, shared mix, oracle off', mixRow(mix.shared));
  add('real kernel events/s, shared mix', real === null ? 'n/a (no cc)' : `${fmt(real.eventsPerSec)}  (per CPU-second ${fmt(real.eventsPerCpuSec)})`);
  add('emulator / real kernel, shared mix', ratio === null || ratioCpu === null ? 'n/a' : `${ratio.toFixed(1)}x  (per CPU-second ${ratioCpu.toFixed(1)}x)`);
  for (const s of FUZZ_STEPS) add(`fuzz runs/s, ${s} steps, 1 thread`, fmt(fz.runs[String(s)]!.runsPerSec));
  add('fuzz pool end to end, 1 -> 2 workers', fz.pool === null ? 'n/a' : `${fz.pool.speedup.toFixed(2)}x (${fz.pool.runs} runs: ${fmt(fz.pool.oneWorkerMs)} -> ${fmt(fz.pool.twoWorkersMs)} ms; start-up ${fmt(fz.pool.startupOneMs)} / ${fmt(fz.pool.startupTwoMs)} ms)`);
  add('fuzz speed-up, 2 threads (steady state)', fz.scaling === null ? 'n/a'
    : `${fz.scaling.speedup.toFixed(2)}x (${fmt(fz.scaling.oneWorker)} -> ${fmt(fz.scaling.twoWorkers)} runs/s; CPUs used ${fz.scaling.cpusOne.toFixed(2)} -> ${fz.scaling.cpusTwo.toFixed(2)}; runs per CPU-second x${fz.scaling.cpuEfficiency.toFixed(2)})`);
  add('machine: 2 spinning threads (ceiling)', fz.cpu === null ? 'n/a' : `${fz.cpu.speedup.toFixed(2)}x (got ${fz.cpu.cpusTwo.toFixed(2)} CPUs)`);
  add('fuzz runs per CPU-second, 1 -> 2 workers', `${num(perCpu(1), 0)} -> ${num(perCpu(2), 0)}`);
  add('worker start-up (compiled), 1 / 2 workers', fz.workerStart === null ? 'n/a' : `${fmt(fz.workerStart.ms)} / ${fmt(fz.workerStart.twoMs)} ms`);
  add('mutation command once, unmutated, ms', mutationCommandMs === null ? 'n/a' : fmt(mutationCommandMs));
  add('mutation run, ms per mutant', mutationMs === null ? (MUTATION ? 'n/a' : 'not measured (--mutation)') : `${fmt(mutationMs)} (${fz.mutationRun!.mutants} mutants)`);
  add('shrink, median ms', num(shrinkMs, 0));
  add('corpus wall time, ms', corp === null ? 'n/a' : `${num(corp.ms, 0)} (${corp.files} files, ${corp.passed} pass)`);
  add(`RSS growth, 1M -> ${P.rssMillions}M events`, mem === null ? 'n/a' : `${mem.rssGrowthMiB.toFixed(2)} MiB (heap ${mem.heapGrowthMiB.toFixed(3)} MiB)`);
  const w = Math.max(...rows.map((r) => r[0].length));
  let out = `procfs-emu benchmark: ${m.cpuModel} x${m.nproc}, node ${m.node}, ${m.runtime}, ${m.date}, load ${m.loadavgStart} -> ${m.loadavgEnd}\n\n`;
  for (const [k, v] of rows) out += `  ${k.padEnd(w)}  ${v}\n`;
  out += `\n  bug detection (${P.seeds} seeds, ${DETECT_STEPS} steps a run)\n`;
  const bw = Math.max(...detections.map(([b]) => b.length));
  out += `  ${'bug'.padEnd(bw)}  found  median ms  max ms  median runs  max runs\n`;
  for (const [b, d] of detections) {
    out += `  ${b.padEnd(bw)}  ${`${d.found}/${d.seeds}`.padStart(5)}  ${num(d.medianMs, 0).padStart(9)}  ${num(d.maxMs, 0).padStart(6)}  ${num(d.medianRuns, 0).padStart(11)}  ${num(d.maxRuns, 0).padStart(8)}\n`;
  }
  out += '\n  targets\n';
  const tw = Math.max(...targets.map((t) => t.name.length));
  const vw = Math.max(...targets.map((t) => t.value.length));
  for (const t of targets) {
    const verdict = t.reached === null ? 'n/a' : t.reached ? 'reached' : 'NOT reached';
    out += `  ${t.name.padEnd(tw)}  ${t.value.padEnd(vw)}  ${t.target.padEnd(14)}  ${verdict}\n`;
  }
  if (notes.length > 0) out += `\n  notes\n${notes.map((n) => `  - ${n}\n`).join('')}`;
  return out;
}
