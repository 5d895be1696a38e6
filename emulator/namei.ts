/**
 * Path lookup (sys/kern/vfs_lookup.c namei): component by component through
 * VOP_LOOKUP, crossing mount points both ways, following symbolic links
 * (at most MAXSYMLINKS), `..` stopping at the process's root.
 */
import type { Err } from './errno.ts';
import { err, isErr } from './errno.ts';
import type { Ctx, Vnode } from './vnode.ts';
import { VV_ROOT, vref, vrele } from './vnode.ts';

export const MAXSYMLINKS = 32;
export const MAXPATHLEN = 1024;
export const NAME_MAX = 255;

/**
 * The non-empty components of a path, in order. `.` stays a component: namei
 * hands it to VOP_LOOKUP like any name (so a dead directory answers ENOENT
 * through dead_lookup).
 */
function components(path: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i < path.length && path.charCodeAt(i) !== 0x2f) continue;
    if (i > start) out.push(path.slice(start, i));
    start = i + 1;
  }
  return out;
}

/** Climb from the root of a mounted file system to the vnode it covers. */
function crossUp(dvp: Vnode, rootdir: Vnode): Vnode {
  while (dvp !== rootdir && (dvp.vflag & VV_ROOT) && dvp.mount.covered !== null) {
    const c = dvp.mount.covered;
    vref(c);
    vrele(dvp);
    dvp = c;
  }
  return dvp;
}

/** Descend into whatever is mounted on vp (VFS_ROOT of v_mountedhere). */
function crossDown(ctx: Ctx, vp: Vnode): Vnode | Err {
  let guard = 0;
  while (vp.mountedHere !== null && guard++ < 64) {
    const mp = vp.mountedHere;
    const r = mp.ops.root(ctx, mp);
    vrele(vp);
    if (isErr(r)) return r;
    vp = r;
  }
  return vp;
}

/**
 * namei: resolve `path` for ctx's process; the result holds a reference.
 * `follow` decides whether a symbolic link in the last component is followed.
 */
export function namei(ctx: Ctx, path: string, follow: boolean): Vnode | Err {
  if (path === '') return err('ENOENT');
  if (path.length >= MAXPATHLEN) return err('ENAMETOOLONG');
  const rootdir = ctx.p.root ?? ctx.k.rootvnode;
  let dvp = path.startsWith('/') ? rootdir : (ctx.p.cwd ?? rootdir);
  vref(dvp);
  let queue = components(path);
  let links = 0;
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (name.length > NAME_MAX) return fail(dvp, 'ENAMETOOLONG');
    if (name === '..') {
      if (dvp === rootdir) continue;
      dvp = crossUp(dvp, rootdir);
      if (dvp === rootdir) continue;
    }
    if (dvp.type !== 'VDIR') return fail(dvp, 'ENOTDIR');
    let next = dvp.ops.lookup(ctx, dvp, name);
    if (isErr(next)) return failWith(dvp, next);
    next = crossDown(ctx, next);
    if (isErr(next)) return failWith(dvp, next);
    if (next.type === 'VLNK' && next.state === 'loaded' && (queue.length > 0 || follow)) {
      if (++links > MAXSYMLINKS) {
        vrele(next);
        return fail(dvp, 'ELOOP');
      }
      const target = next.ops.readlink(ctx, next);
      vrele(next);
      if (isErr(target)) return failWith(dvp, target);
      if (target === '') return fail(dvp, 'ENOENT');
      if (target.startsWith('/')) {
        vrele(dvp);
        dvp = rootdir;
        vref(dvp);
      }
      queue = components(target).concat(queue);
      continue;
    }
    vrele(dvp);
    dvp = next;
  }
  return dvp;
}

function fail(dvp: Vnode, e: Parameters<typeof err>[0]): Err {
  vrele(dvp);
  return err(e);
}

function failWith(dvp: Vnode, e: Err): Err {
  vrele(dvp);
  return e;
}
