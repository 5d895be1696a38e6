/**
 * A fuzz campaign's runs, as a worker thread needs them: runs 0 .. runs-1,
 * run i seeded from the campaign seed and i alone, so any subset of runs (a
 * shard, a worker's share, one run played alone) does exactly what the whole
 * campaign does for those runs.
 *
 * Failures are grouped by signature (failure.ts): a runner shrinks the first
 * failure of each signature it meets (every one with keepAll) and only
 * counts the others. Outcomes are settled in run order as soon as the runs
 * before them are done (Settler), which is when the caller writes repro
 * files and reports them; a campaign ends after its first maxFailures
 * failing runs, when every run is done, or when told to stop (time limit,
 * signal) at a run boundary, reporting every run done by then.
 *
 * What only a failing run needs, the shrinker and the loader (zod, yaml), is
 * not imported here: it comes in as CampaignTools (campaign.ts has them), so
 * a worker thread starts without it and loads it at its first need.
 */
import { isDeepStrictEqual } from 'node:util';
import type { BugName } from '../../emulator/bugs.ts';
import { marksDuring } from '../../emulator/marks.ts';
import type { Scenario } from '../types.ts';
import { type Signature, signatureText } from './failure.ts';
import { generate, type Generated } from './generate.ts';
import type { SeedSpec } from './prng.ts';
import { runPrng } from './prng.ts';
import { type ReproInfo, reproScenario } from './repro.ts';
import { type SessionResult, check, failureSignature, fingerprint, playScenario } from './session.ts';
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
  /** Shrink every failing run, not only the first of each signature (--keep-all). */
  keepAll?: boolean;
  /** Play this one run alone (--run N); the shard is then ignored. */
  only?: number;
  /**
   * false: report each failure with its whole generated scenario as the
   * repro, unshrunk, for a campaign that only asks whether anything fails
   * (the fuzzer's mutation run, stryker/campaign.mjs). Not a command-line option.
   */
  shrink?: false;
}

/** A repro ready to write (reproText adds the replay line). */
export interface Repro {
  /** The repro's failure: `steps[i]: message`. */
  message: string;
  scenario: Scenario;
  info: ReproInfo;
}

export interface RunFailure {
  run: number;
  signature: Signature;
  /** signatureText(signature): the class. */
  cls: string;
  swarm: string;
  /** The failure as the run found it, before shrinking: `steps[i]: message`. */
  found: string;
  /**
   * The repro: set for the first failure of its signature that a runner
   * met (so always for the first of the campaign, in run order) and, with
   * keepAll, for every failure; null for the rest, which are only counted.
   */
  repro: Repro | null;
}

export interface RunOutcome {
  run: number;
  failure: RunFailure | null;
}

/** How many runs this shard has. */
export function shardSize(o: Pick<CampaignOptions, 'runs' | 'shard' | 'only'>): number {
  if (o.only !== undefined) return 1;
  return Math.max(0, Math.ceil((o.runs - (o.shard.index - 1)) / o.shard.count));
}

/** The run at position `pos` of this shard (positions 0 .. shardSize-1, in run order). */
export function shardRun(o: Pick<CampaignOptions, 'shard' | 'only'>, pos: number): number {
  if (o.only !== undefined) return o.only;
  return o.shard.index - 1 + pos * o.shard.count;
}

/** The run indices of this shard, in order (small campaigns and tests). */
export function shardRuns(o: Pick<CampaignOptions, 'runs' | 'shard' | 'only'>): number[] {
  return Array.from({ length: shardSize(o) }, (_, pos) => shardRun(o, pos));
}

/**
 * What only a failing run (its shrunk repro) or --check-determinism (the
 * scenario loaded back from its text) needs; campaign.ts CAMPAIGN_TOOLS.
 */
export interface CampaignTools {
  /** The shrunk, pinned repro of a failing scenario (campaign.ts shrunkRepro). */
  shrunkRepro(s: Scenario, bugs: readonly BugName[], origin: ReproInfo['origin']): Repro;
  /** A scenario's text loaded back (load.ts loadScenarioText), or the loader's message. */
  loadBack(text: string, file: string): { ok: true; scenario: Scenario } | { ok: false; message: string };
}

/**
 * Plays runs of one campaign and remembers which signatures it has shrunk.
 * A runner sees its runs in increasing order (a worker takes chunks in
 * order), so the first failure of a signature in the whole campaign is
 * always the first of it for the runner that plays it: it is shrunk.
 * Without tools, a run that needs them is not played to its end (play).
 */
export class CampaignRunner {
  private readonly seen = new Set<string>();

  constructor(readonly o: CampaignOptions, public tools: CampaignTools | null = null) {}

  /** One run, which must not need tools the runner lacks. */
  run(run: number): RunOutcome {
    const out = this.play(run);
    if (out === null) throw new Error(`campaign: run ${run} needs the shrinker and the loader (campaign.ts CAMPAIGN_TOOLS), and this runner has none`);
    return out;
  }

  /**
   * One run: generate against a live session; on failure, confirm by replay,
   * then shrink it if it is new here. Null when it needs the tools and the
   * runner has none: nothing has changed then, and the run can be played
   * again once `tools` is set.
   */
  play(run: number): RunOutcome | null {
    const o = this.o;
    const g = marksDuring(() => generate(runPrng(o.seed, run), { steps: o.steps, bugs: o.bugs }));
    if (o.checkDeterminism) {
      if (this.tools === null) return null;
      const diff = determinismDiff(o, run, g, this.tools);
      if (diff !== null) return { run, failure: unshrunk(o, run, g, diff) };
    }
    if (g.result.failure === null) return { run, failure: null };
    const found = g.result.failure;
    const sig = failureSignature(g.scenario, g.result);
    const replay = check(g.scenario, o.bugs);
    if (replay.failure === null || signatureText(failureSignature(g.scenario, replay)) !== signatureText(sig)) {
      const message = `nondeterminism: the generated scenario failed at steps[${found.step}] (${found.message}), ` +
        `but replayed it gives ${replay.failure === null ? 'no failure' : `steps[${replay.failure.step}]: ${replay.failure.message}`}`;
      return { run, failure: unshrunk(o, run, g, { step: found.step, message }) };
    }
    const cls = signatureText(sig);
    if (o.shrink === false) {
      this.seen.add(cls);
      return { run, failure: unshrunk(o, run, g, { step: found.step, message: found.message }) };
    }
    const shrinkIt = !this.seen.has(cls) || o.keepAll === true;
    if (shrinkIt && this.tools === null) return null;
    this.seen.add(cls);
    const origin = { seed: o.seed, run, steps: o.steps, swarm: formatSwarm(g.swarm) };
    const repro = shrinkIt ? this.tools!.shrunkRepro(g.scenario, o.bugs, origin) : null;
    return { run, failure: { run, signature: sig, cls, swarm: origin.swarm, found: `steps[${found.step}]: ${found.message}`, repro } };
  }
}

/** A failure reported with the whole generated scenario as its repro (nothing to shrink it against). */
function unshrunk(o: CampaignOptions, run: number, g: Generated, f: { step: number; message: string }): RunFailure {
  const verdict: SessionResult = { failure: f, played: g.result.played, trace: [] };
  const sig = failureSignature(g.scenario, verdict);
  const cls = signatureText(sig);
  const swarm = formatSwarm(g.swarm);
  const info: ReproInfo = {
    origin: { seed: o.seed, run, steps: o.steps, swarm }, bugs: o.bugs, cls, rule: sig.rule, failure: f,
    originalSteps: g.scenario.steps.length, pinned: 0, reference: null,
  };
  const message = `steps[${f.step}]: ${f.message}`;
  return { run, signature: sig, cls, swarm, found: message, repro: { message, scenario: reproScenario(g.scenario, info), info } };
}

/**
 * --check-determinism: the run generated a second time must give the same
 * steps and the same records, and so must the scenario written out, loaded
 * back and replayed. The first step where they differ, or null.
 */
function determinismDiff(o: CampaignOptions, run: number, g: Generated, tools: CampaignTools): { step: number; message: string } | null {
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
  const l = tools.loadBack(text, `run-${run}.yaml`);
  if (!l.ok) return { step: 0, message: `nondeterminism: the generated scenario does not load: ${l.message}` };
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

// ---- stopping and settling ------------------------------------------------------

export type StopReason = 'time' | 'interrupted';

/**
 * A request to stop at the next run boundary, visible to worker threads
 * through shared memory (they look at it between runs). `halt` stops the
 * runs without a reason (the campaign has its failures).
 */
export class StopFlag {
  readonly buffer = new SharedArrayBuffer(4);
  private readonly cell = new Int32Array(this.buffer);
  reason: StopReason | null = null;

  stop(reason: StopReason): void {
    this.reason ??= reason;
    this.halt();
  }

  halt(): void {
    Atomics.store(this.cell, 0, 1);
  }

  get stopped(): boolean {
    return Atomics.load(this.cell, 0) !== 0;
  }
}

/** Is the flag in `buffer` (a StopFlag's) raised? For worker threads. */
export function flagRaised(buffer: SharedArrayBuffer): boolean {
  return Atomics.load(new Int32Array(buffer), 0) !== 0;
}

export interface CampaignHooks {
  /** Raised to stop at the next run boundary (time limit, signal). */
  stop?: StopFlag;
  /** Each outcome in run order, once every run before it is settled: write and report it here. */
  onOutcome?: (out: RunOutcome) => void;
  /** Runs finished so far (in any order) out of the shard's total. */
  onProgress?: (done: number, total: number) => void;
}

export interface CampaignResult {
  /** Runs reported: every run settled, in run order. */
  runs: number;
  /** The failing runs reported, in run order. */
  failures: RunFailure[];
  stopped: 'done' | 'failures' | StopReason;
}

/**
 * Outcomes by shard position, in any order, settled in run order: position
 * p is reported once 0 .. p-1 are, and nothing after the maxFailures-th
 * failure. What a stop leaves beyond a gap is settled by finish. A failure
 * that is not the first of its class keeps its repro only with keepAll (a
 * worker may have shrunk it, not knowing of an earlier one elsewhere), so
 * the result is the same for any number of workers.
 */
export class Settler {
  private readonly pending = new Map<number, RunOutcome>();
  private readonly classes = new Set<string>();
  private next = 0;
  private readonly result: CampaignResult = { runs: 0, failures: [], stopped: 'done' };
  /** The campaign has its failures: nothing more is reported. */
  cut = false;

  constructor(
    private readonly total: number,
    private readonly maxFailures: number,
    private readonly onOutcome?: (out: RunOutcome) => void,
    private readonly keepAll = false,
  ) {}

  put(pos: number, out: RunOutcome): void {
    if (this.cut) return;
    this.pending.set(pos, out);
    for (let o = this.pending.get(this.next); o !== undefined && !this.cut; o = this.pending.get(this.next)) {
      this.pending.delete(this.next);
      this.next++;
      this.settle(o);
    }
  }

  private settle(given: RunOutcome): void {
    let out = given;
    const f = out.failure;
    if (f !== null) {
      if (this.classes.has(f.cls) && !this.keepAll && f.repro !== null) out = { run: out.run, failure: { ...f, repro: null } };
      this.classes.add(f.cls);
      this.result.failures.push(out.failure!);
    }
    this.result.runs++;
    this.onOutcome?.(out);
    if (this.maxFailures > 0 && this.result.failures.length >= this.maxFailures) this.cut = true;
  }

  /** The report: runs after a gap (a stop at a run boundary) are settled too, in run order. */
  finish(reason: StopReason | null): CampaignResult {
    for (const pos of [...this.pending.keys()].sort((a, b) => a - b)) {
      if (this.cut) break;
      this.settle(this.pending.get(pos)!);
    }
    this.pending.clear();
    const r = this.result;
    r.stopped = this.cut ? 'failures' : r.runs === this.total ? 'done' : (reason ?? 'time');
    return r;
  }
}
