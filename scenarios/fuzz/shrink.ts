/**
 * The shrinker: delta debugging over steps (Zeller's ddmin, with every step
 * that depends on a removed handle removed alongside), then field by field
 * simplification (defaults, lower numbers, default programs) and a plainer
 * kernel. A candidate counts only when it still loads (written and read back
 * through the loader) and fails with the same signature (rule, step kind,
 * node type); when the original passed without the injected bugs, the
 * candidate must as well. Then pinExpectations turns the shrunk scenario
 * into a regression test.
 */
import type { BugName } from '../../emulator/bugs.ts';
import { HANDLE_RE, templateRefs } from '../fields.ts';
import { loadScenarioText } from '../load.ts';
import { runScenario } from '../runner.ts';
import type { Expect, KernelSpec, Scenario, Step } from '../types.ts';
import { type Signature, signatureText } from './failure.ts';
import { type SessionResult, check, failureSignature, playScenario } from './session.ts';
import { writeScenario } from './write.ts';

export interface ShrinkOptions {
  /** Bugs switched on besides the scenario's own. */
  bugs: readonly BugName[];
  /** How many candidates to try at most. */
  budget?: number;
}

export interface ShrinkResult {
  scenario: Scenario;
  failure: { step: number; message: string };
  /** The failure's signature: the original's (the shrinker keeps it). */
  signature: Signature;
  /** Candidates run. */
  tried: number;
}

const BUDGET_DEFAULT = 3000;

/** Does the candidate still fail the same way? */
class Judge {
  tried = 0;
  private readonly seen = new Map<string, { step: number; message: string } | null>();

  constructor(
    private readonly sig: string,
    private readonly bugs: readonly BugName[],
    private readonly clean: boolean,
    private readonly budget: number,
  ) {}

  get exhausted(): boolean {
    return this.tried >= this.budget;
  }

  /** The candidate's failure when it is interesting, else null. */
  judge(c: Scenario): { step: number; message: string } | null {
    if (c.steps.length === 0) return null;
    const text = writeScenario(c);
    const memo = this.seen.get(text);
    if (memo !== undefined) return memo;
    const verdict = this.fresh(c, text);
    this.seen.set(text, verdict);
    return verdict;
  }

  /** Run first (cheap), load last (the loader costs more than a run): most candidates never get that far. */
  private fresh(c: Scenario, text: string): { step: number; message: string } | null {
    if (this.exhausted) return null;
    this.tried++;
    const r = check(c, this.bugs);
    if (r.failure === null || signatureText(failureSignature(c, r)) !== this.sig) return null;
    if (this.clean && check({ ...c, bugs: [] }).failure !== null) return null;
    const l = loadScenarioText(text, 'candidate.yaml');
    return l.ok ? r.failure : null;
  }
}

/** Shrink a failing scenario; throws if it does not fail. */
export function shrink(s0: Scenario, opts: ShrinkOptions): ShrinkResult {
  const first = check(s0, opts.bugs);
  if (first.failure === null) throw new Error('shrink: the scenario does not fail');
  const signature = failureSignature(s0, first);
  const hasBugs = opts.bugs.length > 0 || s0.bugs.length > 0;
  const clean = hasBugs && check({ ...s0, bugs: [] }).failure === null;
  const judge = new Judge(signatureText(signature), opts.bugs, clean, opts.budget ?? BUDGET_DEFAULT);
  let best = { scenario: truncate(s0, first.failure.step), failure: first.failure };
  const accept = (c: Scenario): boolean => {
    const f = judge.judge(c);
    if (f === null) return false;
    best = { scenario: truncate(c, f.step), failure: f };
    return true;
  };
  for (let round = 0; round < 6 && !judge.exhausted; round++) {
    const before = writeScenario(best.scenario);
    ddmin(() => best.scenario, accept);
    mergeProcesses(() => best.scenario, accept);
    simplifySteps(() => best.scenario, accept);
    simplifyKernel(() => best.scenario, accept);
    if (writeScenario(best.scenario) === before) break;
  }
  return { ...best, signature, tried: judge.tried };
}

function truncate(s: Scenario, failStep: number): Scenario {
  return s.steps.length <= failStep + 1 ? s : { ...s, steps: s.steps.slice(0, failStep + 1) };
}

// ---- steps -----------------------------------------------------------------

/** Handles a step binds with `as`. */
function bindings(step: Step): string[] {
  if (!('as' in step) || step.as === undefined) return [];
  return typeof step.as === 'string' ? [step.as] : [...step.as];
}

/** Handles a step uses: actor, process and descriptor fields, and `{h}` in any string. */
function references(step: Step): Set<string> {
  const out = new Set<string>();
  const body = step as unknown as Record<string, unknown>;
  for (const f of ['by', 'child', 'target', 'fd', 'to']) {
    const v = body[f];
    if (typeof v === 'string' && HANDLE_RE.test(v)) out.add(v);
  }
  const strings = (v: unknown): void => {
    if (typeof v === 'string') {
      const t = templateRefs(v);
      if ('refs' in t) for (const r of t.refs) out.add(r);
    } else if (Array.isArray(v)) v.forEach(strings);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(strings);
  };
  const { kind: _k, ...rest } = step;
  strings(rest);
  return out;
}

/** Remove the steps at `drop` and every later step that uses a handle they bind (transitively). */
export function removeSteps(steps: readonly Step[], drop: ReadonlySet<number>): Step[] {
  const gone = new Set<string>();
  const out: Step[] = [];
  steps.forEach((step, i) => {
    const dependent = [...references(step)].some((h) => gone.has(h));
    if (drop.has(i) || dependent) {
      for (const h of bindings(step)) gone.add(h);
      return;
    }
    out.push(step);
  });
  return out;
}

/** ddmin: remove chunks of halving size, from the end backwards, keeping what still fails. */
function ddmin(current: () => Scenario, accept: (c: Scenario) => boolean): void {
  for (let size = Math.max(1, Math.floor(current().steps.length / 2)); size >= 1; size = Math.floor(size / 2)) {
    for (let end = current().steps.length; end > 0; end -= size) {
      const s = current();
      const start = Math.max(0, end - size);
      const drop = new Set<number>();
      for (let i = start; i < Math.min(end, s.steps.length); i++) drop.add(i);
      if (drop.size === 0) continue;
      const steps = removeSteps(s.steps, drop);
      // On success the chunk before this one keeps its indices: the loop goes on with it.
      if (steps.length > 0 && steps.length < s.steps.length) accept({ ...s, steps });
    }
    if (size === 1) break;
  }
}

/** `step` with process handle `from` renamed `to` (actor, process fields, `{from}` in strings). */
function renameProcess(step: Step, from: string, to: string): Step {
  const swap = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/\{([a-z][a-z0-9_]*)\}/g, (m, h: string) => (h === from ? `{${to}}` : m));
    if (Array.isArray(v)) return v.map(swap);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)]));
    return v;
  };
  const out = swap(step) as Record<string, unknown>;
  for (const f of ['by', 'child', 'target']) if (out[f] === from) out[f] = to;
  return out as unknown as Step;
}

/**
 * Drop a process: its spawn or fork goes, and what it did is done by a
 * process bound before it (init first), so steps that needed it can stay.
 */
function mergeProcesses(current: () => Scenario, accept: (c: Scenario) => boolean): void {
  for (let j = current().steps.length - 1; j >= 0; j--) {
    const s = current();
    const binder = s.steps[j];
    if (binder === undefined || (binder.kind !== 'spawn' && binder.kind !== 'fork')) continue;
    for (const to of processHandlesBefore(s.steps, j)) {
      const steps = s.steps.flatMap((st, i) => (i === j ? [] : i < j ? [st] : [renameProcess(st, binder.as, to)]));
      if (accept({ ...s, steps })) break;
    }
  }
}

/** Lower pids in the same procfs hash bucket (pid & 255), lowest first. */
function sameBucket(pid: number): number[] {
  const out: number[] = [];
  for (let p = pid - 256; p >= 2; p -= 256) out.unshift(p);
  return out;
}

/** Ids to try instead of `n`: root's, then the default user's (uid 1000, gid 100, scenario-format.md §3). */
function lower(n: number, defaultUser: number): number[] {
  return [0, defaultUser].filter((x) => x < n);
}

const SIMPLE_PROGRAMS = ['/bin/sh', '/usr/bin/passwd', '/usr/bin/wall', '/emul/linux/bin/sh'];

/** Simpler variants of one step, most drastic first; `actors` are the process handles bound before it. */
function variants(step: Step, actors: readonly string[]): Step[] {
  const out: Step[] = [];
  const set = (change: Record<string, unknown>) => out.push({ ...step, ...change } as Step);
  const unset = (field: string) => {
    const copy = { ...step } as Record<string, unknown>;
    delete copy[field];
    out.push(copy as unknown as Step);
  };
  switch (step.kind) {
    case 'spawn':
      if (step.pid !== undefined) unset('pid');
      if (typeof step.pid === 'number') for (const n of sameBucket(step.pid)) set({ pid: n });
      if (step.path !== '/bin/sh') set({ path: '/bin/sh' });
      if (typeof step.uid === 'number') for (const n of lower(step.uid, 1000)) set({ uid: n });
      if (typeof step.gid === 'number') for (const n of lower(step.gid, 100)) set({ gid: n });
      break;
    case 'fork':
      if (step.pid !== undefined) unset('pid');
      if (typeof step.pid === 'number') for (const n of sameBucket(step.pid)) set({ pid: n });
      break;
    case 'exec':
      for (const p of SIMPLE_PROGRAMS) if (p !== step.path && !SIMPLE_PROGRAMS.slice(0, SIMPLE_PROGRAMS.indexOf(p)).includes(step.path)) set({ path: p });
      break;
    case 'exit':
      if (step.status !== 0) set({ status: 0 });
      break;
    case 'wait':
      if (step.child !== undefined) unset('child');
      break;
    case 'setuid': case 'seteuid': case 'setgid': case 'setegid':
      if (typeof step.id === 'number') for (const n of lower(step.id, step.kind.includes('uid') ? 1000 : 100)) set({ id: n });
      break;
    case 'ptrace':
      if (step.detach) set({ detach: false });
      break;
    case 'open':
      if (step.flags !== 'r') set({ flags: 'r' });
      if (step.flags === 'w') set({ flags: 'rw' });
      for (const f of ['excl', 'nofollow', 'cloexec'] as const) if (step[f]) set({ [f]: false });
      break;
    case 'read':
      if (step.size !== 64) set({ size: 64 });
      if (step.offset !== 0) set({ offset: 0 });
      break;
    case 'write':
      if (step.data !== '' && step.data !== 'x') set({ data: 'x' });
      if (step.offset !== 0) set({ offset: 0 });
      break;
    case 'dup2':
      if (typeof step.to !== 'number' || step.to > 3) for (const n of [0, 1, 2, 3]) set({ to: n });
      break;
    case 'mount':
      if (step.update) set({ update: false });
      if (JSON.stringify(step.args) !== '{"version":1,"flags":1}') set({ args: { version: 1, flags: 1 } });
      break;
    case 'unmount':
      if (step.force) set({ force: false });
      break;
    default:
      break;
  }
  // Another actor, so that the process this one needed (a fork, say) can go.
  if (step.kind !== 'spawn' && step.by !== 'init') for (const a of actors) if (a !== step.by) set({ by: a });
  const e = step.expect;
  if (e !== undefined && !(Object.keys(e).length === 1 && e.errno === 'any')) out.push({ ...step, expect: { errno: 'any' } as Expect });
  return out;
}

/** init, then the process handles bound by steps before `i`, in order. */
function processHandlesBefore(steps: readonly Step[], i: number): string[] {
  const out = ['init'];
  for (const st of steps.slice(0, i)) if (st.kind === 'spawn' || st.kind === 'fork') out.push(st.as);
  return out;
}

function simplifySteps(current: () => Scenario, accept: (c: Scenario) => boolean): void {
  for (let i = current().steps.length - 1; i >= 0; i--) {
    const s = current();
    const step = s.steps[i];
    if (step === undefined) continue;
    for (const v of variants(step, processHandlesBefore(s.steps, i))) {
      const steps = [...s.steps];
      steps[i] = v;
      if (accept({ ...s, steps })) break;
    }
  }
}

// ---- the kernel ------------------------------------------------------------

const PLAIN_KERNEL: Omit<KernelSpec, 'files'> = {
  pidMax: 30000, maxproc: 1044, pageSize: 4096, pfsLast: 33, securelevel: 0, curtain: false,
  procfs: [{ path: '/proc', linux: true }],
};

function simplifyKernel(current: () => Scenario, accept: (c: Scenario) => boolean): void {
  for (const key of Object.keys(PLAIN_KERNEL) as (keyof typeof PLAIN_KERNEL)[]) {
    const s = current();
    const want = PLAIN_KERNEL[key];
    if (JSON.stringify(s.kernel[key]) === JSON.stringify(want)) continue;
    if (accept({ ...s, kernel: { ...s.kernel, [key]: want } })) continue;
    if (key === 'pidMax') {
      for (const n of [8, 20, 300, 600].filter((x) => x > s.kernel.pidMax)) if (accept({ ...s, kernel: { ...s.kernel, pidMax: n } })) break;
    }
  }
  for (let j = current().kernel.files.length - 1; j >= 0; j--) {
    const s = current();
    const f = s.kernel.files[j];
    if (f === undefined) continue;
    const files = s.kernel.files.filter((g) => g !== f && !g.path.startsWith(`${f.path}/`));
    accept({ ...s, kernel: { ...s.kernel, files } });
  }
}

// ---- pinning ---------------------------------------------------------------

/** Result fields of scenario-format.md §4 that an `expect:` can name. */
const RESULT_FIELDS: ReadonlySet<string> = new Set([
  'pid', 'fd', 'fds', 'count', 'vtype', 'mode', 'uid', 'gid', 'nlink', 'size', 'fileno', 'data', 'target', 'entries',
  'version', 'flags', 'bsize', 'frsize', 'iosize', 'blocks', 'files', 'ffree', 'favail', 'namemax', 'fstype',
]);

export interface Pinned {
  scenario: Scenario;
  /** Steps 0 .. pinned-1 carry observed expectations (0: left as they were). */
  pinned: number;
  /** Whose observations: the engine without the bugs, or (no bugs to leave out) the engine itself before the failure. */
  reference: 'without-bugs' | 'engine' | null;
}

/**
 * Make a shrunk repro a regression test: each step up to the failing one
 * expects what the engine without the bugs observes there (its errno or
 * success, the vnodes it evicts and revokes, and the result fields in which
 * the engine with the bugs differs), so the file fails under the contract's
 * `run` with its bugs: line, passes without it, and fails on any engine
 * with the same defect. With no bugs switched on (a defect of the engine
 * itself) only the steps before the failing one are pinned, to what the
 * engine observed there. Kept only when those verdicts hold; otherwise the
 * scenario is returned unchanged.
 */
export function pinExpectations(s: Scenario, bugs: readonly BugName[], failStep: number): Pinned {
  const unchanged: Pinned = { scenario: s, pinned: 0, reference: null };
  const all = [...new Set([...s.bugs, ...bugs])];
  const verdict = check(s, all);
  if (verdict.failure === null) return unchanged;
  const withBugs = playScenario({ ...s, bugs: all });
  const reference = all.length === 0 ? null : playScenario({ ...s, bugs: [] });
  if (reference !== null && (reference.failure !== null || reference.played.length <= failStep)) return unchanged;
  const base = reference ?? withBugs;
  const last = reference === null ? failStep - 1 : failStep;
  if (last < 0 || base.played.length <= last) return unchanged;
  const namer = new PidNames(s);
  const steps = s.steps.map((step, i) => {
    const rec = base.played[i];
    if (i > last || rec === undefined) return step;
    const expect = observed(rec, reference === null ? undefined : withBugs.played[i], namer);
    namer.after(step, rec);
    return { ...step, expect };
  });
  const pinned: Scenario = { ...s, steps };
  if (!pinHolds(pinned, all, failStep, reference !== null, failureSignature(s, verdict))) return unchanged;
  if (reference === null) return { scenario: pinned, pinned: last + 1, reference: 'engine' };
  return { scenario: withProbe(pinned, all, failStep), pinned: last + 1, reference: 'without-bugs' };
}

type Observation = Pick<SessionResult['played'][number], 'outcome' | 'evicted' | 'revoked'>;

/** Does the defect show in what the steps report (expectations alone, no oracle)? */
function showsWithoutOracle(p: Scenario, bugs: readonly BugName[]): boolean {
  try {
    return runScenario({ ...p, bugs: [...bugs] }, { trace: false, oracle: false }).failure !== null;
  } catch {
    return false;
  }
}

const PROBES_MAX = 16;

/**
 * When nothing the steps report shows the defect (only the oracle sees it:
 * the type of a cached vnode, a credential flag), append one probe after
 * the failing step whose result does differ with the bugs: fstat of a held
 * descriptor, lstat of a vnode the failing step touched, or of a process's
 * mem node (its mode shows PK_SUGID). It expects what the engine without
 * the bugs reports, so an engine without this oracle fails the file too.
 * Without such a probe the file is returned as it is.
 */
function withProbe(p: Scenario, bugs: readonly BugName[], failStep: number): Scenario {
  if (showsWithoutOracle(p, bugs)) return p;
  const head = p.steps.slice(0, failStep + 1);
  for (const probe of probes(p, failStep).slice(0, PROBES_MAX)) {
    const open: Scenario = { ...p, steps: [...head, { ...probe, expect: { errno: 'any' } }] };
    let ref;
    let theirs;
    try {
      ref = runScenario({ ...open, bugs: [] }, { trace: false });
      theirs = runScenario({ ...open, bugs: [...bugs] }, { trace: false, oracle: false });
    } catch {
      continue;
    }
    const mine = ref.records[failStep + 1];
    const other = theirs.records[failStep + 1];
    if (ref.failure !== null || mine === undefined || other === undefined) continue;
    const namer = new PidNames(p);
    head.forEach((st, i) => namer.after(st, ref.records[i]!));
    const candidate: Scenario = { ...p, steps: [...head, { ...probe, expect: observed(mine, other, namer) }] };
    if (showsWithoutOracle(candidate, bugs) && check({ ...candidate, bugs: [] }).failure === null) return candidate;
  }
  return p;
}

/** Probe steps for withProbe: descriptors held, vnodes the failing step touched, the mem node of each process. */
function probes(p: Scenario, failStep: number): Step[] {
  const out: Step[] = [];
  const mount = p.kernel.procfs[0]?.path;
  p.steps.slice(0, failStep + 1).forEach((st) => {
    if ((st.kind === 'open' || st.kind === 'newfd' || st.kind === 'socket' || st.kind === 'kqueue') && st.as !== undefined) {
      out.push({ kind: 'fstat', by: st.by, fd: st.as });
    }
  });
  const touched = playScenario({ ...p, bugs: [] }).played[failStep];
  for (const name of [...(touched?.loaded ?? []), ...(touched?.evicted ?? [])]) out.push({ kind: 'lstat', by: 'init', path: name });
  if (mount !== undefined) {
    for (const st of p.steps.slice(0, failStep + 1)) {
      if (st.kind === 'spawn' || st.kind === 'fork') out.push({ kind: 'lstat', by: 'init', path: `${mount}/{${st.as}}/mem` });
    }
  }
  return out;
}

/** What the reference engine observed at a step, as an expectation. */
function observed(rec: Observation, buggy: Observation | undefined, namer: PidNames): Expect {
  const e: Record<string, unknown> = {};
  if ('errno' in rec.outcome) e.errno = rec.outcome.errno;
  else if (buggy !== undefined && 'ok' in buggy.outcome) {
    const theirs = buggy.outcome.ok;
    for (const [k, v] of Object.entries(rec.outcome.ok)) {
      if (RESULT_FIELDS.has(k) && JSON.stringify(v) !== JSON.stringify(theirs[k])) e[k] = v;
    }
  }
  e.evicts = namer.names(rec.evicted);
  e.revokes = namer.names(rec.revoked);
  return e as Expect;
}

/**
 * The verdicts a pinned repro must keep. With a reference without bugs: the
 * fuzz judgement and the runner pass without the bugs, and the runner fails
 * with them. Without one: it still fails the same way at the same step.
 */
function pinHolds(p: Scenario, bugs: readonly BugName[], failStep: number, hasReference: boolean, sig: Signature): boolean {
  try {
    if (!hasReference) {
      const r = check(p, bugs);
      return r.failure?.step === failStep && signatureText(failureSignature(p, r)) === signatureText(sig);
    }
    const clean: Scenario = { ...p, bugs: [] };
    if (check(clean).failure !== null || runScenario(clean, { trace: false }).failure !== null) return false;
    const withBugs = runScenario({ ...p, bugs: [...bugs] }, { trace: false });
    return withBugs.failure !== null && withBugs.failure.step <= failStep;
  } catch {
    return false; // the engine crashed on it: keep the repro as the fuzz invariants judge it
  }
}

/**
 * Vnode names with the pid written as the handle bound to it (`/proc/{a}/mem`),
 * so a pinned expectation reads like the steps; names of a pid no handle
 * holds stay literal. Handles are followed step by step (a pid reused by a
 * later spawn names the later handle from then on).
 */
class PidNames {
  private readonly byPid = new Map<number, string>([[1, 'init']]);
  private readonly mounts: string[];

  constructor(s: Scenario) {
    const paths = [...s.kernel.procfs.map((m) => m.path), ...s.steps.flatMap((st) => (st.kind === 'mount' ? [st.path] : []))];
    // Longest first: a mount below another one names its own vnodes.
    this.mounts = [...new Set(paths)].filter((m) => !m.includes('{')).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  }

  after(step: Step, rec: Pick<Observation, 'outcome'>): void {
    if ((step.kind === 'spawn' || step.kind === 'fork') && 'ok' in rec.outcome && typeof rec.outcome.ok.pid === 'number') {
      this.byPid.set(rec.outcome.ok.pid, step.as);
    }
  }

  names(list: readonly string[]): string[] {
    return [...new Set(list.map((n) => this.name(n)))].sort();
  }

  private name(n: string): string {
    for (const m of this.mounts) {
      if (!n.startsWith(`${m}/`)) continue;
      const rest = /^([0-9]+)(\/.*)?$/.exec(n.slice(m.length + 1));
      const h = rest === null ? undefined : this.byPid.get(Number(rest[1]));
      return h === undefined ? n : `${m}/{${h}}${rest![2] ?? ''}`;
    }
    return n;
  }
}
