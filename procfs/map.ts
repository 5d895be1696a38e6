/** procfs_map.c: /proc/N/map (NetBSD format) and /proc/N/maps (Linux format). */
import type { Proc } from '../emulator/proc.ts';
import type { Ctx } from '../emulator/vnode.ts';
import type { Uio, UioResult } from './subr.ts';
import { uiomoveFrombuf } from './subr.ts';

interface Mapping {
  start: number;
  end: number;
  prot: string;
  path: string;
}

/**
 * The fixture's address space: text, data and stack of the program. The text
 * is mapped at address 0 (unlike amd64, which leaves page 0 unmapped) so that
 * a pread of mem at the default offset 0 reads program text.
 */
export function procMappings(ctx: Ctx, p: Proc): Mapping[] {
  const pg = ctx.k.pageSize;
  const path = p.path ?? '';
  return [
    { start: 0, end: 16 * pg, prot: 'r-x', path },
    { start: 0x600000, end: 0x600000 + 8 * pg, prot: 'rw-', path },
    { start: 0x7f7fff800000, end: 0x7f7fff800000 + 4 * pg, prot: 'rw-', path: '' },
  ];
}

const hex = (n: number) => '0x' + n.toString(16);

/** procfs_domap: `linux` selects the /proc/N/maps format. */
export function procfsDomap(ctx: Ctx, p: Proc, uio: Uio, linux: boolean): UioResult {
  const lines = procMappings(ctx, p).map((m) =>
    linux
      ? `${m.start.toString(16).padStart(8, '0')}-${m.end.toString(16).padStart(8, '0')} ${m.prot}p 00000000 00:00 0 ${m.path}\n`
      : `${hex(m.start)} ${hex(m.end)} ${m.prot} rwx 1 0 0x0 COW NC 1 0 0 ${m.path}\n`);
  return uiomoveFrombuf(lines.join(''), uio);
}
