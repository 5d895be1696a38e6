/**
 * Reporters and where they write: `--reporter NAME[:FILE]` (repeatable, or a
 * comma list), `--output FILE` for a single reporter, `--json` for
 * `--reporter json` (and, for fuzz and merge, `--junit FILE` for
 * `--reporter junit:FILE`); the defaults (text, plus github under
 * GITHUB_ACTIONS=true); atomic file writes; and the loop that runs files and
 * hands the run to every reporter, which `run`, `replay` and `report` share
 * (`fuzz` and `merge` hand their campaign to the same reporters).
 */
import { renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type FileReport, type Judge, exitStatus, runDocument, runFile } from '../report.ts';
import type { BugName } from '../../emulator/bugs.ts';
import type { StepRecord } from '../runner.ts';
import { renderGithub } from './github.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';
import { renderTap } from './tap.ts';
import { NO_PAINT, type Paint, renderText, scenarioLine, summaryLines } from './text.ts';
import { type Reported, type RunReport, isCampaign } from './types.ts';

export type { CampaignRun, Reported, RunReport } from './types.ts';

export const REPORTERS = {
  text: renderText,
  json: renderJson,
  junit: renderJunit,
  github: renderGithub,
  tap: renderTap,
} as const satisfies Record<string, (run: Reported) => string>;

export type ReporterName = keyof typeof REPORTERS;
export const REPORTER_NAMES = Object.keys(REPORTERS) as ReporterName[];

/** Reporters whose output is one document: on standard output they must be alone. */
const DOCUMENTS: ReadonlySet<ReporterName> = new Set(['json', 'junit', 'tap']);

export interface ReporterSpec {
  name: ReporterName;
  /** null: standard output. */
  file: string | null;
}

export interface ReporterFlags {
  reporter?: string[];
  output?: string;
  json?: boolean;
  /** fuzz and merge: `--junit FILE`, the same as `--reporter junit:FILE`. */
  junit?: string;
}

export class ReporterUsageError extends Error {}

/** The help text of --reporter and --output, shared by every command that takes them. */
export const REPORTER_HELP =
  `a reporter, NAME or NAME:FILE (${REPORTER_NAMES.join(', ')}); repeat it or give a comma list, ` +
  'e.g. --reporter text,junit:junit.xml (default: text, and github too when GITHUB_ACTIONS=true)';
export const OUTPUT_HELP = 'write the one reporter named without a :FILE to FILE (--reporter junit --output junit.xml)';

/** Commander's collector for a repeatable option. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function isReporterName(s: string): s is ReporterName {
  return Object.hasOwn(REPORTERS, s);
}

/** The reporters the flags ask for, checked: known names, one writer per file, a document alone on stdout. */
export function reporterSpecs(f: ReporterFlags, env: NodeJS.ProcessEnv = process.env): ReporterSpec[] {
  const specs: ReporterSpec[] = [];
  for (const item of (f.reporter ?? []).flatMap((v) => v.split(','))) {
    const s = item.trim();
    if (s === '') continue;
    const colon = s.indexOf(':');
    const name = colon < 0 ? s : s.slice(0, colon);
    const file = colon < 0 ? null : s.slice(colon + 1);
    if (!isReporterName(name)) throw new ReporterUsageError(`--reporter: unknown reporter "${name}" (known: ${REPORTER_NAMES.join(', ')})`);
    if (file === '') throw new ReporterUsageError(`--reporter ${name}: an empty file name after ":"`);
    specs.push({ name, file });
  }
  if (f.junit !== undefined) {
    if (f.junit === '') throw new ReporterUsageError('--junit: an empty file name');
    specs.push({ name: 'junit', file: f.junit });
  }
  if (f.json === true && !specs.some((s) => s.name === 'json' && s.file === null)) specs.push({ name: 'json', file: null });
  if (f.output !== undefined) {
    const free = specs.filter((s) => s.file === null);
    if (free.length !== 1) {
      throw new ReporterUsageError('--output FILE goes with exactly one reporter named without a file ' +
        '(--reporter junit --output junit.xml); for several, write --reporter NAME:FILE');
    }
    free[0]!.file = f.output;
  }
  if (specs.length === 0) {
    specs.push({ name: 'text', file: null });
    if (env.GITHUB_ACTIONS === 'true') specs.push({ name: 'github', file: null });
  }
  const files = specs.map((s) => s.file).filter((x): x is string => x !== null);
  const twice = files.find((x, i) => files.indexOf(x) !== i);
  if (twice !== undefined) throw new ReporterUsageError(`--reporter: two reporters write to ${twice}`);
  const onStdout = specs.filter((s) => s.file === null);
  const doc = onStdout.find((s) => DOCUMENTS.has(s.name));
  if (doc !== undefined && onStdout.length > 1) {
    throw new ReporterUsageError(`--reporter ${doc.name} writes one document to standard output and must be alone there; ` +
      `give the others a file (NAME:FILE)`);
  }
  for (const file of files) checkOutputFile(file, '--reporter');
  return specs;
}

/** An output file's directory must exist before anything runs (a usage error otherwise). */
export function checkOutputFile(file: string, option: string): void {
  const dir = dirname(file);
  let ok = false;
  try {
    ok = statSync(dir).isDirectory() && !statSync(file, { throwIfNoEntry: false })?.isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new ReporterUsageError(`${option}: cannot write ${file}: not a file in an existing directory`);
}

/**
 * Write a file whole or not at all: the text goes to a temporary file in the
 * same directory, renamed over the target, so a reader (or a run cut short)
 * never sees half a report.
 */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text, { flag: 'w' });
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // Never made, or already renamed.
    }
    throw e;
  }
}

export interface Streams {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const PROCESS_STREAMS: Streams = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

/** Does anything but line-oriented text go to standard output? Then trace lines go to standard error. */
export function stdoutIsDocument(specs: readonly ReporterSpec[]): boolean {
  return specs.some((s) => s.file === null && DOCUMENTS.has(s.name));
}

/**
 * Hand the run (or the campaign) to every reporter. Text on standard output
 * was streamed as the scenarios ran (`streamed`): only its summary is left
 * to print. Text on standard output is painted with `paint`.
 */
export function emitReports(run: Reported, specs: readonly ReporterSpec[], io: Streams, streamed = false, paint: Paint = NO_PAINT): void {
  for (const s of specs) {
    if (s.file === null && s.name === 'text' && streamed && !isCampaign(run)) {
      io.out(`${summaryLines(run.doc).join('\n')}\n`);
      continue;
    }
    const text = s.file === null && s.name === 'text' ? renderText(run, paint) : REPORTERS[s.name](run);
    if (s.file === null) io.out(text);
    else writeFileAtomic(s.file, text);
  }
}

export interface RunFilesOptions {
  bugs: readonly BugName[];
  judge?: Judge;
  reporters: readonly ReporterSpec[];
  trace: boolean;
  holds?: boolean;
  clock: () => number;
  paint?: Paint;
  /** Test-only: throw an internal error from the engine while running this file (exit status 3). */
  faultFile?: string;
  io?: Streams;
}

function errorText(e: unknown): string {
  return (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split('\n')[0]!;
}

/** The injected internal error: thrown from the runner's record hook at the first step. */
function injectedFault(rec: StepRecord): void {
  if (rec.index === 0) throw new Error('injected internal error (PROCFS_EMU_TEST_INTERNAL_ERROR)');
}

/**
 * Run files in order, streaming text and trace lines, then report. An
 * exception escaping the engine stops the run: one line on stderr, the
 * reports of what ran before it, exit status 3.
 */
export function runFiles(files: readonly string[], o: RunFilesOptions): { run: RunReport; status: number } {
  const io = o.io ?? PROCESS_STREAMS;
  const paint = o.paint ?? NO_PAINT;
  const textOut = o.reporters.some((s) => s.name === 'text' && s.file === null);
  const traceTo = stdoutIsDocument(o.reporters) ? io.err : io.out;
  const t0 = o.clock();
  const reports: FileReport[] = [];
  let internalError: { file: string; message: string } | undefined;
  for (const file of files) {
    let r: FileReport;
    try {
      r = runFile(file, {
        bugs: o.bugs, clock: o.clock, holds: o.holds === true,
        ...(o.judge === undefined ? {} : { judge: o.judge }),
        ...(o.faultFile === file ? { onRecord: injectedFault } : {}),
      });
    } catch (e) {
      internalError = { file, message: errorText(e) };
      io.err(`procfs-emu: internal error while running ${file}: ${internalError.message}\n`);
      if (process.env.PROCFS_EMU_DEBUG !== undefined && e instanceof Error) io.err(`${e.stack}\n`);
      break;
    }
    reports.push(r);
    if (o.trace) for (const t of r.trace) traceTo(`${file}: ${t}\n`);
    if (textOut) {
      io.out(`${scenarioLine(r, paint)}\n`);
      for (const d of r.detail) io.err(`${d}\n`);
    }
  }
  const doc = runDocument(reports, { durationMs: o.clock() - t0, ...(internalError === undefined ? {} : { internalError }) });
  const run = { doc, files: reports };
  emitReports(run, o.reporters, io, true);
  return { run, status: exitStatus(doc) };
}
