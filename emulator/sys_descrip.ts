/**
 * Descriptor system calls and helpers (sys/kern/kern_descrip.c 1.228.2.1,
 * sys_descrip.c 1.28, sys_pipe.c 1.165, kern_event.c 1.140, sys_socket.c 1.73
 * and the other fileops): fd_alloc's loop, close, closef, dup2, pipe, the
 * other DTYPEs, each non-vnode fo_stat, fd_closeexec, fd_free (fd_checkstd
 * is with exec).
 */
import type { Err } from './errno.ts';
import { err, isErr } from './errno.ts';
import type { Dtype } from './file.ts';
import { File } from './file.ts';
import type { Kernel } from './kernel.ts';
import { RLIMIT, rlimit } from './kern_resource.ts';
import type { Proc } from './proc.ts';
import type { Vtype } from './vnode.ts';
import { FREAD, FWRITE, vrele } from './vnode.ts';

/**
 * The descriptor limit fd_alloc applies: min(RLIMIT_NOFILE soft, maxfiles).
 * dosetrlimit keeps the soft limit at or below maxfiles, and the fixture never
 * changes kern.maxfiles, so the soft limit alone is that minimum.
 */
export function fdLimit(p: Proc): number {
  return rlimit(p.limit, RLIMIT.NOFILE).cur;
}

/**
 * fd_allocfile / fd_dup's loop: fd_alloc from `want`, fd_tryexpand on
 * ENOSPC until it answers. Bounded: each expansion at least doubles the
 * table, and fd_alloc answers EMFILE once the table reaches the limit.
 */
export function fdAlloc(p: Proc, want: number): number | Err {
  const lim = fdLimit(p);
  for (;;) {
    const r = p.fd.alloc(want, lim);
    if (r === 'EMFILE') return err('EMFILE');
    if (r !== 'ENOSPC') return r;
    p.fd.tryexpand();
  }
}

/** fd_allocfile + fd_affix: install a new file at the lowest free number. */
export function falloc(p: Proc, file: File, cloexec: boolean): number | Err {
  const fd = fdAlloc(p, 0);
  if (isErr(fd)) return fd;
  p.fd.install(fd, file, cloexec);
  return fd;
}

/** closef: drop one count; the last one closes the file (fo_close: VOP_CLOSE and vrele for a vnode). */
export function closef(k: Kernel, p: Proc, file: File): void {
  file.count--;
  if (file.count > 0 || file.vnode === null) return;
  const vp = file.vnode;
  vp.ops.close(k.ctx(p), vp, file.flag);
  vrele(vp);
}

/** close(2) (sys_close, fd_close): EBADF unless fd_getfile finds the descriptor. */
export function sysClose(k: Kernel, p: Proc, fd: number): Err | undefined {
  const file = p.fd.get(fd) === undefined ? undefined : p.fd.remove(fd);
  if (file === undefined) return err('EBADF');
  closef(k, p, file);
  return undefined;
}

/**
 * dup2(2) (dodup, sys_descrip.c 1.28): EBADF for a closed `fd`, then EBADF
 * for a `to` at or past the soft RLIMIT_NOFILE or maxfiles (compared
 * unsigned, so negatives too); `fd` onto itself returns it; otherwise
 * fd_dup2: expand until `to` is in the table, close what is there, install
 * the file, not close-on-exec.
 */
export function sysDup2(k: Kernel, p: Proc, fd: number, to: number): number | Err {
  const slot = p.fd.get(fd);
  if (slot === undefined) return err('EBADF');
  if (!Number.isInteger(to) || to < 0 || to >= fdLimit(p) || to >= k.maxfiles) return err('EBADF');
  if (fd === to) return to;
  const file = slot.file;
  file.count++; // dodup's hold across the close of `to`
  while (to >= p.fd.nfiles) p.fd.tryexpand();
  const old = p.fd.remove(to);
  if (old !== undefined) closef(k, p, old);
  p.fd.install(to, file, false);
  file.count--; // dodup's closef of its hold: never the last count, the new slot has one
  return to;
}

/**
 * pipe(2) (pipe1, sys_pipe.c 1.165): one pipe object behind a read file and
 * a write file; if the second descriptor cannot be had the first is given
 * back (fd_abort).
 */
export function sysPipe(_k: Kernel, p: Proc): [number, number] | Err {
  const buf = { data: '' };
  const r = new File('DTYPE_PIPE', FREAD, p.cred, null, buf);
  const rfd = falloc(p, r, false);
  if (isErr(rfd)) return rfd;
  const w = new File('DTYPE_PIPE', FWRITE, p.cred, null, buf);
  const wfd = falloc(p, w, false);
  if (isErr(wfd)) {
    p.fd.remove(rfd);
    return wfd;
  }
  return [rfd, wfd];
}

/**
 * socket(2), kqueue(2), and the other DTYPEs as their syscalls make them:
 * every one of them opens its file FREAD | FWRITE (socreate, kqueue1,
 * _ksem_init, mq_open O_RDWR, eventfd, timerfd_create, memfd_create,
 * cryptoopen's fd_clone).
 */
export function sysNewfile(_k: Kernel, p: Proc, type: Dtype): number | Err {
  return falloc(p, new File(type, FREAD | FWRITE, p.cred, null), false);
}

/** What a non-vnode fo_stat fills in, as fstat(2) reports it. */
export interface FileStat {
  vtype: Vtype;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  size: number;
  fileno: number;
}

/** One fo_stat: the type its st_mode names (VNON for none), its permission bits, whose ids, st_nlink. */
interface FoStatRule {
  readonly vtype: Vtype;
  readonly mode: number;
  /** 'cred': the file's f_cred euid/egid (or the creator's, the same credential here); 'zero': left 0. */
  readonly owner: 'cred' | 'zero';
  readonly nlink: number;
}

/**
 * fo_stat of every DTYPE that is not a vnode. st_size is each object's
 * count (pipe: bytes buffered; kqueue: pending events; semaphore: its value;
 * eventfd, timerfd, memfd: value, expirations, size), 0 for what the fixture
 * never fills; st_ino is 0 in all but unp_stat's unp_ino (not modelled: 0).
 */
const FO_STAT: Readonly<Record<Exclude<Dtype, 'DTYPE_VNODE'>, FoStatRule>> = {
  // pipe_stat (sys_pipe.c 1.165): S_IFIFO | S_IRUSR | S_IWUSR, f_cred, st_nlink left 0.
  DTYPE_PIPE: { vtype: 'VFIFO', mode: 0o600, owner: 'cred', nlink: 0 },
  // soo_stat (sys_socket.c 1.73): S_IFSOCK alone; unp_stat (uipc_usrreq.c 1.179) and
  // tcp/udp's pr_stat set no ids, no permission bits, no link count.
  DTYPE_SOCKET: { vtype: 'VSOCK', mode: 0, owner: 'zero', nlink: 0 },
  // kqueue_stat (kern_event.c 1.140): S_IFIFO | S_IRUSR | S_IWUSR, f_cred.
  DTYPE_KQUEUE: { vtype: 'VFIFO', mode: 0o600, owner: 'cred', nlink: 0 },
  // cryptof_stat (cryptodev.c 1.84): st_mode left 0, f_cred. /dev/crypto clones are
  // DTYPE_MISC (fd_clone); DTYPE_CRYPTO files had the same fileops.
  DTYPE_MISC: { vtype: 'VNON', mode: 0, owner: 'cred', nlink: 0 },
  DTYPE_CRYPTO: { vtype: 'VNON', mode: 0, owner: 'cred', nlink: 0 },
  // mq_stat_fop (sys_mqueue.c 1.39): st_mode = mq_mode, the permission bits alone (mq_create:
  // (mode & ~cmask) & ALLPERMS & ~S_ISTXT); the fixture's mq_open asks 0600 under umask 022.
  DTYPE_MQUEUE: { vtype: 'VNON', mode: 0o600, owner: 'cred', nlink: 0 },
  // ksem_stat_fop (uipc_sem.c 1.42): an unnamed semaphore (_ksem_init, mode 0) is
  // S_IFREG | 0, owned by its creator's euid/egid, st_nlink = ks_ref (1).
  DTYPE_SEM: { vtype: 'VREG', mode: 0, owner: 'cred', nlink: 1 },
  // eventfd_fop_stat (sys_eventfd.c 1.9): S_IFIFO | S_IRUSR | S_IWUSR, f_cred.
  DTYPE_EVENTFD: { vtype: 'VFIFO', mode: 0o600, owner: 'cred', nlink: 0 },
  // timerfd_fop_stat (sys_timerfd.c 1.8): S_IFIFO | S_IRUSR | S_IWUSR, f_cred.
  DTYPE_TIMERFD: { vtype: 'VFIFO', mode: 0o600, owner: 'cred', nlink: 0 },
  // memfd_stat (sys_memfd.c 1.2): S_IREAD | S_IWRITE with no type bits (no seals), f_cred.
  DTYPE_MEMFD: { vtype: 'VNON', mode: 0o600, owner: 'cred', nlink: 0 },
};

/** fo_stat of a file without a vnode (do_sys_fstat calls the file's own). */
export function foStat(f: File): FileStat {
  if (f.type === 'DTYPE_VNODE') throw new Error('foStat: a vnode file answers through vn_stat');
  const rule = FO_STAT[f.type];
  const cred = rule.owner === 'cred';
  return {
    vtype: rule.vtype, mode: rule.mode,
    uid: cred ? f.cred.euid : 0, gid: cred ? f.cred.egid : 0,
    nlink: rule.nlink, size: f.pipe === null ? 0 : f.pipe.data.length, fileno: 0,
  };
}

/** fd_closeexec: close every close-on-exec descriptor (exec). */
export function fdCloseexec(k: Kernel, p: Proc): void {
  for (const fd of p.fd.openFds()) {
    if (p.fd.get(fd)?.cloexec) sysClose(k, p, fd);
  }
}

/** fd_free: close every descriptor (exit1), lowest first. */
export function fdFree(k: Kernel, p: Proc): void {
  for (const fd of p.fd.openFds()) sysClose(k, p, fd);
}
