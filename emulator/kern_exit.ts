/** exit1 and wait (sys/kern/kern_exit.c 1.244.4.4, the 1.245 structure), in exit1's order. */
import type { Err } from './errno.ts';
import { err } from './errno.ts';
import type { Kernel } from './kernel.ts';
import { KernelPanic } from './kernel.ts';
import type { Proc } from './proc.ts';
import { procIsFindable } from './proc.ts';
import { fdFree } from './sys_descrip.ts';
import { vrele } from './vnode.ts';

/** SIGKILL: what killproc sends an orphaned tracee. */
export const SIGKILL = 9;
/** WAIT_ANY (sys/wait.h): waitpid's pid -1, any child (P_ALL). */
export const WAIT_ANY = -1;

/** cwdfree: drop the current and root directories. */
function cwdfree(p: Proc): void {
  if (p.cwd !== null) vrele(p.cwd);
  if (p.root !== null) vrele(p.root);
  p.cwd = null;
  p.root = null;
}

/** proc_reparent: off the old parent's p_children, onto the head of the new one's. */
function procReparent(child: Proc, parent: Proc): void {
  if (child.parent === parent) return;
  if (child.parent !== null) child.parent.children = child.parent.children.filter((c) => c !== child);
  parent.children.unshift(child);
  child.parent = parent;
}

/**
 * exit1's "give orphaned children to init": each child, first to last, goes
 * to the head of init's p_children (proc_reparent).
 */
function orphanChildren(k: Kernel, p: Proc): void {
  const init = k.initproc;
  for (const c of [...p.children]) procReparent(c, init);
}

/**
 * The tracees of p, which exit1 detaches and kills ("orphaned traced
 * process", killproc). PT_ATTACH makes the tracer its tracee's parent
 * (proc_reparent in ptrace), so they are among p's children there; the fixture
 * does not reparent on attach and finds them by their tracer. init is left
 * alone (it is never killed by the fixture).
 */
function orphanedTracees(k: Kernel, p: Proc): Proc[] {
  const out: Proc[] = [];
  for (const q of k.allproc) {
    if (q.tracer !== p) continue;
    q.tracer = null; // child->p_slflag &= ~(PSL_TRACED|PSL_FSTRACE|PSL_SYSCALL)
    if (q !== k.initproc && procIsFindable(q)) out.push(q);
  }
  return out;
}

/**
 * exit1: SDYING (proc_find no longer sees it), p_reflock as writer, the
 * process's own descriptors closed (fd_free), cwdfree, doexithooks; its
 * children go to init, its tracees are let go and killed; then a zombie on
 * zombproc at the head of its parent's p_children ("put child where it can
 * be found quickly"). The text vnode and the pid stay until wait reaps it
 * (proc_free). A killed tracee exits when the SIGKILL is delivered: here,
 * at once after p.
 */
export function exit1(k: Kernel, p: Proc, status: number, signo = 0): void {
  if (p === k.initproc) throw new KernelPanic('init died (exit1 of pid 1 panics the kernel)');
  p.stat = 'SDYING';
  k.emit({ kind: 'exit-begin', pid: p.pid });
  p.reflockWriter = true;
  fdFree(k, p);
  cwdfree(p);
  k.exithooks.run(p);
  p.exitStatus = status;
  p.exitSignal = signo;
  const killed = orphanedTracees(k, p);
  orphanChildren(k, p);
  k.allproc = k.allproc.filter((q) => q !== p);
  k.zombproc.unshift(p);
  const parent = p.parent;
  if (parent !== null && parent.children[0] !== p) {
    parent.children = [p, ...parent.children.filter((c) => c !== p)];
  }
  p.stat = 'SZOMB';
  p.reflockWriter = false;
  k.emit({ kind: 'exit', pid: p.pid });
  for (const q of killed) if (procIsFindable(q)) exit1(k, q, 0, SIGKILL);
}

/**
 * proc_free: the zombie leaves its parent's children and zombproc, its pid is
 * free again (chgproccnt and nprocs go down with it), and the text vnode is
 * released.
 */
function procFree(k: Kernel, z: Proc): void {
  const parent = z.parent;
  if (parent !== null) parent.children = parent.children.filter((c) => c !== z);
  k.zombproc = k.zombproc.filter((q) => q !== z);
  k.pidTable.delete(z.pid);
  if (z.textvp !== null) vrele(z.textvp);
  z.textvp = null;
  k.emit({ kind: 'reaped', pid: z.pid });
}

/**
 * waitpid(2) with WNOHANG (do_sys_wait, find_stopped_child, match_process):
 * `child` undefined or WAIT_ANY (-1) is P_ALL, any child; 0 is the caller's
 * own process group (WAIT_MYPGRP), another negative number the group -child
 * (P_PGID); a positive one that pid (P_PID). ECHILD when no child matches; 0
 * while none of the matching ones is a zombie; else the first zombie on
 * p_children, which exit1 put at the head (the most recent to exit), reaped.
 */
export function wait(k: Kernel, p: Proc, child?: number): number | Err {
  const candidates = p.children.filter(waitMatch(p, child));
  if (candidates.length === 0) return err('ECHILD');
  const z = candidates.find((c) => c.stat === 'SZOMB');
  if (z === undefined) return 0;
  procFree(k, z);
  return z.pid;
}

/** match_process: which children a waitpid pid argument names. */
function waitMatch(p: Proc, child: number | undefined): (c: Proc) => boolean {
  if (child === undefined || child === WAIT_ANY) return () => true;
  if (child === 0) return (c) => c.pgid === p.pgid;
  if (child < 0) return (c) => c.pgid === -child;
  return (c) => c.pid === child;
}
