/**
 * Running scenario files and reporting them: one report per file, the run
 * document every command prints (scenario-format.md §6's `run` shape,
 * extended and versioned: REPORT_FORMAT; a fuzz campaign's is the same shape
 * with a failure class per entry, built in fuzz/merge.ts), its zod schema
 * (the JSON Schema of `schema --report`), the exit status, and the replay
 * command a user can paste. The clock is passed in: nothing here reads it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { BugName } from '../emulator/bugs.ts';
import { FILE_BYTES_MAX } from './fields.ts';
import { formatInvalid, loadScenarioFile } from './load.ts';
import type { InvalidError, LoadResult } from './load.ts';
import { runScenario, type StepFailure, type StepRecord } from './runner.ts';
import type { Scenario, SourcePos } from './types.ts';

/**
 * The version of the report document; bumped when a field changes meaning or
 * goes away. 2: fuzz and merge print the same document as run (a failure
 * class per entry of scenarios, the campaign beside it; the shape of format
 * 1's `classes` is gone), and a campaign's document has no durations.
 */
export const REPORT_FORMAT = 2;

// ---- the document and its schema ------------------------------------------------

const count = () => z.int().min(0);
const ms = () => z.number().min(0).meta({ description: 'milliseconds, from the command line\'s clock' });
const line = () => z.int().min(1);

const StepFailureSchema = z.strictObject({
  step: count().meta({ description: '0-based index into steps' }),
  message: z.string(),
  line: line().optional().meta({ description: 'the failing step\'s line in the file (1-based)' }),
  column: line().optional(),
});

const InvalidFailureSchema = z.strictObject({
  message: z.string(),
  path: z.string().meta({ description: 'the offending value\'s path, such as steps[3].open.flags; "" for the whole file' }),
  line: line().optional(),
  column: line().optional(),
});

const ReproSchema = z.strictObject({ file: z.string(), steps: z.int().min(1) })
  .meta({ description: 'the repro file written (shrink: of the scenario; fuzz: of the class\'s first failing run), and its step count' });

const scenarioFields = {
  file: z.string(),
  name: z.string().meta({ description: 'the scenario\'s name; for an invalid file, the name if it could be read, else ""' }),
  durationMs: ms(),
  repro: ReproSchema.nullable().optional(),
};

const ScenarioReportSchema = z.discriminatedUnion('status', [
  z.strictObject({ ...scenarioFields, status: z.literal('pass'), failures: z.tuple([]) }),
  z.strictObject({ ...scenarioFields, status: z.literal('fail'), failures: z.tuple([StepFailureSchema]) }),
  z.strictObject({ ...scenarioFields, status: z.literal('invalid'), failures: z.tuple([InvalidFailureSchema]) }),
]);

const RunReportSchema = z.strictObject({
  reportFormat: z.literal(REPORT_FORMAT),
  scenarios: z.array(ScenarioReportSchema),
  passed: count(),
  failed: count(),
  invalid: count(),
  durationMs: ms(),
  internalError: z.strictObject({ file: z.string().optional(), message: z.string() }).optional()
    .meta({ description: 'an exception escaped the engine (exit status 3); scenarios lists what ran before it' }),
}).meta({ title: 'run report', description: 'What run, replay and shrink print: one entry of scenarios per file.' });

const ClassReproSchema = z.strictObject({
  run: count(),
  file: z.string(),
  steps: z.int().min(1),
  failure: StepFailureSchema,
});

/** One failure class of a campaign, as one entry of scenarios. */
const ClassReportSchema = z.strictObject({
  file: z.string().meta({ description: 'the repro file of the class\'s first failing run ("" from the library\'s fuzz without out)' }),
  name: z.string().meta({ description: 'the class: the rule broken, the step kind, the procfs node type' }),
  status: z.literal('fail'),
  failures: z.tuple([StepFailureSchema]).meta({ description: 'the repro\'s failing step; line and column in the repro file' }),
  repro: ReproSchema,
  signature: z.strictObject({ rule: z.string(), kind: z.string(), node: z.string() })
    .meta({ description: 'name in parts: rule (oracle [procfs_inactive]), step kind (exit), node type (mem; - for none)' }),
  count: z.int().min(1).meta({ description: 'failing runs of the class' }),
  runs: z.array(count()).min(1).meta({ description: 'those runs, in run order; the first is the repro\'s' }),
  repros: z.array(ClassReproSchema).optional().meta({ description: 'with keepAll: the repro of every failing run of the class' }),
});

const CampaignIdentitySchema = z.strictObject({
  seed: z.union([count(), z.string()]).meta({ description: 'an integer or a 40-hex commit hash' }),
  runs: count(),
  steps: z.int().min(1),
  bugs: z.array(z.string()),
  checkDeterminism: z.boolean(),
  maxFailures: count(),
  keepAll: z.boolean(),
  run: count().optional().meta({ description: 'set when one run was played alone (fuzz --run N)' }),
  engine: z.string().meta({ description: 'procfs-emu and its version' }),
});

export const CampaignReportSchema = z.strictObject({
  reportFormat: z.literal(REPORT_FORMAT),
  scenarios: z.array(ClassReportSchema).meta({ description: 'one entry per failure class, in the order of their first failing runs' }),
  passed: z.literal(0).meta({ description: 'always 0: a campaign lists its failure classes only (runsDone - failingRuns runs passed)' }),
  failed: count().meta({ description: 'failure classes' }),
  invalid: z.literal(0),
  campaign: CampaignIdentitySchema.meta({ description: 'what makes two reports parts of the same campaign (merge)' }),
  shard: z.string().regex(/^[0-9]+\/[0-9]+$/).meta({ description: 'I/N; 1/1 for a whole campaign and for a merge of its shards' }),
  runsDone: count(),
  stopped: z.enum(['done', 'failures', 'time', 'interrupted']),
  interrupted: z.boolean(),
  failingRuns: count(),
  marks: z.record(z.string(), count()).optional()
    .meta({ description: 'fuzz --marks: coverage marks hit while the runs were generated, by name (merge leaves them out)' }),
}).meta({
  title: 'fuzz campaign report',
  description: 'What fuzz and merge print: a function of the campaign and the runs it covers, no durations, so that merged shards are byte for byte the whole.',
});

export const ReportSchema = z.union([RunReportSchema, CampaignReportSchema]).meta({
  title: 'procfs-emu report',
  description: 'What run, replay, shrink, fuzz and merge print with --reporter json: scenario-format.md §6\'s run document ' +
    '(scenarios[] with file, name, status, failures; passed, failed, invalid), extended; a campaign lists its failure classes.',
});

export type RunDocument = z.output<typeof RunReportSchema>;
export type CampaignDocument = z.output<typeof CampaignReportSchema>;
export type ClassEntry = CampaignDocument['scenarios'][number];
export type ClassRepro = z.output<typeof ClassReproSchema>;
export type ReportDocument = RunDocument | CampaignDocument;
export type ScenarioReport = RunDocument['scenarios'][number];
export type StepFailureEntry = z.output<typeof StepFailureSchema>;
export type FailureEntry = StepFailureEntry | z.output<typeof InvalidFailureSchema>;

/** Is the document a fuzz campaign's? */
export function isCampaignDocument(d: ReportDocument): d is CampaignDocument {
  return 'campaign' in d;
}

/** The JSON Schema of the report document (`procfs-emu schema --report`). */
export function reportJsonSchemaText(): string {
  return `${JSON.stringify(z.toJSONSchema(ReportSchema), null, 2)}\n`;
}

// ---- one file --------------------------------------------------------------------

export interface FileReport {
  file: string;
  name: string;
  status: 'pass' | 'fail' | 'invalid';
  failures: FailureEntry[];
  durationMs: number;
  /** `file:line:column` of the failing step or the invalid value (the file alone when unknown). */
  where: string;
  /** For a failure: the located message, the step's expectation and the tail of the trace. */
  detail: string[];
  trace: string[];
  records: StepRecord[];
  repro?: { file: string; steps: number } | null;
}

/** What a judge makes of a scenario: the runner's verdict, or replay's (oracle and fuzz invariants). */
export interface Judged {
  failure: StepFailure | null;
  trace: string[];
  records: readonly StepRecord[];
}

export interface JudgeOptions {
  bugs: readonly BugName[];
  /** Record who holds which vnode (the HTML report). */
  holds: boolean;
  onRecord?: (rec: StepRecord) => void;
}

export type Judge = (s: Scenario, o: JudgeOptions) => Judged;

/** The contract's runner, tracing (the trace's tail explains a failure). */
export const runnerJudge: Judge = (s, o) =>
  runScenario(s, { trace: true, bugs: o.bugs, holds: o.holds, ...(o.onRecord === undefined ? {} : { onRecord: o.onRecord }) });

export interface RunFileOptions {
  bugs?: readonly BugName[];
  judge?: Judge;
  /** Milliseconds from any origin; durations are 0 without it. */
  clock?: () => number;
  holds?: boolean;
  onRecord?: (rec: StepRecord) => void;
}

const roundMs = (x: number) => Math.max(0, Math.round(x * 1000) / 1000);

/** Load and judge one file (a bare list of bugs as the second argument is still taken, as before the options). */
export function runFile(file: string, opts: RunFileOptions | readonly BugName[] = {}): FileReport {
  const o: RunFileOptions = Array.isArray(opts) ? { bugs: opts as readonly BugName[] } : (opts as RunFileOptions);
  const clock = o.clock ?? (() => 0);
  const t0 = clock();
  return judgeLoaded(file, loadScenarioFile(file), o, clock, t0);
}

/** The report runFile gives, for a scenario loaded (or refused) elsewhere: from text, or built in code. */
export function reportLoaded(file: string, l: LoadResult, o: RunFileOptions = {}): FileReport {
  const clock = o.clock ?? (() => 0);
  return judgeLoaded(file, l, o, clock, clock());
}

function judgeLoaded(file: string, l: LoadResult, o: RunFileOptions, clock: () => number, t0: number): FileReport {
  if (!l.ok) return invalidReport(file, l.error, roundMs(clock() - t0));
  const s = l.scenario;
  const judge = o.judge ?? runnerJudge;
  const r = judge(s, { bugs: o.bugs ?? [], holds: o.holds === true, ...(o.onRecord === undefined ? {} : { onRecord: o.onRecord }) });
  const durationMs = roundMs(clock() - t0);
  const base = { file, name: s.name, durationMs, trace: r.trace, records: [...r.records] };
  if (r.failure === null) return { ...base, status: 'pass', failures: [], where: file, detail: [] };
  const pos: SourcePos | undefined = l.stepPos[r.failure.step];
  const where = pos === undefined ? file : `${file}:${pos.line}:${pos.column}`;
  const step = s.steps[r.failure.step];
  const detail = [
    `${where}: steps[${r.failure.step}]: ${r.failure.message}`,
    `  expect: ${JSON.stringify(step?.expect ?? {})}`,
    ...r.trace.slice(-5).map((t) => `  | ${t}`),
  ];
  const failure = { step: r.failure.step, message: r.failure.message, ...(pos === undefined ? {} : { line: pos.line, column: pos.column }) };
  return { ...base, status: 'fail', failures: [failure], where, detail };
}

function invalidReport(file: string, e: InvalidError, durationMs: number): FileReport {
  const f = {
    message: e.message, path: e.path,
    ...(e.line === undefined ? {} : { line: e.line }), ...(e.column === undefined ? {} : { column: e.column }),
  };
  const where = e.line === undefined ? file : `${file}:${e.line}:${e.column ?? 1}`;
  return {
    file, name: readableName(file), status: 'invalid', failures: [f], durationMs, where,
    detail: [formatInvalid(e)], trace: [], records: [],
  };
}

/** The `name:` of a file that did not load, when it can still be read as a one-line string. */
export function readableName(file: string): string {
  try {
    if (statSync(file).size > FILE_BYTES_MAX) return '';
    const doc = parseDocument(readFileSync(file, 'utf8'), { logLevel: 'silent', uniqueKeys: false });
    const name: unknown = doc.get('name');
    return typeof name === 'string' && /^[^\r\n]+$/.test(name) ? name : '';
  } catch {
    return '';
  }
}

// ---- the run ---------------------------------------------------------------------

export function runDocument(reports: readonly FileReport[], o: { durationMs?: number; internalError?: { file?: string; message: string } } = {}): RunDocument {
  const scenarios = reports.map((r) => ({
    file: r.file, name: r.name, status: r.status, failures: r.failures, durationMs: r.durationMs,
    ...(r.repro === undefined ? {} : { repro: r.repro }),
  })) as ScenarioReport[];
  return {
    reportFormat: REPORT_FORMAT,
    scenarios,
    passed: reports.filter((r) => r.status === 'pass').length,
    failed: reports.filter((r) => r.status === 'fail').length,
    invalid: reports.filter((r) => r.status === 'invalid').length,
    durationMs: roundMs(o.durationMs ?? reports.reduce((t, r) => t + r.durationMs, 0)),
    ...(o.internalError === undefined ? {} : { internalError: o.internalError }),
  };
}

/** 3 after an internal error; else 2 when any file is invalid, else 1 when any failed, else 0. */
export function exitStatus(doc: RunDocument): number {
  if (doc.internalError !== undefined) return 3;
  return doc.invalid > 0 ? 2 : doc.failed > 0 ? 1 : 0;
}

// ---- the replay command ------------------------------------------------------------

/**
 * The root of this package's own checkout when `cwd` is inside one: the
 * nearest package.json (the one `npm run` would use) is named procfs-emu
 * and has scenarios/cli.ts beside it. Else null.
 */
export function ownCheckout(cwd: string): string | null {
  let dir = resolve(cwd);
  for (let depth = 0; depth < 256; depth++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const name = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name;
        return name === 'procfs-emu' && existsSync(join(dir, 'scenarios', 'cli.ts')) ? dir : null;
      } catch {
        return null;
      }
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  return null;
}

/** A word the shell reads back as itself. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** How to run the command line where the user is: this repository's npm script inside its checkout, the package's bin elsewhere. */
export function commandPrefix(cwd: string = process.cwd()): string {
  return ownCheckout(cwd) === null ? 'npx procfs-emu' : 'npm run -s emu --';
}

/**
 * The replay command for `file` (a path as the user gave it, relative to
 * `cwd`) that works where the user is: inside this repository
 * `npm run -s emu -- replay` (npm runs it from the package root, so the path
 * is made relative to that), elsewhere `npx procfs-emu replay`.
 */
export function replayCommandLine(file: string, cwd: string = process.cwd()): string {
  const root = ownCheckout(cwd);
  if (root === null) return `npx procfs-emu replay ${shellWord(file)}`;
  const abs = resolve(cwd, file);
  const rel = relative(root, abs);
  const path = rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel) ? abs : rel;
  return `npm run -s emu -- replay ${shellWord(path.split(sep).join('/'))}`;
}
