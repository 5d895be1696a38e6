/**
 * The command line (scenario-format.md §6): `run`, `report` (the HTML
 * picture of one run), `schema`, `start` (the regression corpus), and the
 * fuzzing commands. Errors go to stderr as one located line each, never a
 * stack trace; exit 2 for usage errors, 3 for an internal error.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nowMs } from '../bin/clock.ts';
import { BUG_NAMES, isBugName, type BugName } from '../emulator/bugs.ts';
import { collectScenarioFiles } from './collect.ts';
import { registerCoverageCommand } from './coverage.ts';
import { CONTRACT_REVISION, FORMAT_VERSION } from './fields.ts';
import { registerFuzzCommands } from './fuzz/cli.ts';
import { loadScenarioFile } from './load.ts';
import { REPORT_FORMAT, exitStatus, reportJsonSchemaText, runDocument, runFile, type FileReport } from './report.ts';
import { renderHtml } from './reporters/html.ts';
import {
  OUTPUT_HELP, REPORTER_HELP, type ReporterFlags, type ReporterSpec, ReporterUsageError, checkOutputFile, collect, reporterSpecs, runFiles, writeFileAtomic,
} from './reporters/index.ts';
import { scenarioLine } from './reporters/text.ts';
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

const PAINT = { green, red, yellow };

/** Test-only: the file whose run throws an internal error (exit status 3); never part of the scenario format. */
const FAULT_FILE = process.env.PROCFS_EMU_TEST_INTERNAL_ERROR;

function printHuman(r: FileReport): void {
  process.stdout.write(`${scenarioLine(r, PAINT)}\n`);
  for (const d of r.detail) process.stderr.write(d + '\n');
}

interface RunOpts extends ReporterFlags {
  trace?: boolean;
  bugs?: string;
}

function specsOrUsage(o: ReporterFlags): ReporterSpec[] {
  try {
    return reporterSpecs(o);
  } catch (e) {
    if (e instanceof ReporterUsageError) throw new UsageError(e.message);
    throw e;
  }
}

/** `run`: run files, report to every reporter, and return the exit status. */
export function runCommand(paths: string[], opts: RunOpts): number {
  const bugs = parseBugs(opts.bugs);
  const reporters = specsOrUsage(opts);
  const found = collectScenarioFiles(paths);
  if (!found.ok) throw new UsageError(found.message);
  return runFiles(found.files, {
    bugs, reporters, trace: opts.trace === true, clock: nowMs, paint: PAINT,
    ...(FAULT_FILE === undefined ? {} : { faultFile: FAULT_FILE }),
  }).status;
}

/** `report FILE --html OUT`: run one scenario with every reference recorded and picture it. */
function reportCommand(file: string, opts: { html: string; bugs?: string; trace?: boolean }): number {
  const bugs = parseBugs(opts.bugs);
  const out = opts.html;
  try {
    checkOutputFile(out, '--html');
  } catch (e) {
    throw e instanceof ReporterUsageError ? new UsageError(e.message) : e;
  }
  const found = collectScenarioFiles([file]);
  if (!found.ok) throw new UsageError(found.message);
  const { run, status } = runFiles([file], {
    bugs, reporters: [{ name: 'text', file: null }], trace: opts.trace === true, holds: true, clock: nowMs, paint: PAINT,
    ...(FAULT_FILE === undefined ? {} : { faultFile: FAULT_FILE }),
  });
  const r = run.files[0];
  if (r === undefined || r.status === 'invalid') return status;
  const l = loadScenarioFile(file);
  writeFileAtomic(out, renderHtml({ report: r, steps: l.ok ? l.scenario.steps : [] }));
  process.stderr.write(`report: ${out}\n`);
  return status;
}

/** `start`: the regression corpus with a short summary. */
function startCommand(): number {
  const dir = relative(process.cwd(), join(ROOT, 'scenarios', 'corpus')) || '.';
  const t0 = nowMs();
  const found = collectScenarioFiles([dir]);
  if (!found.ok) throw new UsageError(found.message);
  const reports = found.files.map((f) => runFile(f, { clock: nowMs }));
  const ms = nowMs() - t0;
  const doc = runDocument(reports, { durationMs: ms });
  for (const r of reports) if (r.status !== 'pass') printHuman(r);
  process.stdout.write(`procfs-emu ${VERSION}: ran the regression corpus (${reports.length} scenarios in ${dir})\n`);
  process.stdout.write(`${green(`${doc.passed} passed`)}, ${doc.failed ? red(`${doc.failed} failed`) : '0 failed'}, ` +
    `${doc.invalid} invalid in ${ms.toFixed(0)} ms\n`);
  return exitStatus(doc);
}

const EXIT_HELP = `
Exit status: 0 every scenario passed; 1 a scenario failed; 2 a scenario file is
invalid, no scenario was found, or the command line is wrong; 3 an internal
error (an exception escaped the engine: one line on stderr, and the reports
hold what ran before it).

Reporters: --reporter NAME or NAME:FILE, repeated or as a comma list
(text, json, junit, github, tap); without :FILE a reporter writes to standard
output, where json, junit and tap must be alone. --output FILE gives a file to
the one reporter named without one. Files are written whole (temp + rename).
  --reporter junit:junit.xml --reporter github
  --reporter text,tap:run.tap
  --reporter junit --output junit.xml
`;

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
    .option('--reporter <name[:file]>', REPORTER_HELP, collect, [])
    .option('--output <file>', OUTPUT_HELP)
    .option('--json', 'the same as --reporter json: one JSON document on stdout (trace lines go to stderr)')
    .option('--trace', 'print one line per step')
    .option('--bugs <a,b>', 'switch on injected bugs (see `bugs`)')
    .addHelpText('after', EXIT_HELP)
    .action((paths: string[], o: RunOpts) => exit(runCommand(paths, o)));
  program
    .command('report')
    .description('run one scenario and picture it: a static HTML page (steps, process lanes, vnode bars, the failure)')
    .argument('<file>', 'a scenario file')
    .requiredOption('--html <out>', 'the HTML file to write')
    .option('--bugs <a,b>', 'switch on injected bugs (see `bugs`)')
    .option('--trace', 'print one line per step')
    .action((file: string, o: { html: string; bugs?: string; trace?: boolean }) => exit(reportCommand(file, o)));
  program
    .command('schema')
    .description('print the JSON Schema of the scenario format (or, with --report, of the --reporter json document)')
    .option('--report', `the JSON Schema of the report document (format ${REPORT_FORMAT})`)
    .action((o: { report?: boolean }) => {
      process.stdout.write(o.report === true ? reportJsonSchemaText() : scenarioJsonSchemaText());
      exit(0);
    });
  program
    .command('start')
    .description('run the regression corpus (scenarios/corpus) and print a summary')
    .action(() => exit(startCommand()));
  registerFuzzCommands(program, exit);
  registerCoverageCommand(program, exit);
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
      // An exception escaped the engine: one line (the stack with PROCFS_EMU_DEBUG set), exit status 3.
      process.stderr.write(`procfs-emu: internal error: ${e instanceof Error ? `${e.name}: ${e.message}`.split('\n')[0] : String(e)}\n`);
      if (process.env.PROCFS_EMU_DEBUG !== undefined && e instanceof Error) process.stderr.write(`${e.stack}\n`);
      code = 3;
    }
  }
  process.exitCode = code;
}

main(process.argv);
