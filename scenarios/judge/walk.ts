/**
 * The judge's own model of path lookup and of what procfs answers, computed
 * from kernel state (process table, credentials, descriptor tables, cwd and
 * root, the mount list, p_path, the root file system's inodes) and never by
 * calling procfs code. It follows vfs_lookup.c 1.238 (namei_tryemulroot,
 * namei_oneroot, lookup_once with its `..` and jail rules, lookup_crossmount,
 * namei_follow), vfs_getcwd.c (getcwd_common, vn_isunder, proc_isunder),
 * procfs_vnops.c 1.229.4.1 (procfs_lookup, procfs_getattr, procfs_access,
 * procfs_readdir, procfs_readlink, procfs_dir), procfs_subr.c 1.117
 * (procfs_proc_lock) and dead_vnops.c 1.59.
 *
 * Every refusal carries the NetBSD function that gives it (`by`).
 */
import type { Cred } from '../../emulator/cred.ts';
import type { Errno } from '../../emulator/errno.ts';
import type { FdSlot, File } from '../../emulator/file.ts';
import type { Kernel } from '../../emulator/kernel.ts';
import type { Mount } from '../../emulator/mount.ts';
import type { Proc } from '../../emulator/proc.ts';
import type { Inode } from '../../emulator/rootfs.ts';
import type { Vnode, Vtype } from '../../emulator/vnode.ts';
import { canAccess, kauthCansee } from './kauth.ts';
import type { AttrRule, Loaded, PfsName, Target, Valid } from './nodes.ts';
import {
  ATTR_TABLE, FD_LOAD, FD_NODE_ATTR, LOAD_TABLE, PROC_TARGETS, ROOT_TARGETS, SUGID_MASKED, TASK_LINK_ATTR,
  fdVnodeLoad, fttodt, isPfsName, pfsAtoi, procfsFileno,
} from './nodes.ts';

/** A refusal: the errno and the NetBSD function (with the reason) that gives it. */
export interface No {
  errno: Errno;
  by: string;
}

export function no(errno: Errno, by: string): No {
  return { errno, by };
}

export function isNo(x: unknown): x is No {
  return typeof x === 'object' && x !== null && 'errno' in x && 'by' in x;
}

/** A vnode as the judge names it: a root file system inode, a procfs key on a mount, a dead vnode, or another one. */
export type JNode =
  | { readonly fs: 'ufs'; readonly ino: Inode }
  | { readonly fs: 'pfs'; readonly mp: Mount; readonly type: PfsName; readonly pid: number; readonly fd: number }
  | { readonly fs: 'dead'; readonly vp: Vnode }
  | { readonly fs: 'other'; readonly vp: Vnode };

export function sameNode(a: JNode | null, b: JNode | null): boolean {
  if (a === null || b === null) return a === b;
  switch (a.fs) {
    case 'ufs': return b.fs === 'ufs' && a.ino === b.ino;
    case 'pfs': return b.fs === 'pfs' && a.mp === b.mp && a.type === b.type && a.pid === b.pid && a.fd === b.fd;
    case 'dead': return b.fs === 'dead' && a.vp === b.vp;
    case 'other': return b.fs === 'other' && a.vp === b.vp;
  }
}

/** What the judge knows of a procfs mount: where it is, the flags it was made with, the vnode it covers. */
export interface MountView {
  mp: Mount;
  covered: JNode | null;
  /** pmnt_flags as the mount was made (PROCFSMNT_LINUXCOMPAT = 1). */
  flags: number;
}

/** The acting process as it was when its step began. */
export interface ActorView {
  proc: Proc;
  pid: number;
  cred: Cred;
  emul: string;
  cwd: JNode | null;
  root: JNode | null;
  edir: JNode | null;
  slots: readonly (FdSlot | undefined)[];
}

/** Everything the model reads, with the actor and the mounts as they were before the step. */
export interface World {
  k: Kernel;
  pfsLast: number;
  actor: ActorView;
  mounts: readonly MountView[];
  /** A pid whose p_reflock is held as writer while the lookup runs (execve's own, §13.1). */
  busyPid: number | null;
  /** The vtype and mode a cached procfs vnode got at load (the judge's record), by mount and key. */
  cached(mp: Mount, key: string): Loaded | null;
  /** allproc as fork1 builds it (LIST_INSERT_HEAD), newest first, without zombies (exit1 moves them to zombproc). */
  procs(): Proc[];
}

/** The judge's name of a vnode (kernel state: v_tag, v_mount, the rootfs inode, the procfs key). */
export function nodeOf(k: Kernel, vp: Vnode | null): JNode | null {
  if (vp === null) return null;
  if (vp.state !== 'loaded' || vp.ops.tag === 'VT_NON') return { fs: 'dead', vp };
  if (vp.mount === k.rootMount) return { fs: 'ufs', ino: vp.data as Inode };
  if (vp.mount.ops.name === 'procfs') {
    const [type = '', pid = 'NaN', fd = 'NaN'] = vp.key.split(':');
    if (isPfsName(type)) return { fs: 'pfs', mp: vp.mount, type, pid: Number(pid), fd: Number(fd) };
  }
  return { fs: 'other', vp };
}

function pfsNode(mp: Mount, type: PfsName, pid: number, fd: number): JNode {
  return { fs: 'pfs', mp, type, pid, fd };
}

export function nodeKey(n: JNode & { fs: 'pfs' }): string {
  return `${n.type}:${n.pid}:${n.fd}`;
}

function mountView(w: World, mp: Mount): MountView | undefined {
  return w.mounts.find((m) => m.mp === mp);
}

/** procfs_use_linux_compat: the flags the mount was made with. */
export function linuxMount(w: World, mp: Mount): boolean {
  return ((mountView(w, mp)?.flags ?? 0) & 1) !== 0;
}

// ---- processes ---------------------------------------------------------------

/** proc_find: SACTIVE and SSTOP only (proc_find_internal). */
export function findable(k: Kernel, pid: number): Proc | null {
  const p = k.pidTable.get(pid);
  return p !== undefined && (p.stat === 'SACTIVE' || p.stat === 'SSTOP') ? p : null;
}

/**
 * procfs_proc_lock: pid 0 is proc0; otherwise the process must be findable
 * (else `notfound`), and rw_tryenter of p_reflock as reader fails with EBUSY
 * while an exec or exit holds it.
 */
export function procLock(w: World, pid: number, notfound: 'ENOENT' | 'ESRCH'): Proc | No {
  if (pid === 0) return w.k.proc0;
  const p = findable(w.k, pid);
  if (p === null) return no(notfound, `procfs_proc_lock: pid ${pid} cannot be found (proc_find)`);
  if (p.reflockWriter || w.busyPid === pid) return no('EBUSY', `procfs_proc_lock: pid ${pid} holds p_reflock as writer (exec or exit)`);
  return p;
}

/** A process's descriptor slots: the actor's as its step began, anyone else's now. */
export function slotsOf(w: World, p: Proc): readonly (FdSlot | undefined)[] {
  return p === w.actor.proc ? w.actor.slots : p.fd.slots;
}

/** fd_getfile2 */
export function getfile(w: World, p: Proc, fd: number): File | null {
  if (!Number.isInteger(fd) || fd < 0) return null;
  return slotsOf(w, p)[fd]?.file ?? null;
}

function cwdOf(w: World, p: Proc): JNode | null {
  return p === w.actor.proc ? w.actor.cwd : nodeOf(w.k, p.cwd);
}

function rootOf(w: World, p: Proc): JNode | null {
  return p === w.actor.proc ? w.actor.root : nodeOf(w.k, p.root);
}

function credOf(w: World, p: Proc): Cred {
  return p === w.actor.proc ? w.actor.cred : p.cred;
}

/** pt_valid of a target table entry, for process p (null for the root files) on mount mp. */
export function targetValid(w: World, v: Valid, p: Proc | null, mp: Mount): boolean {
  switch (v) {
    case 'always': return true;
    case 'linux': return linuxMount(w, mp) && (p === null || p.textvp !== null); // procfs_validfile_linux
    case 'file': return p !== null && p.textvp !== null; // procfs_validfile
    case 'auxv': return p !== null && p.execsw; // procfs_validauxv: p_execsw != NULL
    case 'map': return p !== null && !p.system; // procfs_validmap: not LW_SYSTEM
    case 'regs': return p !== null && !p.system; // procfs_validregs/fpregs (process_validregs)
  }
}

// ---- node types -------------------------------------------------------------

/** The vtype and mode a procfs key has: its load record if cached, else what procfs_loadvnode would give now. */
export function pfsLoaded(w: World, n: JNode & { fs: 'pfs' }): Loaded | No {
  const rec = w.cached(n.mp, nodeKey(n));
  if (rec !== null) return rec;
  return loadNow(w, n.type, n.pid, n.fd, w.actor.emul === 'linux');
}

/** procfs_loadvnode on a vcache miss, as the judge computes it from kernel state. */
export function loadNow(w: World, type: PfsName, pid: number, fd: number, callerLinux: boolean): Loaded | No {
  if (type === 'task') return fd === -1 ? { vtype: 'VDIR', mode: 0o555 } : { vtype: 'VLNK', mode: 0o555 };
  if (type !== 'fd') return LOAD_TABLE[type];
  if (fd === -1) return { vtype: 'VDIR', mode: 0o500 }; // /proc/N/fd = dr-x------
  const p = pid === 0 ? w.k.proc0 : findable(w.k, pid);
  if (p === null) return no('ENOENT', 'procfs_loadvnode: the process is gone');
  const fp = getfile(w, p, fd);
  if (fp === null) return no('EBADF', `procfs_loadvnode: descriptor ${fd} is not open`);
  if (fp.type === 'DTYPE_VNODE') return fdVnodeLoad(fp.vnode!.type, callerLinux);
  const e = FD_LOAD[fp.type];
  return e ?? no('EOPNOTSUPP', `procfs_loadvnode: a ${fp.type} descriptor has no fd node`);
}

/** v_type of a node. */
export function vtypeOf(w: World, n: JNode): Vtype | No {
  switch (n.fs) {
    case 'ufs': return n.ino.type;
    case 'pfs': {
      const l = pfsLoaded(w, n);
      return isNo(l) ? l : l.vtype;
    }
    case 'dead':
    case 'other': return n.vp.type;
  }
}

// ---- getattr and access -------------------------------------------------------

export interface Attr {
  vtype: Vtype;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  /** null: a size from the engine's model, not judged. */
  size: number | null;
  fileno: number;
  /** null: not judged (a root file system node's link count). */
  nlinkJudged: boolean;
}

/** VOP_GETATTR of a node as the caller (the actor) asks it. */
export function getattr(w: World, n: JNode): Attr | No {
  switch (n.fs) {
    case 'ufs': return ufsAttr(n.ino);
    case 'pfs': return pfsGetattr(w, n);
    case 'dead': return no('EBADF', 'dead_default_error: VOP_GETATTR of a revoked vnode');
    case 'other': return no('EOPNOTSUPP', 'not modelled');
  }
}

function ufsAttr(ino: Inode): Attr {
  const size = ino.type === 'VDIR' ? 512 : ino.type === 'VLNK' ? ino.target.length : ino.content.length;
  return { vtype: ino.type, mode: ino.mode, uid: ino.uid, gid: ino.gid, nlink: 1, size, fileno: ino.ino, nlinkJudged: false };
}

/**
 * procfs_getattr: every type but root, curproc and self locks the process
 * (ENOENT, EBUSY) and asks CANSEE_ENTRY (ENOENT); fd/M needs its descriptor
 * open (EBADF); mem, regs and fpregs lose their owner bits for a PK_SUGID
 * target; owner, link count and size per the table.
 */
function pfsGetattr(w: World, n: JNode & { fs: 'pfs' }): Attr | No {
  let p: Proc = w.k.proc0;
  if (n.type !== 'root' && n.type !== 'curproc' && n.type !== 'self') {
    const lp = procLock(w, n.pid, 'ENOENT');
    if (isNo(lp)) return lp;
    if (!kauthCansee(w.actor.cred, credOf(w, lp), 'ENTRY', w.k.curtain)) {
      return no('ENOENT', `procfs_getattr: KAUTH_PROCESS_CANSEE ENTRY of pid ${n.pid} refused (security.curtain)`);
    }
    p = lp;
  }
  const l = pfsLoaded(w, n);
  if (isNo(l)) return l;
  let fp: File | null = null;
  if (n.type === 'fd' && n.fd !== -1) {
    fp = getfile(w, p, n.fd);
    if (fp === null) return no('EBADF', `procfs_getattr: descriptor ${n.fd} of pid ${n.pid} is closed (fd_getfile2)`);
  }
  const rule: AttrRule = n.type === 'fd' && n.fd !== -1 ? FD_NODE_ATTR : n.type === 'task' && n.fd !== -1 ? TASK_LINK_ATTR : ATTR_TABLE[n.type];
  if (rule.size === 'eopnotsupp') return no('EOPNOTSUPP', 'procfs_getattr: PFSfile');
  let mode = l.mode;
  if (SUGID_MASKED.has(n.type) && p.sugid) mode &= ~0o600;
  const c = credOf(w, p);
  const own = rule.owner === 'target' ? { uid: c.euid, gid: c.egid }
    : rule.owner === 'file-cred' ? { uid: fp!.cred.euid, gid: fp!.cred.egid } : { uid: 0, gid: 0 };
  return {
    vtype: l.vtype, mode, uid: own.uid, gid: own.gid, nlink: rule.nlink, size: pfsSize(w, rule, p, n, fp),
    fileno: procfsFileno(n.pid, n.type, n.fd, w.pfsLast), nlinkJudged: true,
  };
}

function pfsSize(w: World, rule: AttrRule, p: Proc, n: JNode & { fs: 'pfs' }, fp: File | null): number | null {
  switch (rule.size) {
    case 'dev-bsize': return 512;
    case 'caller-pid-digits': return String(w.actor.pid).length;
    case 'two': return 2;
    case 'v_size': return fp!.type === 'DTYPE_VNODE' ? fp!.vnode!.vsize : 0;
    case 'zero': return 0;
    case 'dir-path': return procfsDir(w, p, n.type === 'cwd' ? 'cwd' : 'chroot').length;
    case 'p_path': return (p.path ?? '').length;
    case 'emul-name': return p.emul.length;
    case 'engine':
    case 'eopnotsupp': return null;
  }
}

/** VOP_ACCESS: procfs_access (getattr's errors, then genfs_can_access), ufs_access, dead EBADF. */
export function access(w: World, n: JNode, acc: number): No | null {
  if (n.fs === 'other') return null;
  const a = getattr(w, n);
  if (isNo(a)) return n.fs === 'pfs' ? { errno: a.errno, by: `procfs_access: ${a.by}` } : a;
  if (canAccess(w.actor.cred, a.vtype, a.mode, a.uid, a.gid, acc)) return null;
  return no('EACCES', `genfs_can_access: mode ${oct(a.mode)} owner ${a.uid}:${a.gid} refuses ${accName(acc)} to euid ${w.actor.cred.euid}`);
}

function accName(acc: number): string {
  return [acc & 0o400 ? 'VREAD' : '', acc & 0o200 ? 'VWRITE' : '', acc & 0o100 ? 'VEXEC' : ''].filter((s) => s !== '').join('|');
}

export function oct(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

// ---- lookup -------------------------------------------------------------------

export const VREAD = 0o400;
export const VWRITE = 0o200;
export const VEXEC = 0o100;

/** VOP_LOOKUP of one name in a directory node (`.` included; `..` after namei's own handling). */
export function lookup(w: World, dir: JNode, name: string): JNode | No {
  switch (dir.fs) {
    case 'ufs': return ufsLookup(w, dir.ino, name);
    case 'pfs': return pfsLookup(w, dir, name);
    case 'dead': return no('ENOENT', 'dead_lookup: lookup in a revoked directory');
    case 'other': return no('ENOTDIR', 'not modelled');
  }
}

/** ufs_lookup of the root file system: search permission, `.`, `..`, then the name. */
function ufsLookup(w: World, dir: Inode, name: string): JNode | No {
  if (dir.children === null) return no('ENOTDIR', 'ufs_lookup: not a directory');
  if (!canAccess(w.actor.cred, dir.type, dir.mode, dir.uid, dir.gid, VEXEC)) {
    return no('EACCES', `ufs_lookup: no search permission on ${w.k.rootfs.pathOf(dir)} (genfs_can_access)`);
  }
  if (name === '.') return { fs: 'ufs', ino: dir };
  const child = name === '..' ? (dir.parent ?? dir) : dir.children.get(name);
  if (child === undefined) return no('ENOENT', `ufs_lookup: no ${name} in ${w.k.rootfs.pathOf(dir)}`);
  return { fs: 'ufs', ino: child };
}

/** procfs_lookup: VOP_ACCESS(dvp, VEXEC) first, `.` is the directory, then by directory type. */
function pfsLookup(w: World, dir: JNode & { fs: 'pfs' }, name: string): JNode | No {
  const e = access(w, dir, VEXEC);
  if (e !== null) return { errno: e.errno, by: `procfs_lookup: ${e.by}` };
  if (name === '.') return dir;
  switch (dir.type) {
    case 'root': return lookupRoot(w, dir, name);
    case 'proc': return lookupProc(w, dir, name);
    case 'fd': return dir.fd === -1 ? lookupFd(w, dir, name) : no('ENOTDIR', 'procfs_lookup: not a directory');
    case 'task': return dir.fd === -1 ? lookupTask(w, dir, name) : no('ENOTDIR', 'procfs_lookup: not a directory');
    default: return no('ENOTDIR', 'procfs_lookup: not a directory');
  }
}

function findTarget(w: World, table: readonly Target[], from: number, name: string, p: Proc | null, mp: Mount): Target | undefined {
  for (let i = from; i < table.length; i++) {
    const t = table[i]!;
    if (t.name === name && targetValid(w, t.valid, p, mp)) return t;
  }
  return undefined;
}

/** procfs_lookup in PFSroot: the Linux root files, curproc and self (the caller locked), then a pid; a failed lock is ENOENT. */
function lookupRoot(w: World, dir: JNode & { fs: 'pfs' }, name: string): JNode | No {
  if (name === '..') return no('EIO', 'procfs_lookup: .. in PFSroot (namei handles it)');
  const rt = findTarget(w, ROOT_TARGETS, 0, name, null, dir.mp);
  if (rt !== undefined) return pfsNode(dir.mp, rt.type, 0, -1);
  const link = name === 'curproc' || name === 'self';
  const pid = link ? w.actor.pid : pfsAtoi(name);
  const p = procLock(w, pid, 'ESRCH');
  if (isNo(p)) return no('ENOENT', `procfs_lookup: ${name}: ${p.by}`);
  if (link) return pfsNode(dir.mp, name as PfsName, 0, -1);
  return pfsNode(dir.mp, 'proc', pid, -1); // vnpid: the number as typed
}

/** procfs_lookup in PFSproc: `..` is the root; the process locked (ENOENT); proc_targets with pt_valid; `file` is p_textvp. */
function lookupProc(w: World, dir: JNode & { fs: 'pfs' }, name: string): JNode | No {
  if (name === '..') return pfsNode(dir.mp, 'root', 0, -1);
  const p = procLock(w, dir.pid, 'ESRCH');
  if (isNo(p)) return no('ENOENT', `procfs_lookup: ${p.by}`);
  const t = findTarget(w, PROC_TARGETS, 0, name, p, dir.mp);
  if (t === undefined) return no('ENOENT', `procfs_lookup: no valid entry ${name} in /proc/${dir.pid} (proc_targets)`);
  if (t.type === 'file') return nodeOf(w.k, p.textvp)!;
  return pfsNode(dir.mp, t.type, dir.pid, -1);
}

/**
 * procfs_lookup in PFSfd: the process locked (ENOENT, EBUSY returned); `..`
 * is /proc/N; an fd not open is ENOENT; a DTYPE_VNODE non-directory looked
 * up by a native caller is the file's own vnode; else an fd node, which
 * loading may refuse (EOPNOTSUPP).
 */
function lookupFd(w: World, dir: JNode & { fs: 'pfs' }, name: string): JNode | No {
  const p = procLock(w, dir.pid, 'ENOENT');
  if (isNo(p)) return p;
  if (name === '..') return pfsNode(dir.mp, 'proc', dir.pid, -1);
  const fd = pfsAtoi(name);
  const fp = getfile(w, p, fd);
  if (fp === null) return no('ENOENT', `procfs_lookup: descriptor ${name} of pid ${dir.pid} is not open (fd_getfile2)`);
  if (fp.type === 'DTYPE_VNODE' && fp.vnode!.type !== 'VDIR' && w.actor.emul !== 'linux') return nodeOf(w.k, fp.vnode)!;
  const n = pfsNode(dir.mp, 'fd', dir.pid, fd);
  const l = pfsLoaded(w, n as JNode & { fs: 'pfs' });
  return isNo(l) ? l : n;
}

/** procfs_lookup in PFStask: the process locked; `..` is /proc/N; only the pid itself. */
function lookupTask(w: World, dir: JNode & { fs: 'pfs' }, name: string): JNode | No {
  const p = procLock(w, dir.pid, 'ENOENT');
  if (isNo(p)) return p;
  if (name === '..') return pfsNode(dir.mp, 'proc', dir.pid, -1);
  if (pfsAtoi(name) !== dir.pid) return no('ENOENT', `procfs_lookup: task ${name} is not ${dir.pid}`);
  return pfsNode(dir.mp, 'task', dir.pid, 0);
}

// ---- mounts -------------------------------------------------------------------

function globalRoot(w: World): JNode {
  return { fs: 'ufs', ino: w.k.rootfs.root };
}

function isGlobalRoot(w: World, n: JNode): boolean {
  return n.fs === 'ufs' && n.ino === w.k.rootfs.root;
}

/** A node with VV_ROOT: the root of the root file system, or a procfs mount's root. */
function isMountRoot(w: World, n: JNode): boolean {
  return isGlobalRoot(w, n) || (n.fs === 'pfs' && n.type === 'root');
}

/** mnt_vnodecovered of the mount whose root n is. */
function coveredBy(w: World, n: JNode): JNode | null {
  if (n.fs !== 'pfs') return null;
  return mountView(w, n.mp)?.covered ?? null;
}

/** lookup_crossmount: a directory mounted on leads to the mount's root (VFS_ROOT: procfs_root). */
function crossmount(w: World, n: JNode): JNode | No {
  for (let guard = 0; guard < 16; guard++) {
    const vt = vtypeOf(w, n);
    if (isNo(vt) || vt !== 'VDIR') return n;
    const m = w.mounts.find((x) => x.covered !== null && sameNode(x.covered, n));
    if (m === undefined) return n;
    n = pfsNode(m.mp, 'root', 0, -1);
  }
  return n;
}

// ---- getcwd, vn_isunder, proc_isunder -------------------------------------------

/**
 * vn_isunder (getcwd_common with no buffer): walk `..` from dir (stepping
 * from a mount's root to the vnode it covers) until rootdir is met; the
 * global root reached first, or any error on the way (a procfs directory's
 * getattr or lookup, a dead vnode), means not under.
 */
export function vnIsunder(w: World, dir: JNode, rootdir: JNode): boolean {
  let n = dir;
  for (let guard = 0; guard < 64; guard++) {
    if (sameNode(n, rootdir)) return true;
    while (isMountRoot(w, n)) {
      if (sameNode(n, rootdir)) return true;
      if (isGlobalRoot(w, n)) return false; // getcwd_scandir of the root finds no name: ENOENT
      const c = coveredBy(w, n);
      if (c === null) return false;
      n = c;
    }
    if (sameNode(n, rootdir)) return true;
    const a = getattr(w, n);
    if (isNo(a) || a.vtype !== 'VDIR') return false;
    const up = n.fs === 'ufs' ? { fs: 'ufs' as const, ino: n.ino.parent ?? n.ino } : lookup(w, n, '..');
    if (isNo(up)) return false;
    n = up;
  }
  return false;
}

/** proc_isunder (vfs_getcwd.c 1.61): a target with no root is under only a caller with none; a caller with none sees all. */
export function procIsunder(w: World, target: Proc): boolean {
  const r1 = rootOf(w, target);
  const r2 = w.actor.root;
  if (r1 === null) return r2 === null;
  if (r2 === null) return true;
  return vnIsunder(w, r1, r2);
}

/**
 * getcwd_common with a buffer: the path of vp as seen from rootdir. Only
 * the root file system keeps names; from a revoked vnode it fails (EBADF for
 * a directory, whose getcwd_scandir reaches dead_default_error; ENOTDIR
 * otherwise); a vnode not reached from rootdir gives ENOENT.
 */
export function getcwdPath(w: World, n: JNode, rootdir: JNode): string | No {
  if (n.fs === 'dead') {
    return n.vp.type === 'VDIR' ? no('EBADF', 'getcwd_common: getcwd_scandir on a revoked directory (dead_default_error)')
      : no('ENOTDIR', 'getcwd_common: a revoked non-directory is not in the name cache');
  }
  if (n.fs !== 'ufs') return no('ENOENT', 'getcwd_common: no path');
  if (rootdir.fs !== 'ufs') return no('ENOENT', 'getcwd_common: the root is not on the root file system');
  const names: string[] = [];
  for (let i: Inode | null = n.ino; i !== null; i = i.parent) {
    if (i === rootdir.ino) return '/' + names.reverse().join('/');
    names.push(i.name);
  }
  return no('ENOENT', 'getcwd_common: not reached from the caller\'s root');
}

function callerRoot(w: World): JNode {
  return w.actor.root ?? globalRoot(w);
}

/**
 * procfs_dir: the target's cwd or root as the caller sees it; `/` when the
 * target has none, when that vnode has v_tag VT_PROCFS, or when
 * getcwd_common fails.
 */
export function procfsDir(w: World, target: Proc, which: 'cwd' | 'chroot'): string {
  const vp = which === 'cwd' ? cwdOf(w, target) : rootOf(w, target);
  if (vp === null || vp.fs === 'pfs') return '/';
  const path = getcwdPath(w, vp, callerRoot(w));
  return isNo(path) ? '/' : path;
}

// ---- readlink and readdir ----------------------------------------------------------

/** VOP_READLINK of a node (procfs_readlink, ufs_readlink, dead EBADF). */
export function readlink(w: World, n: JNode): string | No {
  switch (n.fs) {
    case 'ufs': return n.ino.type === 'VLNK' ? n.ino.target : no('EINVAL', 'ufs_readlink: not a link');
    case 'dead': return no('EBADF', 'dead_default_error: VOP_READLINK of a revoked vnode');
    case 'other': return no('EINVAL', 'not modelled');
    case 'pfs': return pfsReadlink(w, n);
  }
}

/**
 * procfs_readlink by file number: curproc the caller's pid, self `curproc`,
 * task/N `..`; exe p_path; cwd and root procfs_dir; anything else the fd
 * branch (EBADF for a closed descriptor; a non-directory vnode for a native
 * caller EINVAL; a procfs vnode `/`; else getcwd_common; misc, kqueue, sem
 * their names; others EINVAL). The process is locked first (ESRCH, EBUSY).
 */
function pfsReadlink(w: World, n: JNode & { fs: 'pfs' }): string | No {
  if (n.type === 'curproc') return String(w.actor.pid);
  if (n.type === 'self') return 'curproc';
  if (n.type === 'task' && n.fd === 0) return '..';
  const p = procLock(w, n.pid, 'ESRCH');
  if (isNo(p)) return { errno: p.errno, by: `procfs_readlink: ${p.by}` };
  if (n.type === 'exe') return p.path ?? '';
  if (n.type === 'cwd' || n.type === 'chroot') return procfsDir(w, p, n.type);
  const fp = getfile(w, p, n.fd);
  if (fp === null) return no('EBADF', `procfs_readlink: descriptor ${n.fd} of pid ${n.pid} is closed`);
  switch (fp.type) {
    case 'DTYPE_VNODE': {
      const vx = fp.vnode!;
      if (vx.type !== 'VDIR' && w.actor.emul !== 'linux') return no('EINVAL', 'procfs_readlink: a non-directory file for a native caller');
      const xn = nodeOf(w.k, vx)!;
      if (xn.fs === 'pfs') return '/';
      const path = getcwdPath(w, xn, callerRoot(w));
      return isNo(path) ? { errno: path.errno, by: `procfs_readlink: ${path.by}` } : path;
    }
    case 'DTYPE_MISC': return '[misc]';
    case 'DTYPE_KQUEUE': return '[kqueue]';
    case 'DTYPE_SEM': return '[ksem]';
    default: return no('EINVAL', `procfs_readlink: a ${fp.type} descriptor`);
  }
}

export interface Entry {
  name: string;
  type: string;
  fileno: number;
}

/** VOP_READDIR of a procfs directory: procfs_readdir (the whole directory from offset 0). */
export function pfsReaddir(w: World, n: JNode & { fs: 'pfs' }): Entry[] | No {
  switch (n.type) {
    case 'root': return readdirRoot(w, n);
    case 'proc': return readdirProc(w, n);
    case 'fd': return n.fd === -1 ? readdirFd(w, n) : no('ENOTDIR', 'procfs_readdir: not a directory');
    case 'task': return n.fd === -1 ? readdirTask(w, n) : no('ENOTDIR', 'procfs_readdir: not a directory');
    default: return no('ENOTDIR', 'procfs_readdir: not a directory');
  }
}

/**
 * PFSroot: `.`, `..`, curproc, self, then every process on allproc (newest
 * first) the caller may see (CANSEE_ENTRY), then the Linux root files on a
 * PROCFSMNT_LINUXCOMPAT mount, each if proc0 may be seen.
 */
function readdirRoot(w: World, n: JNode & { fs: 'pfs' }): Entry[] {
  const out: Entry[] = [
    { name: '.', type: 'DIR', fileno: 2 }, { name: '..', type: 'DIR', fileno: 2 },
    { name: 'curproc', type: 'LNK', fileno: 3 }, { name: 'self', type: 'LNK', fileno: 4 },
  ];
  for (const p of w.procs()) {
    if (!kauthCansee(w.actor.cred, credOf(w, p), 'ENTRY', w.k.curtain)) continue;
    out.push({ name: String(p.pid), type: 'DIR', fileno: procfsFileno(p.pid, 'proc', -1, w.pfsLast) });
  }
  const see0 = kauthCansee(w.actor.cred, w.k.proc0.cred, 'ENTRY', w.k.curtain);
  for (const t of ROOT_TARGETS) {
    if (!targetValid(w, t.valid, null, n.mp) || !see0) continue;
    out.push({ name: t.name, type: t.dt, fileno: procfsFileno(0, t.type, -1, w.pfsLast) });
  }
  return out;
}

/** PFSproc: proc_targets in order with pt_valid; a process that cannot be locked gives an empty success. */
function readdirProc(w: World, n: JNode & { fs: 'pfs' }): Entry[] {
  const p = procLock(w, n.pid, 'ESRCH');
  if (isNo(p)) return [];
  return PROC_TARGETS.filter((t) => targetValid(w, t.valid, p, n.mp))
    .map((t) => ({ name: t.name, type: t.dt, fileno: procfsFileno(n.pid, t.type, -1, w.pfsLast) }));
}

/**
 * PFSfd: the process locked (ESRCH, EBUSY), CANSEE_OPENFILES (ESRCH);
 * `.` and `..` from proc_targets (so /proc/N's and the root's file numbers),
 * then index i gives descriptor i - 2 while i < dt_nfiles: the top two slots
 * of the table never show.
 */
function readdirFd(w: World, n: JNode & { fs: 'pfs' }): Entry[] | No {
  const p = procLock(w, n.pid, 'ESRCH');
  if (isNo(p)) return { errno: p.errno, by: `procfs_readdir: ${p.by}` };
  if (!kauthCansee(w.actor.cred, credOf(w, p), 'OPENFILES', w.k.curtain)) {
    return no('ESRCH', `procfs_readdir: KAUTH_PROCESS_CANSEE OPENFILES of pid ${n.pid} refused`);
  }
  const out: Entry[] = [
    { name: '.', type: 'DIR', fileno: procfsFileno(n.pid, 'proc', -1, w.pfsLast) },
    { name: '..', type: 'DIR', fileno: 2 },
  ];
  const nfd = p.fd.nfiles; // dt_nfiles, the table's real size
  for (let i = 2; i < nfd; i++) {
    const fp = getfile(w, p, i - 2);
    if (fp === null) continue;
    out.push({ name: String(i - 2), type: fttodt(fp.type, fp.vnode?.type ?? null), fileno: procfsFileno(n.pid, 'fd', i - 2, w.pfsLast) });
  }
  return out;
}

/** PFStask: the process locked; `.`, `..` and one link named after the pid. */
function readdirTask(w: World, n: JNode & { fs: 'pfs' }): Entry[] | No {
  const p = procLock(w, n.pid, 'ESRCH');
  if (isNo(p)) return { errno: p.errno, by: `procfs_readdir: ${p.by}` };
  return [
    { name: '.', type: 'DIR', fileno: procfsFileno(n.pid, 'proc', -1, w.pfsLast) },
    { name: '..', type: 'DIR', fileno: 2 },
    { name: String(n.pid), type: 'LNK', fileno: procfsFileno(n.pid, 'task', 0, w.pfsLast) },
  ];
}

// ---- namei ----------------------------------------------------------------------

export const MAXSYMLINKS = 32;
export const MAXPATHLEN = 1024;
export const NAME_MAX = 255;

export interface Resolved {
  node: JNode;
  /** The walk passed through a procfs node (so the result is the judge's business). */
  procfs: boolean;
}

interface Walk {
  rootdir: JNode;
  erootdir: JNode | null;
  buf: string;
  pos: number;
  loops: number;
  follow: boolean;
  procfs: boolean;
}

/** A failure of one namei_oneroot pass, and whether namei_tryemulroot may retry it from the real root. */
interface Fail extends No {
  retry: boolean;
  procfs: boolean;
}

function fail(e: No, retry: boolean, wk: Walk): Fail {
  return { errno: e.errno, by: e.by, retry, procfs: wk.procfs };
}

function skip(s: string, i: number): number {
  while (i < s.length && s.charCodeAt(i) === 0x2f) i++;
  return i;
}

function touch(wk: Walk, n: JNode): void {
  if (n.fs === 'pfs' || n.fs === 'dead') wk.procfs = true;
}

/**
 * lookup_once for `..`: at the caller's root or the global root it stays;
 * a chrooted caller found outside its root is put back there (vn_isunder);
 * at a mount's root it steps to the covered vnode before VOP_LOOKUP.
 */
function dotdot(w: World, wk: Walk, dir: JNode): { dir: JNode; found: JNode } | No {
  const gr = globalRoot(w);
  for (let guard = 0; guard < 16; guard++) {
    if (sameNode(dir, wk.rootdir) || sameNode(dir, gr)) return { dir, found: dir };
    if (!sameNode(wk.rootdir, gr) && !vnIsunder(w, dir, wk.rootdir)) return { dir: wk.rootdir, found: wk.rootdir };
    if (!isMountRoot(w, dir)) break;
    const c = coveredBy(w, dir);
    if (c === null) break;
    dir = c;
    touch(wk, dir);
  }
  const f = lookup(w, dir, '..');
  return isNo(f) ? f : { dir, found: f };
}

/**
 * namei_follow: ELOOP past MAXSYMLINKS, VOP_READLINK's error, ENOENT for an
 * empty link, ENAMETOOLONG past MAXPATHLEN; an absolute link restarts at the
 * emulation root, or at the root (always for `/../`).
 */
function follow(w: World, wk: Walk, dir: JNode, link: JNode, rest: string): JNode | Fail {
  if (wk.loops++ >= MAXSYMLINKS) return fail(no('ELOOP', 'namei_follow: more than MAXSYMLINKS links'), false, wk);
  const target = readlink(w, link);
  if (isNo(target)) return fail(target, false, wk);
  if (target.length === 0) return fail(no('ENOENT', 'namei_follow: an empty link'), false, wk);
  if (target.length + rest.length + 1 >= MAXPATHLEN) return fail(no('ENAMETOOLONG', 'namei_follow: too long'), false, wk);
  wk.buf = target + rest;
  wk.pos = 0;
  if (wk.buf.charCodeAt(0) !== 0x2f) return dir;
  let next = wk.erootdir;
  if (next === null || wk.buf.startsWith('/../')) {
    wk.erootdir = null;
    next = wk.rootdir;
  }
  wk.pos = skip(wk.buf, 0);
  return next;
}

/** namei_oneroot: one component at a time from the start directory; a trailing `/` requires a directory. */
function oneroot(w: World, wk: Walk, start: JNode): JNode | Fail {
  touch(wk, start);
  const st = vtypeOf(w, start);
  if (isNo(st) || st !== 'VDIR') return fail(no('ENOTDIR', 'namei_oneroot: the start directory is not a directory'), false, wk);
  let dir = start;
  wk.pos = skip(wk.buf, 0);
  for (let guard = 0; guard < 4 * MAXPATHLEN; guard++) {
    if (wk.pos >= wk.buf.length) return finish(wk, dir);
    let end = wk.buf.indexOf('/', wk.pos);
    if (end < 0) end = wk.buf.length;
    const name = wk.buf.slice(wk.pos, end);
    if (name.length > NAME_MAX) return fail(no('ENAMETOOLONG', 'lookup_parsepath: a component past NAME_MAX'), true, wk);
    const next = skip(wk.buf, end);
    const requiredir = next > end;
    const islast = next >= wk.buf.length;
    let found: JNode;
    if (name === '..') {
      const r = dotdot(w, wk, dir);
      if (isNo(r)) return fail(r, true, wk);
      dir = r.dir;
      found = r.found;
    } else {
      const r = lookup(w, dir, name);
      if (isNo(r)) return fail(r, true, wk);
      found = r;
    }
    touch(wk, found);
    const crossed = crossmount(w, found);
    if (isNo(crossed)) return fail(crossed, true, wk);
    found = crossed;
    touch(wk, found);
    const vt = vtypeOf(w, found);
    if (isNo(vt)) return fail(vt, true, wk);
    if (vt === 'VLNK' && (wk.follow || requiredir)) {
      const d = follow(w, wk, dir, found, wk.buf.slice(end));
      if ('retry' in d) return d;
      dir = d;
      if (wk.pos >= wk.buf.length) return finish(wk, dir);
      continue;
    }
    if (vt !== 'VDIR' && requiredir) return fail(no('ENOTDIR', `lookup_parsepath: ${name} followed by / is not a directory`), true, wk);
    if (islast) return finish(wk, found);
    dir = found;
    wk.pos = next;
  }
  throw new Error('judge namei: no progress');
}

function finish(wk: Walk, found: JNode): JNode {
  return wk.erootdir !== null && sameNode(found, wk.erootdir) ? wk.rootdir : found;
}

/**
 * namei (namei_tryemulroot): `` is ENOENT, MAXPATHLEN too long; an absolute
 * path of a process with an emulation root (not starting `/../`) is tried
 * there first and, on a lookup error, again from the root.
 */
export function namei(w: World, path: string, followLast: boolean): Resolved | Fail {
  const base: Walk = { rootdir: callerRoot(w), erootdir: null, buf: path, pos: 0, loops: 0, follow: followLast, procfs: false };
  if (path === '') return fail(no('ENOENT', 'namei: an empty path'), false, base);
  if (path.length >= MAXPATHLEN) return fail(no('ENAMETOOLONG', 'namei: MAXPATHLEN'), false, base);
  const absolute = path.charCodeAt(0) === 0x2f;
  const edir = absolute && !path.startsWith('/../') ? w.actor.edir : null;
  const wk: Walk = { ...base, erootdir: edir };
  const start = !absolute ? (w.actor.cwd ?? wk.rootdir) : (edir ?? wk.rootdir);
  const r = oneroot(w, wk, start);
  if (!('retry' in r)) return { node: r, procfs: wk.procfs };
  if (wk.erootdir === null || !r.retry) return r;
  const again: Walk = { ...base };
  const r2 = oneroot(w, again, again.rootdir);
  if ('retry' in r2) return { ...r2, procfs: r2.procfs || wk.procfs };
  return { node: r2, procfs: again.procfs || wk.procfs };
}

export function isFail(x: Resolved | Fail): x is Fail {
  return 'retry' in x;
}
