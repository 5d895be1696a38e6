/**
 * Mounts and file system types (sys/kern/vfs_mount.c, vfs_init.c, vfs_trans.c):
 * vfs_attach/vfs_detach, the mount list, vflush, vfs_suspend/vfs_resume.
 */
import type { Err } from './errno.ts';
import { err } from './errno.ts';
import type { Kernel } from './kernel.ts';
import type { Ctx, Vnode, VnodeOps } from './vnode.ts';
import { vgone, vrecycle } from './vnode.ts';
import { declareMarks } from './marks.ts';

const mark = declareMarks('emulator/mount.ts', {
  'vfs_suspend: IMNT_GONE -> ENOENT': 'vfs_suspend is asked for a mount by unmount (through a live vnode on it) and by the exec hook (for a hashed node): a gone mount has neither',
  'vfs_suspend: the dead mount -> EOPNOTSUPP': 'unmount of a path on dead_rootmount is EINVAL first (not VV_ROOT), and the exec hook suspends only a hashed node\'s live mount',
  'vfs_suspend: suspended': null,
  'vflush: not loaded, skipped': 'the vnode cache holds loaded vnodes only between operations (loading and reclaiming finish inside one call)',
  'vflush: unused vnode recycled': null,
  'vflush: FORCECLOSE vgone of a vnode in use': null,
  'vflush: vnode in use, busy': null,
  'vflush: clean': null,
  'vflush: still busy after three passes -> EBUSY': null,
});

/** mnt_flag bits (sys/mount.h). */
export const MNT_RDONLY = 0x1;
export const MNT_NOEXEC = 0x4;
export const MNT_NOSUID = 0x8;
export const MNT_LOCAL = 0x1000;
export const MNT_FORCE = 0x80000;
/** vflush flags */
export const FORCECLOSE = 0x2;

/**
 * The data handed to mount(2). `len` is data_len in bytes; a procfs_args is
 * 8 bytes ({int version; int flags;}), shorter data carries no fields.
 */
export interface MountData {
  len: number;
  version: number;
  flags: number;
}

export type MountOp = 'new' | 'update' | 'getargs';

export interface Statvfs {
  bsize: number;
  frsize: number;
  iosize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  favail: number;
  namemax: number;
  fstype: string;
  mntfromname: string;
  mntonname: string;
}

/** struct vfsops: what a file system type provides. */
export interface VfsOps {
  readonly name: string;
  readonly minMountData: number;
  readonly vnodeops: VnodeOps;
  /** VFS_MOUNT: a new mount, MNT_UPDATE, or MNT_GETARGS (which returns the arguments). */
  mount(ctx: Ctx, mp: Mount, path: string, data: MountData | null, op: MountOp): Err | MountData | undefined;
  unmount(ctx: Ctx, mp: Mount, mntflags: number): Err | undefined;
  root(ctx: Ctx, mp: Mount): Vnode | Err;
  statvfs(ctx: Ctx, mp: Mount): Statvfs | Err;
  loadvnode(ctx: Ctx, mp: Mount, vp: Vnode, key: string): Err | undefined;
  vget(): Err;
  fhtovp(): Err;
  vptofh(): Err;
  quotactl(): Err;
  snapshot(): Err;
  sync(): Err | undefined;
}

export class Mount {
  /** The per-mount vnode cache: key to vnode, in load order. */
  readonly vcache = new Map<string, Vnode>();
  flag = 0;
  data: unknown = null;
  namemax = 255;
  suspended = 0;
  unmounting = false;
  gone = false;
  readonly id: number;

  constructor(
    public readonly k: Kernel,
    public readonly ops: VfsOps,
    /** The absolute path of the mount point, without a trailing '/'; '' for the root file system. */
    public readonly path: string,
    /** mnt_vnodecovered: the directory this mount sits on (held), or null for the root mount. */
    public covered: Vnode | null,
  ) {
    this.id = k.mountSeq++;
  }

  get vnodeops(): VnodeOps {
    return this.ops.vnodeops;
  }
}

/** vfs_suspend: take the mount through fstrans suspension (here: a counter; nothing to drain). */
export function vfsSuspend(mp: Mount): Err | undefined {
  if (mp.gone) {
    mark('vfs_suspend: IMNT_GONE -> ENOENT');
    return err('ENOENT'); // IMNT_GONE
  }
  if (mp === mp.k.deadMount) {
    mark('vfs_suspend: the dead mount -> EOPNOTSUPP');
    return err('EOPNOTSUPP');
  }
  mark('vfs_suspend: suspended');
  mp.suspended++;
  return undefined;
}

export function vfsResume(mp: Mount): void {
  if (mp.suspended <= 0) throw new Error(`vfs_resume: ${mp.path} not suspended`);
  mp.suspended--;
}

/**
 * vflush: up to three passes over the mount's vnodes; each is recycled if the
 * iterator holds the only reference, else gone with FORCECLOSE, else busy.
 * (A VBLK/VCHR with other users would become anonymous; procfs has none.)
 */
export function vflush(mp: Mount, flags: number): Err | undefined {
  for (let pass = 0; pass < 3; pass++) {
    let busy = 0;
    for (const vp of [...mp.vcache.values()]) {
      if (vp.state !== 'loaded') {
        mark('vflush: not loaded, skipped');
        continue;
      }
      vp.usecount++; // the iterator's reference (vfs_vnode_iterator_next)
      if (vrecycle(vp)) {
        mark('vflush: unused vnode recycled');
        continue;
      }
      if (flags & FORCECLOSE) {
        mark('vflush: FORCECLOSE vgone of a vnode in use');
        vgone(vp);
        continue;
      }
      mark('vflush: vnode in use, busy');
      vp.usecount--;
      busy++;
    }
    if (busy === 0) {
      mark('vflush: clean');
      return undefined;
    }
  }
  mark('vflush: still busy after three passes -> EBUSY');
  return err('EBUSY');
}
