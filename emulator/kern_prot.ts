/**
 * The setuid(2) family (sys/kern/kern_prot.c do_setresuid/do_setresgid) and
 * ptrace attach/detach (sys/kern/sys_ptrace_common.c).
 */
import type { Cred } from './cred.ts';
import { credEqual, credWith } from './cred.ts';
import type { Err } from './errno.ts';
import { err } from './errno.ts';
import type { Kernel } from './kernel.ts';
import type { Proc } from './proc.ts';

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

/** PT_ATTACH / PT_DETACH. Stops are not modelled. */
export function sysPtrace(k: Kernel, p: Proc, targetPid: number, detach: boolean): Err | undefined {
  const t = k.procFind(targetPid);
  if (t === null) return err('ESRCH');
  if (detach) {
    if (t.tracer !== p) return err('EBUSY');
    t.tracer = null;
    return undefined;
  }
  if (t === p) return err('EINVAL');
  if (t.system) return err('EPERM');
  if (t.tracer !== null) return err('EBUSY');
  const e = k.kauth.authorize(k, p.cred, { scope: 'process', action: 'PTRACE', p: t });
  if (e !== undefined) return e;
  t.tracer = p;
  return undefined;
}
