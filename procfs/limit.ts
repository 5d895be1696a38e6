/** procfs_limit.c 1.4: /proc/N/limit, one line per resource limit of the process. */
import { err } from '../emulator/errno.ts';
import { RLIM_NLIMITS, rlimit } from '../emulator/kern_resource.ts';
import type { Proc } from '../emulator/proc.ts';
import type { Uio, UioResult } from './subr.ts';
import { uiomoveFrombuf } from './subr.ts';

/** RLIM_STRINGS (sys/resource.h): the label of each RLIMIT_* index, in order. */
const RLIM_STRINGS: readonly string[] = [
  'cputime', 'filesize', 'datasize', 'stacksize', 'coredumpsize', 'memoryuse',
  'memorylocked', 'maxproc', 'openfiles', 'sbsize', 'vmemoryuse', 'maxlwp',
];

/** RLIM_INFINITY as "%#20jx" prints it: 2^63 - 1 in hex, right-aligned in 20 columns. */
const INFINITY_TEXT = '0x7fffffffffffffff'.padStart(20);

/** prl: "%#20jx" for RLIM_INFINITY, else "%20jd", then the separator. */
function prl(lim: number, sep: string): string {
  return (lim === Number.POSITIVE_INFINITY ? INFINITY_TEXT : String(lim).padStart(20)) + sep;
}

/** "%20.20s " of a label: at most 20 characters, right-aligned in 20. */
function label(s: string): string {
  return `${s.slice(0, 20).padStart(20)} `;
}

/** The whole text: for each limit its label, the soft limit and the hard limit. */
export function limitText(p: Proc): string {
  let s = '';
  for (let i = 0; i < RLIM_NLIMITS; i++) {
    const r = rlimit(p.limit, i);
    s += label(RLIM_STRINGS[i] ?? '') + prl(r.cur, ' ') + prl(r.max, '\n');
  }
  return s;
}

/**
 * procfs_dolimit: a write is EOPNOTSUPP; a read gets the text from
 * uio_offset on (nothing past its end), built from the process's p_rlimit.
 */
export function procfsDolimit(p: Proc, uio: Uio): UioResult {
  if (uio.rw !== 'read') return err('EOPNOTSUPP');
  return uiomoveFrombuf(limitText(p), uio);
}
