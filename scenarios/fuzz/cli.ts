/**
 * The fuzzing commands: `fuzz`, `shrink`, `replay` and `bugs`, added to the
 * engine's commander program by registerFuzzCommands. Usage errors are one
 * line on stderr and exit status 2; a campaign exits 1 when it found
 * something, else 0. The clock is read here only (time limit, progress bar),
 * and never decides which runs are reported.
 */
import { statSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { nowMs } from '../../bin/clock.ts';
import { BUGS, BUG_NAMES, type BugName, isBugName } from '../../emulator/bugs.ts';
import { STEPS_MAX } from '../format.ts';
import { collectScenarioFiles } from '../collect.ts';
import { formatInvalid, loadScenarioFile } from '../load.ts';
import { type Judge, replayCommandLine, runDocument, runFile } from '../report.ts';
import {
  OUTPUT_HELP, PROCESS_STREAMS, REPORTER_HELP, type ReporterFlags, type ReporterSpec, ReporterUsageError, collect, emitReports,
  reporterSpecs, runFiles,
} from '../reporters/index.ts';
import { scenarioLine } from '../reporters/text.ts';
import type { CampaignOptions, CampaignResult } from './campaign.ts';
import { runCampaignInline, shardRun } from './campaign.ts';
import { describeRun } from './generate.ts';
import { failureClass } from './failure.ts';
import { runCampaignWorkers } from './pool.ts';
import { type SeedSpec, parseSeed, runPrng, seedText } from './prng.ts';
import { type ReproInfo, reproBaseName, reproScenario, reproText, writeReproFile } from './repro.ts';
import { check } from './session.ts';
import { pinFailingStep, shrink } from './shrink.ts';

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

interface FuzzFlags {
  seed: SeedSpec;
  runs: number;
  steps: number;
  bugs: BugName[];
  timeLimit?: number;
  out: string;
  shard: { index: number; count: number };
  workers: number;
  checkDeterminism?: boolean;
  json?: boolean;
  verbose?: boolean;
  maxFailures: number;
}

function checkOutDir(out: string): void {
  try {
    if (!statSync(out).isDirectory()) throw new FuzzUsageError(`--out: ${out} exists and is not a directory`);
  } catch (e) {
    if (e instanceof FuzzUsageError) throw e;
    // Missing: made when the first repro is written.
  }
}

/** A progress bar on a TTY, shown once the campaign has run for a second. */
function progress(json: boolean): { update: (done: number, total: number) => void; stop: () => void } {
  const t0 = nowMs();
  let bar: SingleBar | null = null;
  const tty = process.stderr.isTTY === true;
  return {
    update(done, total) {
      if (!tty) return;
      if (bar === null) {
        if (nowMs() - t0 < 1000) return;
        bar = new SingleBar({ stream: process.stderr, format: 'fuzz [{bar}] {value}/{total} runs | {eta_formatted} left', hideCursor: !json, clearOnComplete: true });
        bar.start(total, done);
      }
      bar.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}

async function fuzzCommand(f: FuzzFlags): Promise<number> {
  checkOutDir(f.out);
  const o: CampaignOptions = {
    seed: f.seed, runs: f.runs, steps: f.steps, bugs: f.bugs, shard: f.shard,
    checkDeterminism: f.checkDeterminism === true, maxFailures: f.maxFailures,
  };
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`fuzz: seed ${seedText(f.seed)}, runs ${f.runs}, steps ${f.steps}, bugs ${f.bugs.length === 0 ? 'none' : f.bugs.join(',')}, ` +
    `shard ${f.shard.index}/${f.shard.count}, workers ${f.workers}${o.checkDeterminism ? ', check-determinism' : ''}` +
    `${f.timeLimit === undefined ? '' : `, time limit ${f.timeLimit} s`}`);
  const t0 = nowMs();
  const bar = progress(f.json === true);
  const hooks = {
    shouldStop: f.timeLimit === undefined ? undefined : () => nowMs() - t0 >= f.timeLimit! * 1000,
    onProgress: (done: number, total: number) => bar.update(done, total),
  };
  let r: CampaignResult;
  try {
    r = f.workers > 1 ? await runCampaignWorkers(o, f.workers, hooks) : await runCampaignInline(o, hooks);
  } finally {
    bar.stop();
  }
  if (f.verbose === true) {
    for (let pos = 0; pos < r.runs; pos++) {
      const run = shardRun(o, pos);
      log(`run ${run} (seed ${seedText(f.seed)}/run/${run}): ${describeRun(runPrng(f.seed, run))}`);
    }
  }
  const failures = r.failures.map((x) => {
    const path = writeReproFile(f.out, reproBaseName(x.info), (p) => reproText(x.repro, p));
    log(`fuzz: run ${x.run} failed (${x.cls}): ${x.message}`);
    log(`  swarm: ${x.swarm}`);
    log(`  shrunk from ${x.info.originalSteps} to ${x.repro.steps.length} steps: ${path}`);
    log(replayCommandLine(path));
    return { run: x.run, message: x.message, repro: path, steps: x.repro.steps.length };
  });
  const secs = (nowMs() - t0) / 1000;
  if (f.json === true) {
    process.stdout.write(`${JSON.stringify({ seed: f.seed, runs: r.runs, failures }, null, 2)}\n`);
  } else {
    process.stdout.write(`fuzz: seed ${seedText(f.seed)}: ${r.runs} runs, ${failures.length} ${failures.length === 1 ? 'failure' : 'failures'}` +
      `${r.stopped === 'time' ? ' (time limit)' : ''}\n`);
  }
  log(`fuzz: ${r.runs} runs in ${secs.toFixed(1)} s (${(r.runs / Math.max(secs, 1e-3)).toFixed(0)} runs/s)`);
  return failures.length > 0 ? 1 : 0;
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
  const r = shrink(s, { bugs: o.bugs });
  const cls = failureClass(r.failure.message);
  const bugs = [...new Set([...s.bugs, ...o.bugs])];
  const withBugs = { ...r.scenario, bugs };
  const pinned = cls.startsWith('invariant') ? pinFailingStep(withBugs, [], r.failure.step) : withBugs;
  const info: ReproInfo = { origin: { file }, bugs, cls, failure: r.failure, originalSteps: s.steps.length };
  const repro = reproScenario(pinned, info);
  const path = writeReproFile(o.out, reproBaseName(info), (p) => reproText(repro, p));
  first.repro = { file: path, steps: repro.steps.length };
  if (textOut) process.stdout.write(`${file}: shrunk from ${s.steps.length} to ${repro.steps.length} steps: ${path}\n`);
  emit();
  process.stderr.write(`${replayCommandLine(path)}\n`);
  return 1;
}

interface ReplayFlags extends ReporterFlags {
  bugs: BugName[];
  trace?: boolean;
}

function replayCommand(file: string, o: ReplayFlags): number {
  const reporters = specsOrUsage(o);
  existingFile(file);
  return runFiles([file], {
    bugs: o.bugs, judge: checkJudge, reporters, trace: o.trace === true, clock: nowMs,
    ...(FAULT_FILE === undefined ? {} : { faultFile: FAULT_FILE }),
  }).status;
}

// ---- registration -------------------------------------------------------------

/**
 * Add `fuzz`, `shrink`, `replay` (unless the program has one) and `bugs` to
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
      const usage = e instanceof FuzzUsageError;
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
    .option('--json', 'print one JSON document on stdout: {seed, runs, failures}')
    .option('--verbose', 'print what every run drew (kernel, users, swarm) on stderr')
    .action((o: FuzzFlags) => guard(() => fuzzCommand(o)));

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
      .argument('<file>', 'a scenario file (a repro, say)')
      .option('--bugs <a,b>', 'switch on injected bugs besides the file\'s own', bugsArg, [] as BugName[])
      .option('--trace', 'print one line per step')
      .option('--reporter <name[:file]>', REPORTER_HELP, collect, [])
      .option('--output <file>', OUTPUT_HELP)
      .option('--json', 'the same as --reporter json: the run document (trace lines go to stderr)')
      .action((file: string, o: ReplayFlags) => guard(() => replayCommand(file, o)));
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
