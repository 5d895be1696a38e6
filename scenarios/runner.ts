/**
 * The runner: boots a kernel per scenario, binds handles, expands `{h}`,
 * plays the steps, compares results with `expect`, records evictions and
 * revocations from the kernel's events, and asks the oracle after every step.
 * Stops at the first failure.
 */
import type { BugName } from '../emulator/bugs.ts';
import type { KernelEvent } from '../emulator/events.ts';
import { boot } from '../emulator/boot.ts';
import type { Kernel } from '../emulator/kernel.ts';
import { DEFAULT_CONFIG, KernelPanic } from '../emulator/kernel.ts';
import type { Proc } from '../emulator/proc.ts';
import type { RootfsEntry } from '../emulator/rootfs.ts';
import { sysMount } from '../emulator/vfs_syscalls.ts';
import { procfsModule } from '../procfs/vfsops.ts';
import { Judge } from './judge/index.ts';
import { compilePattern } from './pattern.ts';
import { executeStep, type Outcome } from './steps.ts';
import { fillTemplate, templateParts } from './format.ts';
import { vnodeName } from './names.ts';
import type { Expect, Scenario, Step } from './types.ts';

export interface RunOptions {
  /** Build the --trace lines (one per step). */
  trace?: boolean;
  /** Injected bugs on top of the scenario's own. */
  bugs?: readonly BugName[];
  /** Skip the oracle (benchmarks only). */
  oracle?: boolean;
}

export interface StepFailure {
  step: number;
  message: string;
}

export interface StepRecord {
  index: number;
  kind: string;
  actor: number | null;
  outcome: Outcome;
  loaded: string[];
  evicted: string[];
  revoked: string[];
}

export interface RunResult {
  status: 'pass' | 'fail';
  failure: StepFailure | null;
  /** Steps played, the failing one included. */
  stepsRun: number;
  trace: string[];
  records: StepRecord[];
}

/** A bound handle: a process (its pid and the process it was bound to) or a descriptor number. */
export type Handle = { kind: 'proc'; pid: number; proc: Proc } | { kind: 'fd'; fd: number };

export interface RunState {
  k: Kernel;
  handles: Map<string, Handle>;
  /** Handles whose binding step failed: using one fails the step. */
  failed: Set<string>;
}

function rootfsEntries(s: Scenario): RootfsEntry[] {
  return s.kernel.files.map((f) => ({
    path: f.path, type: f.type, mode: parseInt(f.mode, 8), uid: f.uid, gid: f.gid,
    ...(f.target !== undefined ? { target: f.target } : {}),
    ...(f.emul !== undefined ? { emul: f.emul } : {}),
  }));
}

/** Boot the scenario's kernel with procfs and its boot-time mounts. */
export function bootScenario(s: Scenario, extraBugs: readonly BugName[] = []): Kernel | string {
  const bugs = [...new Set([...s.bugs, ...extraBugs])];
  const k = boot(
    {
      ...DEFAULT_CONFIG, pidMax: s.kernel.pidMax, maxproc: s.kernel.maxproc, pageSize: s.kernel.pageSize,
      securelevel: s.kernel.securelevel, curtain: s.kernel.curtain, files: rootfsEntries(s), bugs,
    },
    [procfsModule({ pfsLast: s.kernel.pfsLast })],
  );
  // Boot-time mounts are made before init raises the securelevel (as rc mounts before securelevel is set).
  const securelevel = k.securelevel;
  k.securelevel = Math.min(securelevel, 0);
  for (const m of s.kernel.procfs) {
    const e = sysMount(k, k.initproc, 'procfs', m.path, { len: 8, version: 1, flags: m.linux ? 1 : 0 });
    if (e !== undefined) return `boot: mounting procfs on ${m.path} failed with ${e.errno}`;
  }
  k.securelevel = securelevel;
  return k;
}

/** Collects what one step did to procfs vnodes. */
export class StepEvents {
  loaded: string[] = [];
  evicted: string[] = [];
  revoked: string[] = [];

  on(e: KernelEvent): void {
    if (e.kind === 'vnode-loaded' && e.mount.ops.name === 'procfs') this.loaded.push(vnodeName(e.mount.path, e.key));
    if (e.kind === 'vnode-evicted' && e.mount.ops.name === 'procfs') {
      const name = vnodeName(e.mount.path, e.key);
      this.evicted.push(name);
      if (e.revoked) this.revoked.push(name);
    }
  }
}

export function runScenario(s: Scenario, opts: RunOptions = {}): RunResult {
  const trace: string[] = [];
  const records: StepRecord[] = [];
  const booted = bootScenario(s, opts.bugs ?? []);
  if (typeof booted === 'string') {
    return { status: 'fail', failure: { step: 0, message: booted }, stepsRun: 0, trace, records };
  }
  const k = booted;
  const oracle = opts.oracle === false ? null : new Judge(k, s.kernel);
  let ev = new StepEvents();
  k.subscribe((e) => ev.on(e));
  const st: RunState = { k, handles: new Map([['init', { kind: 'proc', pid: 1, proc: k.initproc }]]), failed: new Set() };
  for (let i = 0; i < s.steps.length; i++) {
    const step = s.steps[i]!;
    ev = new StepEvents();
    k.ticks++;
    const res = playStep(st, step, oracle);
    const rec: StepRecord = { index: i, kind: step.kind, actor: res.actor, outcome: res.outcome, ...ev };
    records.push(rec);
    if (opts.trace) trace.push(traceLine(rec, step));
    const message = res.message ?? checkExpect(st, step, res.outcome, ev) ?? oracleMessage(oracle);
    if (message !== null) return { status: 'fail', failure: { step: i, message }, stepsRun: i + 1, trace, records };
  }
  return { status: 'pass', failure: null, stepsRun: s.steps.length, trace, records };
}

/** The judge's verdict after a step: its first violation, or null. */
export function oracleMessage(oracle: Judge | null): string | null {
  if (oracle === null) return null;
  const v = oracle.checkState();
  return v.length === 0 ? null : `oracle: ${v[0]!.message}`;
}

interface Played {
  outcome: Outcome;
  actor: number | null;
  /** A failure that no expectation can excuse (actor exited, failed handle, kernel panic). */
  message: string | null;
}

function playStep(st: RunState, step: Step, oracle: Judge | null): Played {
  try {
    const r = executeStep(st, step, oracle);
    return { outcome: r.outcome, actor: r.actor, message: r.hard ?? null };
  } catch (e) {
    if (e instanceof KernelPanic) return { outcome: { ok: {} }, actor: null, message: `kernel panic: ${e.message}` };
    throw e;
  }
}

/**
 * Compare an outcome with `expect`: no errno means the step must succeed. A `{h}`
 * in `expect` whose handle has no value (its step failed) fails the step (section 2).
 */
function checkExpect(st: RunState, step: Step, out: Outcome, ev: StepEvents): string | null {
  try {
    return compareExpect(st, step, out, ev);
  } catch (e) {
    if (e instanceof UnboundHandle) return `expect: ${e.message}`;
    throw e;
  }
}

function compareExpect(st: RunState, step: Step, out: Outcome, ev: StepEvents): string | null {
  const x: Expect = step.expect ?? {};
  const got = 'errno' in out ? out.errno : null;
  if (x.errno === undefined && got !== null) return `expected success, got ${got}`;
  if (x.errno !== undefined && x.errno !== 'any' && got !== x.errno) {
    return `expected ${x.errno}, got ${got === null ? `success ${JSON.stringify(resultOf(out))}` : got}`;
  }
  const sets = checkSet('evicts', x.evicts, ev.evicted, st) ?? checkSet('revokes', x.revokes, ev.revoked, st);
  if (sets !== null) return sets;
  if (got !== null) return null;
  return checkResults(st, x, resultOf(out));
}

function resultOf(out: Outcome): Record<string, unknown> {
  return 'ok' in out ? out.ok : {};
}

function checkSet(what: string, want: string[] | undefined, got: string[], st: RunState): string | null {
  if (want === undefined) return null;
  const w = [...new Set(want.map((n) => expandString(st, n)))].sort();
  const g = [...new Set(got)].sort();
  if (w.length === g.length && w.every((n, i) => n === g[i])) return null;
  const missing = w.filter((n) => !g.includes(n));
  const extra = g.filter((n) => !w.includes(n));
  return `${what}: expected [${w.join(', ')}], got [${g.join(', ')}]` +
    (missing.length ? `; missing ${missing.join(', ')}` : '') + (extra.length ? `; unexpected ${extra.join(', ')}` : '');
}

const NON_RESULTS = new Set(['errno', 'evicts', 'revokes', 'entriesInclude', 'entryTypes', 'dataMatches']);

function checkResults(st: RunState, x: Expect, r: Record<string, unknown>): string | null {
  for (const [field, wantRaw] of Object.entries(x)) {
    if (NON_RESULTS.has(field) || wantRaw === undefined) continue;
    const want = normalizeExpected(st, field, wantRaw);
    const got = r[field];
    if (JSON.stringify(want) !== JSON.stringify(got)) {
      return `${field}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
    }
  }
  const entries = (r.entries as string[] | undefined) ?? [];
  if (x.entriesInclude !== undefined) {
    const missing = x.entriesInclude.map((n) => expandString(st, n)).filter((n) => !entries.includes(n));
    if (missing.length > 0) return `entriesInclude: ${missing.join(', ')} not in [${entries.join(', ')}]`;
  }
  if (x.entryTypes !== undefined) {
    const found = checkEntryTypes(st, x.entryTypes, entries, (r.types as string[] | undefined) ?? []);
    if (found !== null) return found;
  }
  if (x.dataMatches !== undefined) return checkDataMatches(st, x.dataMatches, String(r.data ?? ''));
  return null;
}

/** entryTypes: every named entry is listed, and with that d_type (revision 2). */
function checkEntryTypes(st: RunState, want: Record<string, string>, entries: string[], types: string[]): string | null {
  for (const [rawName, type] of Object.entries(want)) {
    const name = expandString(st, rawName);
    const listed = entries.flatMap((e, i) => (e === name ? [types[i] ?? 'UNKNOWN'] : []));
    if (listed.length === 0) return `entryTypes: ${name} not in [${entries.join(', ')}]`;
    if (!listed.includes(type)) return `entryTypes: ${name} is listed as ${listed.join(', ')}, expected ${type}`;
  }
  return null;
}

/** dataMatches: the pattern, `{h}` expanded, compiled with flag m, matches somewhere in data (revision 2). */
function checkDataMatches(st: RunState, pattern: string, data: string): string | null {
  const source = expandPattern(st, pattern);
  const re = compilePattern(source);
  if (!(re instanceof RegExp)) return `dataMatches: /${source}/m does not compile: ${re.error}`;
  return re.test(data) ? null : `dataMatches: /${source}/m does not match ${JSON.stringify(data)}`;
}

/** A dataMatches pattern with `{h}` expanded; `{` followed by a digit stays (a quantifier). */
function expandPattern(st: RunState, pattern: string): string {
  const t = templateParts(pattern, true);
  if ('error' in t) throw new Error(`dataMatches: ${t.error} (the loader lets no such pattern through)`);
  return fillTemplate(t.parts, (name) => {
    const h = st.handles.get(name);
    if (h === undefined) throw new UnboundHandle(name);
    return String(h.kind === 'proc' ? h.pid : h.fd);
  });
}

function normalizeExpected(st: RunState, field: string, v: unknown): unknown {
  if (field === 'mode' && typeof v === 'string') return v.padStart(4, '0');
  if (Array.isArray(v)) return v.map((e) => normalizeExpected(st, field, e));
  if (typeof v === 'string') {
    const expanded = expandString(st, v);
    if (['data', 'target', 'fstype', 'vtype', 'entries', 'types'].includes(field)) return expanded;
    return /^\{[a-z][a-z0-9_]*\}$/.test(v) ? Number(expanded) : expanded;
  }
  return v;
}

/** Expand `{h}` (the pid or descriptor number of h) and `{{`/`}}` in a string. */
export function expandString(st: RunState, s: string): string {
  if (!s.includes('{') && !s.includes('}')) return s;
  return s.replace(/\{\{|\}\}|\{([a-z][a-z0-9_]*)\}/g, (m, name: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const h = st.handles.get(name!);
    if (h === undefined) throw new UnboundHandle(name!);
    return String(h.kind === 'proc' ? h.pid : h.fd);
  });
}

export class UnboundHandle extends Error {
  constructor(public readonly handle: string) {
    super(`handle ${handle} has no value (the step that binds it failed)`);
  }
}

/** One --trace line: `#i pid=P kind(args) -> result | ERRNO loaded=[..] evicted=[..] revoked=[..]`. */
export function traceLine(rec: Omit<StepRecord, 'kind'> & { kind: string }, step: Step): string {
  const { kind: _k, expect: _e, ...args } = step as Step & Record<string, unknown>;
  const argText = Object.entries(args)
    .filter(([key]) => key !== 'by')
    .map(([key, v]) => `${key}=${JSON.stringify(v)}`)
    .join(' ');
  const out = 'errno' in rec.outcome ? rec.outcome.errno : `ok ${JSON.stringify(rec.outcome.ok)}`;
  const list = (n: string, l: string[]) => (l.length ? ` ${n}=[${l.join(' ')}]` : '');
  return `#${rec.index} pid=${rec.actor ?? '-'} ${rec.kind}(${argText}) -> ${out}` +
    list('loaded', rec.loaded) + list('evicted', rec.evicted) + list('revoked', rec.revoked);
}

