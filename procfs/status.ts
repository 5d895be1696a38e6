/**
 * procfs_status.c (rev 1.39): /proc/N/status, NetBSD's one-line format or,
 * for a Linux-emulated reader, Linux's "Key:\tvalue" lines.
 */
import { err } from '../emulator/errno.ts';
import type { Kernel } from '../emulator/kernel.ts';
import type { Proc } from '../emulator/proc.ts';
import type { Ctx } from '../emulator/vnode.ts';
import type { Uio, UioResult } from './subr.ts';
import { uiomoveFrombuf } from './subr.ts';

/** MAXCOMLEN (sys/param.h): p_comm holds at most this many characters. */
export const MAXCOMLEN = 16;

/**
 * The default soft limits that the status and stat texts print
 * (p_rlimit: DFLDSIZ for RLIMIT_DATA; proc0_init leaves RLIMIT_RSS at
 * RLIM_INFINITY). The same values as procfs_dolimit's table.
 */
export const RLIMIT_DATA_CUR = 268435456n;
export const RLIM_INFINITY = 0x7fffffffffffffffn;
export const RLIMIT_RSS_CUR = RLIM_INFINITY;

/**
 * The command name (p_comm): "system" for proc0 (kern_proc.c proc0 initializer), otherwise the
 * last component of the executed path, cut to MAXCOMLEN (execve_runproc);
 * fork copies it with the rest of the image.
 */
export function procComm(p: Proc): string {
  if (p.system) return 'system';
  const path = p.path ?? '';
  return path.slice(path.lastIndexOf('/') + 1).slice(0, MAXCOMLEN);
}

/** The start time (p_stats->p_start): the fork time as a timeval, boottime plus the ticks elapsed at creation. */
export function procStart(k: Kernel, p: Proc): { sec: number; usec: number } {
  const usecPerTick = 1000000 / k.hz;
  return { sec: k.boottimeSec + Math.floor(p.startTick / k.hz), usec: (p.startTick % k.hz) * usecPerTick };
}

/** SESS_LEADER(p): the session's s_leader is p. session0 has no leader, so proc0 is not one. */
export function sessLeader(p: Proc): boolean {
  return !p.system && p.sid === p.pid;
}

/** The controlling terminal fields: no session of the fixture has a tty (P_CONTROLT, s_ttyvp unset). */
const NO_TTY = '-1,-1';

/**
 * procfs_status_netbsd: comm pid ppid pgid sid maj,min flags start ut st
 * wmesg euid egid,groups. Only an LWP asleep on a wait channel shows a
 * wmesg; the fixture's LWPs never sleep ("nochan"), and calcru has no CPU
 * time to report.
 */
function procfsStatusNetbsd(k: Kernel, p: Proc): string {
  const c = p.cred;
  const start = procStart(k, p);
  const flags = sessLeader(p) ? 'sldr' : 'noflags'; // "ctty" would come first: no s_ttyvp
  const groups = p.groups.map((g) => `,${g}`).join('');
  return `${procComm(p)} ${p.pid} ${p.parent?.pid ?? 0} ${p.pgid} ${p.sid} ${NO_TTY} ${flags}` +
    ` ${start.sec},${start.usec} 0,0 0,0 nochan ${c.euid} ${c.egid}${groups}\n`;
}

/** printf's %8ju: right-aligned in eight columns. */
const u8 = (n: bigint | number) => String(n).padStart(8);

/**
 * procfs_status_linux: Name, Pid, PPid, TracerPid (always 0 in the source),
 * Groups (each followed by a space), then VmPeak and VmSize from
 * RLIMIT_DATA and VmRSS from RLIMIT_RSS, in kB.
 */
function procfsStatusLinux(p: Proc): string {
  const groups = p.groups.map((g) => `${g} `).join('');
  return `Name:\t${procComm(p)}\nPid:\t${p.pid}\nPPid:\t${p.parent?.pid ?? 0}\nTracerPid:\t0\n` +
    `Groups:\t${groups}\n` +
    `VmPeak:\t${u8(RLIMIT_DATA_CUR / 1024n)} kB\nVmSize:\t${u8(RLIMIT_DATA_CUR / 1024n)} kB\n` +
    `VmRSS:\t${u8(RLIMIT_RSS_CUR / 1024n)} kB\n`;
}

/**
 * procfs_dostatus: anything but a read is EOPNOTSUPP; the *reader's*
 * emulation (curlwp) picks the format.
 */
export function procfsDostatus(ctx: Ctx, p: Proc, uio: Uio): UioResult {
  if (uio.rw !== 'read') return err('EOPNOTSUPP');
  const text = ctx.p.emul === 'linux' ? procfsStatusLinux(p) : procfsStatusNetbsd(ctx.k, p);
  return uiomoveFrombuf(text, uio);
}
