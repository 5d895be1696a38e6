/**
 * The fuzzing commands: `fuzz`, `merge`, `shrink`, `replay` and `bugs`,
 * added to the engine's commander program by registerFuzzCommands. Usage
 * errors are one line on stderr and exit status 2; a campaign exits 1 when
 * it found something, else 0, and 130 or 143 when SIGINT or SIGTERM stopped
 * it. The clock is read here only (time limit, progress), and never decides
 * which runs are reported.
 */
import { readFileSync, statSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { nowMs } from '../../bin/clock.ts';
import { BUGS, BUG_NAMES, type BugName, isBugName } from '../../emulator/bugs.ts';
import { collectScenarioFiles } from '../collect.ts';
import { STEPS_MAX } from '../fields.ts';
import { formatInvalid, loadScenarioFile } from '../load.ts';
import { type Judge, commandPrefix, replayCommandLine, runDocument, runFile } from '../report.ts';
import {
  OUTPUT_HELP, PROCESS_STREAMS, REPORTER_HELP, type ReporterFlags, type ReporterSpec, ReporterUsageError, collect, emitReports,
  reporterSpecs, runFiles,
} from '../reporters/index.ts';
import { type Paint, scenarioLine } from '../reporters/text.ts';
import type { CampaignOptions, CampaignResult, RunOutcome } from './campaign.ts';
import { StopFlag, runCampaignInline, shardSize, shrunkRepro } from './campaign.ts';
import { describeRun } from './generate.ts';
import { type CampaignReport, MergeError, engineName, Tally, campaignIdentity, mergeReports, parseReport } from './merge.ts';
import { runCampaignWorkers } from './pool.ts';
import { runCampaignCounting } from './marks.ts';
import { type SeedSpec, parseSeed, runPrng, seedText } from './prng.ts';
import { Progress, colorEnabled, painter } from './progress.ts';
import { reproBaseName, reproText, rerunArgs, writeReproFile } from './repro.ts';
import { check } from './session.ts';

class FuzzUsageError extends Error {}

// ---- option parsers (they run while commander parses: errors exit 2 there) ----

function count(name: string, min: number, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v) => {
    if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`${name} takes an integer ${range}, found "${v}".`);
    }
    return Number(v);
  };
}

function seedArg(v: string): SeedSpec {
  const s = parseSeed(v);
  if (s === null) throw new InvalidArgumentError(`a seed is a non-negative integer or a 40-hex commit hash, found "${v}".`);
  return s;
}

function bugsArg(v: string): BugName[] {
  const names = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) {
    if (!isBugName(n)) throw new InvalidArgumentError(`unknown bug "${n}" (known: ${BUG_NAMES.join(', ')}).`);
  }
  return [...new Set(names)] as BugName[];
}

function shardArg(v: string): { index: number; count: number } {
  const m = /^([0-9]+)\/([0-9]+)$/.exec(v);
  const index = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (m === null || n < 1 || index < 1 || index > n) throw new InvalidArgumentError(`a shard is I/N with 1 <= I <= N, found "${v}".`);
  return { index, count: n };
}

function secondsArg(v: string): number {
  const n = Number(v);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(v) || !(n > 0)) throw new InvalidArgumentError(`--time-limit takes a number of seconds > 0, found "${v}".`);
  return n;
}

// ---- fuzz ---------------------------------------------------------------------

interface FuzzFlags extends ReporterFlags {
  seed: SeedSpec;
  runs: number;
  steps: number;
  bugs: BugName[];
  timeLimit?: number;
  out: string;
  shard: { index: number; count: number };
  workers: number;
  checkDeterminism?: boolean;
  verbose?: boolean;
  maxFailures: number;
  keepAll?: boolean;
  run?: number;
  marks?: boolean;
}

function checkOutDir(out: string): void {
  try {
    if (!statSync(out).isDirectory()) throw new FuzzUsageError(`--out: ${out} exists and is not a directory`);
  } catch (e) {
    if (e instanceof FuzzUsageError) throw e;
    // Missing: made when the first repro is written.
  }
}


const SIGNAL_STATUS = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_STATUS;

/**
 * SIGINT and SIGTERM ask the campaign to stop at the next run boundary; the
 * handlers are then removed, so a second signal ends the process at once
 * (repro files already written are whole: they are linked into place).
 */
function onStopSignals(stop: StopFlag, say: (line: string) => void): { received: () => StopSignal | null; dispose: () => void } {
  let received: StopSignal | null = null;
  const handlers = new Map<StopSignal, () => void>();
  const dispose = () => {
    for (const [sig, h] of handlers) process.removeListener(sig, h);
    handlers.clear();
  };
  for (const sig of Object.keys(SIGNAL_STATUS) as StopSignal[]) {
    const h = () => {
      received = sig;
      dispose();
      stop.stop('interrupted');
      say(`fuzz: ${sig}: stopping at the next run boundary (again to stop at once)`);
    };
    handlers.set(sig, h);
    process.on(sig, h);
  }
  return { received: () => received, dispose };
}

async function fuzzCommand(f: FuzzFlags): Promise<number> {
  checkOutDir(f.out);
  const reporters = specsOrUsage(f);
  const o: CampaignOptions = {
    seed: f.seed, runs: f.runs, steps: f.steps, bugs: f.bugs, shard: f.run === undefined ? f.shard : { index: 1, count: 1 },
    checkDeterminism: f.checkDeterminism === true, maxFailures: f.maxFailures, keepAll: f.keepAll === true,
    ...(f.run === undefined ? {} : { only: f.run }),
  };
  const errColor = colorEnabled(process.env, process.stderr.isTTY === true);
  const red = (s: string) => painter(errColor)(31, s);
  const ui = new Progress({
    total: shardSize(o), tty: process.stderr.isTTY === true, color: errColor, now: nowMs,
    write: (s) => process.stderr.write(s), columns: () => process.stderr.columns ?? 80,
  });
  const log = (s: string) => ui.log(s);
  log(`fuzz: seed ${seedText(f.seed)}, ${f.run === undefined ? `runs ${f.runs}` : `run ${f.run}`}, steps ${f.steps}, ` +
    `bugs ${f.bugs.length === 0 ? 'none' : f.bugs.join(',')}, ` +
    `shard ${o.shard.index}/${o.shard.count}, workers ${f.workers}${o.checkDeterminism ? ', check-determinism' : ''}` +
    `${o.keepAll === true ? ', keep-all' : ''}${f.timeLimit === undefined ? '' : `, time limit ${f.timeLimit} s`}`);
  const t0 = nowMs();
  const stop = new StopFlag();
  const signals = onStopSignals(stop, log);
  const timer = f.timeLimit === undefined ? null : setTimeout(() => stop.stop('time'), f.timeLimit * 1000);
  const ticker = setInterval(() => ui.tick(), 1000);
  const tally = new Tally(o.keepAll === true);
  const onOutcome = (out: RunOutcome) => {
    if (f.verbose === true) log(`run ${out.run} (seed ${seedText(f.seed)}/run/${out.run}): ${describeRun(runPrng(f.seed, out.run))}`);
    const x = out.failure;
    if (x === null) return;
    const first = tally.isNew(x);
    if (!first && o.keepAll !== true) {
      tally.add(x, null);
      log(`fuzz: run ${x.run} failed (${x.cls}): ${x.found} [class ${tally.classNumber(x)}, ${tally.runsOf(x)} runs]`);
    } else {
      const repro = x.repro;
      if (repro === null) throw new Error(`fuzz: run ${x.run} has no repro`);
      const path = writeReproFile(f.out, reproBaseName(repro.info), (p) => reproText(repro.scenario, p));
      tally.add(x, path);
      log(red(`fuzz: run ${x.run} failed (${x.cls}): ${repro.message}`) + (first ? ` [new class ${tally.classNumber(x)}]` : ` [class ${tally.classNumber(x)}]`));
      log(`  swarm: ${x.swarm}`);
      log(`  shrunk from ${repro.info.originalSteps} to ${repro.scenario.steps.length} steps: ${path}`);
      log(`  rerun: ${commandPrefix()} ${rerunArgs({ seed: f.seed, run: x.run, steps: f.steps }, f.bugs)}`);
      log(replayCommandLine(path));
    }
    ui.failed(tally.classCount, tally.failingRuns);
  };
  const hooks = { stop, onOutcome, onProgress: (done: number) => ui.update(done) };
  let r: CampaignResult;
  let marks: Record<string, number> | null = null;
  try {
    if (f.marks === true) ({ result: r, marks } = await runCampaignCounting(o, f.workers, hooks));
    else r = f.workers > 1 ? await runCampaignWorkers(o, f.workers, hooks) : await runCampaignInline(o, hooks);
  } finally {
    if (timer !== null) clearTimeout(timer);
    clearInterval(ticker);
    signals.dispose();
    ui.stop();
  }
  const report = tally.report(campaignIdentity(o, engineName()), `${o.shard.index}/${o.shard.count}`, r);
  printReport(marks === null ? report : { ...report, marks }, reporters);
  if (marks !== null) process.stderr.write(`fuzz: ${Object.keys(marks).length} coverage marks hit (procfs-emu coverage lists them all)\n`);
  const secs = (nowMs() - t0) / 1000;
  process.stderr.write(`fuzz: ${r.runs} runs in ${secs.toFixed(1)} s (${(r.runs / Math.max(secs, 1e-3)).toFixed(0)} runs/s)\n`);
  const sig = signals.received();
  if (sig !== null) return SIGNAL_STATUS[sig];
  return report.failed > 0 ? 1 : 0;
}

/** The campaign to every reporter, as `run` hands its run (text on a terminal in colour). */
function printReport(report: CampaignReport, reporters: readonly ReporterSpec[]): void {
  const p = painter(colorEnabled(process.env, process.stdout.isTTY === true));
  const paint: Paint = { green: (s) => p(32, s), red: (s) => p(31, s), yellow: (s) => p(33, s) };
  emitReports({ doc: report }, reporters, PROCESS_STREAMS, false, paint);
}

// ---- merge --------------------------------------------------------------------

function mergeCommand(files: string[], o: ReporterFlags): number {
  const reporters = specsOrUsage(o);
  const docs = files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new FuzzUsageError(`merge: ${file}: no such file`);
    }
    return { file, report: parseReport(file, text) };
  });
  const report = mergeReports(docs);
  printReport(report, reporters);
  return report.failed > 0 ? 1 : 0;
}

// ---- shrink and replay --------------------------------------------------------

function loadOrUsage(file: string) {
  const l = loadScenarioFile(file);
  if (!l.ok) throw new FuzzUsageError(formatInvalid(l.error));
  return l.scenario;
}

/** replay's judge: the fuzz session (oracle and invariants) and, when the scenario expects anything, the runner. */
const checkJudge: Judge = (s, o) => {
  const r = check(s, o.bugs, true);
  if (o.onRecord !== undefined) for (const rec of r.played) o.onRecord(rec);
  return { failure: r.failure, trace: r.trace, records: r.played };
};

/** Test-only: the file whose run throws an internal error (exit status 3); never part of the scenario format. */
const FAULT_FILE = process.env.PROCFS_EMU_TEST_INTERNAL_ERROR;

function specsOrUsage(o: ReporterFlags): ReporterSpec[] {
  try {
    return reporterSpecs(o);
  } catch (e) {
    throw e instanceof ReporterUsageError ? new FuzzUsageError(e.message) : e;
  }
}

/** The file must exist (else a usage error, as `run` says); whether it is valid is the report's business. */
function existingFile(file: string): void {
  const found = collectScenarioFiles([file]);
  if (!found.ok) throw new FuzzUsageError(found.message);
}

interface ShrinkFlags extends ReporterFlags {
  bugs: BugName[];
  out: string;
}

function shrinkCommand(file: string, o: ShrinkFlags): number {
  checkOutDir(o.out);
  const reporters = specsOrUsage(o);
  existingFile(file);
  const t0 = nowMs();
  const first = runFile(file, { bugs: o.bugs, judge: checkJudge, clock: nowMs });
  const textOut = reporters.some((r) => r.name === 'text' && r.file === null);
  if (textOut) {
    process.stdout.write(`${scenarioLine(first)}\n`);
    for (const d of first.detail) process.stderr.write(`${d}\n`);
  }
  const emit = () => emitReports({ doc: runDocument([first], { durationMs: nowMs() - t0 }), files: [first] }, reporters, PROCESS_STREAMS, true);
  if (first.status !== 'fail') {
    if (first.status === 'pass') first.repro = null;
    if (textOut && first.status === 'pass') process.stdout.write(`${file}: passes; nothing to shrink\n`);
    emit();
    return first.status === 'pass' ? 0 : 2;
  }
  const s = loadOrUsage(file);
  const made = shrunkRepro(s, o.bugs, { file });
  const repro = made.scenario;
  const path = writeReproFile(o.out, reproBaseName(made.info), (p) => reproText(repro, p));
  first.repro = { file: path, steps: repro.steps.length };
  if (textOut) process.stdout.write(`${file}: shrunk from ${s.steps.length} to ${repro.steps.length} steps: ${path}\n`);
  emit();
  process.stderr.write(`${replayCommandLine(path)}\n`);
  return 1;
}

interface ReplayFlags extends ReporterFlags {
  bugs: BugName[];
  trace?: boolean;
  withoutBugs?: boolean;
}

/** The fuzz judge on the scenario with its `bugs:` line ignored (`replay --without-bugs`: a repro should then pass). */
const withoutBugsJudge: Judge = (s, o) => checkJudge({ ...s, bugs: [] }, o);

/** `replay` of files and directories (found as `run` finds them), reported as `run` reports. */
function replayPaths(paths: string[], o: ReplayFlags): number {
  const reporters = specsOrUsage(o);
  const found = collectScenarioFiles(paths);
  if (!found.ok) throw new FuzzUsageError(found.message);
  return runFiles(found.files, {
    bugs: o.bugs, judge: o.withoutBugs === true ? withoutBugsJudge : checkJudge, reporters, trace: o.trace === true, clock: nowMs,
    ...(FAULT_FILE === undefined ? {} : { faultFile: FAULT_FILE }),
  }).status;
}

// ---- registration -------------------------------------------------------------

/**
 * Add `fuzz`, `merge`, `shrink`, `replay` (unless the program has one) and `bugs` to
 * the program. `exit` receives each command's exit status (it is also set
 * as process.exitCode, which covers commands that finish asynchronously).
 */
export function registerFuzzCommands(program: Command, exit?: (code: number) => void): void {
  const finish = (code: number) => {
    process.exitCode = code;
    exit?.(code);
  };
  const guard = async (fn: () => number | Promise<number>) => {
    try {
      finish(await fn());
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const usage = e instanceof FuzzUsageError || e instanceof MergeError;
      // A usage error is exit status 2; anything else escaped the engine: an internal error, 3.
      process.stderr.write(`procfs-emu: ${usage ? '' : 'internal error: '}${msg.split('\n')[0]}\n`);
      if (!usage && process.env.PROCFS_EMU_DEBUG !== undefined && e instanceof Error) process.stderr.write(`${e.stack}\n`);
      finish(usage ? 2 : 3);
    }
  };
  const has = (name: string) => program.commands.some((c) => c.name() === name);

  program
    .command('fuzz')
    .description('generate, run and check scenarios from a seed; shrink failures into repro files')
    .option('--seed <S>', 'campaign seed: an integer or a 40-hex commit hash', seedArg, 0 as SeedSpec)
    .option('--runs <N>', 'runs in the whole campaign', count('--runs', 0), 1000)
    .option('--steps <N>', `steps per run (at most ${STEPS_MAX})`, count('--steps', 1, STEPS_MAX), 50)
    .addOption(new Option('--bugs <a,b>', 'switch on injected bugs (see `bugs`)').argParser(bugsArg).default([], 'none'))
    .option('--time-limit <SEC>', 'stop at the first run boundary after SEC seconds', secondsArg)
    .option('--out <DIR>', 'where repro files go', 'fuzz-failures')
    .addOption(new Option('--shard <I/N>', 'run only runs i with i % N = I - 1: N machines split a campaign ' +
      '(with --max-failures 0 the shards together do exactly the runs of the whole)').argParser(shardArg).default({ index: 1, count: 1 }, '1/1'))
    .option('--workers <N>', 'worker threads (the report is the same for any number)', count('--workers', 1, 256), 1)
    .option('--check-determinism', 'run every seed twice (and once from its file) and report the first step that differs')
    .option('--max-failures <N>', 'stop after N failing runs (0: run them all)', count('--max-failures', 0), 1)
    .option('--run <N>', 'play run N of the campaign alone, with the output it has inside the campaign', count('--run', 0))
    .option('--keep-all', 'shrink and write a repro for every failing run, not only the first of each class')
    .option('--reporter <name[:file]>', `${REPORTER_HELP}; one testcase, annotation or test point per failure class`, collect, [])
    .option('--output <file>', OUTPUT_HELP)
    .option('--json', 'the same as --reporter json: the report document, one entry of scenarios per failure class, and the campaign')
    .option('--junit <FILE>', 'the same as --reporter junit:FILE (one testcase per failure class)')
    .option('--marks', 'count coverage marks while the runs are generated: --json gets `marks`, hits by name (the same for any worker count; merge leaves them out)')
    .option('--verbose', 'print what every run drew (kernel, users, swarm) on stderr')
    .action((o: FuzzFlags) => guard(() => fuzzCommand(o)));

  program
    .command('merge')
    .description('merge the --json reports of the shards of one campaign into the report of the whole campaign')
    .argument('<report...>', 'the shards\' reports (fuzz --shard I/N --json), every shard once')
    .option('--reporter <name[:file]>', REPORTER_HELP, collect, [])
    .option('--output <file>', OUTPUT_HELP)
    .option('--json', 'the same as --reporter json: the merged report, byte for byte what the unsharded campaign prints')
    .option('--junit <FILE>', 'the same as --reporter junit:FILE (one testcase per failure class)')
    .action((files: string[], o: ReporterFlags) => guard(() => mergeCommand(files, o)));

  program
    .command('shrink')
    .description('shrink a failing scenario file into a repro file')
    .argument('<file>', 'a scenario file')
    .option('--bugs <a,b>', 'switch on injected bugs besides the file\'s own', bugsArg, [] as BugName[])
    .option('--out <DIR>', 'where the repro goes', 'fuzz-failures')
    .option('--reporter <name[:file]>', REPORTER_HELP, collect, [])
    .option('--output <file>', OUTPUT_HELP)
    .option('--json', 'the same as --reporter json: the run document, with the repro file in scenarios[0].repro')
    .action((file: string, o: ShrinkFlags) => guard(() => shrinkCommand(file, o)));

  if (!has('replay')) {
    program
      .command('replay')
      .description('run a scenario with the oracle and the fuzz invariants (and its expectations)')
      .argument('<file-or-dir...>', 'scenario files (repros, say) and directories of them')
      .option('--bugs <a,b>', 'switch on injected bugs besides the file\'s own', bugsArg, [] as BugName[])
      .option('--without-bugs', 'ignore the files\' bugs: lines (a repro should then pass)')
      .option('--trace', 'print one line per step')
      .option('--reporter <name[:file]>', REPORTER_HELP, collect, [])
      .option('--output <file>', OUTPUT_HELP)
      .option('--json', 'the same as --reporter json: the run document (trace lines go to stderr)')
      .action((paths: string[], o: ReplayFlags) => guard(() => replayPaths(paths, o)));
  }

  program
    .command('bugs')
    .description('list the injected bugs that --bugs and a scenario\'s bugs: can switch on')
    .option('--json', 'print [{ "name": ..., "description": ... }]')
    .action((o: { json?: boolean }) => guard(() => {
      if (o.json === true) process.stdout.write(`${JSON.stringify(BUGS.map((b) => ({ name: b.name, description: b.description })), null, 2)}\n`);
      else for (const b of BUGS) process.stdout.write(`${b.name}\n  ${b.description}\n`);
      return 0;
    }));
}
