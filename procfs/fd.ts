/** procfs_fd.c: reads and writes of /proc/N/fd/M go to the file itself. */
import { err } from '../emulator/errno.ts';
import type { File } from '../emulator/file.ts';
import type { Proc } from '../emulator/proc.ts';
import type { Ctx } from '../emulator/vnode.ts';
import type { Uio, UioResult } from './subr.ts';
import { declareMarks } from '../emulator/marks.ts';

/** Why procfs_dofd never gets past fd_getfile2 in this fixture (every mark but the first). */
const FD_UNREAD = 'no fd node of a descriptor can be read or written: a vnode file is looked up as itself or as a link, a pipe is a FIFO (pread: ESPIPE), a socket is refused by vn_open, the rest are links';

const mark = declareMarks('procfs/fd.ts', {
  'procfs_dofd: no descriptor -> EBADF': null, // a pread of an open /proc/N/fd directory (pfs_fd -1)
  'procfs_dofd: vnode file read (vn_read at the copied f_offset)': FD_UNREAD,
  'procfs_dofd: vnode file write (vn_write at the copied f_offset)': FD_UNREAD,
  'procfs_dofd: pipe write': FD_UNREAD,
  'procfs_dofd: pipe read': FD_UNREAD,
  'procfs_dofd: socket -> ENOTCONN': FD_UNREAD,
  'procfs_dofd: kqueue, misc or sem (fbadop) -> EOPNOTSUPP': FD_UNREAD,
});

/** fd_getfile2: the file behind descriptor fd of p, or null. */
export function fdGetfile2(p: Proc, fd: number): File | null {
  return p.fd.get(fd)?.file ?? null;
}

/**
 * procfs_dofd: fo_read/fo_write of the target's file with a local copy of
 * f_offset (the target's offset does not move). Pipes move data; sockets are
 * not connected (ENOTCONN); the other non-vnode files have no read or write
 * (fbadop: EOPNOTSUPP). Inferred from the fileops of each DTYPE.
 */
export function procfsDofd(ctx: Ctx, p: Proc, fd: number, uio: Uio): UioResult {
  const fp = fdGetfile2(p, fd);
  if (fp === null) {
    mark('procfs_dofd: no descriptor -> EBADF');
    return err('EBADF');
  }
  if (fp.vnode !== null) {
    // vn_read/vn_write take the offset from the (copied) f_offset, not from the caller's uio.
    const vp = fp.vnode;
    const off = fp.offset;
    if (uio.rw === 'read') {
      mark('procfs_dofd: vnode file read (vn_read at the copied f_offset)');
      return vp.ops.read(ctx, vp, off, uio.size);
    }
    mark('procfs_dofd: vnode file write (vn_write at the copied f_offset)');
    return vp.ops.write(ctx, vp, off, uio.data);
  }
  if (fp.pipe !== null) {
    if (uio.rw === 'write') {
      mark('procfs_dofd: pipe write');
      fp.pipe.data += uio.data;
      return uio.data.length;
    }
    mark('procfs_dofd: pipe read');
    const out = fp.pipe.data.slice(0, uio.size);
    fp.pipe.data = fp.pipe.data.slice(out.length);
    return out;
  }
  if (fp.type === 'DTYPE_SOCKET') {
    mark('procfs_dofd: socket -> ENOTCONN');
    return err('ENOTCONN');
  }
  mark('procfs_dofd: kqueue, misc or sem (fbadop) -> EOPNOTSUPP');
  return err('EOPNOTSUPP');
}
