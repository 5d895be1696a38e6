/** procfs_auxv.c: /proc/N/auxv, the ELF auxiliary vector as 16-byte (type, value) records. */
import { err } from '../emulator/errno.ts';
import type { Proc } from '../emulator/proc.ts';
import type { Ctx } from '../emulator/vnode.ts';
import type { Uio, UioResult } from './subr.ts';
import { uiomoveFrombuf } from './subr.ts';

/** AT_ types the fixture's vector holds, in order, ending with AT_NULL (sys/exec_elf.h). */
const AUX_TYPES = [3, 4, 5, 6, 7, 8, 9, 2001, 2002, 2003, 2004, 2005, 0] as const;

/** es_arglen: the size of the vector in bytes (getattr's size of auxv). */
export const AUXV_SIZE = AUX_TYPES.length * 16;

function le64(n: number): string {
  let s = '';
  for (let i = 0; i < 8; i++) {
    s += String.fromCharCode(n & 0xff);
    n = Math.floor(n / 256);
  }
  return s;
}

/** procfs_doauxv: read only. */
export function procfsDoauxv(ctx: Ctx, p: Proc, uio: Uio): UioResult {
  if (uio.rw === 'write') return err('EPERM');
  const page = ctx.k.pageSize;
  const vals: Record<number, number> = { 6: page, 9: 0x400000, 2001: p.cred.ruid, 2002: p.cred.euid, 2003: p.cred.rgid, 2004: p.cred.egid };
  const buf = AUX_TYPES.map((t) => le64(t) + le64(vals[t] ?? 0)).join('');
  return uiomoveFrombuf(buf, uio);
}
