/**
 * What the kernel emits as it runs: every lifecycle and vnode change. A checker
 * follows the kernel through these alone, without calling into procfs.
 */
import type { Vnode } from './vnode.ts';
import type { Mount } from './mount.ts';

export type KernelEvent =
  | { kind: 'proc-created'; pid: number; ppid: number; sugid: boolean; forked: boolean } // fork1, or spawn
  | { kind: 'exec-begin'; pid: number } // p_reflock taken as writer (execve_loadvm)
  | { kind: 'exec'; pid: number; sugid: boolean; emul: string } // p_reflock released
  | { kind: 'cred-changed'; pid: number; sugid: boolean }
  | { kind: 'exit-begin'; pid: number } // p_stat = SDYING (exit1)
  | { kind: 'exit'; pid: number } // p_stat = SZOMB
  | { kind: 'reaped'; pid: number }
  | { kind: 'vnode-loaded'; vnode: Vnode; mount: Mount; key: string; callerPid: number; seq: number }
  | { kind: 'vnode-inactive'; vnode: Vnode; mount: Mount; key: string; recycle: boolean }
  | { kind: 'vnode-evicted'; vnode: Vnode; mount: Mount; key: string; revoked: boolean }
  | { kind: 'mount'; mount: Mount }
  | { kind: 'unmount'; mount: Mount };

export type EventKind = KernelEvent['kind'];
