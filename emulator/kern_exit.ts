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

/**
 * proc_reparent: off the old parent's p_children, onto the head of the new
 * one's; p_pptr and p_ppid (what /proc/N/status prints) follow.
 */
export function procReparent(child: Proc, parent: Proc): void {
  if (child.parent === parent) return;
  if (child.parent !== null) child.parent.children = child.parent.children.filter((c) => c !== child);
  parent.children.unshift(child);
  child.parent = parent;
}

/**
 * proc_changeparent (PT_ATTACH in do_ptrace, sys_ptrace_common.c 1.53):
 * PSL_TRACED, the parent remembered in p_opptr, and the tracer made the
 * parent, so its wait sees the tracee and gets its zombie.
 */
export function procChangeparent(t: Proc, tracer: Proc): void {
  t.tracer = tracer;
  t.opptr = t.parent;
  procReparent(t, tracer);
}

/**
 * The trace-parent pointers exit1 resets before it gives the children away:
 * a process traced by someone else that p was the original parent of has no
 * original parent any more, and goes to init when its trace ends. NetBSD
 * scans allproc only ("former children on zombproc won't reference p_opptr
 * anymore"); but a traced zombie its tracer has not waited for does, and
 * proc_free would hand it to p after p is gone. The fixture resets those too,
 * so such a zombie goes to init.
 */
function opptrReset(k: Kernel, p: Proc): void {
  for (const q of [...k.allproc, ...k.zombproc]) if (q.opptr === p) q.opptr = null;
}

/**
 * exit1's "give orphaned children to init", first child to last, each to
 * the head of its new parent's p_children. A traced child (p is its tracer)
 * loses PSL_TRACED and goes back to its original parent (p_opptr) when that
 * is not p, else to init, and is killed (killproc: "orphaned traced
 * process"); the others go to init. Returns the ones to kill: live ones
 * only (a zombie takes no signal), never init (issignal drops a default
 * action for pid 1).
 */
function orphanChildren(k: Kernel, p: Proc): Proc[] {
  const init = k.initproc;
  const killed: Proc[] = [];
  for (const c of [...p.children]) {
    if (c.tracer === null) {
      procReparent(c, init);
      continue;
    }
    c.tracer = null; // child->p_slflag &= ~(PSL_TRACED|PSL_FSTRACE|PSL_SYSCALL)
    procReparent(c, c.opptr !== p ? c.opptr ?? init : init); // opptrReset already made a p_opptr of p null
    c.opptr = null;
    if (c !== init && procIsFindable(c)) killed.push(c);
  }
  return killed;
}

/**
 * exit1: SDYING (proc_find no longer sees it), p_reflock as writer, the
 * process's own descriptors closed (fd_free), cwdfree, doexithooks; the
 * p_opptr pointers to it reset; its children go to init, its tracees back
 * to their parents, killed; then a zombie on
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
  opptrReset(k, p);
  const killed = orphanChildren(k, p);
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
 * proc_free: a traced zombie whose tracer is not its original parent is
 * not freed: it loses PSL_TRACED and goes back to p_opptr (init when that
 * is gone), at the head of its children, for that parent to wait for; the
 * tracer's wait still returns its pid. Otherwise the zombie leaves its
 * parent's children and zombproc, its pid is free again (chgproccnt and
 * nprocs go down with it), and the text vnode is released.
 */
function procFree(k: Kernel, z: Proc): void {
  const parent = z.parent;
  if (z.tracer !== null && z.opptr !== parent) {
    z.tracer = null;
    procReparent(z, z.opptr ?? k.initproc);
    z.opptr = null;
    return;
  }
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
 * p_children, which exit1 put at the head (the most recent to exit), reaped
 * (proc_free, which hands a tracee's zombie back to its parent instead).
 * A live tracee counts as stopped and already waited for (p_waited): it
 * gives 0, as any running child does.
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
