/**
 * kauth (sys/kern/kern_auth.c): scopes, listeners, and how their answers
 * combine; the secmodels suser, securelevel and extensions (curtain), and the
 * process scope's proc_listener_cb (kern_proc.c).
 */
import type { Cred } from './cred.ts';
import { NOCRED } from './cred.ts';
import type { Err } from './errno.ts';
import { err } from './errno.ts';
import type { Kernel } from './kernel.ts';
import { kauthMarkAnswer, kauthMarkDecision } from './kauth_marks.ts';
import type { Proc } from './proc.ts';

export type KauthResult = 'DEFER' | 'ALLOW' | 'DENY';
export type KauthScope = 'process' | 'system';

export type CanseeReq = 'ENTRY' | 'ARGS' | 'OPENFILES' | 'ENV' | 'EPROC';
export type ProcfsReq = 'READ' | 'WRITE' | 'RW';
export type MountReq = 'NEW' | 'UPDATE' | 'UNMOUNT' | 'GETARGS';
/** The ptrace requests a step can make (KAUTH_ARG(req) of KAUTH_PROCESS_PTRACE). */
export type PtraceReq = 'ATTACH' | 'DETACH';

/** A request in the process or system scope, with its arguments. */
export type KauthAction =
  | { scope: 'process'; action: 'PROCFS'; p: Proc; node: unknown; req: ProcfsReq }
  | { scope: 'process'; action: 'CANSEE'; p: Proc; req: CanseeReq }
  | { scope: 'process'; action: 'SETID'; p: Proc }
  | { scope: 'process'; action: 'PTRACE'; p: Proc; req: PtraceReq }
  | { scope: 'process'; action: 'FORK'; p: Proc; nprocs: number }
  | { scope: 'process'; action: 'RLIMIT'; p: Proc; req: 'BYPASS'; which: number }
  | { scope: 'system'; action: 'MOUNT'; req: MountReq }
  | { scope: 'system'; action: 'CHROOT' }
  | { scope: 'system'; action: 'MODULE' };

export type KauthListenerCb = (k: Kernel, cred: Cred, a: KauthAction) => KauthResult;

export interface KauthListener {
  readonly scope: KauthScope;
  readonly name: string;
  readonly cb: KauthListenerCb;
}

/** The listeners of both scopes, in registration order, plus the secmodel count. */
export class Kauth {
  private listeners: KauthListener[] = [];
  secmodels = 0;

  /** kauth_listen_scope */
  listen(scope: KauthScope, name: string, cb: KauthListenerCb): KauthListener {
    const l = { scope, name, cb };
    this.listeners.push(l);
    return l;
  }

  /** kauth_unlisten_scope */
  unlisten(l: KauthListener): void {
    const i = this.listeners.indexOf(l);
    if (i < 0) throw new Error(`kauth_unlisten_scope: ${l.name} not listening`);
    this.listeners.splice(i, 1);
  }

  /**
   * kauth_authorize_action: NOCRED is allowed at once; otherwise every
   * listener runs; any DENY gives EPERM, else any ALLOW gives 0, else
   * (all DEFER) EPERM when a secmodel is registered.
   */
  authorize(k: Kernel, cred: Cred, a: KauthAction): Err | undefined {
    if (cred === NOCRED) return undefined;
    let allowed = false;
    let denied = false;
    for (const l of this.listeners) {
      if (l.scope !== a.scope) continue;
      const r = l.cb(k, cred, a);
      kauthMarkAnswer(l.scope, l.name, r);
      if (r === 'DENY') denied = true;
      else if (r === 'ALLOW') allowed = true;
    }
    kauthMarkDecision(denied, allowed, this.secmodels);
    if (denied) return err('EPERM');
    if (allowed) return undefined;
    return this.secmodels > 0 ? err('EPERM') : undefined;
  }
}

/**
 * secmodel_suser: the superuser (effective uid 0) is allowed everything it
 * handles. KAUTH_REQ_SYSTEM_MOUNT_GET is allowed to anyone (vfs_init.c's
 * mount_listener_cb); an owner unmounting is usermount's business
 * (secmodel_extensions, off by default), so it is not modelled.
 */
export function secmodelSuserCb(_k: Kernel, cred: Cred, a: KauthAction): KauthResult {
  if (a.scope === 'system' && a.action === 'MOUNT' && a.req === 'GETARGS') return 'ALLOW';
  return cred.euid === 0 ? 'ALLOW' : 'DEFER';
}

/**
 * secmodel_securelevel_process_cb: a WRITE or RW of init through procfs is
 * denied at securelevel > -1; module loads are denied above securelevel 0,
 * mounts above 1 (secmodel_securelevel_system_cb).
 */
export function secmodelSecurelevelCb(k: Kernel, _cred: Cred, a: KauthAction): KauthResult {
  if (a.scope === 'process' && a.action === 'PROCFS') {
    if (a.req !== 'READ' && a.p === k.initproc && k.securelevel > -1) return 'DENY';
    return 'DEFER';
  }
  if (a.scope === 'process' && a.action === 'PTRACE' && a.p === k.initproc && k.securelevel > -1) return 'DENY';
  if (a.scope === 'system' && a.action === 'MODULE' && k.securelevel > 0) return 'DENY';
  // secmodel_securelevel_system_cb: no new mounts and no updates (but to read-only, never done here) above 1.
  if (a.scope === 'system' && a.action === 'MOUNT' && (a.req === 'NEW' || a.req === 'UPDATE') && k.securelevel > 1) {
    return 'DENY';
  }
  return 'DEFER';
}

/**
 * secmodel_extensions_process_cb: with security.curtain on, CANSEE of
 * ENTRY/ARGS/OPENFILES is denied to a non-root caller whose credential does
 * not match the target's (kauth_cred_uidmatch).
 */
export function secmodelExtensionsCb(k: Kernel, cred: Cred, a: KauthAction): KauthResult {
  if (!k.curtain || a.scope !== 'process' || a.action !== 'CANSEE') return 'DEFER';
  if (a.req !== 'ENTRY' && a.req !== 'ARGS' && a.req !== 'OPENFILES') return 'DEFER';
  if (cred.euid === 0 || kauthCredUidmatch(cred, a.p.cred)) return 'DEFER';
  return 'DENY';
}

/**
 * proc_listener_cb (kern_proc.c) for CANSEE and FORK, and ptrace_listener_cb
 * (sys_ptrace_common.c 1.53) for PTRACE: PT_ATTACH is allowed when the
 * real uids match and the target is not PK_SUGID; PT_DETACH always.
 */
export function procListenerCb(k: Kernel, cred: Cred, a: KauthAction): KauthResult {
  if (a.scope !== 'process') return 'DEFER';
  if (a.action === 'CANSEE') {
    if (a.req !== 'ENV') return 'ALLOW';
    const t = a.p.cred;
    return cred.ruid === t.ruid && cred.ruid === t.svuid ? 'ALLOW' : 'DEFER';
  }
  // KAUTH_PROCESS_FORK (kern_proc.c 1.263): the listener compares maxproc - 5 with arg2, but fork1
  // (kern_fork.c 1.194) passes tnprocs as arg1 and NULL as arg2, so lnprocs is always 0: no slots are
  // kept for the superuser unless maxproc <= 5, where only the superuser (secmodel_suser) may fork.
  if (a.action === 'FORK') {
    const lnprocs = 0;
    return lnprocs >= k.maxproc - 5 ? 'DEFER' : 'ALLOW';
  }
  if (a.action === 'PTRACE') {
    if (a.req === 'DETACH') return 'ALLOW';
    return cred.ruid === a.p.cred.ruid && !a.p.sugid ? 'ALLOW' : 'DEFER';
  }
  return 'DEFER';
}

/** kauth_cred_uidmatch: any of the real and effective uids of one equals one of the other's. */
export function kauthCredUidmatch(a: Cred, b: Cred): boolean {
  return a.ruid === b.ruid || a.euid === b.ruid || a.ruid === b.euid || a.euid === b.euid;
}
