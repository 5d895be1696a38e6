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
import type { Vnode } from '../emulator/vnode.ts';
import { DEFAULT_CONFIG, KernelPanic } from '../emulator/kernel.ts';
import type { Proc } from '../emulator/proc.ts';
import type { RootfsEntry } from '../emulator/rootfs.ts';
import { sysMount } from '../emulator/vfs_syscalls.ts';
import { procfsModule } from '../procfs/vfsops.ts';
import { HANDLE_RE, REF_RE, STEP_DEFAULTS, fillTemplate, templateParts } from './fields.ts';
import { Judge } from './judge/index.ts';
import { compilePattern } from './pattern.ts';
import { executeStep, type Outcome } from './steps.ts';
import { vnodeName } from './names.ts';
import type { Expect, Scenario, Step } from './types.ts';

export interface RunOptions {
  /** Build the --trace lines (one per step). */
  trace?: boolean;
  /** Injected bugs on top of the scenario's own. */
  bugs?: readonly BugName[];
  /** Skip the oracle (benchmarks only). */
  oracle?: boolean;
  /** Record who holds which procfs vnode after every step (StepRecord.holds; the HTML report). */
  holds?: boolean;
  /** Called with each step's record once it is made (an exception thrown here escapes the runner). */
  onRecord?: (rec: StepRecord) => void;
}

export interface StepFailure {
  step: number;
  message: string;
}

/** A process lifecycle change a step caused, from the kernel's events. */
export type ProcEvent =
  | { kind: 'created'; pid: number; ppid: number; forked: boolean }
  | { kind: 'exec'; pid: number; sugid: boolean }
  | { kind: 'exit'; pid: number }
  | { kind: 'reaped'; pid: number };

/** A reference a process holds on a procfs vnode: a descriptor, or its current or root directory. */
export interface Hold {
  vnode: string;
  /** The vnode's load number (Vnode.seq): tells a reloaded vnode from the one revoked under the same name. */
  seq: number;
  /** The vnode was revoked or evicted: the holder sees deadfs. */
  dead: boolean;
  pid: number;
  ref: number | 'cwd' | 'root';
}

export interface StepRecord {
  index: number;
  kind: string;
  actor: number | null;
  outcome: Outcome;
  loaded: string[];
  evicted: string[];
  revoked: string[];
  /** Why the step did not run at all (its actor exited, a handle it names has no value). */
  notRun?: string;
  /** The kernel panic the step ran into. */
  panic?: string;
  /** Process lifecycle events the step caused, in order. */
  procs?: ProcEvent[];
  /** With RunOptions.holds: every reference on a procfs vnode after the step, by pid. */
  holds?: Hold[];
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

/** Collects what one step did to procfs vnodes and to processes. */
export class StepEvents {
  loaded: string[] = [];
  evicted: string[] = [];
  revoked: string[] = [];
  procs: ProcEvent[] = [];

  on(e: KernelEvent): void {
    if (e.kind === 'vnode-loaded' && e.mount.ops.name === 'procfs') this.loaded.push(vnodeName(e.mount.path, e.key));
    if (e.kind === 'vnode-evicted' && e.mount.ops.name === 'procfs') {
      const name = vnodeName(e.mount.path, e.key);
      this.evicted.push(name);
      if (e.revoked) this.revoked.push(name);
    }
    if (e.kind === 'proc-created') this.procs.push({ kind: 'created', pid: e.pid, ppid: e.ppid, forked: e.forked });
    if (e.kind === 'exec') this.procs.push({ kind: 'exec', pid: e.pid, sugid: e.sugid });
    if (e.kind === 'exit') this.procs.push({ kind: 'exit', pid: e.pid });
    if (e.kind === 'reaped') this.procs.push({ kind: 'reaped', pid: e.pid });
  }
}

/**
 * Who holds which procfs vnode: every process's descriptors, current and
 * root directory, in pid order. A vnode that left the cache is named as it
 * was when it left (`dead`).
 */
class HoldScan {
  private readonly deadNames = new Map<Vnode, string>();

  on(e: KernelEvent): void {
    if (e.kind === 'vnode-evicted' && e.mount.ops.name === 'procfs') this.deadNames.set(e.vnode, vnodeName(e.mount.path, e.key));
  }

  scan(k: Kernel): Hold[] {
    const out: Hold[] = [];
    const add = (vp: Vnode | null, pid: number, ref: Hold['ref']) => {
      if (vp === null) return;
      if (vp.mount.ops.name === 'procfs') out.push({ vnode: vnodeName(vp.mount.path, vp.key), seq: vp.seq, dead: false, pid, ref });
      else {
        const name = this.deadNames.get(vp);
        if (name !== undefined) out.push({ vnode: name, seq: vp.seq, dead: true, pid, ref });
      }
    };
    for (const pid of [...k.pidTable.keys()].sort((a, b) => a - b)) {
      const p = k.pidTable.get(pid)!;
      for (const fd of p.fd.openFds()) add(p.fd.get(fd)!.file.vnode, pid, fd);
      add(p.cwd, pid, 'cwd');
      add(p.root, pid, 'root');
    }
    return out;
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
  const holds = opts.holds === true ? new HoldScan() : null;
  k.subscribe((e) => {
    ev.on(e);
    holds?.on(e);
  });
  const st: RunState = { k, handles: new Map([['init', { kind: 'proc', pid: 1, proc: k.initproc }]]), failed: new Set() };
  for (let i = 0; i < s.steps.length; i++) {
    const step = s.steps[i]!;
    ev = new StepEvents();
    k.ticks++;
    const res = playStep(st, step, oracle);
    const rec: StepRecord = {
      index: i, kind: step.kind, actor: res.actor, outcome: res.outcome, ...ev,
      ...(res.notRun === undefined ? {} : { notRun: res.notRun }),
      ...(res.panic === undefined ? {} : { panic: res.panic }),
      ...(holds === null ? {} : { holds: holds.scan(k) }),
    };
    records.push(rec);
    if (opts.trace) trace.push(traceLine(rec, step, st));
    opts.onRecord?.(rec);
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
  /** Set when the step did not run (the actor or a handle could not be used). */
  notRun?: string;
  panic?: string;
}

function playStep(st: RunState, step: Step, oracle: Judge | null): Played {
  try {
    const r = executeStep(st, step, oracle);
    return { outcome: r.outcome, actor: r.actor, message: r.hard ?? null, ...(r.hard === undefined ? {} : { notRun: r.hard }) };
  } catch (e) {
    if (e instanceof KernelPanic) return { outcome: { ok: {} }, actor: null, message: `kernel panic: ${e.message}`, panic: e.message };
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

/** Fields that hold strings even when they read `{h}` (every other `{h}` stands for an integer). */
const STRING_FIELDS = new Set(['path', 'data', 'name', 'flags', 'type']);
/** Fields that may name a handle: shown as its number. */
const REF_FIELDS = new Set(['fd', 'to', 'child', 'target']);

/** A field as the step used it: `{h}` expanded, a handle name as its pid or descriptor number. */
function traceValue(st: RunState | undefined, field: string, v: unknown): unknown {
  if (st === undefined || field === 'as') return v;
  if (typeof v === 'string') {
    if (REF_FIELDS.has(field) && HANDLE_RE.test(v)) {
      const h = st.handles.get(v);
      return h === undefined ? v : h.kind === 'proc' ? h.pid : h.fd;
    }
    let x: string;
    try {
      x = expandString(st, v);
    } catch (e) {
      if (e instanceof UnboundHandle) return v;
      throw e;
    }
    return !STRING_FIELDS.has(field) && REF_RE.test(v) ? Number(x) : x;
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, traceValue(st, `${field}.${k}`, x)]));
  }
  return v;
}

/** What a trace line says came out of a step. */
function traceOutcome(rec: Pick<StepRecord, 'outcome' | 'notRun' | 'panic'>): string {
  if (rec.notRun !== undefined) return `not run: ${rec.notRun}`;
  if (rec.panic !== undefined) return `panic: ${rec.panic}`;
  return 'errno' in rec.outcome ? rec.outcome.errno : `ok ${JSON.stringify(rec.outcome.ok)}`;
}

/**
 * One --trace line: `#i pid=P kind(field=value ...) -> ok {result} | ERRNO |
 * not run: why | panic: message`, then `loaded=[..] evicted=[..] revoked=[..]`
 * where not empty. With `st` (the run's state after the step) values are
 * shown expanded; fields at their defaults are left out.
 */
export function traceLine(rec: Omit<StepRecord, 'kind'> & { kind: string }, step: Step, st?: RunState): string {
  const { kind, expect: _e, ...args } = step as Step & Record<string, unknown>;
  const defaults = STEP_DEFAULTS[kind as Step['kind']] ?? new Map<string, unknown>();
  const argText = Object.entries(args)
    .filter(([key, v]) => key !== 'by' && v !== undefined && !(defaults.has(key) && JSON.stringify(defaults.get(key)) === JSON.stringify(v)))
    .map(([key, v]) => `${key}=${JSON.stringify(traceValue(st, key, v))}`)
    .join(' ');
  const list = (n: string, l: string[]) => (l.length ? ` ${n}=[${l.join(' ')}]` : '');
  return `#${rec.index} pid=${rec.actor ?? '-'} ${rec.kind}(${argText}) -> ${traceOutcome(rec)}` +
    list('loaded', rec.loaded) + list('evicted', rec.evicted) + list('revoked', rec.revoked);
}
