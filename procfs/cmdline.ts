/**
 * procfs_cmdline.c (rev 1.27.28.1 / 1.28 read; procfs_doprocargs is the
 * later name of procfs_docmdline with the KERN_PROC_ARGV/ENV oid) and
 * copy_procargs (kern_proc.c 1.263): /proc/N/cmdline and /proc/N/environ.
 */
import { err } from '../emulator/errno.ts';
import type { Proc } from '../emulator/proc.ts';
import type { Ctx } from '../emulator/vnode.ts';
import { procComm } from './status.ts';
import type { Uio, UioResult } from './subr.ts';
import { uiomoveFrombuf } from './subr.ts';

export type ProcargsOid = 'KERN_PROC_ARGV' | 'KERN_PROC_ENV';

/**
 * copy_procargs: each string of the vector with its NUL, back to back.
 * It asks kauth nothing (only sysctl_kern_proc_args checks CANSEE_ARGS or
 * CANSEE_ENV): for environ the 0400 mode and VOP_ACCESS are the only guard.
 */
function copyProcargs(p: Proc, oid: ProcargsOid): string {
  const strings = oid === 'KERN_PROC_ARGV' ? p.argv : p.env;
  return strings.map((s) => `${s}\0`).join('');
}

/**
 * procfs_doprocargs: anything but a read is EOPNOTSUPP. A zombie or a
 * system process has no user stack, so it shows "(comm)" and a NUL, as
 * ps(1) would, for either oid (procfs_rw never reaches a zombie: proc_find
 * does not find it).
 */
export function procfsDoprocargs(_ctx: Ctx, p: Proc, uio: Uio, oid: ProcargsOid): UioResult {
  if (uio.rw !== 'read') return err('EOPNOTSUPP');
  if (p.system || p.stat === 'SZOMB') return uiomoveFrombuf(`(${procComm(p)})\0`, uio);
  return uiomoveFrombuf(copyProcargs(p, oid), uio);
}

/** procfs_rw's PFScmdline case: procfs_doprocargs(..., KERN_PROC_ARGV). */
export function procfsDocmdline(ctx: Ctx, p: Proc, uio: Uio): UioResult {
  return procfsDoprocargs(ctx, p, uio, 'KERN_PROC_ARGV');
}

/** procfs_rw's PFSenviron case: procfs_doprocargs(..., KERN_PROC_ENV). */
export function procfsDoenviron(ctx: Ctx, p: Proc, uio: Uio): UioResult {
  return procfsDoprocargs(ctx, p, uio, 'KERN_PROC_ENV');
}
