/**
 * The TAP reporter (TAP version 14): the plan, one test point per scenario
 * file, and for a failing or invalid one a YAML diagnostics block (message,
 * severity, at: file/line/column, the step, its expectation, the trace tail).
 * An internal error ends the stream with `Bail out!`.
 */
import { stringify } from 'yaml';
import type { FileReport } from '../report.ts';
import type { RunReport } from './types.ts';

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

function testPoint(r: FileReport, n: number): string[] {
  const desc = tapDescription(r.name === '' ? r.file : `${r.file}: ${r.name}`);
  const d = diagnostics(r);
  if (d === null) return [`ok ${n} - ${desc}`];
  const yaml = stringify(d, { lineWidth: 0 }).trimEnd().split('\n').map((l) => `  ${l}`);
  return [`not ok ${n} - ${desc}`, '  ---', ...yaml, '  ...'];
}

export function renderTap(run: RunReport): string {
  const { doc } = run;
  const lines = ['TAP version 14', `1..${run.files.length}`];
  run.files.forEach((r, i) => lines.push(...testPoint(r, i + 1)));
  const ie = doc.internalError;
  if (ie !== undefined) lines.push(`Bail out! internal error${ie.file === undefined ? '' : ` while running ${ie.file}`}: ${ie.message.split('\n')[0]}`);
  else lines.push(`# passed ${doc.passed}, failed ${doc.failed}, invalid ${doc.invalid}`);
  return `${lines.join('\n')}\n`;
}
