/**
 * The setuid(2) family (sys/kern/kern_prot.c do_setresuid/do_setresgid) and
 * ptrace attach/detach (sys/kern/sys_ptrace_common.c 1.53 do_ptrace), which
 * reparent the tracee (kern_exit.c proc_reparent).
 */
import type { Cred } from './cred.ts';
import { credEqual, credWith } from './cred.ts';
import type { Err } from './errno.ts';
import { err } from './errno.ts';
import type { Kernel } from './kernel.ts';
import { procChangeparent, procReparent } from './kern_exit.ts';
import type { Proc } from './proc.ts';
import { procIsunder } from './vfs_getcwd.ts';

export type SetidCall = 'setuid' | 'seteuid' | 'setgid' | 'setegid';

/**
 * The ids each call may set without privilege: setuid/setgid set real,
 * effective and saved ids to `id` only when it is the real id
 * (ID_R_EQ_R | ID_E_EQ_R | ID_S_EQ_R); seteuid/setegid set the effective
 * id to the real or saved one (ID_E_EQ_R | ID_E_EQ_S).
 */
function setidPermitted(c: Cred, call: SetidCall, id: number): boolean {
  switch (call) {
    case 'setuid': return id === c.ruid;
    case 'setgid': return id === c.rgid;
    case 'seteuid': return id === c.ruid || id === c.svuid;
    case 'setegid': return id === c.rgid || id === c.svgid;
  }
}

function setidApply(c: Cred, call: SetidCall, id: number): Cred {
  switch (call) {
    case 'setuid': return credWith(c, { ruid: id, euid: id, svuid: id });
    case 'setgid': return credWith(c, { rgid: id, egid: id, svgid: id });
    case 'seteuid': return credWith(c, { euid: id });
    case 'setegid': return credWith(c, { egid: id });
  }
}

/**
 * do_setresuid/do_setresgid: an unpermitted value needs KAUTH_PROCESS_SETID
 * (the superuser), checked first; then nothing to change returns early; a
 * change sets PK_SUGID (proc_crmod_leave(..., true)) and revokes nothing.
 */
export function sysSetid(k: Kernel, p: Proc, call: SetidCall, id: number): Err | undefined {
  if (!setidPermitted(p.cred, call, id)) {
    const e = k.kauth.authorize(k, p.cred, { scope: 'process', action: 'SETID', p });
    if (e !== undefined) return e;
  }
  const next = setidApply(p.cred, call, id);
  if (credEqual(next, p.cred)) return undefined;
  p.cred = next;
  p.sugid = true;
  k.emit({ kind: 'cred-changed', pid: p.pid, sugid: true });
  return undefined;
}

/** ptrace_find (sys_ptrace_common.c 1.53): proc_find, then CANSEE_ENTRY (the curtain); either failing is ESRCH. */
function ptraceFind(k: Kernel, p: Proc, pid: number): Proc | null {
  const t = k.procFind(pid);
  if (t === null) return null;
  const e = k.kauth.authorize(k, p.cred, { scope: 'process', action: 'CANSEE', p: t, req: 'ENTRY' });
  return e === undefined ? t : null;
}

/**
 * ptrace_allowed: p_reflock as reader or EBUSY (a target in exec or exit).
 * PT_ATTACH: not oneself (EINVAL), not a system process (EPERM), not by
 * init (EPERM), not already traced (EBUSY), and the target's root at or
 * below the tracer's (proc_isunder, EPERM). PT_DETACH: the target must be
 * traced (EPERM) by the caller, its parent now (EBUSY). Stops are not
 * modelled: a traced process counts as stopped and waited for, as
 * PT_DETACH also demands.
 */
function ptraceAllowed(k: Kernel, p: Proc, t: Proc, detach: boolean): Err | undefined {
  if (t.reflockWriter) return err('EBUSY');
  if (detach) {
    if (t.tracer === null) return err('EPERM');
    if (t.parent !== p) return err('EBUSY'); // t->p_pptr != p: PT_ATTACH made the tracer the parent
    return undefined;
  }
  if (t === p) return err('EINVAL');
  if (t.system) return err('EPERM');
  if (p === k.initproc) return err('EPERM');
  if (t.tracer !== null) return err('EBUSY');
  if (!procIsunder(k, t, p)) return err('EPERM');
  return undefined;
}

/**
 * PT_ATTACH / PT_DETACH (do_ptrace): ptrace_find (ESRCH), ptrace_allowed,
 * then KAUTH_PROCESS_PTRACE with the request (the superuser, or the
 * ptrace listener: same real uid and a target without PK_SUGID for
 * attach, anyone for detach; securelevel denies init). PT_ATTACH is
 * proc_changeparent: the tracer becomes the parent. PT_DETACH clears
 * PSL_TRACED and gives the process back to p_opptr, or to init when that
 * parent has exited. Stops (SIGSTOP, the resume) are not modelled.
 */
export function sysPtrace(k: Kernel, p: Proc, targetPid: number, detach: boolean): Err | undefined {
  const t = ptraceFind(k, p, targetPid);
  if (t === null) return err('ESRCH');
  const ae = ptraceAllowed(k, p, t, detach);
  if (ae !== undefined) return ae;
  const req = detach ? 'DETACH' : 'ATTACH';
  const e = k.kauth.authorize(k, p.cred, { scope: 'process', action: 'PTRACE', p: t, req });
  if (e !== undefined) return e;
  if (detach) ptraceDetach(k, t);
  else procChangeparent(t, p);
  return undefined;
}

/** PT_DETACH's "give process back to original parent or init", then p_opptr = NULL. */
function ptraceDetach(k: Kernel, t: Proc): void {
  t.tracer = null;
  if (t.opptr !== t.parent) procReparent(t, t.opptr ?? k.initproc);
  t.opptr = null;
}
