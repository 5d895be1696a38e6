/**
 * Plays a scenario step by step with the judge watching, and lets a test
 * change the kernel behind its back: before a step, inside a kernel event
 * (seen after the judge, or before it with `first`), or by patching an
 * object for one step.
 */
import type { Kernel } from '../../../emulator/kernel.ts';
import type { KernelEvent } from '../../../emulator/events.ts';
import { Judge } from '../../../scenarios/judge/index.ts';
import { formatInvalid, loadScenarioText } from '../../../scenarios/load.ts';
import type { RunState } from '../../../scenarios/runner.ts';
import { bootScenario } from '../../../scenarios/runner.ts';
import { executeStep } from '../../../scenarios/steps.ts';

export interface Found {
  step: number;
  rule: string;
  message: string;
}

export interface Played {
  k: Kernel;
  st: RunState;
  /** Every violation, in order, with the step after which it was found. */
  found: Found[];
  /** The rules that broke, in order, without repeats. */
  rules: string[];
  outcomes: unknown[];
}

export interface Tamper {
  /** Run before step i (the kernel as the previous step left it). */
  before?: Record<number, (k: Kernel, st: RunState) => void>;
  /** A kernel event sink subscribed before the judge (it sees the event first). */
  first?: (e: KernelEvent, k: Kernel) => void;
  /** A kernel event sink subscribed after the judge. */
  after?: (e: KernelEvent, k: Kernel) => void;
  /** Patch something for step i only: the function returns the undo. */
  during?: Record<number, (k: Kernel, st: RunState) => () => void>;
}

export function play(text: string, t: Tamper = {}): Played {
  const l = loadScenarioText(text.startsWith('name:') ? text : `name: t\n${text}`, 't.yaml');
  if (!l.ok) throw new Error(formatInvalid(l.error));
  const s = l.scenario;
  const k = bootScenario(s);
  if (typeof k === 'string') throw new Error(k);
  if (t.first !== undefined) k.subscribe((e) => t.first!(e, k));
  const judge = new Judge(k, s.kernel);
  if (t.after !== undefined) k.subscribe((e) => t.after!(e, k));
  const st: RunState = { k, handles: new Map([['init', { kind: 'proc', pid: 1, proc: k.initproc }]]), failed: new Set() };
  const found: Found[] = [];
  const outcomes: unknown[] = [];
  s.steps.forEach((step, i) => {
    t.before?.[i]?.(k, st);
    const undo = t.during?.[i]?.(k, st);
    let r;
    try {
      k.ticks++;
      r = executeStep(st, step, judge);
    } finally {
      undo?.();
    }
    outcomes.push(r.hard ?? r.outcome);
    for (const v of judge.checkState()) found.push({ step: i, rule: v.rule, message: v.message });
  });
  return { k, st, found, rules: [...new Set(found.map((f) => f.rule))], outcomes };
}

/** Replace obj[key] for a while; returns the undo. */
export function patch<T extends object, K extends keyof T>(obj: T, key: K, value: T[K]): () => void {
  const old = obj[key];
  obj[key] = value;
  return () => {
    obj[key] = old;
  };
}

/** The process bound to a handle. */
export function procOf(st: RunState, name: string) {
  const h = st.handles.get(name);
  if (h?.kind !== 'proc') throw new Error(`no process ${name}`);
  return h.proc;
}

/** The procfs mount on `path`. */
export function procfsMount(k: Kernel, path = '/proc') {
  const mp = k.mountlist.find((m) => m.path === path && m.ops.name === 'procfs');
  if (mp === undefined) throw new Error(`no procfs on ${path}`);
  return mp;
}
