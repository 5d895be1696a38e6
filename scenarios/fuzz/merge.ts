/**
 * Campaign reports: what a campaign (or one shard of it) found, as the
 * report document run prints (report.ts CampaignReportSchema: one entry of
 * scenarios per failure class, the campaign beside it), built in run order
 * from its settled outcomes (Tally), handed to the reporters, and merged
 * across the shards of one campaign into exactly the report the unsharded
 * campaign prints (mergeReports).
 *
 * Everything in a report is a function of the campaign and the runs it
 * covers, never of workers, timing or order of completion (no durations):
 * that is what makes the merge of shards byte for byte the whole.
 */
import { readFileSync } from 'node:fs';
import type { BugName } from '../../emulator/bugs.ts';
import { loadScenarioFile } from '../load.ts';
import {
  type CampaignDocument, CampaignReportSchema, type ClassEntry, type ClassRepro, REPORT_FORMAT, type StepFailureEntry,
} from '../report.ts';
import { renderJson } from '../reporters/json.ts';
import { campaignJunit } from '../reporters/junit.ts';
import { NO_PAINT, type Paint, campaignText } from '../reporters/text.ts';
import type { CampaignOptions, CampaignResult, RunFailure } from './campaign.ts';
import type { SeedSpec } from './prng.ts';

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

/** The report of a campaign: the run document's shape, one entry of `scenarios` per failure class. */
export type CampaignReport = CampaignDocument;

/** One failure class: every failing run with the same signature (`name`), the repro of the first in `file`. */
export type ClassReport = ClassEntry;

/** The repro of one failing run: its file, its step count and its failing step. */
export type ReproRef = ClassRepro;

export type Stopped = CampaignResult['stopped'];

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
function makeReport(campaign: CampaignDocument['campaign'], shard: string, runsDone: number, stopped: Stopped, classes: ClassReport[]): CampaignReport {
  const failingRuns = classes.reduce((n, c) => n + c.count, 0);
  return {
    reportFormat: REPORT_FORMAT, scenarios: classes, passed: 0, failed: classes.length, invalid: 0,
    campaign, shard, runsDone, stopped, interrupted: stopped === 'interrupted', failingRuns,
  };
}

interface ClassHead {
  /** The signature's text: the class. */
  name: string;
  signature: { rule: string; kind: string; node: string };
}

/** The one constructor of a class entry. */
function makeClass(h: ClassHead, runs: number[], first: ReproRef, repros: ReproRef[] | undefined): ClassReport {
  return {
    file: first.file, name: h.name, status: 'fail', failures: [first.failure], repro: { file: first.file, steps: first.steps },
    signature: { rule: h.signature.rule, kind: h.signature.kind, node: h.signature.node }, count: runs.length, runs,
    ...(repros === undefined ? {} : { repros }),
  };
}

/**
 * The failing step of a repro, located in its file when the file loads
 * (the line and column are read back from what was written, so they are
 * the same wherever the campaign ran); without a file, unlocated.
 */
export function locatedFailure(file: string, f: { step: number; message: string }): StepFailureEntry {
  const l = file === '' ? null : loadScenarioFile(file);
  const pos = l?.ok === true ? l.stepPos[f.step] : undefined;
  return { step: f.step, message: f.message, ...(pos === undefined ? {} : { line: pos.line, column: pos.column }) };
}

// ---- a campaign's report ---------------------------------------------------------

interface Building {
  head: ClassHead;
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

  /** Count a failing run; `file` is its repro file when one was written ("" for a repro kept but not written). */
  add(f: RunFailure, file: string | null): void {
    let c = this.classes.get(f.cls);
    if (c === undefined) {
      const head = { name: f.cls, signature: { rule: f.signature.rule, kind: f.signature.kind, node: f.signature.node } };
      c = { head, runs: [], repro: null, repros: [] };
      this.classes.set(f.cls, c);
    }
    const ref = file === null || f.repro === null
      ? null
      : { run: f.run, file, steps: f.repro.scenario.steps.length, failure: locatedFailure(file, f.repro.info.failure) };
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

// ---- printing (the reporters, reporters/*.ts) ----------------------------------

/** The report as JSON (`--reporter json`): indented, with lists of run numbers on one line each. */
export function reportJson(r: CampaignReport): string {
  return renderJson({ doc: r });
}

/** The human report (`--reporter text`): one line for the campaign, two per class. */
export function reportText(r: CampaignReport, paint: Paint = NO_PAINT): string {
  return campaignText(r, paint);
}

/** JUnit XML (`--reporter junit`): one testcase per failure class, or one passing testcase for a clean campaign. */
export function reportJunit(r: CampaignReport): string {
  return campaignJunit(r);
}

// ---- merging shards ------------------------------------------------------------

/** A report that cannot be merged (not a report, another campaign, shards missing): exit 2. */
export class MergeError extends Error {}

/** Read a report from its JSON text; a MergeError names the file and what is wrong. */
export function parseReport(file: string, text: string): CampaignReport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new MergeError(`${file}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const format = typeof doc === 'object' && doc !== null ? (doc as { reportFormat?: unknown }).reportFormat : undefined;
  if (typeof format === 'number' && format !== REPORT_FORMAT) {
    throw new MergeError(`${file}: a report of format ${format}; this procfs-emu reads format ${REPORT_FORMAT} (run the shards with the same version)`);
  }
  const r = CampaignReportSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new MergeError(`${file}: not a fuzz report: ${issue.path.join('.') || '(document)'}: ${issue.message}`);
  }
  return r.data;
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

function combine(campaign: CampaignDocument['campaign'], reports: readonly CampaignReport[]): CampaignReport {
  type Failing = { run: number; cls: string };
  const failing: Failing[] = [];
  const heads = new Map<string, ClassHead>();
  const firsts = new Map<number, ReproRef>();
  const all: ReproRef[] = [];
  for (const r of reports) {
    for (const k of r.scenarios) {
      if (!heads.has(k.name)) heads.set(k.name, { name: k.name, signature: k.signature });
      for (const run of k.runs) failing.push({ run, cls: k.name });
      firsts.set(k.runs[0]!, { run: k.runs[0]!, file: k.file, steps: k.repro.steps, failure: k.failures[0] });
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
