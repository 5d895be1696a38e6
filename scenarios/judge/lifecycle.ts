/**
 * Rules on the process life cycle, derived by the judge from what ran and
 * compared with the kernel: credentials and PK_SUGID across exec (credexec,
 * kern_exec.c 1.518.4.2), the setuid family (do_setresuid/do_setresgid,
 * kern_prot.c 1.119), chroot (change_root), fork (fork1, kern_fork.c 1.194:
 * the limits and what the child inherits), and which vnodes the exec and
 * exit hooks must evict and revoke, from the order of execve_runproc
 * (fd_closeexec, credexec, doexechooks) and exit1 (fd_free, cwdfree,
 * doexithooks).
 */
import type { Cred } from '../../emulator/cred.ts';
import { credWith } from '../../emulator/cred.ts';
import type { Kernel } from '../../emulator/kernel.ts';
import type { Proc } from '../../emulator/proc.ts';
import type { Inode } from '../../emulator/rootfs.ts';
import type { Vnode } from '../../emulator/vnode.ts';
import type { SetidCall } from '../../emulator/kern_prot.ts';
import { vnodeName } from '../names.ts';
import type { Finding } from './vfs.ts';
import { judge as judgeOutcome } from './vfs.ts';
import { HolderCounts, isProcfs, keyPid } from './cache.ts';
import { kauthFork, kauthSuser } from './kauth.ts';
import type { Derived, Eviction, HookExpectation, StepView } from './state.ts';

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const MNT_NOSUID = 0x8;

/**
 * ruleCredexec (credexec): an untraced process running a set-uid program
 * whose owner is not its effective uid, or a set-gid one whose group is not
 * its effective gid, becomes PK_SUGID and takes the file's ids; otherwise
 * equal real and effective ids clear PK_SUGID. The saved ids become the
 * effective ones. MNT_NOSUID mounts lose the bits first (check_exec).
 */
export function credexec(before: Derived, traced: boolean, image: { mode: number; uid: number; gid: number }, nosuid: boolean): Derived {
  const mode = nosuid ? image.mode & ~(S_ISUID | S_ISGID) : image.mode;
  const c = before.cred;
  const setuid = (mode & S_ISUID) !== 0 && c.euid !== image.uid;
  const setgid = (mode & S_ISGID) !== 0 && c.egid !== image.gid;
  let cred: Cred = c;
  let sugid = before.sugid;
  if (!traced && (setuid || setgid)) {
    sugid = true;
    cred = credWith(c, {
      euid: mode & S_ISUID ? image.uid : c.euid,
      egid: mode & S_ISGID ? image.gid : c.egid,
    });
  } else if (c.euid === c.ruid && c.egid === c.rgid) {
    sugid = false;
  }
  return { cred: credWith(cred, { svuid: cred.euid, svgid: cred.egid }), sugid };
}

/** The image a finished exec runs: the text vnode's inode (the root file system holds every program). */
export function imageOf(k: Kernel, p: Proc): { mode: number; uid: number; gid: number; nosuid: boolean } | null {
  const vp = p.textvp;
  if (vp === null || vp.mount !== k.rootMount) return null;
  const ino = vp.data as Inode;
  return { mode: ino.mode, uid: ino.uid, gid: ino.gid, nosuid: (vp.mount.flag & MNT_NOSUID) !== 0 };
}

/**
 * do_setresuid / do_setresgid with the flags each call passes: setuid and
 * setgid may set all three ids to the real one (ID_R_EQ_R | ID_E_EQ_R |
 * ID_S_EQ_R), seteuid and setegid the effective one to the real or saved
 * one (ID_E_EQ_R | ID_E_EQ_S); anything else needs KAUTH_PROCESS_SETID (the
 * superuser); nothing to change returns before PK_SUGID is touched.
 */
export function setid(before: Derived, call: SetidCall, id: number): { refused: string } | Derived {
  const c = before.cred;
  const permitted = call === 'setuid' ? id === c.ruid : call === 'setgid' ? id === c.rgid
    : call === 'seteuid' ? id === c.ruid || id === c.svuid : id === c.rgid || id === c.svgid;
  if (!permitted && !kauthSuser(c)) {
    return { refused: `do_setres${call.includes('uid') ? 'uid' : 'gid'}: ${call}(${id}) is not one of the permitted ids and KAUTH_PROCESS_SETID is refused to euid ${c.euid}` };
  }
  const next = call === 'setuid' ? credWith(c, { ruid: id, euid: id, svuid: id })
    : call === 'setgid' ? credWith(c, { rgid: id, egid: id, svgid: id })
      : call === 'seteuid' ? credWith(c, { euid: id }) : credWith(c, { egid: id });
  const same = next.ruid === c.ruid && next.euid === c.euid && next.svuid === c.svuid &&
    next.rgid === c.rgid && next.egid === c.egid && next.svgid === c.svgid;
  return same ? before : { cred: next, sugid: true }; // proc_crmod_leave(ncred, cred, true)
}

export function credText(c: Cred): string {
  return `uid ${c.ruid}/${c.euid}/${c.svuid} gid ${c.rgid}/${c.egid}/${c.svgid}`;
}

/** ruleCredState (proc_crmod_leave): after every step each live process has the credentials and PK_SUGID the judge derived. */
export function checkDerived(p: Proc, d: Derived): string | null {
  const c = p.cred;
  const same = c.ruid === d.cred.ruid && c.euid === d.cred.euid && c.svuid === d.cred.svuid &&
    c.rgid === d.cred.rgid && c.egid === d.cred.egid && c.svgid === d.cred.svgid;
  if (same && p.sugid === d.sugid) return null;
  return `pid ${p.pid} has ${credText(c)} PK_SUGID ${p.sugid ? 'set' : 'clear'}; ` +
    `what it ran gives ${credText(d.cred)} PK_SUGID ${d.sugid ? 'set' : 'clear'}`;
}

/** MAXUPRC (sys/param.h: CHILD_MAX): limit0's soft RLIMIT_NPROC is min(maxproc, maxuprc) (proc0_init). */
export const MAXUPRC = 160;

/**
 * ruleForkLimit (fork1): tnprocs = nprocs + 1; EAGAIN when tnprocs >=
 * maxproc, when KAUTH_PROCESS_FORK is refused, or when the caller's real uid
 * would own more than RLIMIT_NPROC processes and KAUTH_PROCESS_RLIMIT BYPASS
 * is refused (not the superuser). Zombies count until reaped.
 */
export function forkRefusal(k: Kernel, nprocs: number, parentCred: Cred, countOfRuid: number): string | null {
  const tnprocs = nprocs + 1;
  if (tnprocs >= k.maxproc) return `fork1: nprocs + 1 = ${tnprocs} reaches maxproc ${k.maxproc}`;
  const kf = kauthFork(parentCred, k.maxproc);
  if (kf !== null) return `fork1: KAUTH_PROCESS_FORK refused (${kf})`;
  const nproc = Math.min(k.maxproc, MAXUPRC);
  if (countOfRuid + 1 > nproc && !kauthSuser(parentCred)) {
    return `fork1: real uid ${parentCred.ruid} would own ${countOfRuid + 1} processes, past RLIMIT_NPROC ${nproc}`;
  }
  return null;
}

/** chgproccnt's count: the processes of a real uid, zombies included. */
export function countRuid(k: Kernel, ruid: number): number {
  let n = 0;
  for (const p of k.pidTable.values()) if (p.cred.ruid === ruid) n++;
  return n;
}

/** Every cached procfs vnode of a pid on every procfs mount (procfs_exechook_cb walks the global pid hash). */
export function vnodesOfPid(k: Kernel, pid: number): Vnode[] {
  const out: Vnode[] = [];
  for (const mp of k.mountlist) {
    if (!isProcfs(mp)) continue;
    for (const vp of mp.vcache.values()) if (keyPid(vp.key) === pid) out.push(vp);
  }
  return out;
}

/**
 * What the exec hook will find, computed when the exec begins: execve_runproc
 * closes the close-on-exec descriptors (fd_closeexec) before credexec and
 * doexechooks, so a vnode held only through them is unused when the hook runs.
 */
export function execExpectation(k: Kernel, p: Proc, before: Derived | null, h = new HolderCounts()): HookExpectation {
  const closing = new Set<number>();
  p.fd.slots.forEach((s, i) => {
    if (s?.cloexec) closing.add(i);
  });
  const holders = h.walk(k, { proc: p, fds: closing, cwdRoot: false });
  const vnodes = vnodesOfPid(k, p.pid);
  const held = new Set(vnodes.filter((vp) => holders.get(vp) > 0));
  return { pid: p.pid, why: 'exec', vnodes, mounts: mountsOf(vnodes), held, before, traced: p.tracer !== null };
}

/** What the exit hook will find: exit1 runs fd_free and cwdfree before doexithooks. */
export function exitExpectation(k: Kernel, p: Proc, h = new HolderCounts()): HookExpectation {
  const holders = h.walk(k, { proc: p, fds: 'all', cwdRoot: true });
  const vnodes = vnodesOfPid(k, p.pid);
  const held = new Set(vnodes.filter((vp) => holders.get(vp) > 0));
  return { pid: p.pid, why: 'exit', vnodes, mounts: mountsOf(vnodes), held, before: null, traced: false };
}

/** The mount each vnode is on now (a revoked one moves to deadfs), for naming it in a message later. */
function mountsOf(vnodes: readonly Vnode[]): Map<Vnode, string> {
  const m = new Map<Vnode, string>();
  for (const vp of vnodes) m.set(vp, vp.mount.path);
  return m;
}

/**
 * ruleExecRevokeSet / ruleExitRevokeSet (procfs_exechook_cb): when the hook
 * runs (on exit always, on exec only for a PK_SUGID process) every procfs
 * vnode of the pid on every mount leaves the cache: vrecycle when unused,
 * vgone (revoked) when somebody still holds it. A plain exec touches none.
 */
export function compareHook(x: HookExpectation, runs: boolean, got: readonly Eviction[]): string | null {
  const mine = got.filter((e) => keyPid(e.key) === x.pid && x.vnodes.includes(e.vnode));
  const name = (vp: Vnode): string => { const at = x.mounts.get(vp); return at === undefined ? vp.key : vnodeName(at, vp.key); };
  const wantEvict = runs ? x.vnodes : [];
  const missing = wantEvict.filter((vp) => !mine.some((e) => e.vnode === vp));
  const extra = mine.filter((e) => !wantEvict.includes(e.vnode));
  const wrongRevoke = mine.filter((e) => wantEvict.includes(e.vnode) && e.revoked !== x.held.has(e.vnode));
  if (missing.length === 0 && extra.length === 0 && wrongRevoke.length === 0) return null;
  const what = x.why === 'exit' ? `the exit of pid ${x.pid}` : `the ${runs ? 'set-id' : 'plain'} exec of pid ${x.pid}`;
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`left ${missing.map(name).join(', ')} in the cache`);
  if (extra.length > 0) parts.push(`evicted ${extra.map((e) => vnodeName(e.mp.path, e.key)).join(', ')}`);
  for (const e of wrongRevoke) {
    parts.push(`${e.revoked ? 'revoked' : 'only recycled'} ${vnodeName(e.mp.path, e.key)}, which ${x.held.has(e.vnode) ? 'is still held' : 'nobody holds any more'} when the hook runs`);
  }
  const order = x.why === 'exit' ? 'exit1 closes its descriptors (fd_free) and drops cwd and root (cwdfree) before doexithooks'
    : 'execve_runproc runs fd_closeexec and credexec before doexechooks';
  return `${what} ${parts.join('; ')} (${order})`;
}

/** A step rule's view of the actor's derived state before it ran. */
export function derivedBefore(v: StepView): Derived {
  return v.before.derived ?? { cred: v.before.cred, sugid: v.before.sugid };
}

/** ruleForkSugid (fork1: p2->p_flag = p1->p_flag & PK_SUGID): a child has its parent's PK_SUGID; a spawned one (login's) has none. */
export function checkForkSugid(pid: number, ppid: number, sugid: boolean, parent: Derived | null): string | null {
  if (parent === null) return sugid ? `pid ${pid} was spawned with PK_SUGID set; login leaves it clear` : null;
  if (sugid === parent.sugid) return null;
  return `pid ${pid} forked from pid ${ppid} with PK_SUGID ${sugid ? 'set' : 'clear'}; the parent's is ${parent.sugid ? 'set' : 'clear'} and fork copies it`;
}

/** ruleForkLimit: fork1's EAGAIN from kernel state before the step (spawn forks from init, the superuser, then takes the ids). */
export function ruleForkLimit(v: StepView): Finding | null {
  const b = v.before;
  const spawn = v.step.kind === 'spawn';
  const refusal = forkRefusal(v.k, b.nprocs, spawn ? v.k.initproc.cred : b.cred, spawn ? 0 : b.ruidCount);
  const got = 'errno' in v.out ? v.out.errno : null;
  const what = `${v.step.kind} by pid ${b.pid} with ${b.nprocs} processes (maxproc ${v.k.maxproc})`;
  if (refusal !== null) {
    if (got === null) return { msg: `${what} succeeded; NetBSD gives EAGAIN (${refusal})` };
    if (got !== 'EAGAIN' && !spawn) return { msg: `${what} gave ${got}; NetBSD gives EAGAIN (${refusal})` };
    return null; // a spawn's own exec check may refuse first
  }
  if (b.pidBusy !== null) {
    if (got !== b.pidBusy && (got === null || !spawn)) return { msg: `${what} gave ${got ?? 'success'}; the pid asked for gives ${b.pidBusy}` };
    return null;
  }
  if (got === 'EAGAIN' || (got !== null && !spawn)) {
    return { msg: `${what} gave ${got}; NetBSD lets it fork (fork1: below maxproc, KAUTH_PROCESS_FORK and RLIMIT_NPROC allow it)` };
  }
  return null;
}

/** ruleSetid: do_setresuid/do_setresgid's answer and the credentials after it; keeps the derived credentials. */
export function ruleSetid(v: StepView, call: SetidCall, derived: Map<Proc, Derived>): Finding | null {
  const id = v.args.id;
  if (id === null) return null;
  const p = v.before.actor;
  const before = derived.get(p) ?? { cred: v.before.cred, sugid: v.before.sugid };
  const r = setid(before, call, id);
  const what = `${call}(${id}) by pid ${p.pid} (${credText(v.before.cred)})`;
  if ('refused' in r) return judgeOutcome(v, what, { kind: 'errno', errno: 'EPERM', by: r.refused });
  const f = judgeOutcome(v, what, { kind: 'ok', by: 'do_setresuid: permitted' });
  if (f !== null) return f;
  derived.set(p, r);
  const m = checkDerived(p, r);
  return m === null ? null : { msg: `${what}: ${m}` };
}

/** ruleChrootSugid: a successful chroot marks the process PK_SUGID (change_root's proc_crmod_leave). */
export function ruleChrootSugid(v: StepView, derived: Map<Proc, Derived>): Finding | null {
  if (!('ok' in v.out)) return null;
  const p = v.before.actor;
  const d = derived.get(p) ?? { cred: v.before.cred, sugid: v.before.sugid };
  derived.set(p, { cred: d.cred, sugid: true });
  return p.sugid ? null : { msg: `chroot by pid ${p.pid} left PK_SUGID clear` };
}
