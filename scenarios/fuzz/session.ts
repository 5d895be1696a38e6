/**
 * A fuzz session: one booted kernel that plays steps one at a time, judged
 * after each by the judge (scenarios/judge/), the same one `run` uses. The generator
 * drives a session step by step (it sees every outcome before it picks the
 * next step); replay and the shrinker play a whole scenario through one.
 *
 * Expectations are not compared here: generated steps accept any outcome
 * (`errno: any`); `check` (below) adds the contract's runner for scenarios
 * that expect more.
 */
import type { BugName } from '../../emulator/bugs.ts';
import type { Kernel } from '../../emulator/kernel.ts';
import { KernelPanic } from '../../emulator/kernel.ts';
import { Judge } from '../judge/index.ts';
import type { RunState } from '../runner.ts';
import { StepEvents, bootScenario, expandString, oracleMessage, runScenario, traceLine as runnerTraceLine } from '../runner.ts';
import type { Outcome } from '../steps.ts';
import { executeStep } from '../steps.ts';
import type { KernelSpec, Ref, Scenario, Step } from '../types.ts';
import { parseKey } from '../names.ts';
import { type Signature, failureClass, nodeOfComponents } from './failure.ts';
import { resolveRef } from './invariants.ts';

export interface Played {
  index: number;
  kind: string;
  actor: number | null;
  outcome: Outcome;
  loaded: string[];
  evicted: string[];
  revoked: string[];
  /** Why the step did not run at all (its actor exited, a handle it names has no value). */
  notRun?: string;
  /** The procfs node type the step addressed ('-' for none): part of a failure's signature. */
  node: string;
  /** Why the scenario fails at this step, or null. */
  failure: string | null;
}

export interface SessionResult {
  failure: { step: number; message: string } | null;
  played: Played[];
  trace: string[];
}

export class Session {
  readonly st: RunState;
  private readonly oracle: Judge | null;
  private ev = new StepEvents();
  readonly played: Played[] = [];
  readonly trace: string[] = [];
  /** The first failure; the session plays nothing after it. */
  failure: { step: number; message: string } | null = null;

  private constructor(readonly k: Kernel, kernel: KernelSpec, private readonly tracing: boolean, oracle: boolean) {
    this.oracle = oracle ? new Judge(k, kernel) : null;
    k.subscribe((e) => this.ev.on(e));
    this.st = { k, handles: new Map([['init', { kind: 'proc', pid: 1, proc: k.initproc }]]), failed: new Set() };
  }

  /**
   * Boot a kernel for `kernel` with `bugs`; a string says why booting failed.
   * `oracle: false` runs without the judge (its own tests).
   */
  static boot(kernel: KernelSpec, bugs: readonly BugName[], tracing = false, oracle = true): Session | string {
    const s: Scenario = { format: 1, name: 'session', kernel, bugs: [], steps: [] };
    const k = bootScenario(s, bugs);
    return typeof k === 'string' ? k : new Session(k, kernel, tracing, oracle);
  }

  /** Play one step and judge it: hard failures, then the judge. */
  play(step: Step): Played {
    if (this.failure !== null) throw new Error('session: a step after the failure');
    const index = this.played.length;
    this.ev = new StepEvents();
    this.k.ticks++;
    const node = stepNode(this.st, step);
    let outcome: Outcome = { ok: {} };
    let actor: number | null = null;
    let failure: string | null;
    let notRun: string | undefined;
    try {
      const r = executeStep(this.st, step, this.oracle);
      outcome = r.outcome;
      actor = r.actor;
      notRun = r.hard;
      failure = r.hard ?? oracleMessage(this.oracle);
    } catch (e) {
      failure = e instanceof KernelPanic ? `kernel panic: ${e.message}` : `exception: ${errorText(e)}`;
    }
    const ev = this.ev;
    const rec: Played = {
      index, kind: step.kind, actor, outcome, loaded: ev.loaded, evicted: ev.evicted, revoked: ev.revoked,
      ...(notRun === undefined ? {} : { notRun }), node, failure,
    };
    this.played.push(rec);
    if (this.tracing) this.trace.push(traceLine(rec, step, this.st));
    if (failure !== null) this.failure = { step: index, message: failure };
    return rec;
  }
}

function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/** Play a whole scenario through a session (the judge's verdict). */
export function playScenario(s: Scenario, bugs: readonly BugName[] = [], tracing = false, oracle = true): SessionResult {
  const all = [...new Set([...s.bugs, ...bugs])];
  const session = Session.boot(s.kernel, all, tracing, oracle);
  if (typeof session === 'string') return { failure: { step: 0, message: session }, played: [], trace: [] };
  for (const step of s.steps) {
    session.play(step);
    if (session.failure !== null) break;
  }
  return { failure: session.failure, played: session.played, trace: session.trace };
}

/** Does any step expect more than `errno: any`? Then the contract's runner has a say too. */
export function expectsMore(s: Scenario): boolean {
  return s.steps.some((st) => st.expect !== undefined && Object.entries(st.expect).some(([k, v]) => !(k === 'errno' && v === 'any')));
}

/**
 * The full verdict on a scenario: the fuzz session and, when the scenario
 * expects anything, the contract's runner; the earlier failure wins (the
 * session's on a tie: it says why, where the runner says what was expected).
 */
export function check(s: Scenario, bugs: readonly BugName[] = [], tracing = false): SessionResult {
  const fuzz = playScenario(s, bugs, tracing);
  if (!expectsMore(s)) return fuzz;
  const r = runGuarded(s, bugs);
  if (r.failure === null) return fuzz;
  if (fuzz.failure !== null && fuzz.failure.step <= r.failure.step) return fuzz;
  return { ...fuzz, failure: r.failure };
}

/** The contract's runner, with a crash of the engine reported as a failure rather than thrown. */
function runGuarded(s: Scenario, bugs: readonly BugName[]): { failure: { step: number; message: string } | null } {
  try {
    return runScenario(s, { trace: false, bugs });
  } catch (e) {
    return { failure: { step: s.steps.length - 1, message: `exception: ${errorText(e)}` } };
  }
}

/** One trace line per step: `#i pid=P kind(args) -> result | ERRNO evicted=[..] revoked=[..]`. */
export function traceLine(rec: Played, step: Step, st?: RunState): string {
  return runnerTraceLine(rec, step, st) + (rec.failure === null || rec.failure === rec.notRun ? '' : ` FAIL ${rec.failure}`);
}

/** A step's record as one comparable line (determinism checks). */
export function fingerprint(rec: Played): string {
  const out = 'errno' in rec.outcome ? rec.outcome.errno : JSON.stringify(rec.outcome.ok);
  return `${rec.kind} pid=${rec.actor ?? '-'} -> ${out} evicted=[${rec.evicted.join(' ')}] revoked=[${rec.revoked.join(' ')}]` +
    (rec.failure === null ? '' : ` FAIL ${rec.failure}`);
}

/** The signature of a verdict's failure on `s` (the step's kind and node from the session's record). */
export function failureSignature(s: Scenario, r: SessionResult): Signature {
  if (r.failure === null) throw new Error('failureSignature: no failure');
  const step = r.failure.step;
  return { rule: failureClass(r.failure.message), kind: s.steps[step]?.kind ?? '-', node: r.played[step]?.node ?? '-' };
}

// ---- the node a step addresses ------------------------------------------------

/**
 * The procfs node type `step` addresses, from kernel state before it runs
 * (a descriptor's vnode, or a path read against the procfs mounts and the
 * actor's current directory), without looking anything up: '-' for none.
 */
function stepNode(st: RunState, step: Step): string {
  switch (step.kind) {
    case 'read': case 'write': case 'fstat': case 'close': case 'dup2':
      return descriptorNode(st, step.by, step.fd);
    case 'open': case 'lstat': case 'stat': case 'readlink': case 'readdir': case 'chdir': case 'chroot':
    case 'getargs': case 'statvfs': case 'mount': case 'unmount':
      return pathNode(st, step.by, step.path);
    default:
      return '-';
  }
}

function actorProc(st: RunState, by: string) {
  const h = st.handles.get(by);
  return h?.kind === 'proc' ? h.proc : null;
}

function descriptorNode(st: RunState, by: string, fd: Ref): string {
  const p = actorProc(st, by);
  let n: number | null;
  try {
    n = resolveRef(st, fd);
  } catch {
    return '-';
  }
  const vp = n === null || p === null ? null : (p.fd.get(n)?.file.vnode ?? null);
  return vp !== null && vp.mount.ops.name === 'procfs' ? parseKey(vp.key).type : '-';
}

/** The components below a vnode of a procfs mount, as a path would name it. */
function keyComponents(key: string): string[] {
  const { type, pid } = parseKey(key);
  if (type === 'root') return [];
  if (type === 'proc') return [String(pid)];
  return [String(pid), type];
}

function pathNode(st: RunState, by: string, raw: string): string {
  let path: string;
  try {
    path = expandString(st, raw);
  } catch {
    return '-';
  }
  if (path.startsWith('/')) {
    const parts = normalize([], path);
    if (parts === null) return '-';
    const abs = `/${parts.join('/')}`;
    let best: { path: string } | null = null;
    for (const mp of st.k.mountlist) {
      if (mp.ops.name !== 'procfs') continue;
      const inside = mp.path === '' || abs === mp.path || abs.startsWith(`${mp.path}/`);
      if (inside && (best === null || mp.path.length > best.path.length)) best = mp;
    }
    if (best === null) return '-';
    return nodeOfComponents(abs.slice(best.path.length).split('/').filter((c) => c !== ''));
  }
  const cwd = actorProc(st, by)?.cwd ?? null;
  if (cwd === null || cwd.mount.ops.name !== 'procfs') return '-';
  const parts = normalize(keyComponents(cwd.key), path);
  return parts === null ? '-' : nodeOfComponents(parts);
}

/** `base` + the components of `path`, with `.` and `..` applied; null when `..` climbs out of the base. */
function normalize(base: readonly string[], path: string): string[] | null {
  const out = [...base];
  for (const c of path.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(c);
  }
  return out;
}
