/**
 * Resource limits (sys/kern/kern_resource.c, sys/sys/resource.h): the table
 * every process carries (p_limit->pl_rlimit), limit0 as proc0_init sets it
 * (kern_proc.c 1.263 with uvm_init_limits). fork1 shares the parent's
 * table (lim_addref); lim_copy is only for a table made writeable by
 * setrlimit, which the fixture has not, so frozen shared tables model both.
 */
import type { Kernel } from './kernel.ts';

/** RLIMIT_* (sys/sys/resource.h): the index of each limit in the table. */
export const RLIMIT = {
  CPU: 0, FSIZE: 1, DATA: 2, STACK: 3, CORE: 4, RSS: 5, MEMLOCK: 6,
  NPROC: 7, NOFILE: 8, SBSIZE: 9, AS: 10, NTHR: 11,
} as const;
export const RLIM_NLIMITS = 12;

/**
 * RLIM_INFINITY is ~(1 << 63), 2^63 - 1, which a double cannot hold; the
 * table keeps it as Infinity (every finite default limit fits a double) and
 * procfs_dolimit prints it as the C value.
 */
export const RLIM_INFINITY = Number.POSITIVE_INFINITY;

export interface Rlimit {
  readonly cur: number;
  readonly max: number;
}

/** struct plimit's pl_rlimit: shared copy-on-write after fork, so a frozen value here. */
export type Plimit = readonly Rlimit[];

/** OPEN_MAX (sys/syslimits.h 1.28) through NOFILE (sys/param.h): init_main.c's `nofile`. */
export const NOFILE = 128;
/** CHILD_MAX (sys/syslimits.h 1.28) through MAXUPRC (sys/param.h): init_main.c's `maxuprc`. */
export const MAXUPRC = 160;
/** MAXFILES with MAXUSERS 64 (GENERIC): 3 * (NPROC + MAXUSERS) + 80, NPROC = 20 + 16 * MAXUSERS (conf/param.c). */
export const MAXFILES = 3404;
/** MAXLWP (sys/lwp.h): kern_lwp.c's `maxlwp`. */
export const MAXLWP = 2048;

/** amd64 vmparam.h: DFLDSIZ, MAXDSIZ, DFLSSIZ, MAXSSIZ, VM_MAXUSER_ADDRESS. */
const DFLDSIZ = 256 * 1024 * 1024;
const MAXDSIZ = 8 * 1024 * 1024 * 1024;
const DFLSSIZ = 4 * 1024 * 1024;
const MAXSSIZ = 128 * 1024 * 1024;
const VM_MAXUSER_ADDRESS = 0x00007f8000000000;

/**
 * ctob(uvmexp.free) and ctob(uvm_availmem()) at boot: memory is the engine's,
 * 4 GiB free (the MemFree that /proc/meminfo reports).
 */
const FREE_BYTES = 4 * 1024 * 1024 * 1024;

function rl(cur: number, max: number): Rlimit {
  return Object.freeze({ cur, max });
}

/**
 * proc0_init (kern_proc.c 1.263) then uvm_init_limits (uvm_glue.c): every
 * limit infinite, then NOFILE min(maxfiles, nofile) / maxfiles, NPROC
 * min(maxproc, maxuprc) / maxproc, RSS and MEMLOCK from free memory (MEMLOCK
 * a third of it), NTHR min(maxlwp, maxuprc) / maxlwp, DATA and STACK the
 * machine's defaults. No login.conf sets anything by default (etc/login.conf
 * 1.6.8.1 is all comments), so every process keeps these.
 */
export function limit0(maxproc: number, maxfiles: number): Plimit {
  const mem = Math.min(VM_MAXUSER_ADDRESS, FREE_BYTES);
  const t: Rlimit[] = Array.from({ length: RLIM_NLIMITS }, () => rl(RLIM_INFINITY, RLIM_INFINITY));
  t[RLIMIT.NOFILE] = rl(Math.min(maxfiles, NOFILE), maxfiles);
  t[RLIMIT.NPROC] = rl(Math.min(maxproc, MAXUPRC), maxproc);
  t[RLIMIT.RSS] = rl(mem, mem);
  t[RLIMIT.MEMLOCK] = rl(Math.floor(mem / 3), mem);
  t[RLIMIT.NTHR] = rl(Math.min(MAXLWP, MAXUPRC), MAXLWP);
  t[RLIMIT.STACK] = rl(DFLSSIZ, MAXSSIZ);
  t[RLIMIT.DATA] = rl(DFLDSIZ, MAXDSIZ);
  return Object.freeze(t);
}

/** One entry of a limit table, p_rlimit[which]. */
export function rlimit(lim: Plimit, which: number): Rlimit {
  const r = lim[which];
  if (r === undefined) throw new Error(`rlimit: no limit ${which}`);
  return r;
}

/**
 * chgproccnt(uid, 0): the processes whose real uid is `uid`, from creation
 * to reaping (proc_free's chgproccnt(uid, -1)), counted by the current
 * credential: a process that setuid to a user counts as that user's, as
 * execve_loadvm's comment on the root daemon that setuid and execs relies on.
 */
export function procCountByUid(k: Kernel, uid: number): number {
  let n = 0;
  for (const q of k.pidTable.values()) if (q.cred.ruid === uid) n++;
  return n;
}
