/** procfs_mem.c and procfs_regs.c/procfs_fpregs.c: the process's memory and registers. */
import { err } from '../emulator/errno.ts';
import type { Proc } from '../emulator/proc.ts';
import type { Ctx } from '../emulator/vnode.ts';
import { procMappedBytes, procMappings } from './map.ts';
import type { Uio, UioResult } from './subr.ts';
import { declareMarks } from '../emulator/marks.ts';

const mark = declareMarks('procfs/mem.ts', {
  'procfs_domem: nothing to move': null,
  'procfs_domem: proc0 has no user pages -> EFAULT': null,
  'procfs_domem: write outside the mappings -> EFAULT': null,
  'procfs_domem: write': null,
  'procfs_domem: read outside the mappings -> EFAULT': null,
  'procfs_domem: read': null,
});

/** sizeof(struct reg) and sizeof(struct fpreg) on amd64. */
export const REG_SIZE = 26 * 8;
export const FPREG_SIZE = 512;

/** procfs_getattr's size of mem: ctob(vm_tsize + vm_dsize + vm_ssize), the text, data and stack mappings. */
export function procMemSize(ctx: Ctx, _p: Proc): number {
  return procMappedBytes(ctx);
}

/**
 * The byte at address `a`: what was written there, else a pattern of the
 * image's pages, keyed by the address space (a fork's copy reads the same,
 * an exec's new space does not).
 */
function memByte(p: Proc, a: number): number {
  const vm = p.vmspace;
  return vm.writes.get(a) ?? (a * 31 + vm.id) & 0xff;
}

/**
 * procfs_domem (process_domem/uvm_io): nothing to move returns at once;
 * otherwise reads and writes at the offset as an address, inside the
 * mappings, EFAULT outside them. proc0's vmspace0 maps no user pages, so it
 * always faults (inferred from uvm_io on an empty map).
 */
export function procfsDomem(ctx: Ctx, p: Proc, uio: Uio): UioResult {
  if ((uio.rw === 'read' ? uio.size : uio.data.length) === 0) {
    mark('procfs_domem: nothing to move');
    return uio.rw === 'read' ? '' : 0;
  }
  if (p.system) {
    mark('procfs_domem: proc0 has no user pages -> EFAULT');
    return err('EFAULT');
  }
  const maps = procMappings(ctx, p);
  const inside = (a: number) => maps.some((m) => a >= m.start && a < m.end);
  if (uio.rw === 'write') {
    if (uio.data.length > 0 && !inside(uio.offset)) {
      mark('procfs_domem: write outside the mappings -> EFAULT');
      return err('EFAULT');
    }
    mark('procfs_domem: write');
    for (let i = 0; i < uio.data.length && inside(uio.offset + i); i++) p.vmspace.writes.set(uio.offset + i, uio.data.charCodeAt(i));
    return uio.data.length;
  }
  let s = '';
  for (let i = 0; i < uio.size && inside(uio.offset + i); i++) s += String.fromCharCode(memByte(p, uio.offset + i));
  if (s === '' && uio.size > 0 && !inside(uio.offset)) {
    mark('procfs_domem: read outside the mappings -> EFAULT');
    return err('EFAULT');
  }
  mark('procfs_domem: read');
  return s;
}

/**
 * process_doregs / process_dofpregs (proc_regio): an offset past the block is
 * EINVAL; reads give the register block; a write needs the LWP stopped
 * (LSSTOP), which the fixture never is: EBUSY.
 */
function doRegBlock(size: number, uio: Uio): UioResult {
  if (uio.offset > size) return err('EINVAL');
  if (uio.rw === 'write') return err('EBUSY');
  return '\0'.repeat(Math.min(uio.size, size - uio.offset));
}

export function procfsDoregs(_ctx: Ctx, _p: Proc, uio: Uio): UioResult {
  return doRegBlock(REG_SIZE, uio);
}

export function procfsDofpregs(_ctx: Ctx, _p: Proc, uio: Uio): UioResult {
  return doRegBlock(FPREG_SIZE, uio);
}
