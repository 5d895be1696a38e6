/**
 * A fuzz campaign: runs 0 .. runs-1, run i seeded from the campaign seed and
 * i alone, so any subset of runs (a shard, a worker's share) does exactly
 * what the whole campaign does for those runs. Results are reported in run
 * order; a campaign stops after its first failures (in run order) or, with a
 * time limit, at a run boundary, reporting the runs done before it.
 */
import { isDeepStrictEqual } from 'node:util';
import type { BugName } from '../../emulator/bugs.ts';
import { formatInvalid, loadScenarioText } from '../load.ts';
import type { Scenario } from '../types.ts';
import { failureClass } from './failure.ts';
import { generate, type Generated } from './generate.ts';
import type { SeedSpec } from './prng.ts';
import { runPrng } from './prng.ts';
import { type ReproInfo, reproScenario } from './repro.ts';
import { check, fingerprint, playScenario } from './session.ts';
import { pinFailingStep, shrink } from './shrink.ts';
import { formatSwarm } from './swarm.ts';
import { writeScenario } from './write.ts';

export interface CampaignOptions {
  seed: SeedSpec;
  /** The whole campaign's runs: 0 .. runs-1. */
  runs: number;
  steps: number;
  bugs: readonly BugName[];
  /** This machine's share: runs i with i % count === index - 1. */
  shard: { index: number; count: number };
  checkDeterminism: boolean;
  /** Stop once this many runs failed (0: never stop early). */
  maxFailures: number;
}

export interface RunFailure {
  run: number;
  /** The shrunk repro's failure. */
  message: string;
  cls: string;
  swarm: string;
  /** The repro, ready to write (reproText adds the replay line). */
  repro: Scenario;
  info: ReproInfo;
}

export interface RunOutcome {
  run: number;
  failure: RunFailure | null;
}

/** How many runs this shard has. */
export function shardSize(o: Pick<CampaignOptions, 'runs' | 'shard'>): number {
  return Math.max(0, Math.ceil((o.runs - (o.shard.index - 1)) / o.shard.count));
}

/** The run at position `pos` of this shard (positions 0 .. shardSize-1, in run order). */
export function shardRun(o: Pick<CampaignOptions, 'shard'>, pos: number): number {
  return o.shard.index - 1 + pos * o.shard.count;
}

/** The run indices of this shard, in order (small campaigns and tests). */
export function shardRuns(o: Pick<CampaignOptions, 'runs' | 'shard'>): number[] {
  return Array.from({ length: shardSize(o) }, (_, pos) => shardRun(o, pos));
}

/** One run: generate against a live session; on failure, confirm by replay, shrink, and build the repro. */
export function runOne(o: CampaignOptions, run: number): RunOutcome {
  const g = generate(runPrng(o.seed, run), { steps: o.steps, bugs: o.bugs });
  if (o.checkDeterminism) {
    const diff = determinismDiff(o, run, g);
    if (diff !== null) return { run, failure: unshrunk(o, run, g, { step: diff.step, message: diff.message }) };
  }
  if (g.result.failure === null) return { run, failure: null };
  return { run, failure: shrunkFailure(o, run, g, g.result.failure) };
}

function shrunkFailure(o: CampaignOptions, run: number, g: Generated, found: { step: number; message: string }): RunFailure {
  const replay = check(g.scenario, o.bugs);
  const same = replay.failure !== null && failureClass(replay.failure.message) === failureClass(found.message);
  if (!same) {
    const message = `nondeterminism: the generated scenario failed at steps[${found.step}] (${found.message}), ` +
      `but replayed it gives ${replay.failure === null ? 'no failure' : `steps[${replay.failure.step}]: ${replay.failure.message}`}`;
    return unshrunk(o, run, g, { step: found.step, message });
  }
  const r = shrink(g.scenario, { bugs: o.bugs });
  const cls = failureClass(r.failure.message);
  const withBugs: Scenario = { ...r.scenario, bugs: [...new Set([...r.scenario.bugs, ...o.bugs])] };
  const pinned = cls.startsWith('invariant') ? pinFailingStep(withBugs, [], r.failure.step) : withBugs;
  const swarm = formatSwarm(g.swarm);
  const info: ReproInfo = {
    origin: { seed: o.seed, run, steps: o.steps, swarm },
    bugs: o.bugs, cls, failure: r.failure, originalSteps: g.scenario.steps.length,
  };
  return { run, message: `steps[${r.failure.step}]: ${r.failure.message}`, cls, swarm, repro: reproScenario(pinned, info), info };
}

/** A failure reported with the whole generated scenario as its repro (nothing to shrink it against). */
function unshrunk(o: CampaignOptions, run: number, g: Generated, f: { step: number; message: string }): RunFailure {
  const cls = failureClass(f.message);
  const swarm = formatSwarm(g.swarm);
  const info: ReproInfo = { origin: { seed: o.seed, run, steps: o.steps, swarm }, bugs: o.bugs, cls, failure: f, originalSteps: g.scenario.steps.length };
  return { run, message: `steps[${f.step}]: ${f.message}`, cls, swarm, repro: reproScenario(g.scenario, info), info };
}

/**
 * --check-determinism: the run generated a second time must give the same
 * steps and the same records, and so must the scenario written out, loaded
 * back and replayed. The first step where they differ, or null.
 */
function determinismDiff(o: CampaignOptions, run: number, g: Generated): { step: number; message: string } | null {
  const again = generate(runPrng(o.seed, run), { steps: o.steps, bugs: o.bugs });
  const first = g.result.played.map(fingerprint);
  const second = again.result.played.map(fingerprint);
  const byStep = firstDifference(g.scenario.steps.map((s) => JSON.stringify(s)), again.scenario.steps.map((s) => JSON.stringify(s)));
  if (byStep !== null) return { step: byStep, message: `nondeterminism: generating run ${run} twice gave different steps at steps[${byStep}]` };
  const byRecord = firstDifference(first, second);
  if (byRecord !== null) {
    return { step: byRecord, message: `nondeterminism: run ${run} played twice differs at steps[${byRecord}]: ${first[byRecord] ?? '(none)'} | ${second[byRecord] ?? '(none)'}` };
  }
  const text = writeScenario(g.scenario);
  const l = loadScenarioText(text, `run-${run}.yaml`);
  if (!l.ok) return { step: 0, message: `nondeterminism: the generated scenario does not load: ${formatInvalid(l.error)}` };
  if (!isDeepStrictEqual(l.scenario, g.scenario)) return { step: 0, message: 'nondeterminism: the generated scenario changes when written and loaded back' };
  const replayed = playScenario(l.scenario, o.bugs).played.map(fingerprint);
  const byReplay = firstDifference(first, replayed);
  if (byReplay !== null) {
    return { step: byReplay, message: `nondeterminism: run ${run} replayed from its file differs at steps[${byReplay}]: ${first[byReplay] ?? '(none)'} | ${replayed[byReplay] ?? '(none)'}` };
  }
  return null;
}

function firstDifference(a: readonly string[], b: readonly string[]): number | null {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return null;
}

export interface CampaignHooks {
  /** Asked at run boundaries: true ends the campaign there (the time limit). */
  shouldStop?: () => boolean;
  /** Runs finished so far (in any order) out of the shard's total. */
  onProgress?: (done: number, total: number) => void;
}

export interface CampaignResult {
  /** Runs done, in run order from the shard's first: the report covers exactly these. */
  runs: number;
  failures: RunFailure[];
  stopped: 'done' | 'failures' | 'time';
}

/** The report of a campaign from its outcomes by position (undefined or missing = not done). */
export function settle(outcomes: readonly (RunOutcome | undefined)[], maxFailures: number, total: number): CampaignResult {
  const failures: RunFailure[] = [];
  for (let pos = 0; pos < total; pos++) {
    const out = outcomes[pos];
    if (out === undefined) return { runs: pos, failures, stopped: 'time' };
    if (out.failure !== null) failures.push(out.failure);
    if (maxFailures > 0 && failures.length >= maxFailures) return { runs: pos + 1, failures, stopped: 'failures' };
  }
  return { runs: total, failures, stopped: 'done' };
}

/** The campaign in this thread, yielding to the event loop between runs (progress bars, signals). */
export async function runCampaignInline(o: CampaignOptions, hooks: CampaignHooks = {}): Promise<CampaignResult> {
  const total = shardSize(o);
  const outcomes: RunOutcome[] = [];
  let failures = 0;
  for (let pos = 0; pos < total; pos++) {
    if (hooks.shouldStop?.() === true) break;
    const out = runOne(o, shardRun(o, pos));
    outcomes.push(out);
    if (out.failure !== null) failures++;
    hooks.onProgress?.(outcomes.length, total);
    if (o.maxFailures > 0 && failures >= o.maxFailures) break;
    if (outcomes.length % 16 === 0) await new Promise<void>((r) => setImmediate(r));
  }
  return settle(outcomes, o.maxFailures, total);
}
