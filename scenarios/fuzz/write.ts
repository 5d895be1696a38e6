/**
 * The writer: a Scenario back to YAML text in the contract's format
 * (scenario-format.md), one flow map per step as the corpus writes them,
 * fields at their defaults left out. Loading the text gives the scenario
 * back exactly (the round trip is tested).
 */
import { STEP_DEFAULTS, STEP_FIELDS } from '../fields.ts';
import type { Expect, FileEntry, KernelSpec, ProcfsMountSpec, Scenario, Step } from '../types.ts';

/** The kernel: section's defaults (scenario-format.md §1). */
const KERNEL_DEFAULTS = { pidMax: 30000, maxproc: 1044, pageSize: 4096, pfsLast: 33, securelevel: 0, curtain: false };

/** Expect keys in the order they are written. */
const EXPECT_ORDER = ['errno', 'pid', 'fd', 'fds', 'count', 'vtype', 'mode', 'uid', 'gid', 'nlink', 'size', 'fileno',
  'data', 'dataMatches', 'target', 'entries', 'types', 'entriesInclude', 'entryTypes', 'version', 'flags', 'bsize',
  'frsize', 'iosize', 'blocks', 'files', 'ffree', 'favail', 'namemax', 'fstype', 'evicts', 'revokes'] as const satisfies readonly (keyof Expect)[];

/** Every expect key has its place in EXPECT_ORDER (a key left out would be dropped silently). */
type Unordered = Exclude<keyof Expect, (typeof EXPECT_ORDER)[number]>;
const orderComplete: [Unordered] extends [never] ? true : Unordered = true;
void orderComplete;

/** A YAML scalar that loads back as the same value. */
export function scalar(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return plainOk(v) ? v : quote(v);
  throw new Error(`write: not a scalar: ${JSON.stringify(v)}`);
}

/** Plain (unquoted) in flow context: path-like words that YAML 1.2 core reads as strings. */
function plainOk(s: string): boolean {
  if (!/^[A-Za-z_/.][A-Za-z0-9_/.-]*$/.test(s)) return false;
  if (/^(null|Null|NULL|true|True|TRUE|false|False|FALSE|~)$/.test(s)) return false;
  return !/^[-+]?(\.[0-9]|\.inf|\.Inf|\.INF|\.nan|\.NaN|\.NAN)/.test(s);
}

/** A double-quoted YAML string: printable ASCII as is, everything else escaped. */
function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c <= 0xff) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c <= 0xffff) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

function flowValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flowValue).join(', ')}]`;
  if (typeof v === 'object' && v !== null) return flowMap(Object.entries(v));
  return scalar(v);
}

/**
 * A flow map; keys are scalars too, so that data keys such as entryTypes'
 * entry names stay strings: `"0": LNK`, not `0: LNK` (a number to YAML).
 */
function flowMap(entries: [string, unknown][]): string {
  return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${scalar(k)}: ${flowValue(v)}`).join(', ')} }`;
}

/** The fields of a step in the format's order (fields.ts), defaults left out (required ones always written). */
function stepFields(step: Step): [string, unknown][] {
  const body = step as unknown as Record<string, unknown>;
  const defaults = STEP_DEFAULTS[step.kind];
  const out: [string, unknown][] = [];
  for (const k of Object.keys(STEP_FIELDS[step.kind])) {
    const v = body[k];
    if (v === undefined) continue;
    if (defaults.has(k) && JSON.stringify(defaults.get(k)) === JSON.stringify(v)) continue;
    out.push([k, v]);
  }
  return out;
}

function expectFields(e: Expect): [string, unknown][] {
  const rec = e as Record<string, unknown>;
  return EXPECT_ORDER.filter((k) => rec[k] !== undefined).map((k) => [k, rec[k]]);
}

export function writeStep(step: Step): string[] {
  const lines = [`  - ${step.kind}: ${flowMap(stepFields(step))}`];
  if (step.expect !== undefined) lines.push(`    expect: ${flowMap(expectFields(step.expect))}`);
  return lines;
}

function fileEntry(f: FileEntry): string {
  const fields: [string, unknown][] = [['path', f.path], ['type', f.type], ['mode', f.mode]];
  if (f.uid !== 0) fields.push(['uid', f.uid]);
  if (f.gid !== 0) fields.push(['gid', f.gid]);
  if (f.target !== undefined) fields.push(['target', f.target]);
  if (f.emul !== undefined && f.emul !== 'netbsd') fields.push(['emul', f.emul]);
  return `    - ${flowMap(fields)}`;
}

function isDefaultMounts(m: readonly ProcfsMountSpec[]): boolean {
  return m.length === 1 && m[0]!.path === '/proc' && m[0]!.linux;
}

function kernelLines(k: KernelSpec): string[] {
  const lines: string[] = [];
  for (const [key, def] of Object.entries(KERNEL_DEFAULTS)) {
    const v = (k as unknown as Record<string, unknown>)[key];
    if (v !== def) lines.push(`  ${key}: ${scalar(v)}`);
  }
  if (k.files.length > 0) lines.push('  files:', ...k.files.map(fileEntry));
  if (!isDefaultMounts(k.procfs)) {
    lines.push(k.procfs.length === 0 ? '  procfs: []' : '  procfs:');
    for (const m of k.procfs) lines.push(`    - ${flowMap([['path', m.path], ['linux', m.linux]])}`);
  }
  return lines.length === 0 ? [] : ['kernel:', ...lines];
}

/** A literal block; every line indented, the text ending in exactly one newline. */
function block(text: string): string[] {
  const body = text.replace(/\n+$/, '').split('\n');
  return ['description: |', ...body.map((l) => (l === '' ? '' : `  ${l}`))];
}

/** The scenario as YAML text in the contract's format. */
export function writeScenario(s: Scenario): string {
  const lines = [`name: ${quoteName(s.name)}`];
  if (s.description !== undefined) lines.push(...block(s.description));
  lines.push(...kernelLines(s.kernel));
  if (s.bugs.length > 0) lines.push(`bugs: [${s.bugs.join(', ')}]`);
  lines.push('steps:');
  for (const step of s.steps) lines.push(...writeStep(step));
  return `${lines.join('\n')}\n`;
}

/** The name is one line of text; quoted unless it is plainly safe. */
function quoteName(name: string): string {
  return /^[A-Za-z][A-Za-z0-9 ,()/._-]*$/.test(name) && !/[ ]$/.test(name) ? name : quote(name);
}

/** The description the loader gives back for `text` (a literal block keeps one final newline). */
export function normalizeDescription(text: string): string {
  const t = text.replace(/\n+$/, '');
  return `${t.split('\n').map((l) => l.replace(/\s+$/, '')).join('\n')}\n`;
}
