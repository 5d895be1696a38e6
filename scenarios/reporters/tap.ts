/**
 * The TAP reporter (TAP version 14): the plan, one test point per scenario
 * file, and for a failing or invalid one a YAML diagnostics block (message,
 * severity, at: file/line/column, the step, its expectation, the trace tail).
 * An internal error ends the stream with `Bail out!`. A fuzz campaign has one
 * test point per failure class (one passing point when it found none).
 */
import { Document, isSeq } from 'yaml';
import type { CampaignDocument, ClassEntry, FileReport } from '../report.ts';
import { campaignLine } from './text.ts';
import { type Reported, isCampaign } from './types.ts';

/** A test point's description: `#` and `\` escaped (TAP 14), one line. */
export function tapDescription(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

function diagnostics(r: FileReport): Record<string, unknown> | null {
  const f = r.failures[0];
  if (r.status === 'pass' || f === undefined) return null;
  const at = { file: r.file, ...(f.line === undefined ? {} : { line: f.line }), ...(f.column === undefined ? {} : { column: f.column }) };
  if ('step' in f) {
    const tail = r.detail.slice(1);
    const expect = tail.find((l) => l.startsWith('  expect: '))?.slice('  expect: '.length);
    const trace = tail.filter((l) => l.startsWith('  | ')).map((l) => l.slice(4));
    return {
      message: f.message, severity: 'fail', at, step: f.step,
      ...(expect === undefined ? {} : { expect: JSON.parse(expect) as unknown }), trace, duration_ms: r.durationMs,
    };
  }
  return { message: f.message, severity: 'invalid', at, path: f.path };
}

function point(n: number, desc: string, d: Record<string, unknown> | null): string[] {
  if (d === null) return [`ok ${n} - ${desc}`];
  const doc = new Document(d);
  // A class's runs stay on one line.
  const runs = doc.get('runs', true);
  if (isSeq(runs)) runs.flow = true;
  const yaml = doc.toString({ lineWidth: 0 }).trimEnd().split('\n').map((l) => `  ${l}`);
  return [`not ok ${n} - ${desc}`, '  ---', ...yaml, '  ...'];
}

function testPoint(r: FileReport, n: number): string[] {
  return point(n, tapDescription(r.name === '' ? r.file : `${r.file}: ${r.name}`), diagnostics(r));
}

function classDiagnostics(k: ClassEntry): Record<string, unknown> {
  const f = k.failures[0];
  const at = { file: k.file, ...(f.line === undefined ? {} : { line: f.line }), ...(f.column === undefined ? {} : { column: f.column }) };
  return { message: f.message, severity: 'fail', at, step: f.step, rule: k.signature.rule, count: k.count, runs: k.runs };
}

function campaignTap(doc: CampaignDocument): string {
  const lines = ['TAP version 14', `1..${Math.max(1, doc.scenarios.length)}`];
  doc.scenarios.forEach((k, i) => lines.push(...point(i + 1, tapDescription(`${k.file}: ${k.name}`), classDiagnostics(k))));
  if (doc.scenarios.length === 0) lines.push(`ok 1 - ${tapDescription(`${doc.runsDone} runs, no failure class`)}`);
  lines.push(`# ${campaignLine(doc)}`);
  return `${lines.join('\n')}\n`;
}

export function renderTap(run: Reported): string {
  if (isCampaign(run)) return campaignTap(run.doc);
  const { doc } = run;
  const lines = ['TAP version 14', `1..${run.files.length}`];
  run.files.forEach((r, i) => lines.push(...testPoint(r, i + 1)));
  const ie = doc.internalError;
  if (ie !== undefined) lines.push(`Bail out! internal error${ie.file === undefined ? '' : ` while running ${ie.file}`}: ${ie.message.split('\n')[0]}`);
  else lines.push(`# passed ${doc.passed}, failed ${doc.failed}, invalid ${doc.invalid}`);
  return `${lines.join('\n')}\n`;
}
