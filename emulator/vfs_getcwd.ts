/**
 * Paths of vnodes (sys/kern/vfs_getcwd.c 1.47.18.3): getcwd_common,
 * vn_isunder, proc_isunder. The walk goes up through `..` on every file
 * system: the root file system answers from its name cache (every inode
 * knows its parent, as cache_revlookup does for names namei entered), any
 * other file system (procfs, deadfs) through VOP_LOOKUP("..") and, when
 * the name is wanted, VOP_GETATTR of the child and VOP_READDIR of the
 * parent (getcwd_scandir).
 */
import type { Err } from './errno.ts';
import { err, isErr } from './errno.ts';
import type { Kernel } from './kernel.ts';
import type { Proc } from './proc.ts';
import type { Inode } from './rootfs.ts';
import { rootfsVnodeops } from './rootfs.ts';
import type { Ctx, Vnode } from './vnode.ts';
import { VEXEC, VREAD, VV_ROOT, vcacheGet, vrele } from './vnode.ts';

/** GETCWD_CHECK_ACCESS (sys/namei.h): VOP_ACCESS on every directory walked. */
export const GETCWD_CHECK_ACCESS = 0x1;
/** MAXPATHLEN / 2: the most directories getcwd_common climbs (its `limit`). */
const GETCWD_LIMIT = 512;

/** One step up: the parent directory (held by the caller's list) and, when asked, this directory's name. */
interface Up {
  uvp: Vnode;
  name: string;
}

/**
 * getcwd_getcache for the root file system: its inodes keep their parent,
 * so the reverse lookup always hits. The parent's vnode comes from the vnode
 * cache (loaded if need be; the root file system never recycles).
 */
function upByCache(ctx: Ctx, lvp: Vnode, held: Vnode[]): Up | Err {
  const ino = lvp.data as Inode;
  const parent = ino.parent;
  if (parent === null) return err('ENOENT'); // only the root inode, which is VV_ROOT
  const uvp = vcacheGet(ctx, lvp.mount, parent.key);
  if (isErr(uvp)) return uvp;
  held.push(uvp);
  return { uvp, name: ino.name };
}

/**
 * getcwd_scandir: for a name, VOP_GETATTR of lvp first (its file number);
 * VOP_LOOKUP(lvp, "..") for the parent; then VOP_READDIR of the parent for
 * the entry with that file number (ENOENT if there is none).
 */
function upByScandir(ctx: Ctx, lvp: Vnode, wantName: boolean, held: Vnode[]): Up | Err {
  let fileno = -1;
  if (wantName) {
    const va = lvp.ops.getattr(ctx, lvp);
    if (isErr(va)) return va;
    fileno = va.fileid;
  }
  const uvp = lvp.ops.lookup(ctx, lvp, '..');
  if (isErr(uvp)) return uvp;
  held.push(uvp);
  if (!wantName) return { uvp, name: '' };
  const dirents = uvp.ops.readdir(ctx, uvp);
  if (isErr(dirents)) return dirents;
  for (const d of dirents) if (d.fileno === fileno) return { uvp, name: d.name };
  return err('ENOENT');
}

/**
 * getcwd_common: climb from lvp to rvp (null: the caller's root, or the
 * system root), collecting names when `wantNames`. With
 * GETCWD_CHECK_ACCESS, VOP_ACCESS(VEXEC) on lvp and VEXEC|VREAD on each
 * directory above it. At a mount's root it steps to the covered vnode;
 * a file system root with nothing covered (the system root, when rvp is
 * not above lvp) is ENOENT. Returns the names nearest first.
 */
function climb(ctx: Ctx, lvp: Vnode, rvp: Vnode, flags: number, wantNames: boolean): string[] | Err {
  const names: string[] = [];
  if (lvp === rvp) return names;
  const held: Vnode[] = [];
  let perms = VEXEC;
  let e: Err | undefined;
  for (let limit = GETCWD_LIMIT; limit > 0 && lvp !== rvp; limit--) {
    if (flags & GETCWD_CHECK_ACCESS) {
      e = lvp.ops.access(ctx, lvp, perms);
      if (e !== undefined) break;
      perms = VEXEC | VREAD;
    }
    let atRoot = false;
    while (lvp.vflag & VV_ROOT) {
      if (lvp === rvp) {
        atRoot = true;
        break;
      }
      const covered: Vnode | null = lvp.mount.covered;
      if (covered === null) {
        e = err('ENOENT');
        break;
      }
      lvp = covered;
    }
    if (atRoot || e !== undefined) break;
    let up: Up | Err;
    if (lvp.ops === rootfsVnodeops) up = upByCache(ctx, lvp, held);
    else if (lvp.type !== 'VDIR') up = err('ENOTDIR');
    else up = upByScandir(ctx, lvp, wantNames, held);
    if (isErr(up)) {
      e = up;
      break;
    }
    names.push(up.name);
    lvp = up.uvp;
  }
  for (const vp of held) vrele(vp);
  return e ?? names;
}

/** The kernel's own calling context (proc0, NOCRED-like root): for callers that have none. */
function kernelCtx(k: Kernel): Ctx {
  return k.ctx(k.proc0);
}

/**
 * getcwd_common: the path of vp as seen from rootdir (null: the caller's
 * root, or the system root), `/` when vp is rootdir itself. `ctx` is the
 * caller (its credential for VOP_ACCESS and VOP_LOOKUP); without one the
 * kernel walks. `flags` may hold GETCWD_CHECK_ACCESS.
 */
export function getcwdCommon(k: Kernel, vp: Vnode, rootdir: Vnode | null, ctx?: Ctx, flags = 0): string | Err {
  const c = ctx ?? kernelCtx(k);
  const rvp = rootdir ?? c.p.root ?? k.rootvnode;
  const names = climb(c, vp, rvp, flags, true);
  if (isErr(names)) return names;
  return '/' + names.reverse().join('/');
}

/**
 * vn_isunder: is dir at or below rootdir? getcwd_common without names and
 * without access checks succeeds. A revoked directory (deadfs answers
 * VOP_LOOKUP with ENOENT) is under nothing but itself.
 */
export function vnIsunder(k: Kernel, dir: Vnode, rootdir: Vnode, ctx?: Ctx): boolean {
  return !isErr(climb(ctx ?? kernelCtx(k), dir, rootdir, 0, false));
}

/**
 * proc_isunder: is target's root at or below the caller's root? A target
 * with no root (cwdi_rdir NULL) is under only a caller with none either; a
 * caller with no root has everyone under it. chroot("/") sets a root, so a
 * caller that did it is not above an unchrooted target.
 */
export function procIsunder(k: Kernel, target: Proc, caller: Proc): boolean {
  const r1 = target.root;
  const r2 = caller.root;
  if (r1 === null) return r2 === null;
  if (r2 === null) return true;
  return vnIsunder(k, r1, r2, k.ctx(caller));
}

/** The mount path of a directory vnode, for mount(2): its real path, else the path as given. */
export function mountPathOf(k: Kernel, vp: Vnode, given: string, cwd: Vnode | null): string {
  const real = getcwdCommon(k, vp, k.rootvnode);
  if (!isErr(real)) return real === '/' ? '' : real;
  const base = given.startsWith('/') || cwd === null ? '' : getcwdCommon(k, cwd, k.rootvnode);
  const joined = (isErr(base) ? '' : base) + '/' + given;
  const parts: string[] = [];
  for (const c of joined.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') parts.pop();
    else parts.push(c);
  }
  return parts.length === 0 ? '' : '/' + parts.join('/');
}
