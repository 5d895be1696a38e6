/**
 * The small root file system every kernel boots with (scenario-format.md §3),
 * an in-memory ufs: inodes keyed by number, vnodes cached per inode and
 * never recycled (ufs_inactive recycles only unlinked inodes; nothing unlinks).
 */
import type { Err } from './errno.ts';
import { err } from './errno.ts';
import { genfsCanAccess, vtypeToDt } from './genfs.ts';
import type { MountData, Statvfs, VfsOps } from './mount.ts';
import { Mount } from './mount.ts';
import type { Kernel } from './kernel.ts';
import type { EmulName } from './proc.ts';
import type { Ctx, Dirent, Vattr, Vnode, VnodeOps, Vtype } from './vnode.ts';
import { VEXEC, vcacheGet, vref } from './vnode.ts';

export type RootfsType = 'file' | 'dir' | 'chr' | 'blk' | 'fifo' | 'sock' | 'link';

/** One entry of the root file system as the scenario format describes it. */
export interface RootfsEntry {
  path: string;
  type: RootfsType;
  mode: number;
  uid: number;
  gid: number;
  target?: string;
  emul?: EmulName;
}

export interface Inode {
  ino: number;
  /** The vcache key: the inode number as a string, made once (lookups hand vcache_get this same string). */
  key: string;
  type: Vtype;
  mode: number;
  uid: number;
  gid: number;
  name: string;
  parent: Inode | null;
  children: Map<string, Inode> | null;
  target: string;
  emul: EmulName;
  content: string;
}

const TYPE_TO_VTYPE: Record<RootfsType, Vtype> = {
  file: 'VREG', dir: 'VDIR', chr: 'VCHR', blk: 'VBLK', fifo: 'VFIFO', sock: 'VSOCK', link: 'VLNK',
};

const D = (path: string, mode = 0o755, uid = 0, gid = 0): RootfsEntry => ({ path, type: 'dir', mode, uid, gid });
const F = (path: string, mode: number, gid = 0, emul: EmulName = 'netbsd'): RootfsEntry =>
  ({ path, type: 'file', mode, uid: 0, gid, emul });

/** scenario-format.md §3, in creation order. */
export const DEFAULT_ROOTFS: readonly RootfsEntry[] = [
  D('/bin'), D('/sbin'), D('/usr'), D('/usr/bin'), D('/dev'), D('/etc'), D('/home'), D('/var'),
  D('/emul'), D('/emul/linux'), D('/emul/linux/bin'), D('/proc'), D('/tmp', 0o1777),
  D('/home/user', 0o755, 1000, 100),
  F('/sbin/init', 0o555), F('/bin/sh', 0o555), F('/bin/cat', 0o555), F('/usr/bin/id', 0o555),
  F('/usr/bin/passwd', 0o4555), F('/usr/bin/su', 0o4555), F('/usr/bin/wall', 0o2555, 4),
  F('/emul/linux/bin/sh', 0o555, 0, 'linux'),
  { path: '/etc/passwd', type: 'file', mode: 0o644, uid: 0, gid: 0 },
  { path: '/dev/null', type: 'chr', mode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/wd0', type: 'blk', mode: 0o640, uid: 0, gid: 5 },
  { path: '/tmp/fifo', type: 'fifo', mode: 0o666, uid: 0, gid: 0 },
  { path: '/tmp/sock', type: 'sock', mode: 0o777, uid: 0, gid: 0 },
  { path: '/etc/localtime', type: 'link', mode: 0o755, uid: 0, gid: 0, target: '/usr/share/zoneinfo/UTC' },
];

/** The file system's state: the inode table. */
export class Rootfs {
  readonly inodes = new Map<number, Inode>();
  readonly root: Inode;
  private inoNext = 2;

  constructor(entries: readonly RootfsEntry[]) {
    this.root = this.newInode({ path: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0 }, '', null);
    for (const e of entries) this.add(e);
  }

  private newInode(e: RootfsEntry, name: string, parent: Inode | null): Inode {
    const type = TYPE_TO_VTYPE[e.type];
    const n = this.inoNext++;
    const ino: Inode = {
      ino: n, key: String(n), type, mode: e.mode, uid: e.uid, gid: e.gid, name, parent,
      children: type === 'VDIR' ? new Map() : null, target: e.target ?? '', emul: e.emul ?? 'netbsd',
      content: contentFor(e),
    };
    this.inodes.set(ino.ino, ino);
    return ino;
  }

  /** Add or replace (a non-directory) entry; the parent must exist. Throws on a bad entry. */
  add(e: RootfsEntry): void {
    const parts = e.path.split('/').filter((s) => s !== '');
    const name = parts.pop();
    if (name === undefined) throw new Error(`rootfs: cannot replace '/'`);
    let dir = this.root;
    for (const part of parts) {
      const next = dir.children?.get(part);
      if (next === undefined || next.children === null) throw new Error(`rootfs: ${e.path}: no parent directory`);
      dir = next;
    }
    const old = dir.children!.get(name);
    if (old !== undefined && old.type === 'VDIR') throw new Error(`rootfs: ${e.path}: cannot replace a directory`);
    if (old !== undefined) this.inodes.delete(old.ino);
    dir.children!.set(name, this.newInode(e, name, dir));
  }

  /** The absolute path of an inode. */
  pathOf(ino: Inode): string {
    const parts: string[] = [];
    for (let n: Inode | null = ino; n !== null && n.parent !== null; n = n.parent) parts.push(n.name);
    return '/' + parts.reverse().join('/');
  }
}

function contentFor(e: RootfsEntry): string {
  if (e.type !== 'file') return '';
  if (e.path === '/etc/passwd') return 'root:*:0:0:Charlie &:/root:/bin/sh\nuser:*:1000:100::/home/user:/bin/sh\n';
  if (e.mode & 0o111) return `\x7fELF ${e.emul ?? 'netbsd'} ${e.path}\n`;
  return '';
}

export function rootfsInode(vp: Vnode): Inode {
  return vp.data as Inode;
}

/** ufs_lookup */
function rootfsLookup(ctx: Ctx, dvp: Vnode, name: string): Vnode | Err {
  const dir = rootfsInode(dvp);
  if (dir.children === null) return err('ENOTDIR');
  const e = rootfsAccess(ctx, dvp, VEXEC);
  if (e !== undefined) return e;
  if (name === '.') {
    vref(dvp);
    return dvp;
  }
  const child = name === '..' ? (dir.parent ?? dir) : dir.children.get(name);
  if (child === undefined) return err('ENOENT');
  return vcacheGet(ctx, dvp.mount, child.key);
}

/** The size of an inode: a block for directories, the target for links, the content for files. */
function inodeSize(n: Inode): number {
  return n.type === 'VDIR' ? 512 : n.type === 'VLNK' ? n.target.length : n.content.length;
}

function rootfsGetattr(_ctx: Ctx, vp: Vnode): Vattr {
  const n = rootfsInode(vp);
  const size = inodeSize(n);
  const nlink = n.children === null ? 1 : 2 + [...n.children.values()].filter((c) => c.type === 'VDIR').length;
  return { type: n.type, mode: n.mode, uid: n.uid, gid: n.gid, nlink, size, fileid: n.ino, blocksize: 512 };
}

function rootfsAccess(ctx: Ctx, vp: Vnode, mode: number): Err | undefined {
  const n = rootfsInode(vp);
  return genfsCanAccess(ctx.cred, ctx.p.groups, n.type, n.mode, n.uid, n.gid, mode);
}

function rootfsRead(_ctx: Ctx, vp: Vnode, offset: number, size: number): string | Err {
  const n = rootfsInode(vp);
  if (n.type === 'VDIR') return err('EISDIR');
  return n.content.slice(offset, offset + size);
}

function rootfsWrite(_ctx: Ctx, vp: Vnode, offset: number, data: string): number | Err {
  const n = rootfsInode(vp);
  if (n.type === 'VDIR') return err('EISDIR');
  if (n.type === 'VREG') {
    n.content = n.content.padEnd(offset, '\0').slice(0, offset) + data + n.content.slice(offset + data.length);
    vp.vsize = n.content.length; // uvm_vnp_setsize
  }
  return data.length;
}

function rootfsReaddir(_ctx: Ctx, vp: Vnode): Dirent[] | Err {
  const n = rootfsInode(vp);
  if (n.children === null) return err('ENOTDIR');
  const out: Dirent[] = [
    { name: '.', fileno: n.ino, type: 'DT_DIR' },
    { name: '..', fileno: (n.parent ?? n).ino, type: 'DT_DIR' },
  ];
  for (const [name, c] of n.children) out.push({ name, fileno: c.ino, type: vtypeToDt(c.type) });
  return out;
}

function rootfsReadlink(_ctx: Ctx, vp: Vnode): string | Err {
  const n = rootfsInode(vp);
  return n.type === 'VLNK' ? n.target : err('EINVAL');
}

export const rootfsVnodeops: VnodeOps = {
  tag: 'VT_UFS',
  lookup: rootfsLookup,
  getattr: rootfsGetattr,
  access: rootfsAccess,
  open: () => undefined,
  close: () => undefined,
  read: rootfsRead,
  write: rootfsWrite,
  readdir: rootfsReaddir,
  readlink: rootfsReadlink,
  inactive: () => false,
  reclaim: () => undefined,
};

const eopnotsupp = (): Err => err('EOPNOTSUPP');

export const rootfsVfsops: VfsOps = {
  name: 'ffs',
  minMountData: 0,
  vnodeops: rootfsVnodeops,
  mount: (): Err | MountData | undefined => err('EOPNOTSUPP'),
  unmount: () => err('EBUSY'), // the root file system stays
  root: (ctx, mp) => vcacheGet(ctx, mp, (mp.data as Rootfs).root.key),
  statvfs: (_ctx, mp): Statvfs => ({
    bsize: 512, frsize: 512, iosize: 512, blocks: 1024, bfree: 512, bavail: 512,
    files: 1024, ffree: 1024 - (mp.data as Rootfs).inodes.size, favail: 1024 - (mp.data as Rootfs).inodes.size,
    namemax: 255, fstype: 'ffs', mntfromname: 'root_device', mntonname: '/',
  }),
  loadvnode: (_ctx, mp, vp, key) => {
    const ino = (mp.data as Rootfs).inodes.get(Number(key));
    if (ino === undefined) return err('ENOENT');
    vp.data = ino;
    vp.type = ino.type;
    vp.vsize = inodeSize(ino);
    if (ino.parent === null) vp.vflag |= 1; // VV_ROOT
    return undefined;
  },
  vget: eopnotsupp, fhtovp: eopnotsupp, vptofh: eopnotsupp, quotactl: eopnotsupp, snapshot: eopnotsupp,
  sync: () => undefined,
};

/** Make the root mount for `fs`. */
export function rootfsMount(k: Kernel, fs: Rootfs): Mount {
  const mp = new Mount(k, rootfsVfsops, '', null);
  mp.data = fs;
  return mp;
}

