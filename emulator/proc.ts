/**
 * Processes (sys/kern/kern_proc.c, sys/sys/proc.h): states, parents and
 * children, the allproc list, pid allocation, proc_find.
 */
import type { Cred } from './cred.ts';
import { FdTable } from './file.ts';
import type { Plimit } from './kern_resource.ts';
import type { Vnode } from './vnode.ts';

export type ProcState = 'SIDL' | 'SACTIVE' | 'SSTOP' | 'SDYING' | 'SZOMB';
export type EmulName = 'netbsd' | 'linux';

/**
 * struct vmspace as procfs_domem sees it. `id` names the pages: a new one
 * for each program image (uvmspace_exec unmaps everything the old image
 * had), the same in a fork's copy (uvmspace_fork copies every entry), so the
 * bytes nobody wrote read the same in parent and child. `writes` are the
 * bytes written through /proc/N/mem (uvm_io), by address.
 */
export interface Vmspace {
  readonly id: number;
  readonly writes: Map<number, number>;
}

/** uvmspace_fork: the child's copy, same pages, its writes apart from the parent's from now on. */
export function uvmspaceFork(vm: Vmspace): Vmspace {
  return { id: vm.id, writes: new Map(vm.writes) };
}

export class Proc {
  stat: ProcState = 'SIDL';
  parent: Proc | null = null;
  /** p_children, newest first (fork1 inserts at the head). */
  children: Proc[] = [];
  /** PK_SUGID in p_flag. */
  sugid = false;
  /** PSL_TRACED: the tracing process, or null. PT_ATTACH makes it the parent too (proc_changeparent). */
  tracer: Proc | null = null;
  /**
   * p_opptr: the parent PT_ATTACH took the process from, which PT_DETACH,
   * the tracer's exit and the tracer's wait give it back to; null when not
   * traced, or once that parent has exited (init takes its place then).
   */
  opptr: Proc | null = null;
  /** p_emul's name (proc0 runs under emul_netbsd too). */
  emul: EmulName = 'netbsd';
  /** p_execsw != NULL: set once the process has executed a program (procfs_validauxv). */
  execsw = false;
  textvp: Vnode | null = null;
  /** p_path: the resolved path of the executable. */
  path: string | null = null;
  /** cwdi_cdir and cwdi_rdir (null: no chroot). */
  cwd: Vnode | null = null;
  root: Vnode | null = null;
  /** cwdi_edir: the emulation root emulexec found (emul_find_root), null for none (not held: see emulexec). */
  edir: Vnode | null = null;
  fd = new FdTable();
  /** p_reflock held as writer: exec or exit is running (procfs gets EBUSY). */
  reflockWriter = false;
  /** p_xexit: the exit(2) status. */
  exitStatus = 0;
  /** p_xsig: the signal that ended the process (SIGKILL for an orphaned tracee), 0 for exit(2). */
  exitSignal = 0;
  /** p_limit->pl_rlimit: set by proc_alloc's caller from the parent (fork1) or limit0 (proc0). */
  limit: Plimit = [];
  /** p_stats->p_start, in kernel ticks. */
  startTick = 0;
  argv: string[] = [];
  /** The environment strings on the user stack (ps_envstr); fork copies them, exec keeps them. */
  env: readonly string[] = [];
  /** kauth_cred_getgroups of p_cred: the supplementary groups (cred0 has none; login sets the user's gid). */
  groups: readonly number[] = [];
  /** p_pgrp->pg_id and p_session->s_sid: the parent's after fork, a spawned process leads its own (proc0: pgrp0 and session0, both 0). */
  pgid = 0;
  sid = 0;
  /** PK_EXEC in p_flag: the process executed a program since it was forked. */
  pkExec = false;
  /**
   * The ids elf_copyargs wrote into the aux vector at the last exec
   * (AT_EUID, AT_RUID, AT_EGID, AT_RGID); fork copies the stack, so the child keeps them.
   */
  auxIds: { readonly euid: number; readonly ruid: number; readonly egid: number; readonly rgid: number } | null = null;
  /** p_vmspace: proc0's vmspace0 until an image is installed (uvmspace_exec) or copied (uvmspace_fork). */
  vmspace: Vmspace = { id: 0, writes: new Map() };
  /** LW_SYSTEM on the first LWP: proc0 only. */
  readonly system: boolean;

  constructor(
    public readonly pid: number,
    public cred: Cred,
    system = false,
  ) {
    this.system = system;
  }
}

/** Can proc_find see it? Only SACTIVE and SSTOP (proc_find_internal). */
export function procIsFindable(p: Proc): boolean {
  return p.stat === 'SACTIVE' || p.stat === 'SSTOP';
}
