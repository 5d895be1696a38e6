/**
 * Running scenario files and reporting them: the human lines, the --json
 * document of scenario-format.md §6, and the exit status.
 */
import type { BugName } from '../emulator/bugs.ts';
import { formatInvalid, loadScenarioFile } from './load.ts';
import type { InvalidError } from './load.ts';
import { runScenario } from './runner.ts';

export interface FileReport {
  file: string;
  name: string;
  status: 'pass' | 'fail' | 'invalid';
  failures: ({ step: number; message: string } | { message: string; line?: number; column?: number; path: string })[];
  /** For a failure: the step's expectation and the tail of the trace. */
  detail: string[];
  trace: string[];
}

export interface RunDocument {
  scenarios: { file: string; name: string; status: string; failures: unknown[] }[];
  passed: number;
  failed: number;
  invalid: number;
}

function invalidReport(file: string, e: InvalidError): FileReport {
  const f: { message: string; line?: number; column?: number; path: string } = { message: e.message, path: e.path };
  if (e.line !== undefined) f.line = e.line;
  if (e.column !== undefined) f.column = e.column;
  return { file, name: '', status: 'invalid', failures: [f], detail: [formatInvalid(e)], trace: [] };
}

/** Load and run one file (a trace is always kept: its tail explains a failure). */
export function runFile(file: string, bugs: readonly BugName[] = []): FileReport {
  const l = loadScenarioFile(file);
  if (!l.ok) return invalidReport(file, l.error);
  const s = l.scenario;
  const r = runScenario(s, { trace: true, bugs });
  if (r.failure === null) return { file, name: s.name, status: 'pass', failures: [], detail: [], trace: r.trace };
  const step = s.steps[r.failure.step];
  const pos = l.stepPos[r.failure.step];
  const where = pos === undefined ? file : `${file}:${pos.line}:${pos.column}`;
  const detail = [
    `${where}: steps[${r.failure.step}]: ${r.failure.message}`,
    `  expect: ${JSON.stringify(step?.expect ?? {})}`,
    ...r.trace.slice(-5).map((t) => `  | ${t}`),
  ];
  return { file, name: s.name, status: 'fail', failures: [r.failure], detail, trace: r.trace };
}

export function runDocument(reports: readonly FileReport[]): RunDocument {
  return {
    scenarios: reports.map((r) => ({ file: r.file, name: r.name, status: r.status, failures: r.failures })),
    passed: reports.filter((r) => r.status === 'pass').length,
    failed: reports.filter((r) => r.status === 'fail').length,
    invalid: reports.filter((r) => r.status === 'invalid').length,
  };
}

/** 2 when any file is invalid, else 1 when any failed, else 0. */
export function exitStatus(doc: RunDocument): number {
  return doc.invalid > 0 ? 2 : doc.failed > 0 ? 1 : 0;
}
