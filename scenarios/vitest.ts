/**
 * `procfs-emu/vitest`: scenario files and fuzz campaigns as vitest tests.
 * vitest is an optional peer of the package: only this entry imports it.
 */
import { test } from 'vitest';
import type { BugName } from '../emulator/bugs.ts';
import { fuzz, type FuzzOptions, type FuzzReport } from './api.ts';
import { collectScenarioFiles } from './collect.ts';
import { seedText } from './fuzz/prng.ts';
import { loadScenarioFile } from './load.ts';
import { runFile, type FileReport } from './report.ts';

export interface ScenarioTestsOptions {
  /** Injected bugs switched on besides each scenario's own. */
  bugs?: readonly BugName[];
  /** Per-test timeout in milliseconds (default: vitest's). */
  timeout?: number;
}

/**
 * scenarioTests: one test per scenario file (a directory is searched for
 * *.yaml and *.yml), named after the scenario. A failing test's message
 * starts `file:line:column: steps[i]: why`, then the step's expectation and
 * the tail of the trace; an invalid file's names its line and value path.
 */
export function scenarioTests(dirOrFiles: string | readonly string[], options: ScenarioTestsOptions = {}): void {
  const args = typeof dirOrFiles === 'string' ? [dirOrFiles] : [...dirOrFiles];
  const found = collectScenarioFiles(args);
  if (!found.ok) {
    test(`scenarioTests(${args.join(', ')})`, () => {
      throw new Error(found.message);
    });
    return;
  }
  for (const file of found.files) {
    const l = loadScenarioFile(file);
    test(l.ok ? l.scenario.name : file, () => {
      const r = runFile(file, options.bugs ?? []);
      if (r.status !== 'pass') throw scenarioError(r);
    }, options.timeout);
  }
}

/** An error whose message is the report's detail and whose one stack frame is the YAML line. */
function scenarioError(r: FileReport): Error {
  const message = r.detail.join('\n');
  const e = new Error(message);
  const at = /^(.*?):([0-9]+):([0-9]+): /.exec(r.detail[0] ?? '');
  e.stack = `Error: ${message}` + (at === null ? '' : `\n    at ${at[1]}:${at[2]}:${at[3]}`);
  return e;
}

export interface FuzzTestOptions extends FuzzOptions {
  /** The test's name (default: the seed, runs, steps and bugs). */
  name?: string;
  /** Runs (default 100 here, fewer than the command line's 1000). */
  runs?: number;
  /** Where repro files go (default fuzz-failures). */
  out?: string;
  /** Test timeout in milliseconds (default 60 000). */
  timeout?: number;
}

/**
 * fuzzTest: a seeded campaign as one test. It fails, as fast-check's
 * fc.assert does, with everything needed to reproduce: the seed and run, the
 * shrunk failure, the repro file and the command that replays it.
 */
export function fuzzTest(options: FuzzTestOptions = {}): void {
  const { name, timeout, ...rest } = options;
  const o: FuzzOptions = { ...rest, runs: rest.runs ?? 100, out: rest.out ?? 'fuzz-failures' };
  test(name ?? fuzzTestName(o), async () => {
    const r = await fuzz(o);
    if (r.failures.length > 0) throw fuzzError(r, o);
  }, timeout ?? 60_000);
}

function fuzzTestName(o: FuzzOptions): string {
  const bugs = o.bugs === undefined || o.bugs.length === 0 ? '' : `, bugs ${o.bugs.join(',')}`;
  return `fuzz: seed ${seedText(o.seed ?? 0)}, ${o.runs} runs of ${o.steps ?? 50} steps${bugs}`;
}

/** The failure text: where to start reproducing is on the first lines. */
function fuzzError(r: FuzzReport, o: FuzzOptions): Error {
  const f = r.failures[0]!;
  const bugs = o.bugs === undefined || o.bugs.length === 0 ? 'none' : o.bugs.join(',');
  const lines = [
    `fuzz campaign failed after ${r.runs} runs: { seed: ${JSON.stringify(r.seed)}, run: ${f.run}, steps: ${o.steps ?? 50}, bugs: ${bugs} }`,
    `${f.cls}: ${f.message}`,
    `shrunk from ${f.originalSteps} to ${f.repro.steps.length} steps: ${f.file ?? '(not written)'}`,
    `replay: ${f.replay ?? '(no repro file)'}`,
    ...(f.runs.length > 1 ? [`(${f.runs.length - 1} more failing runs of this class)`] : []),
    ...(r.failures.length > 1 ? [`(${r.failures.length - 1} more failure classes)`] : []),
  ];
  const e = new Error(lines.join('\n'));
  e.stack = `Error: ${e.message}`;
  return e;
}
