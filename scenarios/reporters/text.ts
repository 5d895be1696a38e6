/**
 * The text reporter, for people: one PASS / FAIL / INVALID line per
 * scenario, the located failure with its expectation and the tail of the
 * trace, and a summary line; for a fuzz campaign, one line for the campaign
 * and two per failure class (its runs, its repro).
 */
import { seedText } from '../fuzz/prng.ts';
import type { CampaignDocument, FileReport, RunDocument } from '../report.ts';
import { type Reported, isCampaign } from './types.ts';

export interface Paint {
  green: (s: string) => string;
  red: (s: string) => string;
  yellow: (s: string) => string;
}

export const NO_PAINT: Paint = { green: (s) => s, red: (s) => s, yellow: (s) => s };

/** The scenario's one line. */
export function scenarioLine(r: FileReport, paint: Paint = NO_PAINT): string {
  const named = r.name === '' ? r.file : `${r.file}: ${r.name}`;
  if (r.status === 'pass') return `${paint.green('PASS')} ${named}`;
  if (r.status === 'fail') return `${paint.red('FAIL')} ${named}`;
  return `${paint.yellow('INVALID')} ${named}`;
}

/** `2 passed, 1 failed, 0 invalid in 12 ms`, and the internal error when there was one. */
export function summaryLines(doc: RunDocument): string[] {
  const lines = [`${doc.passed} passed, ${doc.failed} failed, ${doc.invalid} invalid in ${Math.round(doc.durationMs)} ms`];
  const ie = doc.internalError;
  if (ie !== undefined) lines.push(`internal error${ie.file === undefined ? '' : ` while running ${ie.file}`}: ${ie.message}`);
  return lines;
}

/** The whole report as one text (for a file, or a campaign's on standard output). */
export function renderText(run: Reported, paint: Paint = NO_PAINT): string {
  if (isCampaign(run)) return campaignText(run.doc, paint);
  const lines: string[] = [];
  for (const r of run.files) lines.push(scenarioLine(r, paint), ...r.detail);
  lines.push(...summaryLines(run.doc));
  return `${lines.join('\n')}\n`;
}

const RUNS_SHOWN = 8;

/** A class's failing runs, the first few of them: `5, 64, 134, +51`. */
export function runsShown(runs: readonly number[]): string {
  return runs.slice(0, RUNS_SHOWN).join(', ') + (runs.length > RUNS_SHOWN ? `, +${runs.length - RUNS_SHOWN}` : '');
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** A campaign's first line: `fuzz: seed 1 (shard 2/4): 500 runs, 7 failing runs in 2 classes (time limit)`. */
export function campaignLine(doc: CampaignDocument, paint: Paint = NO_PAINT): string {
  const c = doc.campaign;
  const where = c.run === undefined ? `seed ${seedText(c.seed)}` : `seed ${seedText(c.seed)} run ${c.run}`;
  const shard = doc.shard === '1/1' ? '' : ` (shard ${doc.shard})`;
  const why = doc.stopped === 'time' ? ' (time limit)' : doc.stopped === 'interrupted' ? ' (interrupted)' : '';
  const found = doc.failingRuns === 0
    ? paint.green('0 failures')
    : paint.red(`${plural(doc.failingRuns, 'failing run', 'failing runs')} in ${plural(doc.failed, 'class', 'classes')}`);
  return `fuzz: ${where}${shard}: ${doc.runsDone} runs, ${found}${why}`;
}

/** The campaign as people read it: its line, then each class with its runs and its repro. */
export function campaignText(doc: CampaignDocument, paint: Paint = NO_PAINT): string {
  const lines = [campaignLine(doc, paint)];
  doc.scenarios.forEach((k, i) => {
    lines.push(`  ${i + 1}. ${k.name}: ${plural(k.count, 'run', 'runs')} (${runsShown(k.runs)})`);
    lines.push(`     repro (run ${k.runs[0]}, ${k.repro.steps} steps): ${k.repro.file}`);
  });
  return `${lines.join('\n')}\n`;
}
