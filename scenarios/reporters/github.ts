/**
 * The GitHub Actions reporter: one `::error` workflow command per failing or
 * invalid scenario, at the file, line and column, so the failure shows in the
 * pull request beside the line; for a fuzz campaign, one per failure class,
 * at the failing step of its repro file. Chosen by default under
 * GITHUB_ACTIONS=true. Passing scenarios (and a clean campaign) print nothing.
 */
import { commandForms } from '../fuzz/repro.ts';
import type { ClassEntry, FileReport } from '../report.ts';
import { runsShown } from './text.ts';
import { type Reported, isCampaign } from './types.ts';

/** A command's message: %, CR and LF escaped. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value: as a message, and : and , too. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function workflowCommand(command: string, props: Record<string, string | number | undefined>, message: string): string {
  const list = Object.entries(props).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${escapeProperty(String(v))}`);
  return `::${command}${list.length === 0 ? '' : ` ${list.join(',')}`}::${escapeData(message)}`;
}

function annotation(r: FileReport): string | null {
  const f = r.failures[0];
  if (r.status === 'pass' || f === undefined) return null;
  const at = { file: r.file, line: f.line, col: f.column };
  if ('step' in f) {
    // The located first line is the annotation's place; the expectation and the trace tail follow it.
    const rest = r.detail.slice(1).map((l) => l.trimStart());
    return workflowCommand('error', { ...at, title: `procfs-emu: ${r.name}` }, [`steps[${f.step}]: ${f.message}`, ...rest].join('\n'));
  }
  const title = r.name === '' ? 'procfs-emu: invalid scenario' : `procfs-emu: invalid scenario: ${r.name}`;
  return workflowCommand('error', { ...at, title }, f.path === '' ? f.message : `${f.path}: ${f.message}`);
}

function classAnnotation(k: ClassEntry): string {
  const f = k.failures[0];
  const at = { file: k.file === '' ? undefined : k.file, line: f.line, col: f.column, title: `procfs-emu fuzz: ${k.name}` };
  const message = [
    `steps[${f.step}]: ${f.message}`,
    `${k.count} failing ${k.count === 1 ? 'run' : 'runs'} (${runsShown(k.runs)})`,
    `replay: ${commandForms(`replay ${k.file}`)}`,
  ];
  return workflowCommand('error', at, message.join('\n'));
}

export function renderGithub(run: Reported): string {
  if (isCampaign(run)) return run.doc.scenarios.map((k) => `${classAnnotation(k)}\n`).join('');
  const lines = run.files.map(annotation).filter((l): l is string => l !== null);
  const ie = run.doc.internalError;
  if (ie !== undefined) lines.push(workflowCommand('error', { file: ie.file, title: 'procfs-emu: internal error' }, ie.message));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
