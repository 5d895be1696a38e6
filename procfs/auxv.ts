/**
 * procfs_auxv.c (rev 1.2.14.2): /proc/N/auxv, what proc_getauxv
 * (kern_proc.c 1.263) copies from the user stack: es_arglen bytes from the
 * start of the ELF auxiliary vector that elf_copyargs (exec_elf.c) wrote.
 */
import { err } from '../emulator/errno.ts';
import type { Proc } from '../emulator/proc.ts';
import type { Ctx } from '../emulator/vnode.ts';
import { procMappings, usrstack } from './map.ts';
import type { Uio, UioResult } from './subr.ts';
import { uiomoveFrombuf } from './subr.ts';

/** AT_* types (sys/exec_elf.h). */
const AT_NULL = 0;
const AT_PHDR = 3;
const AT_PHENT = 4;
const AT_PHNUM = 5;
const AT_PAGESZ = 6;
const AT_BASE = 7;
const AT_FLAGS = 8;
const AT_ENTRY = 9;
const AT_STACKBASE = 13;
const AT_EUID = 2000;
const AT_RUID = 2001;
const AT_EGID = 2002;
const AT_RGID = 2003;
const AT_SUN_EXECNAME = 2014;

/** ELF_AUX_ENTRIES, MAXPATHLEN, ALIGN(1) on amd64. */
const ELF_AUX_ENTRIES = 15;
const MAXPATHLEN = 1024;
const ALIGNBYTES = 8;

/**
 * es_arglen of the native ELF64 execsw, ELF64_AUXSIZE (exec_elf64.c 1.6):
 * howmany(ELF_AUX_ENTRIES * sizeof(Aux64Info), sizeof(Elf64_Addr)) +
 * MAXPATHLEN + ALIGN(1), which counts the vector in words, not bytes.
 * getattr's size of auxv.
 */
export const AUXV_SIZE = Math.ceil((ELF_AUX_ENTRIES * 16) / 8) + MAXPATHLEN + ALIGNBYTES;

/** The fixture's program headers: where they sit in the text, their size and number; the loader and entry point. */
const PHDR_OFFSET = 0x40;
const PHENT_SIZE = 56;
const PHNUM = 7;
const INTERP_BASE = 0x7f7ff7c00000;
const ENTRY_OFFSET = 0x1000;

function le64(n: number): string {
  let s = '';
  for (let i = 0; i < 8; i++) {
    s += String.fromCharCode(n % 256);
    n = Math.floor(n / 256);
  }
  return s;
}

/**
 * elf_copyargs: the vector of a dynamically linked program, AT_NULL last,
 * then the AT_SUN_EXECNAME string (p_path and its NUL). The stack below
 * USRSTACK is fresh zeroed memory, so the rest of es_arglen reads as zeros.
 */
function elfAuxv(ctx: Ctx, p: Proc): string {
  const text = procMappings(ctx, p)[0]!.start;
  const ids = p.auxIds ?? { euid: p.cred.euid, ruid: p.cred.ruid, egid: p.cred.egid, rgid: p.cred.rgid };
  const stackbase = usrstack(ctx, p);
  const vectorAt = stackbase - ctx.k.pageSize; // where the fixture's copyargs put argc/argv/envp/auxv
  const vector: [number, number][] = [
    [AT_PHDR, text + PHDR_OFFSET], [AT_PHENT, PHENT_SIZE], [AT_PHNUM, PHNUM], [AT_PAGESZ, ctx.k.pageSize],
    [AT_BASE, INTERP_BASE], [AT_FLAGS, 0], [AT_ENTRY, text + ENTRY_OFFSET],
    [AT_EUID, ids.euid], [AT_RUID, ids.ruid], [AT_EGID, ids.egid], [AT_RGID, ids.rgid],
    [AT_STACKBASE, stackbase], [AT_SUN_EXECNAME, 0], [AT_NULL, 0],
  ];
  const vlen = vector.length * 16;
  vector[vector.length - 2]![1] = vectorAt + vlen; // the name follows the vector
  const bytes = vector.map(([t, v]) => le64(t) + le64(v)).join('') + `${p.path ?? ''}\0`;
  return bytes.padEnd(AUXV_SIZE, '\0').slice(0, AUXV_SIZE);
}

/** procfs_doauxv: anything but a read is EOPNOTSUPP; a read serves proc_getauxv's buffer from uio_offset. */
export function procfsDoauxv(ctx: Ctx, p: Proc, uio: Uio): UioResult {
  if (uio.rw !== 'read') return err('EOPNOTSUPP');
  return uiomoveFrombuf(elfAuxv(ctx, p), uio);
}
