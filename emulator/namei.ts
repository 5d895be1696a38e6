/**
 * Path lookup (sys/kern/vfs_lookup.c 1.238): namei_tryemulroot around
 * namei_oneroot, which takes one component at a time (lookup_parsepath),
 * looks it up (lookup_once: `..` handling, VOP_LOOKUP), crosses mount points
 * (lookup_crossmount) and follows symbolic links (namei_atsymlink,
 * namei_follow). The name cache fast path (lookup_fastforward) gives the same
 * answers as lookup_once and is not modelled.
 */
import type { Err, Errno } from './errno.ts';
import { err, isErr } from './errno.ts';
import { vnIsunder } from './vfs_getcwd.ts';
import type { Ctx, Vnode } from './vnode.ts';
import { VV_ROOT, vcacheGet, vref, vrele } from './vnode.ts';

export const MAXSYMLINKS = 32;
export const MAXPATHLEN = 1024;
export const NAME_MAX = 255;

/** The cn_flags a caller passes: FOLLOW for the last component, TRYEMULROOT. */
export interface NameiFlags {
  follow: boolean;
  /** TRYEMULROOT: absolute paths start at the emulation root (cwdi_edir) first. */
  emulroot: boolean;
}

const SLASH = 0x2f;

/** The search state of one namei_oneroot pass. */
interface State {
  ctx: Ctx;
  /** ni_rootdir: the process's root, or the system root. */
  rootdir: Vnode;
  /** ni_erootdir: the emulation root in use, or null (namei_follow may drop it). */
  erootdir: Vnode | null;
  /** The path still to resolve (ni_pnbuf from cn_nameptr on). */
  buf: string;
  pos: number;
  loopcnt: number;
  follow: boolean;
}

/** An error from namei_oneroot, and whether it allows namei_tryemulroot's retry (attempt_retry). */
interface Failure {
  e: Err;
  retry: boolean;
}

function fail(e: Errno | Err, retry: boolean, ...rele: (Vnode | null)[]): Failure {
  for (const vp of rele) if (vp !== null) vrele(vp);
  return { e: typeof e === 'string' ? err(e) : e, retry };
}

function isFailure<T extends object>(x: T | Failure): x is Failure {
  return 'retry' in x;
}

/**
 * A reference on a directory namei starts from or returns to: vref, or for
 * the emulation root (which the fixture keeps without a reference, see
 * emulexec) vcache_get of its key, the same cached vnode.
 */
function hold(ctx: Ctx, vp: Vnode): void {
  if (vp.usecount > 0) {
    vref(vp);
    return;
  }
  const again = vcacheGet(ctx, vp.mount, vp.key);
  if (again !== vp) throw new Error(`namei: ${vp.key} is no longer cached`);
}

/** The emulation root (cwdi_edir) if it is still the cached vnode (a root file system directory always is), else none. */
function emulRoot(p: Ctx['p']): Vnode | null {
  const vp = p.edir;
  return vp !== null && vp.state === 'loaded' && vp.mount.vcache.get(vp.key) === vp ? vp : null;
}

function skipSlashes(s: string, i: number): number {
  while (i < s.length && s.charCodeAt(i) === SLASH) i++;
  return i;
}

/**
 * lookup_once for `..`: at the process root or the system root it stays;
 * a chrooted process found outside its root is put back at the root
 * (vn_isunder); at a mount's root it steps to the covered vnode first.
 * Consumes the caller's reference on searchdir; returns the found vnode
 * held, and the directory it was found in (held too, or null).
 */
function lookupDotdot(st: State, searchdir: Vnode): { dir: Vnode; found: Vnode } | Failure {
  const k = st.ctx.k;
  for (let guard = 0; guard < 64; guard++) {
    if (searchdir === st.rootdir || searchdir === k.rootvnode) {
      vref(searchdir);
      return { dir: searchdir, found: searchdir };
    }
    if (st.rootdir !== k.rootvnode && !vnIsunder(k, searchdir, st.rootdir, st.ctx)) {
      vrele(searchdir);
      vref(st.rootdir);
      vref(st.rootdir);
      return { dir: st.rootdir, found: st.rootdir };
    }
    const covered = searchdir.mount.covered;
    if ((searchdir.vflag & VV_ROOT) === 0 || covered === null) break;
    vref(covered);
    vrele(searchdir);
    searchdir = covered;
  }
  const found = searchdir.ops.lookup(st.ctx, searchdir, '..');
  if (isErr(found)) return fail(found, true, searchdir);
  return { dir: searchdir, found };
}

/** lookup_crossmount: while the found directory is mounted on, go to the mounted root. */
function crossmount(st: State, found: Vnode): Vnode | Failure {
  for (let guard = 0; guard < 64 && found.type === 'VDIR' && found.mountedHere !== null; guard++) {
    const mp = found.mountedHere;
    const r = mp.ops.root(st.ctx, mp);
    vrele(found);
    if (isErr(r)) return fail(r, true);
    found = r;
  }
  return found;
}

/**
 * namei_follow: read the link (ELOOP past MAXSYMLINKS, ENOENT for an empty
 * one, ENAMETOOLONG when it and the rest do not fit in MAXPATHLEN) and put
 * its text in front of the rest. An absolute link restarts at the emulation
 * root, or at the root when there is none or the link starts with `/../`
 * (which also drops the emulation root). These errors do not retry.
 * Returns the new search directory (held); `searchdir` is consumed.
 */
function nameiFollow(st: State, searchdir: Vnode, link: Vnode, rest: string): Vnode | Failure {
  if (st.loopcnt++ >= MAXSYMLINKS) return fail('ELOOP', false, searchdir);
  const target = link.ops.readlink(st.ctx, link);
  if (isErr(target)) return fail(target, false, searchdir);
  if (target.length === 0) return fail('ENOENT', false, searchdir);
  if (target.length + rest.length + 1 >= MAXPATHLEN) return fail('ENAMETOOLONG', false, searchdir);
  st.buf = target + rest;
  st.pos = 0;
  if (st.buf.charCodeAt(0) !== SLASH) return searchdir;
  vrele(searchdir);
  let dir = st.erootdir;
  if (dir === null || st.buf.startsWith('/../')) {
    st.erootdir = null;
    dir = st.rootdir;
  }
  hold(st.ctx, dir);
  st.pos = skipSlashes(st.buf, 0);
  return dir;
}

/**
 * namei_oneroot: from the start directory (the cwd for a relative path, the
 * emulation root or the root for an absolute one), each component in turn.
 * A component followed by `/` must be a directory (REQUIREDIR): a link
 * there is followed even without FOLLOW, anything else not a directory is
 * ENOTDIR. Returning the emulation root itself gives the real root instead.
 */
function oneroot(st: State, startdir: Vnode): Vnode | Failure {
  if (startdir.type !== 'VDIR') return fail('ENOTDIR', false);
  hold(st.ctx, startdir);
  let searchdir = startdir;
  st.pos = skipSlashes(st.buf, 0);
  let found: Vnode | null = null;
  for (let guard = 0; found === null; guard++) {
    if (guard > 4 * MAXPATHLEN) throw new Error('namei: no progress');
    if (st.pos >= st.buf.length) {
      found = searchdir; // just "/" (or a link to it with nothing after)
      break;
    }
    // lookup_parsepath
    let end = st.buf.indexOf('/', st.pos);
    if (end < 0) end = st.buf.length;
    const name = st.buf.slice(st.pos, end);
    if (name.length > NAME_MAX) return fail('ENAMETOOLONG', true, searchdir);
    const next = skipSlashes(st.buf, end);
    const requiredir = next > end;
    const islast = next >= st.buf.length;
    // lookup_once
    let obj: Vnode;
    if (name === '..') {
      const r = lookupDotdot(st, searchdir);
      if (isFailure(r)) return r;
      searchdir = r.dir;
      obj = r.found;
    } else {
      const r = searchdir.ops.lookup(st.ctx, searchdir, name);
      if (isErr(r)) return fail(r, true, searchdir);
      obj = r;
    }
    const crossed = crossmount(st, obj);
    if (isFailure(crossed)) return fail(crossed.e, true, searchdir);
    obj = crossed;
    if (obj.type === 'VLNK' && (st.follow || requiredir)) {
      const dir = nameiFollow(st, searchdir, obj, st.buf.slice(end));
      vrele(obj);
      if (isFailure(dir)) return dir;
      searchdir = dir;
      if (st.pos >= st.buf.length) found = searchdir;
      continue;
    }
    if (obj.type !== 'VDIR' && requiredir) return fail('ENOTDIR', true, searchdir, obj);
    if (islast) {
      vrele(searchdir);
      found = obj;
      break;
    }
    vrele(searchdir);
    searchdir = obj;
    st.pos = next;
  }
  if (found === st.erootdir) {
    vrele(found);
    vref(st.rootdir);
    return st.rootdir;
  }
  return found;
}

/**
 * namei (namei_tryemulroot): resolve `path` for ctx's process; the result
 * holds a reference. With TRYEMULROOT an absolute path (not starting with
 * `/../`) of a process that has an emulation root is looked up there
 * first; if that fails with an error that allows it (any lookup error, not
 * those of following a link), the whole lookup is done again from the root.
 */
export function nameiFlags(ctx: Ctx, path: string, flags: NameiFlags): Vnode | Err {
  if (path === '') return err('ENOENT'); // namei_start
  if (path.length >= MAXPATHLEN) return err('ENAMETOOLONG'); // pathbuf_copyin
  const p = ctx.p;
  const rootdir = p.root ?? ctx.k.rootvnode;
  const absolute = path.charCodeAt(0) === SLASH;
  const edir = flags.emulroot && absolute && !path.startsWith('/../') ? emulRoot(p) : null;
  const st: State = { ctx, rootdir, erootdir: edir, buf: path, pos: 0, loopcnt: 0, follow: flags.follow };
  const start = !absolute ? (p.cwd ?? rootdir) : (edir ?? rootdir);
  const r = oneroot(st, start);
  if (!isFailure(r)) return r;
  if (st.erootdir === null || !r.retry) return r.e;
  const again: State = { ctx, rootdir, erootdir: null, buf: path, pos: 0, loopcnt: 0, follow: flags.follow };
  const r2 = oneroot(again, rootdir);
  return isFailure(r2) ? r2.e : r2;
}

/**
 * namei with TRYEMULROOT, as the system calls the fixture models use it
 * (open, stat, lstat, readlink, chdir, chroot, execve, mount, unmount,
 * statvfs all pass it). `follow`: FOLLOW for the last component.
 */
export function namei(ctx: Ctx, path: string, follow: boolean): Vnode | Err {
  return nameiFlags(ctx, path, { follow, emulroot: true });
}
