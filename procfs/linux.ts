/** procfs_linux.c: the Linux-compatible files (/proc/meminfo, ..., /proc/N/stat, statm). Engine text. */
import { err } from '../emulator/errno.ts';
import type { Proc } from '../emulator/proc.ts';
import type { Ctx } from '../emulator/vnode.ts';
import { procMemSize } from './mem.ts';
import type { PfsType } from './procfs.ts';
import type { Uio, UioResult } from './subr.ts';
import { uiomoveFrombuf } from './subr.ts';

function meminfo(ctx: Ctx): string {
  const totalKb = 8 * 1024 * 1024;
  return `MemTotal: ${totalKb} kB\nMemFree: ${totalKb / 2} kB\nMemShared: 0 kB\nBuffers: 0 kB\nCached: 0 kB\n` +
    `SwapTotal: 0 kB\nSwapFree: 0 kB\nPageSize: ${ctx.k.pageSize}\n`;
}

/** /proc/mounts: one line per mount, in mount order. */
function mounts(ctx: Ctx): string {
  return ctx.k.mountlist
    .map((mp) => {
      const from = mp.ops.name === 'procfs' ? 'procfs' : 'root_device';
      return `${from} ${mp.path === '' ? '/' : mp.path} ${mp.ops.name} rw 0 0\n`;
    })
    .join('');
}

/** The text of a root-level Linux file at this moment. */
function linuxRootText(ctx: Ctx, type: PfsType): string {
  const up = (ctx.k.ticks / 100).toFixed(2);
  switch (type) {
    case 'meminfo': return meminfo(ctx);
    case 'cpuinfo': return 'processor\t: 0\nvendor_id\t: NetBSD\nmodel name\t: procfs-emu virtual CPU\ncpu MHz\t\t: 1000.000\n\n';
    case 'uptime': return `${up} ${up}\n`;
    case 'mounts': return mounts(ctx);
    case 'devices': return 'Character devices:\n  2 mem\n  4 tty\n\nBlock devices:\n  0 wd\n';
    case 'cpustat': return `cpu 0 0 0 ${ctx.k.ticks}\ncpu0 0 0 0 ${ctx.k.ticks}\nprocesses ${ctx.k.nprocs}\n`;
    case 'loadavg': return `0.00 0.00 0.00 1/${ctx.k.allproc.length} ${ctx.k.pidMax - 1}\n`;
    case 'version': return 'Linux version 5.6.0 (NetBSD procfs-emu) #1\n';
    default: throw new Error(`procfs linux: ${type} is not a root file`);
  }
}

export function procfsDoLinuxRoot(ctx: Ctx, type: PfsType, uio: Uio): UioResult {
  if (uio.rw === 'write') return err('EOPNOTSUPP');
  return uiomoveFrombuf(linuxRootText(ctx, type), uio);
}

/** procfs_do_pid_stat: Linux /proc/N/stat (leading fields). */
export function procfsDoPidStat(_ctx: Ctx, p: Proc, uio: Uio): UioResult {
  const name = (p.path ?? '').slice((p.path ?? '').lastIndexOf('/') + 1);
  const state = p.stat === 'SSTOP' ? 'T' : 'R';
  return uiomoveFrombuf(`${p.pid} (${name}) ${state} ${p.parent?.pid ?? 0} ${p.pid} ${p.pid} 0 -1 0\n`, uio);
}

/** procfs_do_pid_statm: sizes in pages. */
export function procfsDoPidStatm(ctx: Ctx, p: Proc, uio: Uio): UioResult {
  const pages = procMemSize(ctx, p) / ctx.k.pageSize;
  return uiomoveFrombuf(`${pages} ${pages} 0 16 0 12 0\n`, uio);
}
