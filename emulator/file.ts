/**
 * Files and descriptor tables (sys/sys/file.h, sys/sys/filedesc.h,
 * sys/kern/kern_descrip.c 1.228.2.1): every DTYPE, the table's slots and how
 * it grows (fd_alloc, fd_tryexpand) and what fork copies (fd_copy).
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

/** NDFILE (sys/filedesc.h): the slots of a new table (fd_dtbuiltin). */
export const NDFILE = 20;
/** NDEXTENT (sys/filedesc.h): the size of the first expansion; later ones double. */
export const NDEXTENT = 50;

/** fd_alloc's answer: a slot, no room below the limit (EMFILE), or room after an expansion (ENOSPC). */
export type FdAllocResult = number | 'EMFILE' | 'ENOSPC';

/** struct filedesc / fdtab: slot i is descriptor i; `nfiles` slots exist (dt_nfiles). */
export class FdTable {
  /** dt_ff: slot i holds descriptor i; trailing free slots are trimmed, so length - 1 is fd_lastfile. */
  slots: (FdSlot | undefined)[] = [];
  /** dt_nfiles: the table's size, NDFILE, then NDEXTENT, then doubling (fd_tryexpand). */
  nfiles = NDFILE;

  get(fd: number): FdSlot | undefined {
    return Number.isInteger(fd) && fd >= 0 && fd < this.nfiles ? this.slots[fd] : undefined;
  }

  /** fd_lastfile: the highest open descriptor, -1 when none is. */
  get lastfile(): number {
    return this.slots.length - 1;
  }

  /**
   * fd_alloc: the lowest free slot at or above `want` below min(dt_nfiles,
   * lim); none there gives EMFILE when the table already has `lim` slots,
   * else ENOSPC (the caller expands and retries).
   */
  alloc(want: number, lim: number): FdAllocResult {
    const last = Math.min(this.nfiles, lim);
    for (let i = Math.max(want, 0); i < last; i++) if (this.slots[i] === undefined) return i;
    return this.nfiles >= lim ? 'EMFILE' : 'ENOSPC';
  }

  /** fd_tryexpand: to NDEXTENT from the built-in table, then twice the size. */
  tryexpand(): void {
    this.nfiles = this.nfiles < NDEXTENT ? NDEXTENT : 2 * this.nfiles;
  }

  /** fd_affix: put `file` in slot fd (inside the table, free), taking a count on it. */
  install(fd: number, file: File, cloexec: boolean): void {
    if (!Number.isInteger(fd) || fd < 0 || fd >= this.nfiles || this.slots[fd] !== undefined) {
      throw new Error(`fd_affix: slot ${fd} of a ${this.nfiles}-slot table is not free`);
    }
    file.count++;
    this.slots[fd] = { file, cloexec };
  }

  /** Empty slot fd and return its file (whose count the caller drops with closef). */
  remove(fd: number): File | undefined {
    const slot = this.get(fd);
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

  /**
   * fd_copy (fork): the same files, each with one more count, except kqueue
   * descriptors, whose slots stay free in the child. The child's table is
   * NDFILE slots when the parent's fd_lastfile (kqueues included) is below
   * NDFILE; otherwise the parent's size, halved while it is at least
   * 2 * NDEXTENT and more than twice fd_lastfile.
   */
  copy(): FdTable {
    const t = new FdTable();
    const lastfile = this.lastfile;
    if (lastfile >= NDFILE) {
      let n = this.nfiles;
      while (n >= 2 * NDEXTENT && n > lastfile * 2) n /= 2;
      t.nfiles = n;
    }
    for (let i = 0; i <= lastfile; i++) {
      const s = this.slots[i];
      if (s === undefined || s.file.type === 'DTYPE_KQUEUE') continue;
      t.install(i, s.file, s.cloexec);
    }
    return t;
  }
}
