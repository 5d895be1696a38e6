/**
 * Descriptor system calls and helpers (sys/kern/kern_descrip.c, sys_pipe.c,
 * uipc_syscalls.c, kern_event.c): falloc, close, closef, dup2, pipe, socket,
 * kqueue, the other DTYPEs, fd_closeexec, fd_free (fd_checkstd is with exec).
 */
import type { Err } from './errno.ts';
import { err, isErr } from './errno.ts';
import type { Dtype } from './file.ts';
import { FD_LIMIT, File } from './file.ts';
import type { Kernel } from './kernel.ts';
import type { Proc } from './proc.ts';
import { FREAD, FWRITE, vrele } from './vnode.ts';

/** fd_alloc + fd_affix: install a new file at the lowest free number. */
export function falloc(p: Proc, file: File, cloexec: boolean): number | Err {
  const fd = p.fd.lowestFree();
  if (fd < 0) return err('EMFILE');
  p.fd.install(fd, file, cloexec);
  return fd;
}

/** closef: drop one count; the last one closes the file (VOP_CLOSE, vrele). */
export function closef(k: Kernel, p: Proc, file: File): void {
  file.count--;
  if (file.count > 0 || file.vnode === null) return;
  const vp = file.vnode;
  vp.ops.close(k.ctx(p), vp, file.flag);
  vrele(vp);
}

/** close(2) */
export function sysClose(k: Kernel, p: Proc, fd: number): Err | undefined {
  const file = p.fd.get(fd) === undefined ? undefined : p.fd.remove(fd);
  if (file === undefined) return err('EBADF');
  closef(k, p, file);
  return undefined;
}

/** dup2(2): EBADF for a closed `fd` or a `to` out of range; the new slot is not close-on-exec. */
export function sysDup2(k: Kernel, p: Proc, fd: number, to: number): number | Err {
  const slot = p.fd.get(fd);
  if (slot === undefined || !Number.isInteger(to) || to < 0 || to >= FD_LIMIT) return err('EBADF');
  if (fd === to) return to;
  const file = slot.file;
  file.count++; // hold it across the close of `to`
  const old = p.fd.remove(to);
  if (old !== undefined) closef(k, p, old);
  p.fd.install(to, file, false);
  file.count--;
  return to;
}

/** pipe(2): two DTYPE_PIPE files sharing one buffer. */
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

/** socket(2), kqueue(2), and the other DTYPEs as their syscalls make them (eventfd(2), ...). */
export function sysNewfile(_k: Kernel, p: Proc, type: Dtype): number | Err {
  return falloc(p, new File(type, FREAD | FWRITE, p.cred, null), false);
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

