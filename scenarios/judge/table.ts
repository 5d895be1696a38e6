/**
 * The judge's rules, as data: each names the NetBSD function (and file
 * revision read) it comes from, where it lives, and when it runs: after
 * steps of some kinds (`step`), on kernel events (`event`), or on kernel
 * state after every step (`state`). Step rules are dispatched from here;
 * event and state rules are run by the judge's machinery under these names.
 */
import type { StepKind } from '../types.ts';
import { ruleReadOnlyRoutines, ruleReadText } from './content.ts';
import { ruleDeadfs } from './deadfs.ts';
import { ruleClose, ruleDup2, ruleFdAlloc } from './fd.ts';
import { ruleUnmountVflush } from './mount.ts';
import type { StepView } from './state.ts';
import type { MemFlags, RuleResult } from './vfs.ts';
import {
  ruleChdir, ruleChrootCwd, ruleDirentTypes, ruleExecLookup, ruleFstat, ruleGetargs, ruleGetattr, ruleKauthTwoSided,
  ruleMount, ruleReaddirFd, ruleReaddirProc, ruleReaddirRoot, ruleReaddirTask, ruleReadlink, ruleStatvfs,
} from './vfs.ts';

/** step: dispatched from this table after steps of `kinds`; event: run by the judge on kernel events or life-cycle steps; state: after every step. */
export type When = 'step' | 'event' | 'state';

/** What a step rule gets besides the step: the judge's mem pfs_flags model. */
export interface StepExtras {
  memFlags: MemFlags;
}

export interface Rule {
  readonly name: string;
  /** The NetBSD function (and file, revision) the rule is written from. */
  readonly netbsd: string;
  /** The bracketed name in failure messages (the failure class). */
  readonly fn: string;
  readonly file: string;
  readonly when: When;
  readonly kinds?: readonly StepKind[];
  readonly check?: (v: StepView, x: StepExtras) => RuleResult;
}

const PATH_KINDS: readonly StepKind[] = ['open', 'lstat', 'stat', 'readlink', 'readdir', 'chdir', 'chroot', 'exec', 'statvfs', 'getargs', 'mount', 'unmount'];

export const RULES: readonly Rule[] = [
  // ---- what a system call on procfs answers (step rules) ----
  { name: 'ruleKauthTwoSided', fn: 'procfs_open', netbsd: 'procfs_open, procfs_rw, procfs_listener_cb (procfs_vnops.c 1.229.4.1, procfs_subr.c 1.117, procfs_vfsops.c 1.114); secmodel_suser/securelevel process_cb', file: 'scenarios/judge/vfs.ts', when: 'step', kinds: ['open', 'read', 'write'], check: (v, x) => ruleKauthTwoSided(v, x.memFlags) },
  { name: 'ruleGetattr', fn: 'procfs_getattr', netbsd: 'procfs_getattr, procfs_lookup (procfs_vnops.c 1.229.4.1)', file: 'scenarios/judge/vfs.ts', when: 'step', kinds: ['lstat', 'stat'], check: ruleGetattr },
  { name: 'ruleFstat', fn: 'vn_stat', netbsd: 'vn_stat, procfs_getattr (vfs_vnops.c, procfs_vnops.c 1.229.4.1)', file: 'scenarios/judge/vfs.ts', when: 'step', kinds: ['fstat'], check: ruleFstat },
  { name: 'ruleReadlink', fn: 'procfs_readlink', netbsd: 'procfs_readlink, procfs_dir (procfs_vnops.c 1.229.4.1); getcwd_common (vfs_getcwd.c)', file: 'scenarios/judge/vfs.ts', when: 'step', kinds: ['readlink'], check: ruleReadlink },
  { name: 'ruleReaddirRoot', fn: 'procfs_readdir', netbsd: 'procfs_readdir PFSroot, procfs_root_readdir_callback (procfs_vnops.c 1.229.4.1)', file: 'scenarios/judge/vfs.ts', when: 'step', kinds: ['readdir'], check: ruleReaddirRoot },
  { name: 'ruleReaddirProc', fn: 'procfs_readdir', netbsd: 'procfs_readdir PFSproc, proc_targets[] (procfs_vnops.c 1.229.4.1)', file: 'scenarios/judge/vfs.ts', when: 'step', kinds: ['readdir'], check: ruleReaddirProc },
  { name: 'ruleReaddirFd', fn: 'procfs_readdir', netbsd: 'procfs_readdir PFSfd, fttodt (procfs_vnops.c 1.229.4.1)', file: 'scenarios/judge/vfs.ts', when: 'step', kinds: ['readdir'], check: ruleReaddirFd },
  { name: 'ruleReaddirTask', fn: 'procfs_readdir', netbsd: 'procfs_readdir PFStask (procfs_vnops.c 1.229.4.1)', file: 'scenarios/judge/vfs.ts', when: 'step', kinds: ['readdir'], check: ruleReaddirTask },
  { name: 'ruleDirentTypes', fn: 'procfs_readdir', netbsd: 'procfs_readdir d_type against procfs_loadvnode (procfs_vnops.c 1.229.4.1, procfs_vfsops.c 1.114)', file: 'scenarios/judge/vfs.ts', when: 'step', kinds: ['readdir'], check: ruleDirentTypes },
  { name: 'ruleChdir', fn: 'chdir_lookup', netbsd: 'chdir_lookup, do_sys_chdir, sys_chroot (vfs_syscalls.c 1.561)', file: 'scenarios/judge/vfs.ts', when: 'step', kinds: ['chdir', 'chroot'], check: ruleChdir },
  { name: 'ruleChrootCwd', fn: 'change_root', netbsd: 'change_root, vn_isunder (vfs_syscalls.c 1.561, vfs_getcwd.c)', file: 'scenarios/judge/vfs.ts', when: 'step', kinds: ['chroot'], check: ruleChrootCwd },
  { name: 'ruleExecLookup', fn: 'execve_loadvm', netbsd: 'execve_loadvm, check_exec (kern_exec.c 1.518.4.2)', file: 'scenarios/judge/vfs.ts', when: 'step', kinds: ['exec'], check: ruleExecLookup },
  { name: 'ruleStatvfs', fn: 'procfs_statvfs', netbsd: 'procfs_statvfs (procfs_vfsops.c 1.114)', file: 'scenarios/judge/vfs.ts', when: 'step', kinds: ['statvfs'], check: ruleStatvfs },
  { name: 'ruleGetargs', fn: 'procfs_mount', netbsd: 'procfs_mount MNT_GETARGS (procfs_vfsops.c 1.114), mount_getargs', file: 'scenarios/judge/vfs.ts', when: 'step', kinds: ['getargs'], check: ruleGetargs },
  { name: 'ruleMount', fn: 'mount_domount', netbsd: 'do_sys_mount, mount_domount (vfs_syscalls.c 1.561, vfs_mount.c), procfs_mount (procfs_vfsops.c 1.114)', file: 'scenarios/judge/vfs.ts', when: 'step', kinds: ['mount'], check: ruleMount },
  { name: 'ruleUnmountVflush', fn: 'vflush', netbsd: 'sys_unmount, dounmount, vflush, vflush_one (vfs_mount.c 1.93), procfs_unmount (procfs_vfsops.c 1.114)', file: 'scenarios/judge/mount.ts', when: 'step', kinds: ['unmount'], check: ruleUnmountVflush },
  { name: 'ruleReadText', fn: 'procfs_dolimit', netbsd: 'procfs_dolimit (procfs_limit.c 1.1), procfs_doemul (procfs_subr.c 1.102): the text from uio_offset on; process_domem (sys_process.c 1.162.12.2): uvm_io faults or moves bytes', file: 'scenarios/judge/content.ts', when: 'step', kinds: ['read'], check: ruleReadText },
  { name: 'ruleReadOnlyRoutines', fn: 'procfs_docmdline', netbsd: 'procfs_docmdline (procfs_cmdline.c 1.27.28.1), procfs_dolimit (procfs_limit.c 1.1): uio_rw != UIO_READ is EOPNOTSUPP', file: 'scenarios/judge/content.ts', when: 'step', kinds: ['write'], check: ruleReadOnlyRoutines },
  { name: 'ruleDeadfs', fn: 'dead_lookup', netbsd: 'dead_read, dead_write, dead_default_error, dead_close, dead_lookup (dead_vnops.c 1.59)', file: 'scenarios/judge/deadfs.ts', when: 'step', kinds: ['read', 'write', 'fstat', 'close', ...PATH_KINDS], check: ruleDeadfs },
  // ---- descriptors ----
  { name: 'ruleFdAlloc', fn: 'fd_alloc', netbsd: 'fd_alloc, fd_affix (kern_descrip.c 1.228.2.1)', file: 'scenarios/judge/fd.ts', when: 'step', kinds: ['open', 'pipe', 'socket', 'kqueue', 'newfd'], check: ruleFdAlloc },
  { name: 'ruleDup2', fn: 'fd_dup2', netbsd: 'dodup (sys_descrip.c 1.28), fd_dup2 (kern_descrip.c 1.228.2.1)', file: 'scenarios/judge/fd.ts', when: 'step', kinds: ['dup2'], check: ruleDup2 },
  { name: 'ruleClose', fn: 'fd_close', netbsd: 'sys_close (sys_descrip.c 1.28), fd_close (kern_descrip.c 1.228.2.1)', file: 'scenarios/judge/fd.ts', when: 'step', kinds: ['close'], check: ruleClose },
  { name: 'ruleExecClosesExclose', fn: 'fd_closeexec', netbsd: 'fd_closeexec (kern_descrip.c 1.228.2.1), fd_checkstd (subr_exec_fd.c)', file: 'scenarios/judge/fd.ts', when: 'event' },
  { name: 'ruleForkCopiesDescriptors', fn: 'fd_copy', netbsd: 'fd_copy (kern_descrip.c 1.228.2.1)', file: 'scenarios/judge/fd.ts', when: 'event' },
  { name: 'ruleFdTableSize', fn: 'fd_tryexpand', netbsd: 'fd_tryexpand, fd_copy (kern_descrip.c 1.228.2.1)', file: 'scenarios/judge/fd.ts', when: 'state' },
  // ---- the process life cycle ----
  { name: 'ruleForkLimit', fn: 'fork1', netbsd: 'fork1 (kern_fork.c 1.194), proc_listener_cb KAUTH_PROCESS_FORK (kern_proc.c 1.263)', file: 'scenarios/judge/lifecycle.ts', when: 'event' },
  { name: 'ruleForkSugid', fn: 'fork1', netbsd: 'fork1: p2->p_flag = p1->p_flag & PK_SUGID (kern_fork.c 1.194)', file: 'scenarios/judge/lifecycle.ts', when: 'event' },
  { name: 'ruleCredexec', fn: 'credexec', netbsd: 'credexec (kern_exec.c 1.518.4.2)', file: 'scenarios/judge/lifecycle.ts', when: 'event' },
  { name: 'ruleSetid', fn: 'do_setresuid', netbsd: 'do_setresuid, do_setresgid, sys_setuid/seteuid/setgid/setegid (kern_prot.c 1.119)', file: 'scenarios/judge/lifecycle.ts', when: 'event' },
  { name: 'ruleChrootSugid', fn: 'change_root', netbsd: 'change_root: proc_crmod_leave(ncred, cred, true) (vfs_syscalls.c 1.561)', file: 'scenarios/judge/lifecycle.ts', when: 'event' },
  { name: 'ruleCredState', fn: 'proc_crmod_leave', netbsd: 'proc_crmod_leave (kern_proc.c) with credexec, do_setresuid, change_root, fork1', file: 'scenarios/judge/lifecycle.ts', when: 'state' },
  { name: 'ruleExecRevokeSet', fn: 'procfs_exechook_cb', netbsd: 'procfs_exechook_cb (procfs_vfsops.c 1.114) after fd_closeexec and credexec in execve_runproc (kern_exec.c 1.518.4.2)', file: 'scenarios/judge/lifecycle.ts', when: 'event' },
  { name: 'ruleExitRevokeSet', fn: 'procfs_exechook_cb', netbsd: 'procfs_exechook_cb (procfs_vfsops.c 1.114) after fd_free and cwdfree in exit1 (kern_exit.c 1.244.4.4)', file: 'scenarios/judge/lifecycle.ts', when: 'event' },
  // ---- the vnode cache ----
  { name: 'ruleLoadvnodeType', fn: 'procfs_loadvnode', netbsd: 'procfs_loadvnode (procfs_vfsops.c 1.114)', file: 'scenarios/judge/cache.ts', when: 'event' },
  { name: 'ruleLoadNeedsProcess', fn: 'procfs_proc_lock', netbsd: 'procfs_proc_lock (procfs_subr.c 1.117) before procfs_allocvp', file: 'scenarios/judge/cache.ts', when: 'event' },
  { name: 'ruleInactiveRecycle', fn: 'procfs_inactive', netbsd: 'procfs_inactive (procfs_vnops.c 1.229.4.1)', file: 'scenarios/judge/cache.ts', when: 'event' },
  { name: 'ruleEvictionCause', fn: 'procfs_exechook_cb', netbsd: 'procfs_exechook_cb, procfs_inactive, vflush: the only ways out of the cache', file: 'scenarios/judge/cache.ts', when: 'event' },
  { name: 'ruleHookEvictsPid', fn: 'procfs_exechook_cb', netbsd: 'procfs_exechook_cb (procfs_vfsops.c 1.114): nothing of the pid outlives the hook', file: 'scenarios/judge/cache.ts', when: 'state' },
  { name: 'rulePidHash', fn: 'procfs_hashrem', netbsd: 'procfs_loadvnode, procfs_hashrem (procfs_vfsops.c 1.114)', file: 'scenarios/judge/cache.ts', when: 'state' },
  { name: 'ruleUsecount', fn: 'vrele', netbsd: 'vref, vrele (vfs_vnode.c 1.37)', file: 'scenarios/judge/cache.ts', when: 'state' },
  { name: 'ruleLinuxOnlyNodes', fn: 'procfs_validfile_linux', netbsd: 'procfs_validfile_linux (procfs_vnops.c 1.229.4.1)', file: 'scenarios/judge/cache.ts', when: 'state' },
  { name: 'ruleUnmountLeavesNothing', fn: 'procfs_unmount', netbsd: 'dounmount, procfs_unmount (procfs_vfsops.c 1.114), procfs_reclaim', file: 'scenarios/judge/cache.ts', when: 'event' },
];

const BY_NAME = new Map(RULES.map((r) => [r.name, r]));

export function ruleNamed(name: string): Rule {
  const r = BY_NAME.get(name);
  if (r === undefined) throw new Error(`judge: no rule ${name}`);
  return r;
}

/** The step rules for each step kind, in table order. */
export const STEP_RULES: ReadonlyMap<StepKind, readonly Rule[]> = (() => {
  const m = new Map<StepKind, Rule[]>();
  for (const r of RULES) {
    if (r.when !== 'step' || r.check === undefined) continue;
    for (const k of r.kinds ?? []) m.set(k, [...(m.get(k) ?? []), r]);
  }
  return m;
})();
