/**
 * procfs.h: node types, the vcache key, the pfsnode, file numbers and the
 * module's global state (the pid hash). NetBSD procfs.h 1.83/1.84.
 */
import type { Kernel } from '../emulator/kernel.ts';
import type { KauthListener } from '../emulator/kauth.ts';
import type { ProcHook } from '../emulator/hooks.ts';
import type { Mount, VfsOps } from '../emulator/mount.ts';
import type { Vnode } from '../emulator/vnode.ts';

/** pfstype, sorted by name as at the baseline; the index is the enum value. */
export const PFSTYPES = [
  'auxv', 'chroot', 'cmdline', 'cpuinfo', 'cpustat', 'curproc', 'cwd', 'devices', 'emul', 'environ',
  'exe', 'fd', 'file', 'fpregs', 'loadavg', 'limit', 'map', 'maps', 'mem', 'meminfo', 'mounts',
  'note', 'notepg', 'proc', 'regs', 'root', 'self', 'stat', 'statm', 'status', 'task', 'uptime',
  'version',
] as const;
export type PfsType = (typeof PFSTYPES)[number];

/** PFSlast at the baseline (no machine-dependent types); a parameter elsewhere. */
export const PFSLAST_BASELINE = PFSTYPES.length;

const PFSTYPE_VALUE = new Map<PfsType, number>(PFSTYPES.map((t, i) => [t, i]));

export function pfstypeValue(t: PfsType): number {
  return PFSTYPE_VALUE.get(t)!;
}

const PFSTYPE_BY_NAME = new Map<string, PfsType>(PFSTYPES.map((t) => [t, t]));

/**
 * A key's type field as the one constant string of that name (a slice of a
 * key is a new string, and every comparison of it against a type name would
 * compare characters); an unknown name comes back as it is.
 */
function pfsTypeOf(name: string): PfsType {
  return PFSTYPE_BY_NAME.get(name) ?? (name as PfsType);
}

export const PROCFS_MAXNAMLEN = 255;
export const PROCFS_NOTELEN = 64;
export const UIO_MX = 32;
export const PROCFS_ARGSVERSION = 1;
export const PROCFSMNT_LINUXCOMPAT = 0x01;
export const PROCFS_HASHSIZE = 256;
/** sizeof(struct procfs_args) */
export const PROCFS_ARGS_SIZE = 8;

/** struct pfskey: one vnode per (mount, type, pid, fd). */
export interface PfsKey {
  type: PfsType;
  pid: number;
  fd: number;
}

/** The vcache key bytes of a pfskey (here a string: `type:pid:fd`). */
export function pfsKeyString(type: PfsType, pid: number, fd: number): string {
  const t = PFSTYPE_VALUE.get(type) ?? 0;
  const i = ((pid * 61 + fd * 7 + t) >>> 0) & (KEY_SLOTS - 1);
  const slot = keySlots[i];
  if (slot !== undefined && slot.type === type && slot.pid === pid && slot.fd === fd) return slot.key;
  const key = `${type}:${pid}:${fd}`;
  keySlots[i] = { type, pid, fd, key };
  return key;
}

/**
 * The key strings made last, one per slot of a small direct-mapped table: a
 * lookup of a node that is already cached hands vcache_get the very string it
 * stored, so the vcache's hash lookup compares one pointer instead of hashing
 * and comparing a new string. Only which string object is returned depends on
 * it, never its characters; 4 096 slots bound it.
 */
const KEY_SLOTS = 4096;
const keySlots: ({ type: PfsType; pid: number; fd: number; key: string } | undefined)[] = new Array(KEY_SLOTS).fill(undefined);

export function pfsKeyParse(key: string): PfsKey {
  // The first three ':'-separated fields, as key.split(':') would give them.
  const i = key.indexOf(':');
  if (i < 0) return { type: pfsTypeOf(key), pid: NaN, fd: NaN };
  const j = key.indexOf(':', i + 1);
  if (j < 0) return { type: pfsTypeOf(key.slice(0, i)), pid: Number(key.slice(i + 1)), fd: NaN };
  const l = key.indexOf(':', j + 1);
  return { type: pfsTypeOf(key.slice(0, i)), pid: Number(key.slice(i + 1, j)), fd: Number(l < 0 ? key.slice(j + 1) : key.slice(j + 1, l)) };
}

/**
 * PROCFS_FILENO (procfs_fileno): root 2, curproc 3, self 4; otherwise
 * ((pid + 1) << 32 | fd when fd != -1) * PFSlast + type. Exact in a double
 * for every pid below 2^21 with PFSlast <= 64.
 */
export function procfsFileno(pid: number, type: PfsType, fd: number, pfsLast: number): number {
  if (type === 'root') return 2;
  if (type === 'curproc') return 3;
  if (type === 'self') return 4;
  let ino = pid + 1;
  if (fd !== -1) ino = ino * 4294967296 + (fd >>> 0);
  return ino * pfsLast + pfstypeValue(type);
}

/** struct procfsmount */
export interface ProcfsMount {
  flags: number;
}

/** struct pfsnode */
export interface PfsNode {
  readonly type: PfsType;
  readonly pid: number;
  readonly fd: number;
  readonly vnode: Vnode;
  readonly mount: Mount;
  readonly st: ProcfsState;
  /** pfs_mode, decided at load */
  mode: number;
  /** pfs_flags: FWRITE | O_EXCL of mem opens */
  flags: number;
  readonly fileno: number;
}

export const PROCFS_EXEC_HOOK = 1;
export const PROCFS_EXIT_HOOK = 2;

/** The module's globals: procfs_hashtab and friends, one set per kernel. */
export class ProcfsState {
  hashtab: PfsNode[][] | null = null;
  listener: KauthListener | null = null;
  exechook: ProcHook | null = null;
  exithook: ProcHook | null = null;
  vfsops!: VfsOps;

  constructor(
    public readonly k: Kernel,
    public readonly pfsLast: number,
  ) {}
}

export function VFSTOPROC(mp: Mount): ProcfsMount | null {
  return mp.data as ProcfsMount | null;
}

export function VTOPFS(vp: Vnode): PfsNode {
  return vp.data as PfsNode;
}

/** procfs_use_linux_compat: the mount's PROCFSMNT_LINUXCOMPAT flag. */
export function procfsUseLinuxCompat(mp: Mount): boolean {
  return ((VFSTOPROC(mp)?.flags ?? 0) & PROCFSMNT_LINUXCOMPAT) !== 0;
}
