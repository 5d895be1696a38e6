/** procfs_subr.c (rev 1.102) procfs_doemul: /proc/N/emul, the emulation's name (e_name), with no newline. */
import type { Proc } from '../emulator/proc.ts';
import { uiomoveFrombufRw } from './linux.ts';
import type { Uio, UioResult } from './subr.ts';

/**
 * procfs_doemul: uiomove_frombuf without checking the direction, so a write
 * (only root gets past mode 0444; kauth allows any target but init) copies
 * into e_name and is counted: min(resid, length - offset) bytes, 0 past the
 * end. e_name is read-only kernel data; the fixture keeps the name
 * (netbsd-procfs.md §9 item 7).
 */
export function procfsDoemul(p: Proc, uio: Uio): UioResult {
  return uiomoveFrombufRw(p.emul, uio);
}
