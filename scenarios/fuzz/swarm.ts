/**
 * Swarm testing (Groce et al., "Swarm Testing", ISSTA 2012): every run
 * switches some step kinds off and draws weights for the rest, so that some
 * runs hammer a few operations hard instead of every run doing a little of
 * everything. The draw is printed with the seed of a failing run.
 */
import type { PRNG } from './prng.ts';

/** What the generator can do: contract step kinds, grouped where the generator treats them alike. */
export const ACTIONS = [
  'spawn', 'fork', 'exec', 'setid', 'exit', 'wait', 'ptrace', 'chdir', 'chroot',
  'open', 'openfile', 'close', 'dup2', 'pipe', 'socket', 'kqueue', 'newfd',
  'lstat', 'stat', 'fstat', 'read', 'write', 'readlink', 'readdir',
  'mount', 'unmount', 'getargs', 'statvfs', 'module', 'check',
  // Plans of several steps (generate.ts): grow one descriptor table past a growth point; one corner of CORNERS.
  'fill', 'corner',
] as const;
export type Action = (typeof ACTIONS)[number];

/** How often each action comes up when enabled with multiplier 1 (opens and stats of procfs lead). */
const BASE_WEIGHT: Readonly<Record<Action, number>> = {
  spawn: 5, fork: 4, exec: 6, setid: 4, exit: 4, wait: 3, ptrace: 1, chdir: 3, chroot: 1,
  open: 10, openfile: 3, close: 2, dup2: 1, pipe: 1, socket: 1, kqueue: 1, newfd: 2,
  lstat: 6, stat: 2, fstat: 3, read: 8, write: 4, readlink: 2, readdir: 2,
  mount: 1, unmount: 1, getargs: 1, statvfs: 1, module: 1, check: 1,
  fill: 1, corner: 4,
};

/** Actions every run keeps: without processes there is nothing to fuzz. */
const ALWAYS: ReadonlySet<Action> = new Set(['spawn']);

export interface Swarm {
  /** The enabled actions with their weights, in ACTIONS order. */
  weights: [Action, number][];
  disabled: Action[];
}

/** Draw one run's swarm: each action is on with probability 3/4, at 1x, 2x or 4x its base weight. */
export function drawSwarm(prng: PRNG): Swarm {
  const weights: [Action, number][] = [];
  const disabled: Action[] = [];
  for (const a of ACTIONS) {
    if (!ALWAYS.has(a) && prng.chance(1, 4)) disabled.push(a);
    else weights.push([a, BASE_WEIGHT[a] * prng.pick([1, 2, 4])]);
  }
  return { weights, disabled };
}

/** `spawn=10 fork=4 ... off: chroot mount`, for the log and the repro's description. */
export function formatSwarm(s: Swarm): string {
  const on = s.weights.map(([a, w]) => `${a}=${w}`).join(' ');
  return s.disabled.length === 0 ? on : `${on}; off: ${s.disabled.join(' ')}`;
}
