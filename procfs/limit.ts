/** procfs_limit.c: /proc/N/limit, one line per resource limit (engine text). */
import type { Proc } from '../emulator/proc.ts';
import type { Uio, UioResult } from './subr.ts';
import { uiomoveFrombuf } from './subr.ts';

/** The default limits every process has (name, soft, hard), as a table. */
const RLIMITS: readonly (readonly [string, string, string])[] = [
  ['cputime', 'unlimited', 'unlimited'],
  ['filesize', 'unlimited', 'unlimited'],
  ['datasize', '268435456', '3221225472'],
  ['stacksize', '4194304', '67108864'],
  ['coredumpsize', 'unlimited', 'unlimited'],
  ['memoryuse', 'unlimited', 'unlimited'],
  ['memorylocked', '2097152', 'unlimited'],
  ['maxproc', '160', '1044'],
  ['openfiles', '1024', '3404'],
  ['sbsize', 'unlimited', 'unlimited'],
  ['vmemoryuse', 'unlimited', 'unlimited'],
  ['maxlwp', '1024', '2048'],
];

/** procfs_dolimit */
export function procfsDolimit(_p: Proc, uio: Uio): UioResult {
  return uiomoveFrombuf(RLIMITS.map(([n, s, h]) => `${n.padEnd(14)} ${s.padStart(12)} ${h.padStart(12)}\n`).join(''), uio);
}
