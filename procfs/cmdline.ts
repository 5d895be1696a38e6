/** procfs_cmdline.c / procfs_doprocargs: argv and environment strings, NUL-terminated. */
import { err } from '../emulator/errno.ts';
import type { Proc } from '../emulator/proc.ts';
import type { Ctx } from '../emulator/vnode.ts';
import type { Uio, UioResult } from './subr.ts';
import { uiomoveFrombuf } from './subr.ts';

/** procfs_doprocargs(KERN_PROC_ARGV); a system process shows its name in parentheses. */
export function procfsDocmdline(_ctx: Ctx, p: Proc, uio: Uio): UioResult {
  if (p.system) return uiomoveFrombuf('(swapper)\0', uio);
  return uiomoveFrombuf(p.argv.map((a) => a + '\0').join(''), uio);
}

/**
 * procfs_doprocargs(KERN_PROC_ENV): copy_procargs asks KAUTH_PROCESS_CANSEE
 * with CANSEE_ENV first (inferred from copy_procargs), EPERM when denied.
 */
export function procfsDoenviron(ctx: Ctx, p: Proc, uio: Uio): UioResult {
  const e = ctx.k.kauth.authorize(ctx.k, ctx.cred, { scope: 'process', action: 'CANSEE', p, req: 'ENV' });
  if (e !== undefined) return e;
  if (uio.rw === 'write') return err('EOPNOTSUPP');
  const env = p.system ? '' : `HOME=/\0PATH=/bin:/usr/bin\0USER=${p.cred.ruid === 0 ? 'root' : 'user'}\0`;
  return uiomoveFrombuf(env, uio);
}
