/**
 * The command line (scenario-format.md §6): `run`, `schema`, `start` (the
 * regression corpus), and the fuzzing commands. Errors go to stderr as one
 * located line each, never a stack trace; exit 2 for usage errors.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nowMs } from '../bin/clock.ts';
import { BUG_NAMES, isBugName, type BugName } from '../emulator/bugs.ts';
import { collectScenarioFiles } from './collect.ts';
import { CONTRACT_REVISION, FORMAT_VERSION } from './format.ts';
import { registerFuzzCommands } from './fuzz/cli.ts';
import { exitStatus, runDocument, runFile, type FileReport } from './report.ts';
import { scenarioJsonSchemaText } from './schema.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const useColor = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const paint = (code: number, s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);
const green = (s: string) => paint(32, s);
const red = (s: string) => paint(31, s);
const yellow = (s: string) => paint(33, s);

/** A usage error: one line on stderr, exit 2, nothing on stdout. */
export class UsageError extends Error {}

export function parseBugs(list: string | undefined): BugName[] {
  if (list === undefined || list === '') return [];
  const names = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) {
    if (!isBugName(n)) throw new UsageError(`--bugs: unknown bug "${n}" (known: ${BUG_NAMES.join(', ')})`);
  }
  return names as BugName[];
}

function printHuman(r: FileReport): void {
  if (r.status === 'pass') process.stdout.write(`${green('PASS')} ${r.file}: ${r.name}\n`);
  else if (r.status === 'fail') process.stdout.write(`${red('FAIL')} ${r.file}: ${r.name}\n`);
  else process.stdout.write(`${yellow('INVALID')} ${r.file}\n`);
  for (const d of r.detail) process.stderr.write(d + '\n');
}

interface RunOpts {
  json?: boolean;
  trace?: boolean;
  bugs?: string;
}

/** `run` and `replay`: run files, report, and return the exit status. */
export function runCommand(paths: string[], opts: RunOpts): number {
  const bugs = parseBugs(opts.bugs);
  const found = collectScenarioFiles(paths);
  if (!found.ok) throw new UsageError(found.message);
  const reports: FileReport[] = [];
  for (const file of found.files) {
    const r = runFile(file, bugs);
    reports.push(r);
    if (opts.trace) for (const t of r.trace) (opts.json ? process.stderr : process.stdout).write(`${file}: ${t}\n`);
    if (!opts.json) printHuman(r);
  }
  const doc = runDocument(reports);
  if (opts.json) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  else process.stdout.write(`${doc.passed} passed, ${doc.failed} failed, ${doc.invalid} invalid\n`);
  return exitStatus(doc);
}

/** `start`: the regression corpus with a short summary. */
function startCommand(): number {
  const dir = relative(process.cwd(), join(ROOT, 'scenarios', 'corpus')) || '.';
  const t0 = nowMs();
  const found = collectScenarioFiles([dir]);
  if (!found.ok) throw new UsageError(found.message);
  const reports = found.files.map((f) => runFile(f));
  const ms = nowMs() - t0;
  const doc = runDocument(reports);
  for (const r of reports) if (r.status !== 'pass') printHuman(r);
  process.stdout.write(`procfs-emu ${VERSION}: ran the regression corpus (${reports.length} scenarios in ${dir})\n`);
  process.stdout.write(`${green(`${doc.passed} passed`)}, ${doc.failed ? red(`${doc.failed} failed`) : '0 failed'}, ` +
    `${doc.invalid} invalid in ${ms.toFixed(0)} ms\n`);
  return exitStatus(doc);
}

export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('procfs-emu')
    .description('A deterministic emulator of NetBSD procfs: run scenarios, fuzz, shrink, replay.')
    .version(`${VERSION} (scenario format ${FORMAT_VERSION}, contract revision ${CONTRACT_REVISION})`, '--version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError(false);
  program
    .command('run')
    .description('run scenario files or directories (*.yaml, *.yml found recursively)')
    .argument('<file-or-dir...>', 'scenario files and directories')
    .option('--json', 'print one JSON document on stdout (trace lines go to stderr)')
    .option('--trace', 'print one line per step')
    .option('--bugs <a,b>', 'switch on injected bugs (see `bugs`)')
    .action((paths: string[], o: RunOpts) => exit(runCommand(paths, o)));
  program
    .command('schema')
    .description('print the JSON Schema of the scenario format')
    .action(() => {
      process.stdout.write(scenarioJsonSchemaText());
      exit(0);
    });
  program
    .command('start')
    .description('run the regression corpus (scenarios/corpus) and print a summary')
    .action(() => exit(startCommand()));
  registerFuzzCommands(program, exit);
  return program;
}

function main(argv: string[]): void {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    program.parse(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      code = e.exitCode === 0 ? 0 : 2;
    } else if (e instanceof UsageError) {
      process.stderr.write(`procfs-emu: ${e.message}\n`);
      code = 2;
    } else {
      throw e;
    }
  }
  process.exitCode = code;
}

main(process.argv);
