/**
 * Files and descriptor tables (sys/sys/file.h, sys/kern/kern_descrip.c):
 * every DTYPE, lowest-free numbers, close, dup2, fork copies, close-on-exec.
 */
import type { Cred } from './cred.ts';
import type { Vnode } from './vnode.ts';

/** f_type values (sys/sys/file.h). DTYPE_MEMFD's number is inferred (next after TIMERFD). */
export const DTYPE = {
  DTYPE_VNODE: 1,
  DTYPE_SOCKET: 2,
  DTYPE_PIPE: 3,
  DTYPE_KQUEUE: 4,
  DTYPE_MISC: 5,
  DTYPE_CRYPTO: 6,
  DTYPE_MQUEUE: 7,
  DTYPE_SEM: 8,
  DTYPE_EVENTFD: 9,
  DTYPE_TIMERFD: 10,
  DTYPE_MEMFD: 11,
} as const;
export type Dtype = keyof typeof DTYPE;

/** A pipe's buffer, shared by its two ends. */
export interface PipeBuf {
  data: string;
}

/** struct file: shared by every descriptor that refers to it (dup2, fork). */
export class File {
  /** How many descriptor slots refer to this file (f_count). */
  count = 0;
  offset = 0;
  constructor(
    public readonly type: Dtype,
    /** FREAD | FWRITE | O_EXCL etc. (f_flag) */
    public readonly flag: number,
    /** The opening credential (f_cred). */
    public readonly cred: Cred,
    /** f_vnode for DTYPE_VNODE (holds a reference), else null. */
    public readonly vnode: Vnode | null,
    public readonly pipe: PipeBuf | null = null,
  ) {}
}

export interface FdSlot {
  file: File;
  cloexec: boolean;
}

/** NDFILE: a new table's slots; it doubles when full. */
export const NDFILE = 20;
/** The descriptor limit (min(RLIMIT_NOFILE, maxfiles)) the fixture applies. */
export const FD_LIMIT = 1024;

/** struct filedesc / fdtab: slot i is descriptor i. */
export class FdTable {
  slots: (FdSlot | undefined)[] = [];
  /** dt_nfiles: the table's size, NDFILE then doubling. */
  nfiles = NDFILE;

  get(fd: number): FdSlot | undefined {
    return Number.isInteger(fd) && fd >= 0 ? this.slots[fd] : undefined;
  }

  /** fd_alloc: the lowest free number, growing the table; -1 past FD_LIMIT. */
  lowestFree(): number {
    for (let i = 0; i < FD_LIMIT; i++) if (this.slots[i] === undefined) return i;
    return -1;
  }

  /** Put `file` in slot fd (which must be free), taking a count on it. */
  install(fd: number, file: File, cloexec: boolean): void {
    while (fd >= this.nfiles) this.nfiles *= 2;
    file.count++;
    this.slots[fd] = { file, cloexec };
  }

  /** Empty slot fd and return its file (whose count the caller drops with closef). */
  remove(fd: number): File | undefined {
    const slot = this.slots[fd];
    if (slot === undefined) return undefined;
    this.slots[fd] = undefined;
    while (this.slots.length > 0 && this.slots[this.slots.length - 1] === undefined) this.slots.length--;
    return slot.file;
  }

  /** The open descriptors in ascending order. */
  openFds(): number[] {
    const fds: number[] = [];
    for (let i = 0; i < this.slots.length; i++) if (this.slots[i] !== undefined) fds.push(i);
    return fds;
  }

  /** fd_copy (fork): the same files, each with one more count. */
  copy(): FdTable {
    const t = new FdTable();
    t.nfiles = this.nfiles;
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (s !== undefined) t.install(i, s.file, s.cloexec);
    }
    return t;
  }
}
