/** procfs_note.c: /proc/N/note and notepg. */
import { err } from '../emulator/errno.ts';
import { PROCFS_NOTELEN } from './procfs.ts';
import type { Uio, UioResult } from './subr.ts';

/**
 * procfs_donote: anything but a write is EINVAL; a write goes through
 * vfs_getuserstr (offset != 0: EINVAL; more than PROCFS_NOTELEN bytes:
 * EMSGSIZE) and then always returns EOPNOTSUPP.
 */
export function procfsDonote(uio: Uio): UioResult {
  if (uio.rw !== 'write') return err('EINVAL');
  if (uio.offset !== 0) return err('EINVAL');
  if (uio.data.length > PROCFS_NOTELEN) return err('EMSGSIZE');
  return err('EOPNOTSUPP');
}
