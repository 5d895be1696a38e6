/**
 * procfs_map.c (rev 1.45): /proc/N/map (NetBSD's format) and /proc/N/maps
 * (Linux's format), built whole from the process's vm_map and then read
 * from uio_offset.
 */
import { err, isErr } from '../emulator/errno.ts';
import type { Proc } from '../emulator/proc.ts';
import { getcwdCommon } from '../emulator/vfs_getcwd.ts';
import type { Ctx, Vnode } from '../emulator/vnode.ts';
import type { Uio, UioResult } from './subr.ts';
import { uiomoveFrombuf } from './subr.ts';

/** VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE as the three letters procfs prints. */
type Prot = 'r-x' | 'rw-' | 'rwx';

/** One struct vm_map_entry of the fixture's address space. */
export interface VmMapEntry {
  start: number;
  end: number;
  protection: Prot;
  maxProtection: Prot;
  /** UVM_ET_COPYONWRITE (private mapping) and UVM_ET_NEEDSCOPY (no private amap yet). */
  copyOnWrite: boolean;
  needsCopy: boolean;
  /** UVM_INH_COPY (1), wired_count, UVM_ADV_NORMAL (0). */
  inheritance: number;
  wiredCount: number;
  advice: number;
  /** entry->offset into the backing object. */
  offset: number;
  /** The vnode behind the entry (UVM_OBJ_IS_VNODE), or null for anonymous memory. */
  vnode: Vnode | null;
}

/** Where the stack entry begins; it ends at USRSTACK. */
const STACK_START = 0x7f7fff800000;

/**
 * The fixture's address space: program text, program data and the stack.
 * The text is mapped at address 0 (unlike amd64, which leaves page 0
 * unmapped) so that a pread of mem at the default offset 0 reads program
 * text. Text was never written (still needs-copy); data and stack have
 * their own pages. Every exec mapping may be made rwx (max protection).
 */
export function procMappings(ctx: Ctx, p: Proc): VmMapEntry[] {
  const pg = ctx.k.pageSize;
  return [
    mapEntry(0, TEXT_PAGES * pg, 'r-x', true, 0, p.textvp),
    mapEntry(DATA_START, DATA_START + DATA_PAGES * pg, 'rw-', false, TEXT_PAGES * pg, p.textvp),
    mapEntry(STACK_START, STACK_START + STACK_PAGES * pg, 'rw-', false, 0, null),
  ];
}

/** The pages of the text, data and stack entries (vm_tsize, vm_dsize, vm_ssize). */
const TEXT_PAGES = 16;
const DATA_PAGES = 8;
const STACK_PAGES = 4;
const DATA_START = 0x600000;

/** One private (copy-on-write) entry with the fixture's fixed attributes: max protection rwx, UVM_INH_COPY, unwired, UVM_ADV_NORMAL. */
function mapEntry(start: number, end: number, protection: Prot, needsCopy: boolean, offset: number, vnode: Vnode | null): VmMapEntry {
  return { start, end, protection, maxProtection: 'rwx', copyOnWrite: true, needsCopy, inheritance: 1, wiredCount: 0, advice: 0, offset, vnode };
}

/** The bytes the three entries map, ctob(vm_tsize + vm_dsize + vm_ssize): procfs_getattr's size of mem. */
export function procMappedBytes(ctx: Ctx): number {
  return (TEXT_PAGES + DATA_PAGES + STACK_PAGES) * ctx.k.pageSize;
}

/** USRSTACK (p_stackbase): the top of the stack entry. */
export function usrstack(ctx: Ctx, p: Proc): number {
  return procMappings(ctx, p).at(-1)!.end;
}

/** The device behind the root file system (va_fsid of its vnodes): wd0a, block major 0, minor 0. */
const ROOT_FSID = { major: 0, minor: 0 };

/** e_path of the emulations that have one (emul_linux: "/emul/linux"). */
const EMUL_PATH: Partial<Record<Proc['emul'], string>> = { linux: '/emul/linux' };

/** printf's %#lx: 0 stays "0", anything else gets "0x". */
const altHex = (n: number) => (n === 0 ? '0' : `0x${n.toString(16)}`);

/** printf's %.*lx with a precision: at least that many hex digits, zero-filled. */
const hexDigits = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** The native line of one entry: start end prot maxprot COW|NCOW NC|NNC inheritance wired advice. */
function mapLineNetbsd(e: VmMapEntry): string {
  return `${altHex(e.start)} ${altHex(e.end)} ${e.protection} ${e.maxProtection} ` +
    `${e.copyOnWrite ? 'COW' : 'NCOW'} ${e.needsCopy ? 'NC' : 'NNC'} ${e.inheritance} ${e.wiredCount} ${e.advice}\n`;
}

/**
 * vnode_to_path (vfs_getcwd.c): the vnode's path from the real root; a
 * reader of the same emulation as the target sees it without the
 * emulation's e_path prefix. No name (a vnode outside the root file
 * system): the empty path.
 */
function vnodeToPath(ctx: Ctx, vp: Vnode, p: Proc): string {
  const path = getcwdCommon(ctx.k, vp, null);
  if (isErr(path)) return '';
  const epath = EMUL_PATH[ctx.p.emul];
  if (ctx.p.emul === p.emul && epath !== undefined && path.startsWith(epath)) return path.slice(epath.length);
  return path;
}

/**
 * The Linux line of one entry: addresses and offset padded to the pointer
 * width (16 digits: the reader is never PK_32), dev as %.2llx:%.2llx, the
 * file id left-aligned in 8 columns, 25 blank columns, then the path.
 */
function mapLineLinux(ctx: Ctx, p: Proc, e: VmMapEntry): string {
  const width = 16;
  let dev = { major: 0, minor: 0 };
  let fileid = 0;
  let path = '';
  if (e.vnode !== null) {
    const va = e.vnode.ops.getattr(ctx, e.vnode);
    if (!isErr(va)) {
      fileid = va.fileid;
      dev = ROOT_FSID;
      path = vnodeToPath(ctx, e.vnode, p);
    }
  }
  return `${hexDigits(e.start, width)}-${hexDigits(e.end, width)} ${e.protection}${e.copyOnWrite ? 'p' : 's'} ` +
    `${hexDigits(e.offset, width)} ${hexDigits(dev.major, 2)}:${hexDigits(dev.minor, 2)} ` +
    `${String(fileid).padEnd(8)} ${' '.repeat(25)} ${path}\n`;
}

/**
 * procfs_domap: anything but a read is EOPNOTSUPP; `linuxmode` selects the
 * /proc/N/maps format. The whole text is built, then served from
 * uio_offset ("we support reading from an offset, because linux does").
 */
export function procfsDomap(ctx: Ctx, p: Proc, uio: Uio, linuxmode: boolean): UioResult {
  if (uio.rw !== 'read') return err('EOPNOTSUPP');
  const entries = procMappings(ctx, p);
  const text = entries.map((e) => (linuxmode ? mapLineLinux(ctx, p, e) : mapLineNetbsd(e))).join('');
  return uiomoveFrombuf(text, uio);
}
