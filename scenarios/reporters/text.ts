/**
 * The text reporter, for people: one PASS / FAIL / INVALID line per
 * scenario, the located failure with its expectation and the tail of the
 * trace, and a summary line.
 */
import type { FileReport, RunDocument } from '../report.ts';
import type { RunReport } from './types.ts';

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

/** The whole report as one text (for a file). */
export function renderText(run: RunReport): string {
  const lines: string[] = [];
  for (const r of run.files) lines.push(scenarioLine(r), ...r.detail);
  lines.push(...summaryLines(run.doc));
  return `${lines.join('\n')}\n`;
}
