/** procfs_emul.c: /proc/N/emul, the emulation's name (e_name), with no newline. */
import type { Proc } from '../emulator/proc.ts';
import type { Uio, UioResult } from './subr.ts';

/**
 * procfs_doemul: uiomove_frombuf without checking direction, so a write
 * (only root gets past mode 0444) would copy into e_name, a string in
 * read-only kernel data. The fixture counts the bytes as written and keeps
 * the name (derived from procfs_doemul; see netbsd-procfs.md §9 item 7).
 */
export function procfsDoemul(p: Proc, uio: Uio): UioResult {
  const name = p.emul;
  if (uio.rw === 'read') return name.slice(uio.offset, uio.offset + uio.size);
  return Math.max(0, Math.min(uio.data.length, name.length - uio.offset));
}
