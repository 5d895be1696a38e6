/**
 * Processes (sys/kern/kern_proc.c, sys/sys/proc.h): states, parents and
 * children, the allproc list, pid allocation, proc_find.
 */
import type { Cred } from './cred.ts';
import { FdTable } from './file.ts';
import type { Vnode } from './vnode.ts';

export type ProcState = 'SIDL' | 'SACTIVE' | 'SSTOP' | 'SDYING' | 'SZOMB';
export type EmulName = 'netbsd' | 'linux';

export class Proc {
  stat: ProcState = 'SIDL';
  parent: Proc | null = null;
  /** p_children, newest first (fork1 inserts at the head). */
  children: Proc[] = [];
  /** PK_SUGID in p_flag. */
  sugid = false;
  /** PSL_TRACED: the tracing process, or null. */
  tracer: Proc | null = null;
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
  exitStatus = 0;
  /** p_stats->p_start, in kernel ticks. */
  startTick = 0;
  argv: string[] = [];
  /** Bytes written into the address space through /proc/N/mem (uvm_io), by address. */
  vmWrites = new Map<number, number>();
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
