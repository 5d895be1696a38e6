/**
 * The judge's model of kauth(9) for the requests procfs and the process
 * life cycle make, written from the listeners' source: secmodel_suser.c
 * (secmodel_suser_process_cb, _vnode_cb), secmodel_securelevel.c
 * (secmodel_securelevel_process_cb), secmodel_extensions.c (the curtain),
 * kern_proc.c 1.263 (proc_listener_cb), procfs_vfsops.c 1.114
 * (procfs_listener_cb), and how kern_auth.c combines them: any DENY gives
 * EPERM, else any ALLOW gives 0, else (every listener deferred, with
 * secmodels registered) EPERM. Each decision says which listener decided.
 */
import type { Cred } from '../../emulator/cred.ts';
import type { PfsName } from './nodes.ts';
import { LISTENER_GUARDED } from './nodes.ts';

export type ProcfsReq = 'READ' | 'WRITE' | 'RW';

/** A kauth answer: null when allowed, else why it is refused (the listener that decided). */
export type Refusal = string | null;

/** The target of a process-scope request, as kernel state shows it. */
export interface KauthTarget {
  pid: number;
  cred: Cred;
  sugid: boolean;
}

/**
 * KAUTH_PROCESS_PROCFS: secmodel_securelevel DENYs a WRITE or RW of init at
 * securelevel > -1 (root too); secmodel_suser ALLOWs euid 0;
 * procfs_listener_cb ALLOWs every node but mem/regs/fpregs, and those only
 * when kauth_cred_getuid (the real uid) of caller and target match and the
 * target is not PK_SUGID; all DEFER gives EPERM.
 */
export function kauthProcfs(caller: Cred, node: PfsName | string, t: KauthTarget, req: ProcfsReq, securelevel: number): Refusal {
  if (req !== 'READ' && t.pid === 1 && securelevel > -1) {
    return `secmodel_securelevel_process_cb denies ${req} of init at securelevel ${securelevel}`;
  }
  if (caller.euid === 0) return null;
  if (!LISTENER_GUARDED.has(node as PfsName)) return null;
  if (caller.ruid !== t.cred.ruid) {
    return `procfs_listener_cb: caller real uid ${caller.ruid} is not the target's ${t.cred.ruid} (effective ${caller.euid}), so every listener defers`;
  }
  if (t.sugid) return 'procfs_listener_cb: the target is PK_SUGID, so every listener defers';
  return null;
}

export type CanseeReq = 'ENTRY' | 'ARGS' | 'OPENFILES' | 'ENV';

/** kauth_cred_uidmatch: a real or effective uid of one equals a real or effective uid of the other. */
export function uidmatch(a: Cred, b: Cred): boolean {
  return a.ruid === b.ruid || a.euid === b.ruid || a.ruid === b.euid || a.euid === b.euid;
}

/**
 * KAUTH_PROCESS_CANSEE: secmodel_extensions DENYs ENTRY/ARGS/OPENFILES with
 * security.curtain on to a non-root caller whose uids do not match;
 * proc_listener_cb ALLOWs ENTRY/ARGS/OPENFILES, and ENV when the caller's
 * real uid is the target's real and saved uid; suser ALLOWs root.
 */
export function kauthCansee(caller: Cred, target: Cred, req: CanseeReq, curtain: boolean): boolean {
  if (req !== 'ENV') {
    if (curtain && caller.euid !== 0 && !uidmatch(caller, target)) return false;
    return true;
  }
  if (caller.euid === 0) return true;
  return caller.ruid === target.ruid && caller.ruid === target.svuid;
}

/** The minimum process slots maxproc leaves free of the listener's cut (kern_proc.c: maxproc - 5). */
const FORK_RESERVE = 5;

/**
 * KAUTH_PROCESS_FORK as fork1 asks it: proc_listener_cb compares
 * `(int)(unsigned long)arg2` with maxproc - 5, but fork1 passes tnprocs as
 * arg1 (arg2 is NULL, so the value compared is 0): the listener ALLOWs
 * unless maxproc <= 5; secmodel_suser ALLOWs euid 0.
 */
export function kauthFork(caller: Cred, maxproc: number): Refusal {
  const lnprocs = 0; // arg2 of kauth_authorize_process(..., KAUTH_ARG(tnprocs), NULL, NULL)
  if (lnprocs < maxproc - FORK_RESERVE) return null;
  if (caller.euid === 0) return null;
  return `proc_listener_cb leaves the last ${FORK_RESERVE} of maxproc ${maxproc} to the superuser`;
}

/** KAUTH_PROCESS_SETID and KAUTH_PROCESS_RLIMIT BYPASS: secmodel_suser ALLOWs euid 0 only. */
export function kauthSuser(caller: Cred): boolean {
  return caller.euid === 0;
}

/**
 * genfs_can_access under kauth_authorize_vnode: the superuser passes
 * (secmodel_suser_vnode_cb), except an exec of a non-directory with no
 * execute bit; others get the owner, group (effective gid; no supplementary
 * groups are modelled) or other bits.
 */
export function canAccess(cred: Cred, vtype: string, mode: number, uid: number, gid: number, acc: number): boolean {
  const VEXEC = 0o100;
  if (cred.euid === 0) return !((acc & VEXEC) !== 0 && vtype !== 'VDIR' && (mode & 0o111) === 0);
  const shift = cred.euid === uid ? 6 : cred.egid === gid ? 3 : 0;
  const need = ((acc & 0o400) ? 4 : 0) | ((acc & 0o200) ? 2 : 0) | ((acc & VEXEC) ? 1 : 0);
  return ((mode >> shift) & need) === need;
}
