/** procfs_status.c: /proc/N/status, one line in NetBSD's field order (engine text, stable per version). */
import type { Proc } from '../emulator/proc.ts';
import type { Ctx } from '../emulator/vnode.ts';
import type { Uio, UioResult } from './subr.ts';
import { uiomoveFrombuf } from './subr.ts';

function comm(p: Proc): string {
  if (p.system) return 'swapper';
  const path = p.path ?? '';
  return path.slice(path.lastIndexOf('/') + 1) || '-';
}

/** procfs_dostatus: comm pid ppid pgid sid ctty flags start utime stime wchan euid ruid,rgid,egid,groups */
export function procfsDostatus(_ctx: Ctx, p: Proc, uio: Uio): UioResult {
  const c = p.cred;
  const ppid = p.parent?.pid ?? 0;
  const flags = p.sugid ? 'sugid' : 'noflags';
  const line = `${comm(p)} ${p.pid} ${ppid} ${p.pid} ${p.pid} - ${flags} ${p.startTick},0 0,0 0,0 - ` +
    `${c.euid} ${c.ruid},${c.rgid},${c.egid},${c.egid}\n`;
  return uiomoveFrombuf(line, uio);
}
