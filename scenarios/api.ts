/**
 * The public API (`import ... from 'procfs-emu'`, docs/api.md): load a
 * scenario, build one in code, run one or many into the report objects the
 * command line prints, and fuzz, shrink and replay. Problems with a scenario
 * are values (an InvalidError, a failing report), never exceptions.
 * Everything here wraps the engine (load.ts, report.ts, fuzz/); the engine
 * itself is `procfs-emu/scenarios`.
 */
import type { BugName } from '../emulator/bugs.ts';
import { BUILT_FILE } from './builder.ts';
import { collectScenarioFiles } from './collect.ts';
import { StopFlag, runCampaignInline, shrunkRepro } from './fuzz/campaign.ts';
import type { CampaignHooks, CampaignOptions, RunFailure } from './fuzz/campaign.ts';
import { type CampaignReport, Tally, campaignIdentity, engineName } from './fuzz/merge.ts';
import { runCampaignWorkers } from './fuzz/pool.ts';
import type { SeedSpec } from './fuzz/prng.ts';
import { reproBaseName, reproText, writeReproFile } from './fuzz/repro.ts';
import { check } from './fuzz/session.ts';
import { writeScenario } from './fuzz/write.ts';
import type { LoadResult } from './load.ts';
import { exitStatus, reportLoaded, runDocument, runFile, type FileReport, type RunDocument } from './report.ts';
import type { Scenario } from './types.ts';

export { buildScenario } from './builder.ts';
export type { ScenarioInput, StepFields, StepInput } from './builder.ts';
export { formatInvalid, loadScenarioFile, loadScenarioText } from './load.ts';
export type { InvalidError, LoadResult } from './load.ts';
export { exitStatus, reportLoaded, runDocument, runFile } from './report.ts';
export type { FileReport, RunDocument } from './report.ts';
export type { Expect, Scenario, Step } from './types.ts';
export type { BugName } from '../emulator/bugs.ts';
export type { SeedSpec } from './fuzz/prng.ts';
export type { CampaignReport, ClassReport } from './fuzz/merge.ts';
export { StopFlag } from './fuzz/campaign.ts';

// ---- running ----------------------------------------------------------------

export interface RunOptions {
  /** Injected bugs switched on besides each scenario's own (emulator/bugs.ts). */
  bugs?: readonly BugName[];
}

export type RunSummary =
  | { ok: true; reports: FileReport[]; document: RunDocument; exitStatus: number }
  | { ok: false; message: string; exitStatus: 2 };

/**
 * runFiles: what `procfs-emu run` does without printing: find the scenario
 * files (a directory is searched for *.yaml and *.yml), run each, and give
 * the reports, the --json document and the exit status. A path that does not
 * exist or holds no scenario is `ok: false`.
 */
export function runFiles(paths: string | readonly string[], opts: RunOptions = {}): RunSummary {
  const found = collectScenarioFiles(typeof paths === 'string' ? [paths] : paths);
  if (!found.ok) return { ok: false, message: found.message, exitStatus: 2 };
  const reports = found.files.map((f) => runFile(f, opts.bugs ?? []));
  const document = runDocument(reports);
  return { ok: true, reports, document, exitStatus: exitStatus(document) };
}

/**
 * runLoaded: run a scenario already loaded (from text, or built in code) into
 * the report runFile gives for a file. `file` labels it in the report
 * (default `<built>`; an invalid result keeps the loader's file name).
 */
export function runLoaded(l: LoadResult, opts: RunOptions & { file?: string } = {}): FileReport {
  return reportLoaded(opts.file ?? (l.ok ? BUILT_FILE : l.error.file), l, { bugs: opts.bugs ?? [] });
}

// ---- fuzzing ----------------------------------------------------------------

export interface FuzzOptions {
  /** The campaign seed: an integer or a 40-hex commit hash (default 0). */
  seed?: SeedSpec;
  /** Runs in the whole campaign (default 1000). */
  runs?: number;
  /** Steps per run (default 50). */
  steps?: number;
  /** Injected bugs to switch on (default none). */
  bugs?: readonly BugName[];
  /** This machine's share, `{ index: I, count: N }` (default 1/1). */
  shard?: { index: number; count: number };
  /** Worker threads (default 1: this thread). The report is the same for any number. */
  workers?: number;
  /** Stop after this many failing runs, 0 for never (default 1). */
  maxFailures?: number;
  /** Run each seed twice (and once from its file) and report the first difference. */
  checkDeterminism?: boolean;
  /** Where to write each failure's repro file (default: none written). */
  out?: string;
  /** Raise it (`stop.stop('time')`) to end the campaign at the next run boundary: a time limit, a signal. */
  stop?: StopFlag;
  /** Runs finished so far out of the shard's total. */
  onProgress?: (done: number, total: number) => void;
}

/** One failure class: its first failing run, whose repro was shrunk and written, and the count of the rest. */
export interface FuzzFailure {
  run: number;
  /** Every failing run of the class, in run order (run is the first). */
  runs: number[];
  /** `steps[i]: ...`: the shrunk repro's failure. */
  message: string;
  /** The failure class: the rule broken, the step kind and the procfs node type (`oracle [procfs_inactive] on exit /proc/N`). */
  cls: string;
  /** What the run's swarm switched on. */
  swarm: string;
  /** The shrunk repro: a scenario that fails the same way. */
  repro: Scenario;
  /** The repro as YAML, as written to `file`. */
  text: string;
  /** The repro file (only with `out`). */
  file?: string;
  /** The command that replays it (only with `out`). */
  replay?: string;
  /** Steps of the generated run before shrinking. */
  originalSteps: number;
}

export interface FuzzReport {
  seed: SeedSpec;
  /** Runs done, from the shard's first, in run order: the report covers exactly these. */
  runs: number;
  /** One per failure class, in the order of their first failing runs. */
  failures: FuzzFailure[];
  stopped: CampaignReport['stopped'];
  /** The report `fuzz --json` prints for the same campaign (repro files named only with `out`). */
  report: CampaignReport;
}

/** The command that replays a repro file with the package's bin. */
export function replayCommand(file: string): string {
  return `npx procfs-emu replay ${file}`;
}

/**
 * fuzz: a seeded campaign (the `fuzz` command without printing). The same
 * options give the same report on any machine and for any number of workers.
 */
export async function fuzz(opts: FuzzOptions = {}): Promise<FuzzReport> {
  const o: CampaignOptions = {
    seed: opts.seed ?? 0, runs: opts.runs ?? 1000, steps: opts.steps ?? 50, bugs: opts.bugs ?? [],
    shard: opts.shard ?? { index: 1, count: 1 }, checkDeterminism: opts.checkDeterminism === true,
    maxFailures: opts.maxFailures ?? 1,
  };
  const tally = new Tally(false);
  const failures = new Map<string, FuzzFailure>();
  const hooks: CampaignHooks = {
    onOutcome: (out) => {
      const f = out.failure;
      if (f === null) return;
      const known = failures.get(f.cls);
      if (known !== undefined) {
        known.runs.push(f.run);
        tally.add(f, null);
        return;
      }
      const made = fuzzFailure(f, opts.out);
      failures.set(f.cls, made);
      tally.add(f, made.file ?? '');
    },
    ...(opts.stop === undefined ? {} : { stop: opts.stop }),
    ...(opts.onProgress === undefined ? {} : { onProgress: opts.onProgress }),
  };
  const workers = opts.workers ?? 1;
  const r = workers > 1 ? await runCampaignWorkers(o, workers, hooks) : await runCampaignInline(o, hooks);
  const report = tally.report(campaignIdentity(o, engineName()), `${o.shard.index}/${o.shard.count}`, r);
  return { seed: o.seed, runs: r.runs, stopped: r.stopped, failures: [...failures.values()], report };
}

function fuzzFailure(f: RunFailure, out: string | undefined): FuzzFailure {
  const repro = f.repro;
  if (repro === null) throw new Error(`fuzz: the first failing run of class ${f.cls} (run ${f.run}) has no repro`);
  const base = {
    run: f.run, runs: [f.run], message: repro.message, cls: f.cls, swarm: f.swarm, repro: repro.scenario,
    originalSteps: repro.info.originalSteps,
  };
  if (out === undefined) return { ...base, text: writeScenario(repro.scenario) };
  let text = '';
  const file = writeReproFile(out, reproBaseName(repro.info), (p) => (text = reproText(repro.scenario, p)));
  return { ...base, text, file, replay: replayCommand(file) };
}

export type ShrinkReport =
  | { status: 'pass' }
  | { status: 'fail'; failure: { step: number; message: string }; cls: string; repro: Scenario; originalSteps: number };

/**
 * shrinkScenario: the `shrink` command on a scenario: when it fails (oracle,
 * fuzz invariants or its own expectations), the smallest scenario found that
 * fails the same way, described as a repro. `file` names where it came from.
 */
export function shrinkScenario(s: Scenario, opts: RunOptions & { file?: string } = {}): ShrinkReport {
  const bugs = opts.bugs ?? [];
  if (check(s, bugs).failure === null) return { status: 'pass' };
  const made = shrunkRepro(s, bugs, { file: opts.file ?? '<scenario>' });
  const i = made.info;
  return { status: 'fail', failure: i.failure, cls: i.cls, repro: made.scenario, originalSteps: i.originalSteps };
}

export interface ReplayReport {
  status: 'pass' | 'fail';
  failure: { step: number; message: string } | null;
  /** One line per step played (with `trace: true`), in the `--trace` format. */
  trace: string[];
}

/**
 * replayScenario: the `replay` command on a scenario: the oracle, the fuzz
 * invariants and, when it expects anything, its expectations.
 */
export function replayScenario(s: Scenario, opts: RunOptions & { trace?: boolean } = {}): ReplayReport {
  const r = check(s, opts.bugs ?? [], opts.trace === true);
  return { status: r.failure === null ? 'pass' : 'fail', failure: r.failure, trace: r.trace };
}
