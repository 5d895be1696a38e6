/**
 * procfs_vnops.c (1.230; read as 1.229.4.1, its netbsd-10 pull-up, whose
 * later `limits` and `sysvipc` entries are left out): lookup, getattr,
 * access, open, close, read/write through procfs_rw, readdir, readlink,
 * inactive, reclaim, and the operations procfs refuses. The proc_targets[]
 * tables drive both lookup and readdir.
 */
import type { Err, Errno } from '../emulator/errno.ts';
import { err, isErr } from '../emulator/errno.ts';
import type { File } from '../emulator/file.ts';
import { genfsCanAccess } from '../emulator/genfs.ts';
import type { CanseeReq } from '../emulator/kauth.ts';
import type { Mount } from '../emulator/mount.ts';
import type { Proc } from '../emulator/proc.ts';
import { getcwdCommon, procIsunder } from '../emulator/vfs_getcwd.ts';
import type { Ctx, Dirent, DirentType, Vattr, Vnode, VnodeOps } from '../emulator/vnode.ts';
import { FREAD, FWRITE, O_EXCL, VEXEC, vref } from '../emulator/vnode.ts';
import { vtypeToDt } from '../emulator/genfs.ts';
import { AUXV_SIZE } from './auxv.ts';
import { fdGetfile2 } from './fd.ts';
import { FPREG_SIZE, REG_SIZE, procMemSize } from './mem.ts';
import type { PfsNode, PfsType } from './procfs.ts';
import { VTOPFS, procfsFileno } from './procfs.ts';
import type { Uio } from './subr.ts';
import {
  procfsAllocvp, procfsProcFind, procfsProcIsLinuxCompat, procfsProcLock, procfsRw, procfsValidauxv,
  procfsValidfile, procfsValidfileLinux, procfsValidfpregs, procfsValidmap, procfsValidregs,
} from './subr.ts';
import { procfsHashrem } from './vfsops.ts';
import { declareMarks } from '../emulator/marks.ts';

/** Why some branches cannot be reached in this single-threaded fixture (shared by several marks). */
const ACCESS_FIRST = 'procfs_access of the directory (VOP_ACCESS(VEXEC), first in procfs_lookup) locks the same pid just before and fails first';
const HOOK_REVOKES = 'the exit hook (procfs_exechook_cb) reclaims every procfs vnode of a pid as it exits, so a cached node\'s process is always found (only the injected bug no-exithook leaves them)';
const OWN_SYSCALL = 'p_reflock is held as writer only inside execve (and exit1, where proc_find fails first), and this runs in a system call of its own';

const mark = declareMarks('procfs/vnops.ts', {
  'procfs_lookup: VOP_ACCESS(VEXEC) of the directory fails': null,
  'procfs_lookup: . is the directory itself': null,
  'procfs_lookup: .. in /proc -> EIO': 'namei crosses from the procfs root (VV_ROOT, on a covered mount) to the covered vnode, or stops at the process root, before asking VOP_LOOKUP',
  'procfs_lookup: /proc/<root file>': null,
  'procfs_lookup: /proc/<pid> ESRCH -> ENOENT': null,
  'procfs_lookup: /proc/<pid> EBUSY -> ENOENT': null,
  'procfs_lookup: /proc/curproc': null,
  'procfs_lookup: /proc/self': null,
  'procfs_lookup: /proc/<pid>': null,
  'procfs_lookup: /proc/N/.. is /proc': null,
  'procfs_lookup: /proc/N/<name> ESRCH -> ENOENT': ACCESS_FIRST,
  'procfs_lookup: /proc/N/<name> EBUSY -> ENOENT': ACCESS_FIRST,
  'procfs_lookup: /proc/N/<name> no valid target -> ENOENT': null,
  'procfs_lookup: /proc/N/file is the text vnode': null,
  'procfs_lookup: /proc/N/<target>': null,
  'procfs_lookup: /proc/N/fd/<M> lock ENOENT': ACCESS_FIRST,
  'procfs_lookup: /proc/N/fd/<M> lock EBUSY': ACCESS_FIRST,
  'procfs_lookup: /proc/N/fd/.. is /proc/N': null,
  'procfs_lookup: /proc/N/fd/<M> no descriptor -> ENOENT': null,
  'procfs_lookup: /proc/N/fd/<M> is the file\'s own vnode': null,
  'procfs_lookup: /proc/N/fd/<M> fd node': null,
  'procfs_lookup: /proc/N/task/<M> lock ENOENT': ACCESS_FIRST,
  'procfs_lookup: /proc/N/task/<M> lock EBUSY': ACCESS_FIRST,
  'procfs_lookup: /proc/N/task/.. is /proc/N': null,
  'procfs_lookup: /proc/N/task/<M> not the pid -> ENOENT': null,
  'procfs_lookup: /proc/N/task/N link': null,
  'procfs_lookup: in a non-directory -> ENOTDIR': 'namei refuses a dvp that is not VDIR (ENOTDIR) before VOP_LOOKUP, and every procfs directory is VDIR',
  'procfs_dir: no vnode -> /': null,
  'procfs_dir: VT_PROCFS vnode -> /': null,
  'procfs_dir: getcwd_common fails -> /': null,
  'procfs_dir: the path from the caller\'s root': null,
  'procfs_getattr: lock ENOENT': HOOK_REVOKES,
  'procfs_getattr: lock EBUSY': null,
  'procfs_getattr: CANSEE_ENTRY denied -> ENOENT': null,
  'procfs_getattr: /proc/N/fd/M no descriptor -> EBADF': null,
  'procfs_getattr: mem/regs/fpregs of a PK_SUGID target lose the owner bits': null,
  'procfs_getattr: file -> EOPNOTSUPP': 'lookup of /proc/N/file returns the text vnode itself, so no procfs vnode of type file is ever loaded',
  'procfs_access: genfs_can_access refuses': null,
  'procfs_open: lock ENOENT': HOOK_REVOKES,
  'procfs_open: lock EBUSY': 'every path to a node of the pid inside execve meets procfs_lookup or procfs_access of that pid first (check_exec asks VOP_ACCESS before VOP_OPEN), and they get the EBUSY',
  'procfs_open: kauth PROCFS denied': null,
  'procfs_open: mem exclusive conflict -> EBUSY': null,
  'procfs_open: mem target not under the caller -> EPERM': null,
  'procfs_open: mem open for writing records FWRITE|O_EXCL': null,
  'procfs_open: mem open for reading': null,
  'procfs_open: regs/fpregs target not under the caller -> EPERM': null,
  'procfs_open: regs/fpregs': null,
  'procfs_open: other node': null,
  'procfs_close: mem exclusive writer clears the flags': null,
  'procfs_readdir: /proc hides a process CANSEE_ENTRY denies': null,
  'procfs_readdir: /proc lists the Linux root files': null,
  'procfs_readdir: /proc/N lock fails -> empty': `${HOOK_REVOKES}; ${OWN_SYSCALL}`,
  'procfs_readdir: /proc/N/fd lock ESRCH': HOOK_REVOKES,
  'procfs_readdir: /proc/N/fd lock EBUSY': OWN_SYSCALL,
  'procfs_readdir: /proc/N/fd CANSEE_OPENFILES denied -> ESRCH': 'secmodel_extensions denies CANSEE_OPENFILES exactly when it denies CANSEE_ENTRY, which procfs_getattr asks first (VOP_ACCESS in the lookup of /proc/N/fd, ENOENT)',
  'procfs_readdir: /proc/N/task lock ESRCH': HOOK_REVOKES,
  'procfs_readdir: /proc/N/task lock EBUSY': OWN_SYSCALL,
  'procfs_readdir: a non-directory -> ENOTDIR': 'getdents opens with O_DIRECTORY semantics: vn_readdir refuses a vnode that is not VDIR (ENOTDIR) before VOP_READDIR',
  'procfs_readlink: curproc': null,
  'procfs_readlink: self': null,
  'procfs_readlink: task/N is ..': null,
  'procfs_readlink: lock ESRCH': HOOK_REVOKES,
  'procfs_readlink: lock EBUSY': 'namei reaches a link of the pid (exe, cwd, root, fd/M) only through procfs_lookup or procfs_access of that pid, which get the EBUSY first',
  'procfs_readlink: exe': null,
  'procfs_readlink: cwd or root': null,
  'procfs_readlink: fd no descriptor -> EBADF': 'an fd link is reached only through procfs_lookup of /proc/N/fd/M, which answers ENOENT first for a closed descriptor',
  'procfs_readlink: fd non-directory vnode, native caller -> EINVAL': 'procfs_lookup gives a native caller the vnode of a non-directory vnode file itself, never the fd link',
  'procfs_readlink: fd VT_PROCFS directory -> /': null,
  'procfs_readlink: fd directory path (getcwd_common)': null,
  'procfs_readlink: fd getcwd_common fails': null,
  'procfs_readlink: fd [misc]': null,
  'procfs_readlink: fd [kqueue]': null,
  'procfs_readlink: fd [ksem]': null,
  'procfs_readlink: fd other file -> EINVAL': null,
  'procfs_inactive: process gone -> recycle': null,
  'procfs_inactive: process found -> keep': null,
});

type Valid = ((p: Proc | null, mp: Mount) => boolean) | null;

/** struct proc_target */
export interface ProcTarget {
  readonly name: string;
  readonly dt: DirentType;
  readonly type: PfsType;
  readonly valid: Valid;
}

const T = (name: string, dt: DirentType, type: PfsType, valid: Valid = null): ProcTarget => ({ name, dt, type, valid });

/** proc_targets[]: the entries of /proc/N, in table order (the readdir index). */
export const PROC_TARGETS: readonly ProcTarget[] = [
  T('.', 'DT_DIR', 'proc'),
  T('..', 'DT_DIR', 'root'),
  T('fd', 'DT_DIR', 'fd'),
  T('task', 'DT_DIR', 'task', procfsValidfileLinux),
  T('cwd', 'DT_LNK', 'cwd'),
  T('emul', 'DT_REG', 'emul'),
  T('root', 'DT_LNK', 'chroot'),
  T('auxv', 'DT_REG', 'auxv', procfsValidauxv),
  T('cmdline', 'DT_REG', 'cmdline'),
  T('environ', 'DT_REG', 'environ'),
  T('exe', 'DT_LNK', 'exe', procfsValidfile),
  T('file', 'DT_REG', 'file', procfsValidfile),
  T('fpregs', 'DT_REG', 'fpregs', procfsValidfpregs),
  T('limit', 'DT_REG', 'limit'),
  T('map', 'DT_REG', 'map', procfsValidmap),
  T('maps', 'DT_REG', 'maps', procfsValidmap),
  T('mem', 'DT_REG', 'mem'),
  T('note', 'DT_REG', 'note'),
  T('notepg', 'DT_REG', 'notepg'),
  T('regs', 'DT_REG', 'regs', procfsValidregs),
  T('stat', 'DT_REG', 'stat', procfsValidfileLinux),
  T('statm', 'DT_REG', 'statm', procfsValidfileLinux),
  T('status', 'DT_REG', 'status'),
];

/** proc_root_targets[]: the Linux files at the top of /proc. */
export const PROC_ROOT_TARGETS: readonly ProcTarget[] = [
  T('meminfo', 'DT_REG', 'meminfo', procfsValidfileLinux),
  T('cpuinfo', 'DT_REG', 'cpuinfo', procfsValidfileLinux),
  T('uptime', 'DT_REG', 'uptime', procfsValidfileLinux),
  T('mounts', 'DT_REG', 'mounts', procfsValidfileLinux),
  T('devices', 'DT_REG', 'devices', procfsValidfileLinux),
  T('stat', 'DT_REG', 'cpustat', procfsValidfileLinux),
  T('loadavg', 'DT_REG', 'loadavg', procfsValidfileLinux),
  T('version', 'DT_REG', 'version', procfsValidfileLinux),
];

function targetValid(t: ProcTarget, p: Proc | null, mp: Mount): boolean {
  return t.valid === null || t.valid(p, mp);
}

/** The first valid entry named `name` of `table` from index `from` on (a loop: lookup is hot, no copy of the table). */
function findTarget(table: readonly ProcTarget[], from: number, name: string, p: Proc | null, mp: Mount): ProcTarget | undefined {
  for (let i = from; i < table.length; i++) {
    const t = table[i]!;
    if (t.name === name && targetValid(t, p, mp)) return t;
  }
  return undefined;
}

/** procfs's atoi: any non-digit gives -1; no overflow check (wraps as a C int). */
export function procfsAtoi(name: string): number {
  if (!/^[0-9]+$/.test(name)) return -1;
  let n = 0;
  for (let i = 0; i < name.length; i++) n = (Math.imul(n, 10) + (name.charCodeAt(i) - 48)) | 0;
  return n;
}

function canSee(ctx: Ctx, p: Proc, req: CanseeReq): boolean {
  return ctx.k.kauth.authorize(ctx.k, ctx.cred, { scope: 'process', action: 'CANSEE', p, req }) === undefined;
}

/**
 * procfs_lookup in /proc: root targets, then curproc and self (keyed by pid
 * 0, but the *caller* is locked first, so a caller inside its own exec gets
 * EBUSY there), then a pid. A failed lock is ENOENT for LOOKUP.
 */
function lookupRoot(ctx: Ctx, dvp: Vnode, name: string): Vnode | Err {
  const mp = dvp.mount;
  if (name === '..') {
    mark('procfs_lookup: .. in /proc -> EIO');
    return err('EIO'); // namei handles it
  }
  const rt = findTarget(PROC_ROOT_TARGETS, 0, name, null, mp);
  if (rt !== undefined) {
    mark('procfs_lookup: /proc/<root file>');
    return procfsAllocvp(ctx, mp, 0, rt.type, -1);
  }
  const link = name === 'curproc' || name === 'self';
  const pid = link ? ctx.p.pid : procfsAtoi(name);
  const p = procfsProcLock(mp, pid, 'ESRCH');
  if (isErr(p)) {
    mark(p.errno === 'EBUSY' ? 'procfs_lookup: /proc/<pid> EBUSY -> ENOENT' : 'procfs_lookup: /proc/<pid> ESRCH -> ENOENT');
    return err('ENOENT');
  }
  if (name === 'curproc') {
    mark('procfs_lookup: /proc/curproc');
    return procfsAllocvp(ctx, mp, 0, 'curproc', -1);
  }
  if (name === 'self') {
    mark('procfs_lookup: /proc/self');
    return procfsAllocvp(ctx, mp, 0, 'self', -1);
  }
  mark('procfs_lookup: /proc/<pid>');
  return procfsAllocvp(ctx, mp, pid, 'proc', -1); // the key holds the number as typed
}

/** procfs_lookup in /proc/N: `..`, then proc_targets with their valid functions; `file` is the text vnode. */
function lookupProc(ctx: Ctx, dvp: Vnode, pfs: PfsNode, name: string): Vnode | Err {
  const mp = dvp.mount;
  if (name === '..') {
    mark('procfs_lookup: /proc/N/.. is /proc');
    return procfsAllocvp(ctx, mp, 0, 'root', -1);
  }
  const p = procfsProcLock(mp, pfs.pid, 'ESRCH');
  if (isErr(p)) {
    mark(p.errno === 'EBUSY' ? 'procfs_lookup: /proc/N/<name> EBUSY -> ENOENT' : 'procfs_lookup: /proc/N/<name> ESRCH -> ENOENT');
    return err('ENOENT');
  }
  const t = findTarget(PROC_TARGETS, 2, name, p, mp);
  if (t === undefined) {
    mark('procfs_lookup: /proc/N/<name> no valid target -> ENOENT');
    return err('ENOENT');
  }
  if (t.type === 'file') {
    mark('procfs_lookup: /proc/N/file is the text vnode');
    vref(p.textvp!);
    return p.textvp!;
  }
  mark('procfs_lookup: /proc/N/<target>');
  return procfsAllocvp(ctx, mp, pfs.pid, t.type, -1);
}

/**
 * procfs_lookup in /proc/N/fd: a native caller looking up a non-directory
 * vnode file gets the file's own vnode; everything else an fd node.
 */
function lookupFd(ctx: Ctx, dvp: Vnode, pfs: PfsNode, name: string): Vnode | Err {
  const mp = dvp.mount;
  const p = procfsProcLock(mp, pfs.pid, 'ENOENT');
  if (isErr(p)) {
    mark(p.errno === 'EBUSY' ? 'procfs_lookup: /proc/N/fd/<M> lock EBUSY' : 'procfs_lookup: /proc/N/fd/<M> lock ENOENT');
    return p;
  }
  if (name === '..') {
    mark('procfs_lookup: /proc/N/fd/.. is /proc/N');
    return procfsAllocvp(ctx, mp, pfs.pid, 'proc', -1);
  }
  const fd = procfsAtoi(name);
  const fp = fdGetfile2(p, fd);
  if (fp === null) {
    mark('procfs_lookup: /proc/N/fd/<M> no descriptor -> ENOENT');
    return err('ENOENT');
  }
  if (fp.type === 'DTYPE_VNODE' && fp.vnode!.type !== 'VDIR' && !procfsProcIsLinuxCompat(ctx)) {
    mark('procfs_lookup: /proc/N/fd/<M> is the file\'s own vnode');
    vref(fp.vnode!);
    return fp.vnode!;
  }
  mark('procfs_lookup: /proc/N/fd/<M> fd node');
  return procfsAllocvp(ctx, mp, pfs.pid, 'fd', fd);
}

/** procfs_lookup in /proc/N/task: one link named after the pid. */
function lookupTask(ctx: Ctx, dvp: Vnode, pfs: PfsNode, name: string): Vnode | Err {
  const mp = dvp.mount;
  const p = procfsProcLock(mp, pfs.pid, 'ENOENT');
  if (isErr(p)) {
    mark(p.errno === 'EBUSY' ? 'procfs_lookup: /proc/N/task/<M> lock EBUSY' : 'procfs_lookup: /proc/N/task/<M> lock ENOENT');
    return p;
  }
  if (name === '..') {
    mark('procfs_lookup: /proc/N/task/.. is /proc/N');
    return procfsAllocvp(ctx, mp, pfs.pid, 'proc', -1);
  }
  if (procfsAtoi(name) !== pfs.pid) {
    mark('procfs_lookup: /proc/N/task/<M> not the pid -> ENOENT');
    return err('ENOENT');
  }
  mark('procfs_lookup: /proc/N/task/N link');
  return procfsAllocvp(ctx, mp, pfs.pid, 'task', 0);
}

/** procfs_lookup: VOP_ACCESS(VEXEC) on the directory first; `.` is the directory itself. */
export function procfsLookup(ctx: Ctx, dvp: Vnode, name: string): Vnode | Err {
  const e = procfsAccess(ctx, dvp, VEXEC);
  if (e !== undefined) {
    mark('procfs_lookup: VOP_ACCESS(VEXEC) of the directory fails');
    return e;
  }
  if (name === '.') {
    mark('procfs_lookup: . is the directory itself');
    vref(dvp);
    return dvp;
  }
  const pfs = VTOPFS(dvp);
  switch (pfs.type) {
    case 'root': return lookupRoot(ctx, dvp, name);
    case 'proc': return lookupProc(ctx, dvp, pfs, name);
    case 'fd': if (pfs.fd === -1) return lookupFd(ctx, dvp, pfs, name); break;
    case 'task': if (pfs.fd === -1) return lookupTask(ctx, dvp, pfs, name); break;
    default: break;
  }
  mark('procfs_lookup: in a non-directory -> ENOTDIR');
  return err('ENOTDIR');
}

/** The number of decimal digits of a pid (the size of curproc and self). */
function digits(n: number): number {
  return String(n).length;
}

/**
 * procfs_dir: the path of the target's cwd or root from the caller's root;
 * `/` when there is no such vnode, on any error, or for a vnode whose v_tag
 * is VT_PROCFS (a revoked one is VT_NON: getcwd_common fails, also `/`).
 */
function procfsDir(ctx: Ctx, target: Proc, which: 'cwd' | 'chroot'): string {
  const vp = which === 'cwd' ? target.cwd : target.root;
  if (vp === null) {
    mark('procfs_dir: no vnode -> /');
    return '/';
  }
  if (vp.ops.tag === 'VT_PROCFS') {
    mark('procfs_dir: VT_PROCFS vnode -> /');
    return '/';
  }
  const path = getcwdCommon(ctx.k, vp, ctx.p.root, ctx);
  mark(isErr(path) ? 'procfs_dir: getcwd_common fails -> /' : 'procfs_dir: the path from the caller\'s root');
  return isErr(path) ? '/' : path;
}

/** The size getattr reports for each node (§1.3). */
function getattrSize(ctx: Ctx, pfs: PfsNode, p: Proc, fp: File | null): number | Err {
  switch (pfs.type) {
    case 'root':
    case 'proc': return 512; // DEV_BSIZE
    case 'fd': return pfs.fd === -1 ? 512 : fdSize(fp!);
    case 'task': return pfs.fd === -1 ? 512 : 2;
    case 'curproc':
    case 'self': return digits(ctx.p.pid);
    case 'mem': return procMemSize(ctx, p);
    case 'auxv': return AUXV_SIZE;
    case 'regs': return REG_SIZE;
    case 'fpregs': return FPREG_SIZE;
    case 'cwd':
    case 'chroot': return procfsDir(ctx, p, pfs.type).length;
    case 'exe': return (p.path ?? '').length;
    case 'emul': return p.emul.length;
    case 'file':
      mark('procfs_getattr: file -> EOPNOTSUPP');
      return err('EOPNOTSUPP');
    default: return 0;
  }
}

/** An fd node's size: the file vnode's v_size (0 for a procfs vnode: procfs_loadvnode sets it so), else 0. */
function fdSize(fp: File): number {
  return fp.type === 'DTYPE_VNODE' ? fp.vnode!.vsize : 0;
}

/**
 * Whose ids procfs_getattr's second switch gives a node: the target's
 * effective ids for per-process files and directories, root's for links and
 * the root files, the file's f_cred for an fd entry. (A name, not an object:
 * getattr runs for every component namei checks.)
 */
function getattrOwner(pfs: PfsNode): 'target' | 'root' | 'file' {
  switch (pfs.type) {
    case 'mem':
    case 'regs':
    case 'fpregs':
    case 'status':
    case 'stat':
    case 'note':
    case 'notepg':
    case 'cmdline':
    case 'environ':
    case 'emul':
    case 'statm':
    case 'map':
    case 'maps':
    case 'limit':
    case 'auxv':
    case 'file':
    case 'proc': return 'target';
    case 'cwd':
    case 'chroot':
    case 'meminfo':
    case 'devices':
    case 'cpuinfo':
    case 'uptime':
    case 'mounts':
    case 'cpustat':
    case 'loadavg':
    case 'version':
    case 'exe':
    case 'self':
    case 'curproc':
    case 'root': return 'root';
    case 'task': return pfs.fd === -1 ? 'target' : 'root';
    case 'fd': return pfs.fd === -1 ? 'target' : 'file';
    default: {
      const never: never = pfs.type;
      throw new Error(`procfs_getattr: unknown type ${String(never)}`); // panic
    }
  }
}

/** procfs_getattr's link count: 2 for the directories /proc/N, /proc/N/fd and /proc/N/task, else 1. */
function getattrNlink(pfs: PfsNode): number {
  return pfs.type === 'proc' || ((pfs.type === 'fd' || pfs.type === 'task') && pfs.fd === -1) ? 2 : 1;
}

/** pid-0 nodes that getattr serves without locking a process. */
function getattrNeedsProc(t: PfsType): boolean {
  return t !== 'root' && t !== 'curproc' && t !== 'self';
}

/**
 * procfs_getattr: the process lock (ENOENT/EBUSY) and CANSEE_ENTRY (ENOENT)
 * for all but root/curproc/self; mem, regs and fpregs lose their owner bits
 * for a PK_SUGID target.
 */
export function procfsGetattr(ctx: Ctx, vp: Vnode): Vattr | Err {
  const pfs = VTOPFS(vp);
  let p: Proc = ctx.k.proc0;
  if (getattrNeedsProc(pfs.type)) {
    const lp = procfsProcLock(vp.mount, pfs.pid, 'ENOENT');
    if (isErr(lp)) {
      mark(lp.errno === 'EBUSY' ? 'procfs_getattr: lock EBUSY' : 'procfs_getattr: lock ENOENT');
      return lp;
    }
    if (!canSee(ctx, lp, 'ENTRY')) {
      mark('procfs_getattr: CANSEE_ENTRY denied -> ENOENT');
      return err('ENOENT');
    }
    p = lp;
  }
  let fp: File | null = null;
  if (pfs.type === 'fd' && pfs.fd !== -1) {
    fp = fdGetfile2(p, pfs.fd);
    if (fp === null) {
      mark('procfs_getattr: /proc/N/fd/M no descriptor -> EBADF');
      return err('EBADF');
    }
  }
  let mode = pfs.mode;
  const masked = pfs.type === 'mem' || pfs.type === 'regs' || pfs.type === 'fpregs';
  if (masked && p.sugid && !ctx.k.bugs.has('getattr-no-sugid-mask')) {
    mark('procfs_getattr: mem/regs/fpregs of a PK_SUGID target lose the owner bits');
    mode &= ~0o600;
  }
  const size = getattrSize(ctx, pfs, p, fp);
  if (isErr(size)) return size;
  const owner = getattrOwner(pfs);
  const cred = owner === 'target' ? p.cred : owner === 'file' ? fp!.cred : null;
  const big = pfs.type === 'map' || pfs.type === 'maps' || pfs.type === 'limit';
  return {
    type: vp.type, mode, uid: cred === null ? 0 : cred.euid, gid: cred === null ? 0 : cred.egid, nlink: getattrNlink(pfs), size, fileid: pfs.fileno,
    blocksize: big ? 4 * ctx.k.pageSize : ctx.k.pageSize,
  };
}

/** procfs_access: getattr's errors come through, then genfs_can_access on its mode and owner. */
export function procfsAccess(ctx: Ctx, vp: Vnode, mode: number): Err | undefined {
  const a = procfsGetattr(ctx, vp);
  if (isErr(a)) return a;
  const e = genfsCanAccess(ctx.cred, ctx.p.groups, a.type, a.mode, a.uid, a.gid, mode);
  if (e !== undefined) mark('procfs_access: genfs_can_access refuses');
  return e;
}

/**
 * procfs_open: the process lock (ENOENT/EBUSY), kauth PROCFS with the open
 * mode (EPERM); mem's exclusive-open rules and proc_isunder; regs and fpregs
 * proc_isunder.
 */
export function procfsOpen(ctx: Ctx, vp: Vnode, mode: number): Err | undefined {
  const pfs = VTOPFS(vp);
  const p = procfsProcLock(vp.mount, pfs.pid, 'ENOENT');
  if (isErr(p)) {
    mark(p.errno === 'EBUSY' ? 'procfs_open: lock EBUSY' : 'procfs_open: lock ENOENT');
    return p;
  }
  const req = mode & FREAD && mode & FWRITE ? 'RW' : mode & FWRITE ? 'WRITE' : 'READ';
  const ke = ctx.k.kauth.authorize(ctx.k, ctx.cred, { scope: 'process', action: 'PROCFS', p, node: pfs, req });
  if (ke !== undefined) {
    mark('procfs_open: kauth PROCFS denied');
    return ke;
  }
  switch (pfs.type) {
    case 'mem':
      if ((pfs.flags & FWRITE && mode & O_EXCL) || (pfs.flags & O_EXCL && mode & FWRITE)) {
        mark('procfs_open: mem exclusive conflict -> EBUSY');
        return err('EBUSY');
      }
      if (!procIsunder(ctx.k, p, ctx.p)) {
        mark('procfs_open: mem target not under the caller -> EPERM');
        return err('EPERM');
      }
      mark(mode & FWRITE ? 'procfs_open: mem open for writing records FWRITE|O_EXCL' : 'procfs_open: mem open for reading');
      if (mode & FWRITE) pfs.flags = mode & (FWRITE | O_EXCL);
      return undefined;
    case 'regs':
    case 'fpregs':
      if (!procIsunder(ctx.k, p, ctx.p)) {
        mark('procfs_open: regs/fpregs target not under the caller -> EPERM');
        return err('EPERM');
      }
      mark('procfs_open: regs/fpregs');
      return undefined;
    default:
      mark('procfs_open: other node');
      return undefined;
  }
}

/** procfs_close: mem's flags clear only when an exclusive open is closed by a writer. */
export function procfsClose(_ctx: Ctx, vp: Vnode, flag: number): Err | undefined {
  const pfs = VTOPFS(vp);
  if (pfs.type === 'mem' && pfs.flags & O_EXCL && flag & FWRITE) {
    mark('procfs_close: mem exclusive writer clears the flags');
    pfs.flags &= ~(FWRITE | O_EXCL);
  }
  return undefined;
}

function rwResult<T extends string | number>(r: string | number | Err, kind: 'string' | 'number'): T | Err {
  if (isErr(r) || typeof r === kind) return r as T | Err;
  throw new Error(`procfs_rw: ${kind} expected`);
}

export function procfsRead(ctx: Ctx, vp: Vnode, offset: number, size: number): string | Err {
  const uio: Uio = { rw: 'read', offset, size };
  return rwResult<string>(procfsRw(ctx, vp, uio), 'string');
}

export function procfsWrite(ctx: Ctx, vp: Vnode, offset: number, data: string): number | Err {
  const uio: Uio = { rw: 'write', offset, data };
  return rwResult<number>(procfsRw(ctx, vp, uio), 'number');
}

/** readdir of /proc: `.`, `..`, curproc, self, the processes on allproc, then the Linux root files. */
function readdirRoot(ctx: Ctx, vp: Vnode): Dirent[] {
  const st = VTOPFS(vp).st;
  const out: Dirent[] = [
    { name: '.', fileno: 2, type: 'DT_DIR' },
    { name: '..', fileno: 2, type: 'DT_DIR' },
    { name: 'curproc', fileno: 3, type: 'DT_LNK' },
    { name: 'self', fileno: 4, type: 'DT_LNK' },
  ];
  for (const p of ctx.k.allproc) {
    if (!canSee(ctx, p, 'ENTRY')) {
      mark('procfs_readdir: /proc hides a process CANSEE_ENTRY denies');
      continue;
    }
    out.push({ name: String(p.pid), fileno: procfsFileno(p.pid, 'proc', -1, st.pfsLast), type: 'DT_DIR' });
  }
  for (const t of PROC_ROOT_TARGETS) {
    if (!targetValid(t, null, vp.mount) || !canSee(ctx, ctx.k.proc0, 'ENTRY')) continue;
    mark('procfs_readdir: /proc lists the Linux root files');
    out.push({ name: t.name, fileno: procfsFileno(0, t.type, -1, st.pfsLast), type: t.dt });
  }
  return out;
}

/** readdir of /proc/N: proc_targets in order; a failed lock gives an empty success. */
function readdirProc(ctx: Ctx, vp: Vnode, pfs: PfsNode): Dirent[] {
  const p = procfsProcLock(vp.mount, pfs.pid, 'ESRCH');
  if (isErr(p)) {
    mark('procfs_readdir: /proc/N lock fails -> empty');
    return [];
  }
  return PROC_TARGETS.filter((t) => targetValid(t, p, vp.mount)).map((t) => ({
    name: t.name, fileno: procfsFileno(pfs.pid, t.type, -1, pfs.st.pfsLast), type: t.dt,
  }));
}

/** fttodt: the dirent type of a descriptor (ignores the caller's emulation). */
function fttodt(fp: File): DirentType {
  switch (fp.type) {
    case 'DTYPE_VNODE': return fp.vnode!.type === 'VDIR' ? 'DT_LNK' : vtypeToDt(fp.vnode!.type);
    case 'DTYPE_PIPE': return 'DT_FIFO';
    case 'DTYPE_SOCKET': return 'DT_SOCK';
    case 'DTYPE_KQUEUE':
    case 'DTYPE_MISC':
    case 'DTYPE_SEM': return 'DT_LNK';
    default: return 'DT_UNKNOWN';
  }
}

/**
 * readdir of /proc/N/fd: `.` and `..` from proc_targets, then fd i-2 for
 * index i while i < dt_nfiles, so the table's top two slots never show.
 */
function readdirFd(ctx: Ctx, vp: Vnode, pfs: PfsNode): Dirent[] | Err {
  const p = procfsProcLock(vp.mount, pfs.pid, 'ESRCH');
  if (isErr(p)) {
    mark(p.errno === 'EBUSY' ? 'procfs_readdir: /proc/N/fd lock EBUSY' : 'procfs_readdir: /proc/N/fd lock ESRCH');
    return p;
  }
  if (!canSee(ctx, p, 'OPENFILES')) {
    mark('procfs_readdir: /proc/N/fd CANSEE_OPENFILES denied -> ESRCH');
    return err('ESRCH');
  }
  const last = pfs.st.pfsLast;
  const out: Dirent[] = [
    { name: '.', fileno: procfsFileno(pfs.pid, 'proc', -1, last), type: 'DT_DIR' },
    { name: '..', fileno: 2, type: 'DT_DIR' },
  ];
  for (let i = 2; i < p.fd.nfiles; i++) {
    const fp = fdGetfile2(p, i - 2);
    if (fp === null) continue;
    out.push({ name: String(i - 2), fileno: procfsFileno(pfs.pid, 'fd', i - 2, last), type: fttodt(fp) });
  }
  return out;
}

/** readdir of /proc/N/task: `.`, `..` and one link named after the pid. */
function readdirTask(_ctx: Ctx, vp: Vnode, pfs: PfsNode): Dirent[] | Err {
  const p = procfsProcLock(vp.mount, pfs.pid, 'ESRCH');
  if (isErr(p)) {
    mark(p.errno === 'EBUSY' ? 'procfs_readdir: /proc/N/task lock EBUSY' : 'procfs_readdir: /proc/N/task lock ESRCH');
    return p;
  }
  const last = pfs.st.pfsLast;
  return [
    { name: '.', fileno: procfsFileno(pfs.pid, 'proc', -1, last), type: 'DT_DIR' },
    { name: '..', fileno: 2, type: 'DT_DIR' },
    { name: String(pfs.pid), fileno: procfsFileno(pfs.pid, 'task', 0, last), type: 'DT_LNK' },
  ];
}

/** procfs_readdir (whole directory; offsets are entry indexes, records 32 bytes). */
export function procfsReaddir(ctx: Ctx, vp: Vnode): Dirent[] | Err {
  const pfs = VTOPFS(vp);
  switch (pfs.type) {
    case 'root': return readdirRoot(ctx, vp);
    case 'proc': return readdirProc(ctx, vp, pfs);
    case 'fd': if (pfs.fd === -1) return readdirFd(ctx, vp, pfs); break;
    case 'task': if (pfs.fd === -1) return readdirTask(ctx, vp, pfs); break;
    default: break;
  }
  mark('procfs_readdir: a non-directory -> ENOTDIR');
  return err('ENOTDIR');
}

/**
 * procfs_readlink's last branch, every node that is not curproc, self,
 * task/N, exe, cwd or root: the descriptor pfs_fd of the target (none for
 * fd -1: EBADF). A directory (any vnode for a Linux caller) reads as its
 * path: `/` for a VT_PROCFS vnode, else getcwd_common, which fails on a
 * revoked (VT_NON) vnode (EBADF for a directory, ENOTDIR otherwise).
 */
function readlinkFd(ctx: Ctx, p: Proc, fd: number): string | Err {
  const fp = fdGetfile2(p, fd);
  if (fp === null) {
    mark('procfs_readlink: fd no descriptor -> EBADF');
    return err('EBADF');
  }
  switch (fp.type) {
    case 'DTYPE_VNODE': {
      const vxp = fp.vnode!;
      if (vxp.type !== 'VDIR' && !procfsProcIsLinuxCompat(ctx)) {
        mark('procfs_readlink: fd non-directory vnode, native caller -> EINVAL');
        return err('EINVAL');
      }
      if (vxp.ops.tag === 'VT_PROCFS') {
        mark('procfs_readlink: fd VT_PROCFS directory -> /');
        return '/';
      }
      const path = getcwdCommon(ctx.k, vxp, ctx.p.root, ctx);
      mark(isErr(path) ? 'procfs_readlink: fd getcwd_common fails' : 'procfs_readlink: fd directory path (getcwd_common)');
      return path;
    }
    case 'DTYPE_MISC':
      mark('procfs_readlink: fd [misc]');
      return '[misc]';
    case 'DTYPE_KQUEUE':
      mark('procfs_readlink: fd [kqueue]');
      return '[kqueue]';
    case 'DTYPE_SEM':
      mark('procfs_readlink: fd [ksem]');
      return '[ksem]';
    default:
      mark('procfs_readlink: fd other file -> EINVAL');
      return err('EINVAL');
  }
}

/**
 * procfs_readlink: dispatched on pfs_fileno; curproc, self and task/N need
 * no process, the rest lock it (ESRCH, EBUSY). readlink(2) only calls it for
 * a VLNK, but any other node would fall into the fd branch with fd -1.
 */
export function procfsReadlink(ctx: Ctx, vp: Vnode): string | Err {
  const pfs = VTOPFS(vp);
  switch (pfs.type) {
    case 'curproc':
      mark('procfs_readlink: curproc');
      return String(ctx.p.pid);
    case 'self':
      mark('procfs_readlink: self');
      return 'curproc';
    case 'task':
      if (pfs.fd !== 0) break;
      mark('procfs_readlink: task/N is ..');
      return '..';
    default: break;
  }
  const p = procfsProcLock(vp.mount, pfs.pid, 'ESRCH');
  if (isErr(p)) {
    mark(p.errno === 'EBUSY' ? 'procfs_readlink: lock EBUSY' : 'procfs_readlink: lock ESRCH');
    return p;
  }
  switch (pfs.type) {
    case 'exe':
      mark('procfs_readlink: exe');
      return p.path ?? '';
    case 'cwd':
    case 'chroot':
      mark('procfs_readlink: cwd or root');
      return procfsDir(ctx, p, pfs.type);
    default: return readlinkFd(ctx, p, pfs.fd);
  }
}

/** procfs_inactive: recycle once the process can no longer be found. */
export function procfsInactive(vp: Vnode): boolean {
  const pfs = VTOPFS(vp);
  if (vp.mount.k.bugs.has('inactive-never-recycles')) return false;
  const gone = procfsProcFind(vp.mount, pfs.pid) === null; // proc0 is always found
  mark(gone ? 'procfs_inactive: process gone -> recycle' : 'procfs_inactive: process found -> keep');
  return gone;
}

/** procfs_reclaim: out of the pid hash, v_data cleared. */
export function procfsReclaim(vp: Vnode): void {
  procfsHashrem(VTOPFS(vp));
  vp.data = null;
}

export const procfsVnodeops: VnodeOps = {
  tag: 'VT_PROCFS',
  lookup: procfsLookup,
  getattr: procfsGetattr,
  access: procfsAccess,
  open: procfsOpen,
  close: procfsClose,
  read: procfsRead,
  write: procfsWrite,
  readdir: procfsReaddir,
  readlink: procfsReadlink,
  inactive: procfsInactive,
  reclaim: procfsReclaim,
};

/**
 * The vnode operations procfs refuses or ignores (procfs_vnodeop_entries,
 * 1.229.4.1), with what they return. mmap has no entry there: it is
 * vn_default_error (EOPNOTSUPP) like every operation the table leaves out.
 */
export const PROCFS_OTHER_VOPS: Readonly<Record<string, Errno | 0>> = {
  create: 'EOPNOTSUPP', mknod: 'EOPNOTSUPP', remove: 'EOPNOTSUPP', rename: 'EOPNOTSUPP',
  mkdir: 'EOPNOTSUPP', rmdir: 'EOPNOTSUPP', fallocate: 'EOPNOTSUPP', fdiscard: 'EOPNOTSUPP',
  bmap: 'EOPNOTSUPP', mmap: 'EOPNOTSUPP',
  link: 'EROFS', symlink: 'EROFS', // genfs_erofs_link, genfs_erofs_symlink
  ioctl: 'ENOTTY', // genfs_enoioctl: EPASSTHROUGH, seen as ENOTTY
  advlock: 'EINVAL',
  getpages: 'EFAULT',
  setattr: 0, fsync: 0, seek: 0, putpages: 0,
};
