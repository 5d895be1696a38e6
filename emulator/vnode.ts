/**
 * Vnodes and the vnode cache (sys/kern/vfs_vnode.c 1.130): vcache_get, vref,
 * vrele with VOP_INACTIVE deciding recycling, vrecycle, vgone. There is no
 * memory pressure: an unreferenced vnode stays cached until its file system's
 * inactive routine, a hook or an unmount removes it.
 */
import type { Cred } from './cred.ts';
import type { Err } from './errno.ts';
import { err } from './errno.ts';
import type { Kernel } from './kernel.ts';
import type { Mount } from './mount.ts';
import type { Proc } from './proc.ts';
import { declareMarks } from './marks.ts';

const mark = declareMarks('emulator/vnode.ts', {
  'vcache_get: cached': null,
  'vcache_get: mount going away -> ENOENT': 'lookups reach a mount through its live vnodes; an unmount reclaims them all (vflush) before the mount is gone, and nothing loads during its vflush',
  'vcache_get: VFS_LOADVNODE fails': null,
  'vcache_get: loaded': null,
  'vrele: last reference, VOP_INACTIVE asks to recycle': null,
  'vrele: last reference, VOP_INACTIVE keeps it': null,
  'vrele: last reference to a reclaimed vnode': null,
  'vcache_reclaim: revoked while others hold it': null,
  'vcache_reclaim: reclaimed': null,
  'vrecycle: already reclaimed': 'both callers (procfs_exechook_cb after vcache_get, vflush after its state check) hold a loaded vnode',
  'vrecycle: in use, kept': null,
  'vrecycle: recycled': null,
  'vgone: reclaims a loaded vnode': null,
  'vgone: already reclaimed': 'both callers (procfs_exechook_cb after vrecycle kept it, vflush with FORCECLOSE) hold a loaded vnode',
});

export type Vtype = 'VNON' | 'VREG' | 'VDIR' | 'VBLK' | 'VCHR' | 'VLNK' | 'VSOCK' | 'VFIFO' | 'VBAD';
export type VnodeState = 'loading' | 'loaded' | 'reclaiming' | 'reclaimed';
export type DirentType = 'DT_UNKNOWN' | 'DT_FIFO' | 'DT_CHR' | 'DT_DIR' | 'DT_BLK' | 'DT_REG' | 'DT_LNK' | 'DT_SOCK';

/** The calling LWP: curlwp, its process and its credential (l_cred). */
export interface Ctx {
  readonly k: Kernel;
  readonly p: Proc;
  readonly cred: Cred;
}

export interface Vattr {
  type: Vtype;
  mode: number; // permission and set-id bits (07777)
  uid: number;
  gid: number;
  nlink: number;
  size: number;
  fileid: number;
  blocksize: number;
}

export interface Dirent {
  name: string;
  fileno: number;
  type: DirentType;
}

/** VOP_ACCESS modes (sys/vnode.h). */
export const VREAD = 0o400;
export const VWRITE = 0o200;
export const VEXEC = 0o100;

/** fflags (sys/fcntl.h): FREAD, FWRITE, O_EXCL as VOP_OPEN sees them. */
export const FREAD = 0x1;
export const FWRITE = 0x2;
export const O_EXCL = 0x800;
/** O_DIRECTORY: vn_open refuses anything but a directory (ENOTDIR). */
export const O_DIRECTORY = 0x200000;

/** v_vflag */
export const VV_ROOT = 0x1;
/** v_iflag: VI_TEXT, the vnode is a process's text (vn_marktext); cleared by the last vrele (vrelel). */
export const VI_TEXT = 0x10;

/** The vnode operations vector (vnodeop_desc); every file system fills all of it. */
export interface VnodeOps {
  readonly tag: string;
  lookup(ctx: Ctx, dvp: Vnode, name: string): Vnode | Err;
  getattr(ctx: Ctx, vp: Vnode): Vattr | Err;
  access(ctx: Ctx, vp: Vnode, mode: number): Err | undefined;
  open(ctx: Ctx, vp: Vnode, fflags: number): Err | undefined;
  close(ctx: Ctx, vp: Vnode, fflags: number): Err | undefined;
  read(ctx: Ctx, vp: Vnode, offset: number, size: number): string | Err;
  write(ctx: Ctx, vp: Vnode, offset: number, data: string): number | Err;
  readdir(ctx: Ctx, vp: Vnode): Dirent[] | Err;
  readlink(ctx: Ctx, vp: Vnode): string | Err;
  /** VOP_INACTIVE: the last reference went away; true asks for the vnode to be recycled. */
  inactive(vp: Vnode): boolean;
  reclaim(vp: Vnode): void;
}

export class Vnode {
  type: Vtype = 'VNON';
  state: VnodeState = 'loading';
  usecount = 0;
  vflag = 0;
  /** v_iflag (VI_TEXT). */
  iflag = 0;
  /** v_size (uvm_vnp_setsize): what the file system last set; procfs leaves it 0. */
  vsize = 0;
  data: unknown = null;
  /** The mount mounted on this vnode (v_mountedhere). */
  mountedHere: Mount | null = null;
  /** Load order, unique per kernel: lets a checker tell a reloaded key from the old vnode. */
  readonly seq: number;

  constructor(
    public mount: Mount,
    public readonly key: string,
    public ops: VnodeOps,
  ) {
    this.seq = mount.k.vnodeSeq++;
  }
}

/** vref: take another reference on a vnode the caller already holds. */
export function vref(vp: Vnode): void {
  if (vp.usecount <= 0) throw new Error(`vref: unreferenced vnode ${vp.key}`);
  vp.usecount++;
}

/** vcache_get: find or load the vnode for (mp, key), with a reference. */
export function vcacheGet(ctx: Ctx, mp: Mount, key: string): Vnode | Err {
  const cached = mp.vcache.get(key);
  if (cached !== undefined) {
    mark('vcache_get: cached');
    cached.usecount++;
    return cached;
  }
  if (mp.unmounting || mp.gone) {
    mark('vcache_get: mount going away -> ENOENT');
    return err('ENOENT'); // vfs_busy fails on a mount going away
  }
  const vp = new Vnode(mp, key, mp.vnodeops);
  mp.vcache.set(key, vp);
  const e = mp.ops.loadvnode(ctx, mp, vp, key);
  if (e !== undefined) {
    mark('vcache_get: VFS_LOADVNODE fails');
    mp.vcache.delete(key);
    vp.state = 'reclaimed';
    return e;
  }
  mark('vcache_get: loaded');
  vp.state = 'loaded';
  vp.usecount = 1;
  mp.k.emit({ kind: 'vnode-loaded', vnode: vp, mount: mp, key, callerPid: ctx.p.pid, seq: vp.seq });
  return vp;
}

/** vrele: drop a reference; the last one runs VOP_INACTIVE, which may ask to recycle. */
export function vrele(vp: Vnode): void {
  if (vp.usecount <= 0) throw new Error(`vrele: unreferenced vnode ${vp.key}`);
  vp.usecount--;
  if (vp.usecount > 0) return;
  if (vp.state !== 'loaded') {
    mark('vrele: last reference to a reclaimed vnode');
    return;
  }
  const recycle = vp.ops.inactive(vp);
  mark(recycle ? 'vrele: last reference, VOP_INACTIVE asks to recycle' : 'vrele: last reference, VOP_INACTIVE keeps it');
  vp.iflag &= ~VI_TEXT; // vrelel: after VOP_INACTIVE, whether or not it recycles
  vp.mount.k.emit({ kind: 'vnode-inactive', vnode: vp, mount: vp.mount, key: vp.key, recycle });
  if (recycle) vcacheReclaim(vp, false);
}

/**
 * vcache_reclaim (vclean in the stored 1.37): VOP_RECLAIM, then the vnode
 * belongs to deadfs (v_op = dead_vnodeop_p, so its tag, v_tag, is VT_NON;
 * moved to dead_rootmount, VV_ROOT cleared, v_type and v_size kept).
 * `revoked` says others still hold it (they now see deadfs).
 */
function vcacheReclaim(vp: Vnode, revoked: boolean): void {
  const mp = vp.mount;
  mark(revoked ? 'vcache_reclaim: revoked while others hold it' : 'vcache_reclaim: reclaimed');
  vp.state = 'reclaiming';
  vp.ops.reclaim(vp);
  mp.vcache.delete(vp.key);
  vp.state = 'reclaimed';
  vp.ops = deadVnodeops;
  vp.vflag &= ~VV_ROOT;
  vp.mount = mp.k.deadMount;
  mp.k.emit({ kind: 'vnode-evicted', vnode: vp, mount: mp, key: vp.key, revoked });
}

/**
 * vrecycle: reclaim the vnode if the caller holds the only reference.
 * On false the caller still holds its reference.
 */
export function vrecycle(vp: Vnode): boolean {
  if (vp.state === 'reclaimed') {
    mark('vrecycle: already reclaimed');
    vp.usecount--;
    return true;
  }
  if (vp.usecount !== 1) {
    mark('vrecycle: in use, kept');
    return false;
  }
  mark('vrecycle: recycled');
  vcacheReclaim(vp, false);
  vp.usecount = 0;
  return true;
}

/** vgone: reclaim now whoever holds it (a revoke), then drop the caller's reference. */
export function vgone(vp: Vnode): void {
  const mp = vp.mount;
  if (mp !== mp.k.deadMount && mp.suspended === 0) {
    throw new Error(`vgone: mount ${mp.path} not suspended (fstrans_is_owner)`);
  }
  mark(vp.state === 'loaded' ? 'vgone: reclaims a loaded vnode' : 'vgone: already reclaimed');
  if (vp.state === 'loaded') vcacheReclaim(vp, vp.usecount > 1);
  vp.usecount--;
}

/** deadfs (sys/miscfs/deadfs/dead_vnops.c 1.59): what a revoked vnode answers. */
export const deadVnodeops: VnodeOps = {
  tag: 'VT_NON',
  lookup: () => err('ENOENT'), // dead_lookup
  getattr: () => err('EBADF'), // dead_default_error
  access: () => err('EBADF'),
  open: () => err('ENXIO'), // dead_open
  close: () => undefined, // dead_close = nullop
  read: () => err('EIO'), // dead_read (EOF only for a tty)
  write: () => err('EIO'), // dead_write
  readdir: () => err('EBADF'),
  readlink: () => err('EBADF'),
  inactive: () => false,
  reclaim: () => undefined,
};
