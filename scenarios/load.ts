/**
 * The scenario loader: YAML 1.2 text -> a checked `Scenario` with every default
 * applied, or one `InvalidError` naming file, line, column and value path.
 * Bad input never throws. Order: limits, YAML, tree shape, zod schemas
 * (format.ts), then what needs the whole file (handles, kernel.files, pids).
 * When a phase finds several problems, the one earliest in the file is reported.
 */
import { readFileSync, statSync } from 'node:fs';
import {
  isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments,
  type Document, type Node as YamlNode, type Pair,
} from 'yaml';
import { z } from 'zod';
import { DEFAULT_ROOTFS } from '../emulator/rootfs.ts';
import {
  DESCRIPTOR_FIELDS, FILE_BYTES_MAX, HANDLE_RE, NESTING_MAX, PROCESS_BINDERS, PROCESS_FIELDS, STEP_KINDS, fillTemplate, templateParts,
} from './fields.ts';
import { EXPECT_NON_RESULTS, RESULT_CHECKS, STEP_BODIES, STEP_EXPECTS, STEP_RESULT_KEYS, ScenarioShellSchema } from './format.ts';
import type { Expect, FileEntry, KernelSpec, Scenario, SourcePos, Step, StepKind } from './types.ts';
import { compilePattern } from './pattern.ts';

export interface InvalidError {
  file: string;
  line?: number;
  column?: number;
  /** Value path such as `steps[3].open.flags`, `kernel.pidMax`; '' for the whole document. */
  path: string;
  message: string;
}

export type LoadResult =
  | { ok: true; scenario: Scenario; stepPos: SourcePos[] }
  | { ok: false; error: InvalidError };

type Seg = string | number;
type Path = readonly Seg[];
/** A problem found at `path`; `at: 'key'` points at the key rather than its value. */
interface Issue {
  path: Path;
  message: string;
  at?: 'key';
  /** Where it is, when `path` cannot say (a key that is not a string). */
  offset?: number;
}

/** `file:line:column: path: message`, leaving out the parts that are unknown. */
export function formatInvalid(e: InvalidError): string {
  const where = e.line === undefined ? e.file : `${e.file}:${e.line}:${e.column ?? 1}`;
  return e.path === '' ? `${where}: ${e.message}` : `${where}: ${e.path}: ${e.message}`;
}

/** `steps[3].open.flags` */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function loadScenarioFile(path: string): LoadResult {
  const fail = (message: string): LoadResult => ({ ok: false, error: { file: path, path: '', message } });
  let bytes: Buffer;
  try {
    const st = statSync(path);
    if (!st.isFile()) return fail('not a regular file');
    if (st.size > FILE_BYTES_MAX) return fail(tooLarge(st.size));
    bytes = readFileSync(path);
  } catch (e) {
    return fail(`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('the file is not valid UTF-8');
  }
  return loadScenarioText(text, path);
}

export function loadScenarioText(text: string, file: string): LoadResult {
  try {
    return loadChecked(text, file);
  } catch (e) {
    // Not reached for any input we know of; still no stack trace for the user.
    return { ok: false, error: { file, path: '', message: `cannot load: ${(e as Error).message}` } };
  }
}

function tooLarge(bytes: number): string {
  return `the file is ${bytes} bytes; the limit is ${FILE_BYTES_MAX} bytes (1 MiB)`;
}

function loadChecked(text: string, file: string): LoadResult {
  const fail = (error: Omit<InvalidError, 'file'>): LoadResult => ({ ok: false, error: { file, ...error } });
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > FILE_BYTES_MAX) return fail({ path: '', message: tooLarge(bytes) });
  if (bracketDepth(text) > BRACKETS_MAX) return fail({ path: '', message: `nested deeper than ${NESTING_MAX} levels (more than ${BRACKETS_MAX} unclosed [ or {)` });
  const parsed = parseYaml(text);
  if ('error' in parsed) return fail(parsed.error);
  const src = new Source(parsed.doc, parsed.lines);
  const treeIssue = checkTree(src.doc, src.doc.contents, [], new Set());
  if (treeIssue !== undefined) return fail(src.locate([treeIssue]));
  const data: unknown = src.doc.toJS({ maxAliasCount: 1000 });
  const shaped = shapeScenario(data);
  if ('issues' in shaped) return fail(src.locate(shaped.issues.map((iss) => withHint(iss, data, src))));
  const semantic = checkScenario(shaped.scenario);
  if (semantic.length > 0) return fail(src.locate(semantic));
  return { ok: true, scenario: shaped.scenario, stepPos: shaped.scenario.steps.map((_, i) => src.position(['steps', i])) };
}

/**
 * How deep `[`/`{` nest, counted crudely (quotes ignored). Run before the
 * parser so a pathological file cannot keep it busy for seconds; the limit is
 * far above NESTING_MAX so braces inside strings never trip it in practice.
 */
const BRACKETS_MAX = 1000;

function bracketDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return max;
}

// ---- YAML -----------------------------------------------------------------

type Parsed = { doc: Document.Parsed; lines: LineCounter } | { error: Omit<InvalidError, 'file'> };

function parseYaml(text: string): Parsed {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    version: '1.2', schema: 'core', uniqueKeys: true, prettyErrors: false,
    strict: true, logLevel: 'silent', lineCounter: lines,
  });
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const first = docs[0];
  if (first === undefined) {
    return { error: { path: '', message: 'expected a YAML document (a map with name and steps), found an empty file' } };
  }
  const second = docs[1];
  if (second !== undefined) {
    return { error: { ...at(second.range[0]), path: '', message: `expected one YAML document, found ${docs.length}` } };
  }
  const problem = first.errors[0] ?? first.warnings[0];
  if (problem !== undefined) {
    const path = pathAtOffset(first.contents, problem.pos[0], [], 0);
    const where = at(problem.pos[0]);
    const message = problem.code === 'DUPLICATE_KEY'
      ? `duplicate key "${String(path[path.length - 1])}"`
      : `YAML: ${problem.message}${flowBraceHint(text.split(/\r?\n/)[where.line - 1] ?? '')}`;
    return { error: { ...where, path: formatPath(path), message } };
  }
  return { doc: first, lines };
}

/** The value path of the node at `offset`, for YAML errors (a duplicate key names itself). */
function pathAtOffset(node: unknown, offset: number, path: Seg[], depth: number): Seg[] {
  if (depth > NESTING_MAX) return path;
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = keyName(pair);
      if (within(pair.key, offset)) return [...path, key];
      const start = rangeOf(pair.key)?.[0] ?? Infinity;
      const end = rangeOf(pair.value)?.[1] ?? -Infinity;
      if (start <= offset && offset <= end) return pathAtOffset(pair.value, offset, [...path, key], depth + 1);
    }
  } else if (isSeq(node)) {
    const i = node.items.findIndex((item) => within(item, offset));
    if (i >= 0) return pathAtOffset(node.items[i], offset, [...path, i], depth + 1);
  }
  return path;
}

/**
 * A hint for a YAML error on a line that holds an unquoted `{h}`: inside a flow
 * map or list YAML takes its `{` for the start of a map.
 */
function flowBraceHint(line: string): string {
  const unquoted = line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'/g, (q) => ' '.repeat(q.length));
  const word = /(?:[^\s,[\]{}"']*\{[a-z][a-z0-9_]*\})+[^\s,[\]{}"']*/.exec(unquoted)?.[0];
  if (word === undefined) return '';
  return ` (a {handle} in a flow map or list must be quoted, or YAML reads its { as the start of a map: write "${word}")`;
}

function within(node: unknown, offset: number): boolean {
  const range = rangeOf(node);
  return range !== undefined && range[0] <= offset && offset <= range[1];
}

function rangeOf(node: unknown): readonly [number, number, number] | undefined {
  return (node as YamlNode | null)?.range ?? undefined;
}

function keyName(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : '?';
}

/** Keys must be strings, nesting bounded, and an alias may not contain itself. */
function checkTree(doc: Document, node: unknown, path: Seg[], open: Set<unknown>): Issue | undefined {
  if (path.length > NESTING_MAX) return { path, message: `nested deeper than ${NESTING_MAX} levels` };
  if (isAlias(node)) {
    return open.has(node.resolve(doc)) ? { path, message: 'an alias refers to a node that contains it' } : undefined;
  }
  if (!isMap(node) && !isSeq(node)) return undefined;
  open.add(node);
  const found = isMap(node) ? checkPairs(doc, node.items, path, open) : checkItems(doc, node.items, path, open);
  open.delete(node);
  return found;
}

function checkPairs(doc: Document, pairs: Pair[], path: Seg[], open: Set<unknown>): Issue | undefined {
  for (const pair of pairs) {
    if (!isScalar(pair.key) || typeof pair.key.value !== 'string') {
      const found = isScalar(pair.key) ? describe(pair.key.value) : 'a collection';
      const h = bracedHandle(isMap(pair.key) ? pair.key.toJSON() : undefined);
      const key = isScalar(pair.key) ? pair.key : undefined;
      const source = typeof key?.source === 'string' ? key.source : '';
      const hint = h !== undefined ? unquotedHandleHint(h)
        : source !== '' ? ` (YAML reads ${source} as ${describe(key?.value)}: write "${source}" in quotes)` : '';
      const offset = rangeOf(pair.key)?.[0];
      const message = `expected a key name (a string), found ${found}${hint}`;
      return isScalar(pair.key) || offset === undefined
        ? { path: [...path, keyName(pair)], at: 'key', message }
        : { path, offset, message };
    }
    const issue = checkTree(doc, pair.value, [...path, pair.key.value], open);
    if (issue !== undefined) return issue;
  }
  return undefined;
}

function checkItems(doc: Document, items: unknown[], path: Seg[], open: Set<unknown>): Issue | undefined {
  for (const [i, item] of items.entries()) {
    const issue = checkTree(doc, item, [...path, i], open);
    if (issue !== undefined) return issue;
  }
  return undefined;
}

/** Maps value paths back to the YAML nodes they came from. */
class Source {
  constructor(
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** The issue earliest in the file, as an InvalidError without `file`. */
  locate(issues: readonly Issue[]): Omit<InvalidError, 'file'> {
    const placed = issues.map((issue) => ({ issue, offset: this.offset(issue) }));
    placed.sort((a, b) => (a.offset ?? Infinity) - (b.offset ?? Infinity));
    const { issue, offset } = placed[0]!;
    const where = offset === undefined ? {} : this.lineColumn(offset);
    return { ...where, path: formatPath(issue.path), message: issue.message };
  }

  /** The source text of the scalar at `path` (`0755` for a number written so), if there is one. */
  scalarSource(path: Path): string | undefined {
    let node: unknown = this.doc.contents;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      node = this.child(node, seg)?.[0];
    }
    return isScalar(node) && typeof node.source === 'string' ? node.source : undefined;
  }

  position(path: Path): SourcePos {
    return this.lineColumn(this.offset({ path, message: '' }) ?? 0);
  }

  private lineColumn(offset: number): SourcePos & { column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** The value (or key) at `path`; for a missing key, the map that lacks it. */
  private offset(issue: Issue): number | undefined {
    if (issue.offset !== undefined) return issue.offset;
    let node: unknown = this.doc.contents;
    let key: unknown;
    for (const seg of issue.path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      const next = this.child(node, seg);
      if (next === undefined) return rangeOf(node)?.[0];
      [node, key] = next;
    }
    const value = rangeOf(node);
    const implicitNull = isScalar(node) && node.source === '';
    if (issue.at === 'key' || value === undefined || implicitNull) return rangeOf(key)?.[0] ?? value?.[0];
    return value[0];
  }

  private child(node: unknown, seg: Seg): [unknown, unknown] | undefined {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      return pair === undefined ? undefined : [pair.value, pair.key];
    }
    if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) return [node.items[seg], undefined];
    return undefined;
  }
}

// ---- schema phase ---------------------------------------------------------

type Shaped = { scenario: Scenario } | { issues: Issue[] };

function shapeScenario(data: unknown): Shaped {
  const top = ScenarioShellSchema.safeParse(data, { error: genericPhrase });
  const rawSteps = isPlainMap(data) && Array.isArray(data.steps) ? data.steps : [];
  const shaped = rawSteps.map((raw, i) => shapeStep(raw, i, data));
  const issues = [
    ...(top.success ? [] : zodIssues(top.error.issues, [], data, ScenarioShellSchema)),
    ...shaped.flatMap((r) => ('issues' in r ? r.issues : [])),
  ];
  if (!top.success || issues.length > 0) return { issues };
  const steps = shaped.flatMap((r) => ('step' in r ? [r.step] : []));
  const { kernel, ...rest } = top.data;
  return { scenario: { ...rest, kernel: normalizeKernel(kernel), steps } };
}

function shapeStep(raw: unknown, i: number, root: unknown): { step: Step } | { issues: Issue[] } {
  const base = ['steps', i];
  const kindOrIssue = stepKind(raw, base);
  if (typeof kindOrIssue !== 'string') return { issues: [kindOrIssue] };
  const kind = kindOrIssue;
  const fields = raw as Record<string, unknown>;
  if (!isPlainMap(fields[kind])) {
    return { issues: [{ path: [...base, kind], message: `expected a map of fields ({} when there are none), found ${describe(fields[kind])}` }] };
  }
  const body = STEP_BODIES[kind].safeParse(fields[kind], { error: genericPhrase });
  const hasExpect = Object.hasOwn(fields, 'expect');
  const expect = STEP_EXPECTS[kind].safeParse(hasExpect ? fields.expect : {}, { error: genericPhrase });
  const issues = [
    ...(body.success ? [] : zodIssues(body.error.issues, [...base, kind], root, STEP_BODIES[kind])),
    ...(expect.success ? [] : zodIssues(expect.error.issues, [...base, 'expect'], root, STEP_EXPECTS[kind], kind)),
  ];
  if (!body.success || !expect.success) return { issues };
  const step = { kind, ...body.data } as Step;
  if (hasExpect) step.expect = normalizeExpect(expect.data as Expect);
  return { step };
}

const KIND_LIST = STEP_KINDS.join(', ');

/** The one kind key of a step map, or what is wrong with it. */
function stepKind(raw: unknown, base: Path): StepKind | Issue {
  if (!isPlainMap(raw)) {
    return { path: base, message: `expected a map with one step kind key and an optional expect, found ${describe(raw)}` };
  }
  const keys = Object.keys(raw).filter((k) => k !== 'expect');
  const unknown = keys.find((k) => !(STEP_KINDS as string[]).includes(k));
  if (unknown !== undefined) {
    return { path: [...base, unknown], at: 'key', message: `unknown step kind "${unknown}"${didYouMean(unknown, STEP_KINDS)}; expected one of ${KIND_LIST}` };
  }
  const [kind, second] = keys as StepKind[];
  if (kind === undefined) return { path: base, message: `missing the step kind; expected one of ${KIND_LIST}` };
  if (second !== undefined) {
    return { path: [...base, second], at: 'key', message: `a step has one kind, found both "${kind}" and "${second}"` };
  }
  return kind;
}

function normalizeKernel(k: KernelSpec): KernelSpec {
  return { ...k, files: k.files.map(normalizeFile) };
}

function normalizeFile(f: FileEntry): FileEntry {
  const out: FileEntry = { ...f, mode: f.mode.padStart(4, '0') };
  if (f.type === 'file' && f.emul === undefined) out.emul = 'netbsd';
  return out;
}

function normalizeExpect(e: Expect): Expect {
  return e.mode === undefined ? e : { ...e, mode: e.mode.padStart(4, '0') };
}

// ---- hints ------------------------------------------------------------------

/**
 * A hint for two YAML traps behind a wrong type: an unquoted `{h}` (YAML reads
 * `fd: {m}` as a map) and a mode written as a number (`mode: 0755` is 755).
 */
function withHint(iss: Issue, data: unknown, src: Source): Issue {
  if (iss.at === 'key' || !iss.message.startsWith('expected ')) return iss;
  const value = valueAt(data, iss.path);
  const h = bracedHandle(value);
  if (h !== undefined) return { ...iss, message: iss.message + unquotedHandleHint(h) };
  if (iss.path[iss.path.length - 1] === 'mode' && typeof value === 'number') {
    return { ...iss, message: iss.message + numericModeHint(value, src.scalarSource(iss.path)) };
  }
  return iss;
}

/** `h` when `v` is what YAML makes of an unquoted `{h}`: a map with the one key h and no value. */
function bracedHandle(v: unknown): string | undefined {
  if (!isPlainMap(v)) return undefined;
  const keys = Object.keys(v);
  const [h] = keys;
  return keys.length === 1 && HANDLE_RE.test(h!) && v[h!] === null ? h : undefined;
}

function unquotedHandleHint(h: string): string {
  return ` (YAML reads an unquoted {${h}} as a map: write "{${h}}" in quotes)`;
}

function numericModeHint(n: number, source: string | undefined): string {
  const digits = source !== undefined && /^[0-7]{3,4}$/.test(source) ? source
    : Number.isInteger(n) && n >= 0 && n <= 0o7777 && source !== undefined && !/^[0-9]+$/.test(source) ? n.toString(8)
    : undefined;
  if (digits === undefined) return ' (write the mode as a quoted string of octal digits, such as "0755")';
  const quoted = `"${digits.padStart(4, '0')}"`;
  return ` (YAML reads ${source} as a number: write ${quoted} in quotes)`;
}

// ---- zod issues to messages ------------------------------------------------

type ZodIssue = z.core.$ZodIssue;

/** Messages for what the schemas leave to zod's defaults. */
function genericPhrase(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type': return TYPE_PHRASES[iss.expected] ?? `a ${iss.expected}`;
    case 'too_small': return iss.origin === 'array' ? `a list of at least ${iss.minimum} items` : `at least ${iss.minimum}`;
    case 'too_big': return iss.origin === 'array' ? `a list of at most ${iss.maximum} items` : `at most ${iss.maximum}`;
    case 'invalid_value': return `one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default: return undefined;
  }
}

const TYPE_PHRASES: Record<string, string> = {
  object: 'a map', array: 'a list', string: 'a string', number: 'a number', int: 'an integer',
  boolean: 'true or false', null: 'null',
};

/** `kind` is given for a step's expect map: its unknown keys get a word on which kinds have them. */
function zodIssues(issues: readonly ZodIssue[], base: Path, root: unknown, schema: z.ZodType, kind?: StepKind): Issue[] {
  return issues.flatMap((iss) => zodIssue(iss, base, root, schema, kind));
}

function zodIssue(iss: ZodIssue, base: Path, root: unknown, schema: z.ZodType, kind?: StepKind): Issue[] {
  const rel = iss.path as Seg[];
  const path = [...base, ...rel];
  if (iss.code === 'unrecognized_keys') {
    const known = knownKeys(schema, rel);
    const expectMap = kind !== undefined && rel.length === 0;
    return iss.keys.map((k) => ({
      path: [...path, k], at: 'key' as const,
      message: expectMap ? unknownExpectKey(k, kind, known) : unknownKey(k, known),
    }));
  }
  if (iss.code === 'invalid_union') {
    const branch = deeperBranch(iss.errors);
    if (branch !== undefined) {
      const inner = branch.map((b) => ({ ...b, path: [...rel, ...b.path] }) as ZodIssue);
      return zodIssues(inner, base, root, schema, kind);
    }
  }
  const found = valueAt(root, path);
  const names = iss.code === 'invalid_value' && typeof found === 'string' ? iss.values.filter((v) => typeof v === 'string') : [];
  return [{ path, message: expectedFound(iss.message, root, path) + nameSuggestion(found, names) }];
}

/** " (did you mean ...?)" for a misspelt errno, vtype, d_type or other name from a fixed list. */
function nameSuggestion(found: unknown, names: readonly string[]): string {
  if (typeof found !== 'string' || names.length === 0) return '';
  const bare = found.replace(/^DT_/i, '');
  if (bare !== found && names.includes(bare.toUpperCase())) return ` (d_type names are written without DT_: ${bare.toUpperCase()})`;
  return didYouMean(found, names);
}

/** Of a union's branches, the only one that got past the type of the value itself. */
function deeperBranch(branches: readonly (readonly ZodIssue[])[]): readonly ZodIssue[] | undefined {
  const deeper = branches.filter((b) => b.length > 0 && b.every((iss) => iss.path.length > 0));
  return deeper.length === 1 ? deeper[0] : undefined;
}

function expectedFound(phrase: string, root: unknown, path: Path): string {
  const parent = valueAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (typeof last === 'string' && isPlainMap(parent) && !Object.hasOwn(parent, last)) {
    return `missing required field "${last}"; expected ${phrase}`;
  }
  return `expected ${phrase}, found ${describe(valueAt(root, path))}`;
}

function unknownKey(key: string, known: readonly string[]): string {
  const list = known.length > 0 ? `; expected one of ${known.join(', ')}` : '';
  return `unknown key "${key}"${didYouMean(key, known)}${list}`;
}

/** An expect key this kind lacks; when other kinds have it, say which (`dataMatches` needs `data`). */
function unknownExpectKey(key: string, kind: StepKind, known: readonly string[]): string {
  const givers = STEP_KINDS.filter((k) => STEP_RESULT_KEYS[k].includes(key));
  if (givers.length === 0 || didYouMean(key, known) !== '') return unknownKey(key, known);
  const result = RESULT_CHECKS[key] ?? key;
  const have = `${givers.join(', ')} ${givers.length === 1 ? 'has' : 'have'} one`;
  const what = RESULT_CHECKS[key] === undefined ? `no ${result} result` : `no ${result} result for ${key} to check`;
  return `unknown key "${key}": ${kind} has ${what} (${have}); expected one of ${known.join(', ')}`;
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const seg of path) {
    if (Array.isArray(v) && typeof seg === 'number') v = v[seg];
    else if (isPlainMap(v) && typeof seg === 'string' && Object.hasOwn(v, seg)) v = v[seg];
    else return undefined;
  }
  return v;
}

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "number 420", "string \"rw+\"", "a list of 3 items", ... */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  if (typeof v === 'number') return `number ${formatNumber(v)}`;
  if (typeof v === 'boolean') return `boolean ${v}`;
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : `a list of ${v.length} item${v.length === 1 ? '' : 's'}`;
  return typeof v === 'object' ? 'a map' : typeof v;
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return '.nan';
  if (!Number.isFinite(n)) return n > 0 ? '.inf' : '-.inf';
  return String(n);
}

/** The keys the object schema at `path` (relative to `schema`) allows. */
function knownKeys(schema: z.ZodType, path: Path): string[] {
  let s: SchemaLike | undefined = unwrap(schema as unknown as SchemaLike);
  for (const seg of path) {
    s = s === undefined ? undefined : unwrap(childSchema(s, seg));
  }
  const shape = s === undefined ? undefined : objectOf(s)?._zod.def.shape;
  return shape === undefined ? [] : Object.keys(shape);
}

interface SchemaLike {
  _zod: {
    def: {
      type: string;
      innerType?: SchemaLike;
      shape?: Record<string, SchemaLike>;
      element?: SchemaLike;
      items?: SchemaLike[];
      options?: SchemaLike[];
    };
  };
}

function unwrap(s: SchemaLike | undefined): SchemaLike | undefined {
  while (s?._zod.def.innerType !== undefined) s = s._zod.def.innerType;
  return s;
}

function objectOf(s: SchemaLike): SchemaLike | undefined {
  if (s._zod.def.type === 'object') return s;
  return s._zod.def.options?.map(unwrap).find((o) => o?._zod.def.type === 'object');
}

function childSchema(s: SchemaLike, seg: Seg): SchemaLike | undefined {
  const def = s._zod.def;
  if (def.type === 'array') return def.element;
  if (def.type === 'tuple' && typeof seg === 'number') return def.items?.[seg];
  return objectOf(s)?._zod.def.shape?.[String(seg)];
}

/**
 * " (did you mean open?)" when one known name is nearest to `word` (case aside)
 * and within two edits of it (one for short names).
 */
function didYouMean(word: string, known: readonly string[]): string {
  const w = word.toLowerCase();
  const scored = known
    .map((k) => ({ k, d: editDistance(w, k.toLowerCase()) }))
    .filter(({ k, d }) => d <= Math.min(2, Math.floor(k.length / 2)) && k !== word);
  const best = Math.min(...scored.map(({ d }) => d));
  const near = scored.filter(({ d }) => d === best);
  return near.length === 1 ? ` (did you mean ${near[0]!.k}?)` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}

// ---- whole-file checks ----------------------------------------------------

function checkScenario(s: Scenario): Issue[] {
  const files = checkFiles(s.kernel.files);
  return [
    ...files.issues,
    ...checkMounts(s.kernel, files.dirs),
    ...checkBugs(s.bugs),
    ...checkSteps(s.steps, s.kernel.pidMax),
  ];
}

const DEFAULT_TYPES = new Map<string, string>([['/', 'dir'], ...DEFAULT_ROOTFS.map((e) => [e.path, e.type] as const)]);

function isNormalAbsolute(p: string): boolean {
  return /^(\/[^/\0]+)+$/.test(p) && p.split('/').every((c) => c !== '.' && c !== '..');
}

const NORMAL_PATH = 'an absolute, normalized path (leading /, no empty, . or .. components, no trailing /)';

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** §3: kernel.files entries, in order; returns the directories that exist after them. */
function checkFiles(files: readonly FileEntry[]): { issues: Issue[]; dirs: Set<string> } {
  const dirs = new Set([...DEFAULT_TYPES].filter(([, t]) => t === 'dir').map(([p]) => p));
  const seen = new Map<string, number>();
  const issues: Issue[] = [];
  files.forEach((f, j) => {
    const found = checkFile(f, ['kernel', 'files', j], dirs, seen);
    issues.push(...found);
    if (!seen.has(f.path)) seen.set(f.path, j);
    if (found.length === 0 && f.type === 'dir') dirs.add(f.path);
  });
  return { issues, dirs };
}

function checkFile(f: FileEntry, at: Path, dirs: Set<string>, seen: Map<string, number>): Issue[] {
  const issues = [...checkFileFields(f, at)];
  const path = [...at, 'path'];
  const earlier = seen.get(f.path);
  if (!isNormalAbsolute(f.path)) {
    issues.push({ path, message: f.path === '/' ? 'cannot replace the root directory /' : `expected ${NORMAL_PATH}, found ${describe(f.path)}` });
  } else if (DEFAULT_TYPES.get(f.path) === 'dir') {
    issues.push({ path, message: `cannot replace ${f.path}: it is a directory of the default root file system` });
  } else if (earlier !== undefined) {
    issues.push({ path, message: `${f.path} is already given by kernel.files[${earlier}]` });
  } else if (!dirs.has(dirname(f.path))) {
    issues.push({ path, message: `parent directory ${dirname(f.path)} does not exist (neither in the default root file system nor a dir earlier in kernel.files)` });
  }
  return issues;
}

function checkFileFields(f: FileEntry, at: Path): Issue[] {
  const issues: Issue[] = [];
  if (f.type === 'link' && f.target === undefined) {
    issues.push({ path: [...at, 'target'], message: 'missing required field "target"; a link needs a target' });
  }
  if (f.type !== 'link' && f.target !== undefined) {
    issues.push({ path: [...at, 'target'], at: 'key', message: `target is only for links; this entry is a ${f.type}` });
  }
  if (f.type !== 'file' && f.emul !== undefined) {
    issues.push({ path: [...at, 'emul'], at: 'key', message: `emul is only for files; this entry is a ${f.type}` });
  }
  return issues;
}

/** Boot mounts go on directories of the root file system. */
function checkMounts(k: KernelSpec, dirs: Set<string>): Issue[] {
  return k.procfs.flatMap((m, j): Issue[] => {
    const path = ['kernel', 'procfs', j, 'path'];
    if (m.path !== '/' && !isNormalAbsolute(m.path)) return [{ path, message: `expected ${NORMAL_PATH}, found ${describe(m.path)}` }];
    if (!dirs.has(m.path)) return [{ path, message: `mount point ${m.path} is not a directory of the root file system` }];
    return [];
  });
}

function checkBugs(bugs: readonly string[]): Issue[] {
  return bugs.flatMap((b, j): Issue[] =>
    bugs.indexOf(b) < j ? [{ path: ['bugs', j], message: `bug "${b}" is listed twice` }] : [],
  );
}

// ---- handles --------------------------------------------------------------

type HandleKind = 'process' | 'descriptor';
interface Binding {
  kind: HandleKind;
  step: number; // -1: predefined
}
type Handles = Map<string, Binding>;

function checkSteps(steps: readonly Step[], pidMax: number): Issue[] {
  const handles: Handles = new Map([['init', { kind: 'process', step: -1 }]]);
  return steps.flatMap((step, i) => {
    const own = bindingsOf(step, i);
    const issues = [
      ...checkUses(step, i, handles),
      ...checkTemplates(step, i, handles, new Set(own.map((b) => b.name))),
      ...checkPid(step, i, pidMax),
      ...checkResultsBesideErrno(step, i),
    ];
    for (const b of own) issues.push(...bind(b, handles, i));
    return issues;
  });
}

interface NewBinding {
  name: string;
  kind: HandleKind;
  path: Path;
}

/** What the step's `as` binds: process handles for spawn/fork, descriptors otherwise. */
function bindingsOf(step: Step, i: number): NewBinding[] {
  if (!('as' in step) || step.as === undefined) return [];
  const kind: HandleKind = PROCESS_BINDERS.includes(step.kind) ? 'process' : 'descriptor';
  const at = ['steps', i, step.kind, 'as'];
  if (typeof step.as === 'string') return [{ name: step.as, kind, path: at }];
  return step.as.map((name, j) => ({ name, kind, path: [...at, j] }));
}

function bind(b: NewBinding, handles: Handles, i: number): Issue[] {
  const old = handles.get(b.name);
  if (old === undefined) {
    handles.set(b.name, { kind: b.kind, step: i });
    return [];
  }
  const why = old.step === -1 ? 'is predefined'
    : old.step === i ? 'is named twice in this step; the two descriptors need distinct names'
    : `is already bound by steps[${old.step}]`;
  return [{ path: b.path, message: `handle "${b.name}" ${why}` }];
}

/** Handle names in by/child/target (process) and fd/to (descriptor) fields. */
function checkUses(step: Step, i: number, handles: Handles): Issue[] {
  const fields = step as unknown as Record<string, unknown>;
  const uses = [
    ...PROCESS_FIELDS.map((f) => [f, 'process'] as const),
    ...DESCRIPTOR_FIELDS.map((f) => [f, 'descriptor'] as const),
  ];
  return uses.flatMap(([field, want]) => {
    const name = fields[field];
    if (typeof name !== 'string' || !HANDLE_RE.test(name)) return [];
    const message = useProblem(name, want, field, handles.get(name));
    return message === undefined ? [] : [{ path: ['steps', i, step.kind, field], message }];
  });
}

function useProblem(name: string, want: HandleKind, field: string, b: Binding | undefined): string | undefined {
  if (b === undefined) return `unknown handle "${name}": no earlier step binds it with as`;
  if (b.kind === want) return undefined;
  const origin = b.step === -1 ? 'predefined' : `bound by steps[${b.step}]`;
  return `"${name}" is a ${b.kind} handle (${origin}), but ${field} takes a ${want} handle`;
}

/**
 * Every `{h}` in every string of the step (map keys included, as in entryTypes)
 * names a handle bound before, or by this step's as; a dataMatches pattern compiles.
 */
function checkTemplates(step: Step, i: number, handles: Handles, own: Set<string>): Issue[] {
  const { kind, expect, ...body } = step;
  const strings = [...stringsIn(body, ['steps', i, kind]), ...stringsIn(expect, ['steps', i, 'expect'])];
  return strings.flatMap(({ s, path, key }): Issue[] => {
    const at = key ? { at: 'key' as const } : {};
    const pattern = !key && path.length === 4 && path[2] === 'expect' && path[3] === 'dataMatches';
    const t = templateParts(s, pattern);
    if ('error' in t) return [{ path, ...at, message: `${t.error} in ${describe(s)}` }];
    const missing = t.parts.find((p) => 'ref' in p && !handles.has(p.ref) && !own.has(p.ref));
    if (missing !== undefined && 'ref' in missing) {
      return [{ path, ...at, message: `"{${missing.ref}}" names no handle bound by an earlier step or by this step's as` }];
    }
    return pattern ? checkPattern(s, fillTemplate(t.parts, () => '0'), path) : [];
  });
}

/** dataMatches compiles as an ECMAScript regular expression with flag m (`{h}` stands in as 0). */
function checkPattern(s: string, source: string, path: Path): Issue[] {
  const re = compilePattern(source);
  if (re instanceof RegExp) return [];
  const why = /: ([^:]*)$/.exec(re.error)?.[1] ?? re.error;
  return [{ path, message: `expected a regular expression that compiles with flag m, found ${describe(s)} (${why})` }];
}

interface Found {
  s: string;
  path: Path;
  /** The string is a map key. */
  key: boolean;
}

function stringsIn(v: unknown, path: Path): Found[] {
  if (typeof v === 'string') return [{ s: v, path, key: false }];
  if (Array.isArray(v)) return v.flatMap((x, j) => stringsIn(x, [...path, j]));
  if (isPlainMap(v)) {
    return Object.entries(v).flatMap(([k, x]) => [
      ...(/[{}]/.test(k) ? [{ s: k, path: [...path, k], key: true }] : []),
      ...stringsIn(x, [...path, k]),
    ]);
  }
  return [];
}

/** §2: `pid:` asks for 2 .. pidMax-1. */
function checkPid(step: Step, i: number, pidMax: number): Issue[] {
  if ((step.kind !== 'spawn' && step.kind !== 'fork') || typeof step.pid !== 'number') return [];
  if (step.pid < pidMax) return [];
  const message = `expected a pid from 2 to ${pidMax - 1} (kernel.pidMax is ${pidMax}), found number ${step.pid}`;
  return [{ path: ['steps', i, step.kind, 'pid'], message }];
}

/** §5: a step that must fail has no results to compare. */
function checkResultsBesideErrno(step: Step, i: number): Issue[] {
  const e = step.expect;
  if (e?.errno === undefined || e.errno === 'any') return [];
  const results = Object.keys(e).filter((k) => !(EXPECT_NON_RESULTS as readonly string[]).includes(k));
  return results.map((k) => {
    const checked = RESULT_CHECKS[k];
    const what = checked === undefined ? `result field "${k}"` : `"${k}" (a check on the ${checked} result)`;
    return {
      path: ['steps', i, 'expect', k],
      at: 'key' as const,
      message: `${what} cannot stand beside errno ${e.errno}: a failing step has no results (drop it, or use errno: any)`,
    };
  });
}
