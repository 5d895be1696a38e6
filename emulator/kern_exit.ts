/** exit1 and wait (sys/kern/kern_exit.c 1.245), in exit1's order. */
import type { Err } from './errno.ts';
import { err } from './errno.ts';
import type { Kernel } from './kernel.ts';
import { KernelPanic } from './kernel.ts';
import type { Proc } from './proc.ts';
import { fdFree } from './sys_descrip.ts';
import { vrele } from './vnode.ts';

/** cwdfree: drop the current and root directories. */
function cwdfree(p: Proc): void {
  if (p.cwd !== null) vrele(p.cwd);
  if (p.root !== null) vrele(p.root);
  p.cwd = null;
  p.root = null;
}

/** proc_reparent of every child to init; tracees of p are let go. */
function orphanChildren(k: Kernel, p: Proc): void {
  const init = k.initproc;
  for (const c of p.children) {
    c.parent = init;
    init.children.unshift(c);
  }
  p.children = [];
  for (const q of k.allproc) if (q.tracer === p) q.tracer = null;
}

/**
 * exit1: SDYING (proc_find no longer sees it), p_reflock as writer, the
 * process's own descriptors closed (fd_free), cwdfree, doexithooks, then a
 * zombie on zombproc; the pid stays taken until wait reaps it.
 */
export function exit1(k: Kernel, p: Proc, status: number): void {
  if (p === k.initproc) throw new KernelPanic('init died (exit1 of pid 1 panics the kernel)');
  p.stat = 'SDYING';
  k.emit({ kind: 'exit-begin', pid: p.pid });
  p.reflockWriter = true;
  fdFree(k, p);
  cwdfree(p);
  k.exithooks.run(p);
  if (p.textvp !== null) vrele(p.textvp);
  p.textvp = null;
  orphanChildren(k, p);
  p.exitStatus = status;
  k.allproc = k.allproc.filter((q) => q !== p);
  k.zombproc.unshift(p);
  p.stat = 'SZOMB';
  p.reflockWriter = false;
  k.emit({ kind: 'exit', pid: p.pid });
}

/** proc_free: the zombie leaves the tables; its pid is free again. */
function procFree(k: Kernel, z: Proc): void {
  const parent = z.parent;
  if (parent !== null) parent.children = parent.children.filter((c) => c !== z);
  k.zombproc = k.zombproc.filter((q) => q !== z);
  k.pidTable.delete(z.pid);
  k.emit({ kind: 'reaped', pid: z.pid });
}

/**
 * waitpid(2) with WNOHANG: ECHILD without children (or when `child` is not
 * one); 0 while no matching child is a zombie; else reaps it and returns its pid.
 * Without `child`, the first zombie on p_children (newest first).
 */
export function wait(k: Kernel, p: Proc, child?: number): number | Err {
  const candidates = child === undefined ? p.children : p.children.filter((c) => c.pid === child);
  if (candidates.length === 0) return err('ECHILD');
  const z = candidates.find((c) => c.stat === 'SZOMB');
  if (z === undefined) return 0;
  procFree(k, z);
  return z.pid;
}
