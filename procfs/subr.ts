/**
 * procfs_subr.c (1.116.20.1, the netbsd-10 pull-up of 1.117): allocvp,
 * finding and locking the target process, the read/write dispatcher
 * procfs_rw, and the pt_valid functions.
 */
import type { Err } from '../emulator/errno.ts';
import { err, isErr } from '../emulator/errno.ts';
import type { ProcfsReq } from '../emulator/kauth.ts';
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

/** procfs_allocvp: the vnode for (mp, type, pid, fd) through vcache_get. */
export function procfsAllocvp(ctx: Ctx, mp: Mount, pid: number, type: PfsType, fd: number): Vnode | Err {
  return vcacheGet(ctx, mp, pfsKeyString(type, pid, fd));
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
  if (pid === 0) return mp.k.proc0;
  const p = procfsProcFind(mp, pid);
  if (p === null) return err(notfound);
  if (p.reflockWriter) return err('EBUSY');
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
  if (uio.offset < 0) return err('EINVAL');
  const p = procfsProcLock(vp.mount, pfs.pid, 'ESRCH');
  if (isErr(p)) return p;
  const req: ProcfsReq = uio.rw === 'read' ? 'READ' : 'WRITE';
  const ke = ctx.k.kauth.authorize(ctx.k, ctx.cred, { scope: 'process', action: 'PROCFS', p, node: pfs, req });
  if (ke !== undefined) return ke;
  return procfsRwDispatch(ctx, pfs.type, p, vp, uio);
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
    default: return err('EOPNOTSUPP'); // root, proc, task, links, file
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
