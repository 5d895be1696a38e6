/**
 * procfs_subr.c (1.116.20.1, the netbsd-10 pull-up of 1.117): allocvp,
 * finding and locking the target process, the read/write dispatcher
 * procfs_rw, and the pt_valid functions.
 */
import type { Err, Errno } from '../emulator/errno.ts';
import { err, isErr } from '../emulator/errno.ts';
import type { ProcfsReq } from '../emulator/kauth.ts';
import { declareMarks, marksEnabled } from '../emulator/marks.ts';
import type { Mount } from '../emulator/mount.ts';
import type { Proc } from '../emulator/proc.ts';
import type { Ctx, Vnode } from '../emulator/vnode.ts';
import { vcacheGet } from '../emulator/vnode.ts';
import type { PfsType } from './procfs.ts';
import { VTOPFS, pfsKeyString, procfsUseLinuxCompat } from './procfs.ts';
import { procfsDoauxv } from './auxv.ts';
import { procfsDocmdline, procfsDoenviron } from './cmdline.ts';
import { procfsDoemul } from './emul.ts';
import { procfsDofd } from './fd.ts';
import { procfsDolimit } from './limit.ts';
import { procfsDoLinuxRoot, procfsDoPidStat, procfsDoPidStatm } from './linux.ts';
import { procfsDomap } from './map.ts';
import { procfsDofpregs, procfsDomem, procfsDoregs } from './mem.ts';
import { procfsDonote } from './note.ts';
import { procfsDostatus } from './status.ts';

/**
 * The marks of this file, and the answers of the content routines that
 * procfs_rw's switch calls (their files are plain generators; the answer
 * each gives, per direction and errno, is marked here, by RW_ANSWERS).
 */
const MARKS = {
  'procfs_allocvp: vcache_get fails': null,
  'procfs_proc_lock: pid 0 is proc0': null,
  'procfs_proc_lock: not found': null,
  'procfs_proc_lock: p_reflock held by exec or exit -> EBUSY': null,
  'procfs_rw: offset < 0 -> EINVAL': 'sys_pread and sys_pwrite refuse a negative offset (EINVAL) before VOP_READ for anything but a character device',
  'procfs_rw: lock ESRCH': 'the exit hook (procfs_exechook_cb) revokes every open procfs vnode of a pid as it exits: the handle reads from deadfs',
  'procfs_rw: lock EBUSY': 'p_reflock is held as writer only inside execve and exit1; read and write are system calls of their own',
  'procfs_rw: kauth PROCFS denied': null,
  'procfs_rw: no routine for the node -> EOPNOTSUPP': null,
  'procfs_rw: an answer with no mark of its own': 'never: a routine answered something RW_ANSWERS does not list (add it there)',
  'procfs_donote: read -> EINVAL': null,
  'procfs_donote: write at offset != 0 -> EINVAL': null,
  'procfs_donote: write of more than PROCFS_NOTELEN -> EMSGSIZE': null,
  'procfs_donote: write -> EOPNOTSUPP': null,
  'procfs_doregs: read': null,
  'procfs_doregs: read past the block -> EINVAL': null,
  'procfs_doregs: write past the block -> EINVAL': null,
  'procfs_doregs: write of a running LWP -> EBUSY': null,
  'procfs_dofpregs: read': null,
  'procfs_dofpregs: read past the block -> EINVAL': null,
  'procfs_dofpregs: write past the block -> EINVAL': null,
  'procfs_dofpregs: write of a running LWP -> EBUSY': null,
  'procfs_dostatus: read': null,
  'procfs_dostatus: write -> EOPNOTSUPP': null,
  'procfs_doprocargs(KERN_PROC_ARGV): read': null,
  'procfs_doprocargs(KERN_PROC_ARGV): write -> EOPNOTSUPP': null,
  'procfs_doprocargs(KERN_PROC_ENV): read': null,
  'procfs_doprocargs(KERN_PROC_ENV): write -> EOPNOTSUPP': null,
  'procfs_domap: read': null,
  'procfs_domap: write -> EOPNOTSUPP': null,
  'procfs_doemul: read': null,
  'procfs_doemul: write counts the bytes': null,
  'procfs_dolimit: read': null,
  'procfs_dolimit: write -> EOPNOTSUPP': null,
  'procfs_doauxv: read': null,
  'procfs_doauxv: write -> EOPNOTSUPP': null,
  'procfs_do_pid_stat: read': null,
  'procfs_do_pid_stat: write counts the bytes': null,
  'procfs_do_pid_statm: read': null,
  'procfs_do_pid_statm: write counts the bytes': null,
  'procfs_linux root file: read': null,
  'procfs_linux root file: write counts the bytes': null,
} as const;
const mark = declareMarks('procfs/subr.ts', MARKS);
type MarkName = keyof typeof MARKS;

/** What a routine answered: 'ok' for data or a count, else the errno. */
type Answer = 'ok' | Errno;
type AnswerMarks = { readonly read: Partial<Record<Answer, MarkName>>; readonly write: Partial<Record<Answer, MarkName>> };

const NOTE: AnswerMarks = {
  read: { EINVAL: 'procfs_donote: read -> EINVAL' },
  write: {
    EINVAL: 'procfs_donote: write at offset != 0 -> EINVAL', EMSGSIZE: 'procfs_donote: write of more than PROCFS_NOTELEN -> EMSGSIZE',
    EOPNOTSUPP: 'procfs_donote: write -> EOPNOTSUPP',
  },
};
const MAP: AnswerMarks = { read: { ok: 'procfs_domap: read' }, write: { EOPNOTSUPP: 'procfs_domap: write -> EOPNOTSUPP' } };
const LINUX_ROOT: AnswerMarks = {
  read: { ok: 'procfs_linux root file: read' }, write: { ok: 'procfs_linux root file: write counts the bytes' },
};

/** The answers of each routine procfs_rw dispatches to; null: the routine marks its own branches (mem.ts, fd.ts). */
const RW_ANSWERS: Readonly<Record<PfsType, AnswerMarks | null>> = {
  note: NOTE, notepg: NOTE,
  regs: {
    read: { ok: 'procfs_doregs: read', EINVAL: 'procfs_doregs: read past the block -> EINVAL' },
    write: { EINVAL: 'procfs_doregs: write past the block -> EINVAL', EBUSY: 'procfs_doregs: write of a running LWP -> EBUSY' },
  },
  fpregs: {
    read: { ok: 'procfs_dofpregs: read', EINVAL: 'procfs_dofpregs: read past the block -> EINVAL' },
    write: { EINVAL: 'procfs_dofpregs: write past the block -> EINVAL', EBUSY: 'procfs_dofpregs: write of a running LWP -> EBUSY' },
  },
  mem: null,
  fd: null,
  status: { read: { ok: 'procfs_dostatus: read' }, write: { EOPNOTSUPP: 'procfs_dostatus: write -> EOPNOTSUPP' } },
  cmdline: {
    read: { ok: 'procfs_doprocargs(KERN_PROC_ARGV): read' }, write: { EOPNOTSUPP: 'procfs_doprocargs(KERN_PROC_ARGV): write -> EOPNOTSUPP' },
  },
  environ: {
    read: { ok: 'procfs_doprocargs(KERN_PROC_ENV): read' }, write: { EOPNOTSUPP: 'procfs_doprocargs(KERN_PROC_ENV): write -> EOPNOTSUPP' },
  },
  map: MAP, maps: MAP,
  emul: { read: { ok: 'procfs_doemul: read' }, write: { ok: 'procfs_doemul: write counts the bytes' } },
  limit: { read: { ok: 'procfs_dolimit: read' }, write: { EOPNOTSUPP: 'procfs_dolimit: write -> EOPNOTSUPP' } },
  auxv: { read: { ok: 'procfs_doauxv: read' }, write: { EOPNOTSUPP: 'procfs_doauxv: write -> EOPNOTSUPP' } },
  stat: { read: { ok: 'procfs_do_pid_stat: read' }, write: { ok: 'procfs_do_pid_stat: write counts the bytes' } },
  statm: { read: { ok: 'procfs_do_pid_statm: read' }, write: { ok: 'procfs_do_pid_statm: write counts the bytes' } },
  meminfo: LINUX_ROOT, cpuinfo: LINUX_ROOT, uptime: LINUX_ROOT, mounts: LINUX_ROOT, devices: LINUX_ROOT,
  cpustat: LINUX_ROOT, loadavg: LINUX_ROOT, version: LINUX_ROOT,
  root: null, proc: null, task: null, curproc: null, self: null, cwd: null, chroot: null, exe: null, file: null,
};

/** Mark what the routine for `type` answered (only while marks count: a table look-up, nothing built). */
function markRwAnswer(type: PfsType, rw: Uio['rw'], r: UioResult): void {
  const t = RW_ANSWERS[type];
  if (t === null) return;
  const name = t[rw][isErr(r) ? r.errno : 'ok'];
  mark(name ?? 'procfs_rw: an answer with no mark of its own');
}

/** procfs_allocvp: the vnode for (mp, type, pid, fd) through vcache_get. */
export function procfsAllocvp(ctx: Ctx, mp: Mount, pid: number, type: PfsType, fd: number): Vnode | Err {
  const vp = vcacheGet(ctx, mp, pfsKeyString(type, pid, fd));
  if (isErr(vp)) mark('procfs_allocvp: vcache_get fails');
  return vp;
}

/**
 * procfs_proc_find: proc_find, or proc_find_lwpid on a linux-compat mount.
 * Every process has one LWP whose id is its pid, so both find the same.
 */
export function procfsProcFind(mp: Mount, pid: number): Proc | null {
  return mp.k.procFind(pid);
}

/**
 * procfs_proc_lock: pid 0 is always proc0; otherwise the process must be
 * findable (else `notfound`), and rw_tryenter of p_reflock as reader fails
 * with EBUSY while exec or exit holds it as writer.
 */
export function procfsProcLock(mp: Mount, pid: number, notfound: 'ENOENT' | 'ESRCH'): Proc | Err {
  if (pid === 0) {
    mark('procfs_proc_lock: pid 0 is proc0');
    return mp.k.proc0;
  }
  const p = procfsProcFind(mp, pid);
  if (p === null) {
    mark('procfs_proc_lock: not found');
    return err(notfound);
  }
  if (p.reflockWriter) {
    mark('procfs_proc_lock: p_reflock held by exec or exit -> EBUSY');
    return err('EBUSY');
  }
  return p;
}

/** procfs_proc_is_linux_compat (procfs.h): the *calling* process's emulation name starts with "linux". */
export function procfsProcIsLinuxCompat(ctx: Ctx): boolean {
  return ctx.p.emul.startsWith('linux');
}

/** procfs_validfile: the process has a text vnode. */
export function procfsValidfile(p: Proc | null, _mp: Mount): boolean {
  return p !== null && p.textvp !== null;
}

/** procfs_validfile_linux: a linux-compat mount, and for per-process entries a text vnode. */
export function procfsValidfileLinux(p: Proc | null, mp: Mount): boolean {
  return procfsUseLinuxCompat(mp) && (p === null || procfsValidfile(p, mp));
}

/** procfs_validmap: the process's LWP is not a system LWP (LW_SYSTEM). */
export function procfsValidmap(p: Proc | null, _mp: Mount): boolean {
  return p !== null && !p.system;
}

/** procfs_validauxv: p_execsw != NULL. */
export function procfsValidauxv(p: Proc | null, _mp: Mount): boolean {
  return p !== null && p.execsw;
}

/** procfs_validregs / procfs_validfpregs: process_validregs, the LWP is not LW_SYSTEM. */
export function procfsValidregs(p: Proc | null, _mp: Mount): boolean {
  return p !== null && !p.system;
}

export const procfsValidfpregs = procfsValidregs;

/** A read or write through VOP_READ/VOP_WRITE. */
export type Uio =
  | { rw: 'read'; offset: number; size: number }
  | { rw: 'write'; offset: number; data: string };

export type UioResult = string | number | Err;

/**
 * procfs_rw: offset < 0 is EINVAL; the process is locked (ESRCH, EBUSY);
 * kauth KAUTH_PROCESS_PROCFS with the caller's *current* credential on every
 * call; then the node type's routine.
 */
export function procfsRw(ctx: Ctx, vp: Vnode, uio: Uio): UioResult {
  const pfs = VTOPFS(vp);
  if (uio.offset < 0) {
    mark('procfs_rw: offset < 0 -> EINVAL');
    return err('EINVAL');
  }
  const p = procfsProcLock(vp.mount, pfs.pid, 'ESRCH');
  if (isErr(p)) {
    mark(p.errno === 'EBUSY' ? 'procfs_rw: lock EBUSY' : 'procfs_rw: lock ESRCH');
    return p;
  }
  const req: ProcfsReq = uio.rw === 'read' ? 'READ' : 'WRITE';
  const ke = ctx.k.kauth.authorize(ctx.k, ctx.cred, { scope: 'process', action: 'PROCFS', p, node: pfs, req });
  if (ke !== undefined) {
    mark('procfs_rw: kauth PROCFS denied');
    return ke;
  }
  const r = procfsRwDispatch(ctx, pfs.type, p, vp, uio);
  if (marksEnabled()) markRwAnswer(pfs.type, uio.rw, r);
  return r;
}

/** The switch of procfs_rw: which routine serves which node type. */
function procfsRwDispatch(ctx: Ctx, type: PfsType, p: Proc, vp: Vnode, uio: Uio): UioResult {
  switch (type) {
    case 'note':
    case 'notepg': return procfsDonote(uio);
    case 'regs': return procfsDoregs(ctx, p, uio);
    case 'fpregs': return procfsDofpregs(ctx, p, uio);
    case 'mem': return procfsDomem(ctx, p, uio);
    case 'status': return procfsDostatus(ctx, p, uio);
    case 'cmdline': return procfsDocmdline(ctx, p, uio);
    case 'environ': return procfsDoenviron(ctx, p, uio);
    case 'map': return procfsDomap(ctx, p, uio, false);
    case 'maps': return procfsDomap(ctx, p, uio, true);
    case 'emul': return procfsDoemul(p, uio);
    case 'limit': return procfsDolimit(p, uio);
    case 'auxv': return procfsDoauxv(ctx, p, uio);
    case 'fd': return procfsDofd(ctx, p, VTOPFS(vp).fd, uio);
    case 'stat': return procfsDoPidStat(ctx, p, uio);
    case 'statm': return procfsDoPidStatm(ctx, p, uio);
    case 'meminfo':
    case 'cpuinfo':
    case 'uptime':
    case 'mounts':
    case 'devices':
    case 'cpustat':
    case 'loadavg':
    case 'version': return procfsDoLinuxRoot(ctx, type, uio);
    default:
      mark('procfs_rw: no routine for the node -> EOPNOTSUPP');
      return err('EOPNOTSUPP'); // root, proc, task, links, file
  }
}

/**
 * uiomove_frombuf for a read of generated text: nothing at or past its end.
 * A write is EOPNOTSUPP here, the uio_rw != UIO_READ check each procfs_do* caller makes first.
 */
export function uiomoveFrombuf(text: string, uio: Uio): UioResult {
  if (uio.rw === 'write') return err('EOPNOTSUPP');
  return text.slice(uio.offset, uio.offset + uio.size);
}
