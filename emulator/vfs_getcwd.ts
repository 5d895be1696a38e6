/**
 * Paths of vnodes (sys/kern/vfs_getcwd.c): getcwd_common, vn_isunder,
 * proc_isunder. Only the root file system keeps names; a vnode of another
 * file system has no path (getcwd_common fails with ENOENT).
 */
import type { Err } from './errno.ts';
import { err, isErr } from './errno.ts';
import type { Kernel } from './kernel.ts';
import type { Proc } from './proc.ts';
import type { Inode } from './rootfs.ts';
import { rootfsVnodeops } from './rootfs.ts';
import type { Vnode } from './vnode.ts';

function inodeOf(vp: Vnode): Inode | null {
  return vp.ops === rootfsVnodeops ? (vp.data as Inode) : null;
}

/** The inode chain from `ino` up to the file system root, nearest first. */
function ancestors(ino: Inode): Inode[] {
  const out: Inode[] = [];
  for (let n: Inode | null = ino; n !== null; n = n.parent) out.push(n);
  return out;
}

/** getcwd_common: the path of vp as seen from rootdir (null: the system root). */
export function getcwdCommon(k: Kernel, vp: Vnode, rootdir: Vnode | null): string | Err {
  const ino = inodeOf(vp);
  if (ino === null) return vp.ops.tag === 'VT_NON' ? getcwdDead(vp) : err('ENOENT');
  const rootIno = rootdir === null || rootdir === k.rootvnode ? k.rootfs.root : inodeOf(rootdir);
  if (rootIno === null) return err('ENOENT');
  const chain = ancestors(ino);
  const at = chain.indexOf(rootIno);
  if (at < 0) return err('ENOENT'); // not reachable from the caller's root
  const names = chain.slice(0, at).map((n) => n.name).reverse();
  return '/' + names.join('/');
}

/**
 * getcwd_common on a reclaimed vnode (vfs_getcwd.c 1.47.18.3): vcache_reclaim
 * purged its name-cache entries, so getcwd_getcache misses; a non-directory
 * is then ENOTDIR, and for a directory getcwd_scandir's first VOP_GETATTR
 * reaches deadfs's dead_default_error: EBADF.
 */
function getcwdDead(vp: Vnode): Err {
  return err(vp.type === 'VDIR' ? 'EBADF' : 'ENOTDIR');
}

/** vn_isunder: is dir at or below rootdir? Vnodes outside the root file system are compared by identity. */
export function vnIsunder(k: Kernel, dir: Vnode, rootdir: Vnode): boolean {
  if (dir === rootdir || rootdir === k.rootvnode) return true;
  const d = inodeOf(dir);
  const r = inodeOf(rootdir);
  if (d === null || r === null) return false;
  return ancestors(d).includes(r);
}

/** proc_isunder: is target's root at or below the caller's root? */
export function procIsunder(k: Kernel, target: Proc, caller: Proc): boolean {
  return vnIsunder(k, target.root ?? k.rootvnode, caller.root ?? k.rootvnode);
}

/** The mount path of a directory vnode, for mount(2): its real path, else the path as given. */
export function mountPathOf(k: Kernel, vp: Vnode, given: string, cwd: Vnode | null): string {
  const real = getcwdCommon(k, vp, null);
  if (!isErr(real)) return real === '/' ? '' : real;
  const base = given.startsWith('/') || cwd === null ? '' : getcwdCommon(k, cwd, null);
  const joined = (isErr(base) ? '' : base) + '/' + given;
  const parts: string[] = [];
  for (const c of joined.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') parts.pop();
    else parts.push(c);
  }
  return parts.length === 0 ? '' : '/' + parts.join('/');
}
