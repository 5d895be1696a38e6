/**
 * Campaign reports: what a campaign (or one shard of it) found, as failure
 * classes, built in run order from its settled outcomes (Tally), printed as
 * text, JSON or JUnit, and merged across the shards of one campaign into
 * exactly the report the unsharded campaign prints (mergeReports).
 *
 * Everything in a report is a function of the campaign and the runs it
 * covers, never of workers, timing or order of completion: that is what
 * makes the merge of shards byte for byte the whole.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { BugName } from '../../emulator/bugs.ts';
import type { CampaignOptions, CampaignResult, RunFailure } from './campaign.ts';
import { type SeedSpec, seedText } from './prng.ts';
import { type JunitCase, junitXml } from '../reporters/junit.ts';

/** What makes two reports parts of the same campaign. */
export interface CampaignIdentity {
  seed: SeedSpec;
  runs: number;
  steps: number;
  bugs: BugName[];
  checkDeterminism: boolean;
  maxFailures: number;
  keepAll: boolean;
  /** Set when one run was played alone (fuzz --run N). */
  run?: number;
  /** The engine that ran it: `procfs-emu <version>`. */
  engine: string;
}

/** A repro file of a failing run. */
export interface ReproRef {
  run: number;
  /** The repro's failure: `steps[i]: message`. */
  message: string;
  file: string;
  steps: number;
}

/** One failure class: every failing run with the same signature. */
export interface ClassReport {
  signature: string;
  rule: string;
  step: string;
  node: string;
  count: number;
  runs: number[];
  /** The repro of the class's first failing run. */
  repro: ReproRef;
  /** With keepAll: the repro of every failing run of the class. */
  repros?: ReproRef[];
}

export type Stopped = CampaignResult['stopped'];

export interface CampaignReport {
  campaign: CampaignIdentity;
  /** `I/N`; `1/1` for a whole campaign (and for a merge of all its shards). */
  shard: string;
  /** Runs the report covers. */
  runsDone: number;
  stopped: Stopped;
  interrupted: boolean;
  failingRuns: number;
  /** In the order of their first failing run. */
  classes: ClassReport[];
}

/** The engine's name and version (the nearest package.json above this file), part of a campaign's identity. */
export function engineName(): string {
  for (let up = '../../'; up.length <= 4 * 3 + 6; up += '../') {
    try {
      const pkg = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'procfs-emu') return `${pkg.name} ${pkg.version ?? '?'}`;
    } catch {
      // Not here: one level up.
    }
  }
  return 'procfs-emu ?';
}

export function campaignIdentity(o: CampaignOptions, engine: string): CampaignIdentity {
  return {
    seed: o.seed, runs: o.runs, steps: o.steps, bugs: [...o.bugs], checkDeterminism: o.checkDeterminism,
    maxFailures: o.maxFailures, keepAll: o.keepAll === true, ...(o.only === undefined ? {} : { run: o.only }), engine,
  };
}

/** The one constructor of a report, so that every report has its keys in the same order. */
function makeReport(campaign: CampaignIdentity, shard: string, runsDone: number, stopped: Stopped, classes: ClassReport[]): CampaignReport {
  const failingRuns = classes.reduce((n, c) => n + c.count, 0);
  return { campaign, shard, runsDone, stopped, interrupted: stopped === 'interrupted', failingRuns, classes };
}

function makeClass(c: Pick<ClassReport, 'signature' | 'rule' | 'step' | 'node'>, runs: number[], repro: ReproRef, repros: ReproRef[] | undefined): ClassReport {
  return {
    signature: c.signature, rule: c.rule, step: c.step, node: c.node, count: runs.length, runs, repro,
    ...(repros === undefined ? {} : { repros }),
  };
}

// ---- a campaign's report ---------------------------------------------------------

interface Building {
  head: Pick<ClassReport, 'signature' | 'rule' | 'step' | 'node'>;
  runs: number[];
  repro: ReproRef | null;
  repros: ReproRef[];
}

/** The classes of a campaign, fed its failing runs in run order. */
export class Tally {
  private readonly classes = new Map<string, Building>();
  failingRuns = 0;

  constructor(private readonly keepAll: boolean) {}

  get classCount(): number {
    return this.classes.size;
  }

  /** Is `f` the first failing run of its class? (Then its repro is written.) */
  isNew(f: RunFailure): boolean {
    return !this.classes.has(f.cls);
  }

  /** The number of the class `f` belongs to (1-based, in order of first failing run). */
  classNumber(f: RunFailure): number {
    return [...this.classes.keys()].indexOf(f.cls) + 1;
  }

  runsOf(f: RunFailure): number {
    return this.classes.get(f.cls)?.runs.length ?? 0;
  }

  /** Count a failing run; `file` is its repro file when one was written. */
  add(f: RunFailure, file: string | null): void {
    let c = this.classes.get(f.cls);
    if (c === undefined) {
      const head = { signature: f.cls, rule: f.signature.rule, step: f.signature.kind, node: f.signature.node };
      c = { head, runs: [], repro: null, repros: [] };
      this.classes.set(f.cls, c);
    }
    const ref = file === null || f.repro === null ? null : { run: f.run, message: f.repro.message, file, steps: f.repro.scenario.steps.length };
    if (c.repro === null) {
      if (ref === null) throw new Error(`fuzz: the first failing run of class ${f.cls} (run ${f.run}) has no repro`);
      c.repro = ref;
    }
    if (ref !== null) c.repros.push(ref);
    c.runs.push(f.run);
    this.failingRuns++;
  }

  report(campaign: CampaignIdentity, shard: string, r: CampaignResult): CampaignReport {
    const classes = [...this.classes.values()].map((c) => makeClass(c.head, [...c.runs], c.repro!, this.keepAll ? [...c.repros] : undefined));
    return makeReport(campaign, shard, r.runs, r.stopped, classes);
  }
}

// ---- printing --------------------------------------------------------------------

/** The report as JSON, indented, with lists of run numbers on one line each. */
export function reportJson(r: CampaignReport): string {
  const text = JSON.stringify(r, null, 2).replace(/\[\n[ 0-9,\n]*\]/g, (m) => `[${m.slice(1, -1).split(',').map((x) => x.trim()).join(', ')}]`);
  return `${text}\n`;
}

const RUNS_SHOWN = 8;

/** The human report: one line for the campaign, one per class. `paint` colours (identity without colour). */
export function reportText(r: CampaignReport, paint: (what: 'fail' | 'ok', s: string) => string = (_w, s) => s): string {
  const c = r.campaign;
  const where = c.run === undefined ? `seed ${seedText(c.seed)}` : `seed ${seedText(c.seed)} run ${c.run}`;
  const shard = r.shard === '1/1' ? '' : ` (shard ${r.shard})`;
  const why = r.stopped === 'time' ? ' (time limit)' : r.stopped === 'interrupted' ? ' (interrupted)' : '';
  const found = r.failingRuns === 0
    ? paint('ok', '0 failures')
    : paint('fail', `${r.failingRuns} failing ${r.failingRuns === 1 ? 'run' : 'runs'} in ${r.classes.length} ${r.classes.length === 1 ? 'class' : 'classes'}`);
  const lines = [`fuzz: ${where}${shard}: ${r.runsDone} runs, ${found}${why}`];
  r.classes.forEach((k, i) => {
    const shown = k.runs.slice(0, RUNS_SHOWN).join(', ') + (k.runs.length > RUNS_SHOWN ? `, +${k.runs.length - RUNS_SHOWN}` : '');
    lines.push(`  ${i + 1}. ${k.signature}: ${k.count} ${k.count === 1 ? 'run' : 'runs'} (${shown})`);
    lines.push(`     repro (run ${k.repro.run}, ${k.repro.steps} steps): ${k.repro.file}`);
  });
  return `${lines.join('\n')}\n`;
}

/** JUnit XML: one testcase per failure class (a failure each), or one passing testcase for a clean campaign. */
export function reportJunit(r: CampaignReport): string {
  const c = r.campaign;
  const cases: JunitCase[] = r.classes.map((k) => ({
    classname: 'procfs-emu.fuzz', name: k.signature, file: k.repro.file,
    failure: {
      message: k.repro.message, type: k.rule,
      text: [
        `${k.count} failing ${k.count === 1 ? 'run' : 'runs'}: ${k.runs.join(', ')}`,
        `first: run ${k.repro.run}: ${k.repro.message}`,
        `repro: ${k.repro.file}`,
        `replay: npx procfs-emu replay ${k.repro.file} (in the procfs-emu repository: npm run -s emu -- replay ${k.repro.file})`,
      ].join('\n'),
    },
  }));
  if (cases.length === 0) cases.push({ classname: 'procfs-emu.fuzz', name: `${r.runsDone} runs, no failure class` });
  const properties = [
    ['seed', seedText(c.seed)], ['runs', String(c.runs)], ['steps', String(c.steps)], ['bugs', c.bugs.join(',')],
    ['runsDone', String(r.runsDone)], ['stopped', r.stopped], ['engine', c.engine],
  ] as const;
  return junitXml({ name: `procfs-emu fuzz seed ${seedText(c.seed)}`, properties }, cases);
}

// ---- merging shards ------------------------------------------------------------

/** A report that cannot be merged (not a report, another campaign, shards missing): exit 2. */
export class MergeError extends Error {}

const reproSchema = z.object({ run: z.number().int().min(0), message: z.string(), file: z.string(), steps: z.number().int() });
const reportSchema = z.object({
  campaign: z.object({
    seed: z.union([z.number(), z.string()]), runs: z.number().int(), steps: z.number().int(), bugs: z.array(z.string()),
    checkDeterminism: z.boolean(), maxFailures: z.number().int(), keepAll: z.boolean(), run: z.number().int().optional(), engine: z.string(),
  }),
  shard: z.string().regex(/^[0-9]+\/[0-9]+$/),
  runsDone: z.number().int().min(0),
  stopped: z.enum(['done', 'failures', 'time', 'interrupted']),
  interrupted: z.boolean(),
  failingRuns: z.number().int().min(0),
  classes: z.array(z.object({
    signature: z.string(), rule: z.string(), step: z.string(), node: z.string(), count: z.number().int(),
    runs: z.array(z.number().int().min(0)), repro: reproSchema, repros: z.array(reproSchema).optional(),
  })),
});

/** Read a report from its JSON text; a MergeError names the file and what is wrong. */
export function parseReport(file: string, text: string): CampaignReport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new MergeError(`${file}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const r = reportSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new MergeError(`${file}: not a fuzz report: ${issue.path.join('.') || '(document)'}: ${issue.message}`);
  }
  return r.data as CampaignReport;
}

const IDENTITY_KEYS = ['seed', 'runs', 'steps', 'bugs', 'checkDeterminism', 'maxFailures', 'keepAll', 'run', 'engine'] as const;

function shardOf(s: string): { index: number; count: number } {
  const [i, n] = s.split('/').map(Number) as [number, number];
  return { index: i, count: n };
}

/**
 * The report of the whole campaign from the reports of all its shards:
 * byte for byte what the unsharded campaign prints when every shard ran to
 * its end (with maxFailures N the cut falls at the N-th failing run of the
 * whole; every shard ran at least that far, since it stops only at its own
 * N-th). Shards stopped by a time limit or a signal merge into the union of
 * what they did, marked so.
 */
export function mergeReports(docs: readonly { file: string; report: CampaignReport }[]): CampaignReport {
  if (docs.length === 0) throw new MergeError('merge: no report given');
  const first = docs[0]!;
  for (const d of docs.slice(1)) {
    for (const key of IDENTITY_KEYS) {
      const a = JSON.stringify(first.report.campaign[key]);
      const b = JSON.stringify(d.report.campaign[key]);
      if (a !== b) {
        throw new MergeError(`merge: ${first.file} and ${d.file} are reports of different campaigns (${key}: ${a ?? 'none'} and ${b ?? 'none'})`);
      }
    }
  }
  const count = shardOf(first.report.shard).count;
  const byIndex = new Map<number, string>();
  for (const d of docs) {
    const s = shardOf(d.report.shard);
    if (s.count !== count) throw new MergeError(`merge: ${first.file} is shard ${first.report.shard} but ${d.file} is shard ${d.report.shard}: not one split`);
    if (s.index < 1 || s.index > count) throw new MergeError(`merge: ${d.file}: shard ${d.report.shard} does not exist`);
    const other = byIndex.get(s.index);
    if (other !== undefined) throw new MergeError(`merge: ${other} and ${d.file} are both shard ${d.report.shard}`);
    byIndex.set(s.index, d.file);
  }
  for (let i = 1; i <= count; i++) if (!byIndex.has(i)) throw new MergeError(`merge: shard ${i}/${count} is missing`);
  return combine(first.report.campaign, docs.map((d) => d.report));
}

function combine(campaign: CampaignIdentity, reports: readonly CampaignReport[]): CampaignReport {
  type Failing = { run: number; cls: string };
  const failing: Failing[] = [];
  const heads = new Map<string, ClassReport>();
  const firsts = new Map<number, ReproRef>();
  const all: ReproRef[] = [];
  for (const r of reports) {
    for (const k of r.classes) {
      if (!heads.has(k.signature)) heads.set(k.signature, k);
      for (const run of k.runs) failing.push({ run, cls: k.signature });
      firsts.set(k.repro.run, k.repro);
      all.push(...(k.repros ?? []));
    }
  }
  failing.sort((a, b) => a.run - b.run);
  const stops = new Set(reports.map((r) => r.stopped));
  const stopped: Stopped = stops.has('interrupted') ? 'interrupted' : stops.has('time') ? 'time' : 'done';
  let kept = failing;
  let runsDone = reports.reduce((n, r) => n + r.runsDone, 0);
  let merged: Stopped = stopped;
  const m = campaign.maxFailures;
  if (stopped === 'done' && m > 0 && failing.length >= m && campaign.run === undefined) {
    const cut = failing[m - 1]!.run;
    kept = failing.filter((f) => f.run <= cut);
    runsDone = cut + 1;
    merged = 'failures';
  }
  const runsOf = new Map<string, number[]>();
  for (const f of kept) {
    const list = runsOf.get(f.cls) ?? [];
    list.push(f.run);
    runsOf.set(f.cls, list);
  }
  const classOfRun = new Map(kept.map((f) => [f.run, f.cls]));
  const classes = [...runsOf.entries()].map(([cls, runs]) => {
    const repro = firsts.get(runs[0]!);
    if (repro === undefined) throw new MergeError(`merge: no report holds the repro of run ${runs[0]}, the first of class ${cls}`);
    const repros = campaign.keepAll ? all.filter((x) => classOfRun.get(x.run) === cls).sort((a, b) => a.run - b.run) : undefined;
    return makeClass(heads.get(cls)!, runs, repro, repros);
  });
  return makeReport(campaign, '1/1', runsDone, merged, classes);
}
