/**
 * File system system calls (sys/kern/vfs_syscalls.c, vfs_vnops.c,
 * sys_generic.c, vfs_mount.c): open through vn_open, pread/pwrite, stat,
 * readlink, getdents, chdir, chroot, mount, unmount, statvfs.
 */
import type { Err } from './errno.ts';
import { err, isErr } from './errno.ts';
import { File } from './file.ts';
import type { Kernel } from './kernel.ts';
import type { MountData, Statvfs } from './mount.ts';
import { MNT_FORCE, Mount, vfsResume, vfsSuspend } from './mount.ts';
import type { NameiFlags } from './namei.ts';
import { namei, nameiFlags } from './namei.ts';
import type { Proc } from './proc.ts';
import { falloc, foStat, type FileStat as Stat } from './sys_descrip.ts';
import { mountPathOf, vnIsunder } from './vfs_getcwd.ts';
import type { Ctx, Dirent, Vnode } from './vnode.ts';
import { FREAD, FWRITE, O_DIRECTORY, O_EXCL, VEXEC, VI_TEXT, VREAD, VV_ROOT, VWRITE, vrele, vref } from './vnode.ts';

export interface OpenFlags {
  read: boolean;
  write: boolean;
  excl: boolean;
  nofollow: boolean;
  cloexec: boolean;
  /** O_DIRECTORY (opendir(3) passes it). */
  directory?: boolean;
}

/** What stat(2) and fstat(2) report: vn_stat for a vnode, the file's own fo_stat otherwise (sys_descrip.ts). */
export type { FileStat as Stat } from './sys_descrip.ts';

/** Run fn on a looked-up vnode and release it afterwards. */
function withVnode<T>(vp: Vnode | Err, fn: (vp: Vnode) => T | Err): T | Err {
  if (isErr(vp)) return vp;
  const r = fn(vp);
  vrele(vp);
  return r;
}

/**
 * vn_open without O_CREAT: the lookup (FOLLOW unless O_NOFOLLOW, and
 * TRYEMULROOT from open(2)); a socket EOPNOTSUPP, a link (O_NOFOLLOW)
 * EFTYPE; then vn_openchk: O_DIRECTORY on anything but a directory ENOTDIR,
 * for writing a directory EISDIR and a running program's text ETXTBSY
 * (vn_writechk, root included), then one VOP_ACCESS for the read and write
 * bits; then VOP_OPEN. The result holds a reference.
 */
export function vnOpenFlags(ctx: Ctx, path: string, fflags: number, flags: NameiFlags): Vnode | Err {
  const vp = nameiFlags(ctx, path, flags);
  if (isErr(vp)) return vp;
  if (vp.type === 'VSOCK') return releasing(vp, err('EOPNOTSUPP'));
  if (vp.type === 'VLNK') return releasing(vp, err('EFTYPE'));
  const e = vnOpenchk(ctx, vp, fflags);
  if (e !== undefined) return releasing(vp, e);
  const oe = vp.ops.open(ctx, vp, fflags);
  if (oe !== undefined) return releasing(vp, oe);
  return vp;
}

/** vn_open as open(2) calls it: TRYEMULROOT, FOLLOW unless `nofollow`. */
export function vnOpen(ctx: Ctx, path: string, fflags: number, nofollow: boolean): Vnode | Err {
  return vnOpenFlags(ctx, path, fflags, { follow: !nofollow, emulroot: true });
}

/** vn_writechk: a vnode in use as a process's text cannot be written (ETXTBSY). */
export function vnWritechk(vp: Vnode): Err | undefined {
  return vp.iflag & VI_TEXT ? err('ETXTBSY') : undefined;
}

/** vn_openchk (no O_CREAT): ENOTDIR, EISDIR, ETXTBSY, then VOP_ACCESS with the wanted bits. */
function vnOpenchk(ctx: Ctx, vp: Vnode, fflags: number): Err | undefined {
  if (fflags & O_DIRECTORY && vp.type !== 'VDIR') return err('ENOTDIR');
  let permbits = fflags & FREAD ? VREAD : 0;
  if (fflags & FWRITE) {
    permbits |= VWRITE;
    if (vp.type === 'VDIR') return err('EISDIR');
    const we = vnWritechk(vp);
    if (we !== undefined) return we;
  }
  return vp.ops.access(ctx, vp, permbits);
}

/** Drop the lookup's reference on a failure path (a module-level function: no closure per call). */
function releasing(vp: Vnode, e: Err): Err {
  vrele(vp);
  return e;
}

/** open(2) */
export function sysOpen(k: Kernel, p: Proc, path: string, f: OpenFlags): number | Err {
  const fflags = (f.read ? FREAD : 0) | (f.write ? FWRITE : 0) | (f.excl ? O_EXCL : 0) |
    (f.directory ? O_DIRECTORY : 0);
  const ctx = k.ctx(p);
  const vp = vnOpen(ctx, path, fflags, f.nofollow);
  if (isErr(vp)) return vp;
  const fd = falloc(p, new File('DTYPE_VNODE', fflags, p.cred, vp), f.cloexec);
  if (isErr(fd)) {
    vp.ops.close(ctx, vp, fflags);
    vrele(vp);
  }
  return fd;
}

/** The vnode behind a descriptor opened with `need` (FREAD/FWRITE), for pread/pwrite. */
function rwVnode(p: Proc, fd: number, need: number, offset: number): Vnode | Err {
  const slot = p.fd.get(fd);
  if (slot === undefined || (slot.file.flag & need) === 0) return err('EBADF');
  const vp = slot.file.vnode;
  if (vp === null || vp.type === 'VFIFO') return err('ESPIPE'); // sys_pread: not seekable
  if (offset < 0 && vp.type !== 'VCHR') return err('EINVAL');
  return vp;
}

/** pread(2) */
export function sysRead(k: Kernel, p: Proc, fd: number, size: number, offset: number): string | Err {
  const vp = rwVnode(p, fd, FREAD, offset);
  if (isErr(vp)) return vp;
  return vp.ops.read(k.ctx(p), vp, offset, size);
}

/** pwrite(2) */
export function sysWrite(k: Kernel, p: Proc, fd: number, data: string, offset: number): number | Err {
  const vp = rwVnode(p, fd, FWRITE, offset);
  if (isErr(vp)) return vp;
  return vp.ops.write(k.ctx(p), vp, offset, data);
}

/** vn_stat: VOP_GETATTR turned into a stat. */
function vnStat(ctx: Ctx, vp: Vnode): Stat | Err {
  const a = vp.ops.getattr(ctx, vp);
  if (isErr(a)) return a;
  return { vtype: a.type, mode: a.mode, uid: a.uid, gid: a.gid, nlink: a.nlink, size: a.size, fileno: a.fileid };
}

/** stat(2) (follow) and lstat(2). */
export function sysStat(k: Kernel, p: Proc, path: string, follow: boolean): Stat | Err {
  const ctx = k.ctx(p);
  return withVnode(namei(ctx, path, follow), (vp) => vnStat(ctx, vp));
}

/** fstat(2) (do_sys_fstat): vn_stat for a vnode, else the file's own fo_stat (foStat, sys_descrip.ts). */
export function sysFstat(k: Kernel, p: Proc, fd: number): Stat | Err {
  const slot = p.fd.get(fd);
  if (slot === undefined) return err('EBADF');
  const f = slot.file;
  if (f.vnode !== null) return vnStat(k.ctx(p), f.vnode);
  return foStat(f);
}

/** readlink(2): EINVAL on anything but a link, before any VOP. */
export function sysReadlink(k: Kernel, p: Proc, path: string): string | Err {
  const ctx = k.ctx(p);
  return withVnode(namei(ctx, path, false), (vp) =>
    vp.type !== 'VLNK' ? err('EINVAL') : vp.ops.readlink(ctx, vp));
}

/**
 * getdents(2) of the whole directory, opened as opendir(3) opens it
 * (O_RDONLY | O_DIRECTORY: ENOTDIR for anything else). The engine lists
 * without installing a descriptor in the caller's table, so listing one's
 * own /proc/N/fd does not show the directory's own descriptor.
 */
export function sysReaddir(k: Kernel, p: Proc, path: string): Dirent[] | Err {
  const ctx = k.ctx(p);
  const vp = vnOpen(ctx, path, FREAD | O_DIRECTORY, false);
  if (isErr(vp)) return vp;
  const r = vp.ops.readdir(ctx, vp);
  vp.ops.close(ctx, vp, FREAD);
  vrele(vp);
  return r;
}

/** chdir_lookup: FOLLOW and TRYEMULROOT; a directory (ENOTDIR) the caller may search (VOP_ACCESS(VEXEC)). */
function chdirLookup(ctx: Ctx, path: string): Vnode | Err {
  const vp = namei(ctx, path, true);
  if (isErr(vp)) return vp;
  const e = vp.type !== 'VDIR' ? err('ENOTDIR') : vp.ops.access(ctx, vp, VEXEC);
  if (e !== undefined) {
    vrele(vp);
    return e;
  }
  return vp;
}

/** chdir(2) (do_sys_chdir): no test of the root; chdir("..") at the root stays there through namei. */
export function sysChdir(k: Kernel, p: Proc, path: string): Err | undefined {
  const vp = chdirLookup(k.ctx(p), path);
  if (isErr(vp)) return vp;
  if (p.cwd !== null) vrele(p.cwd);
  p.cwd = vp;
  return undefined;
}

/**
 * change_root: the new root (chroot("/") too: cwdi_rdir is never NULL
 * again); a current directory that vn_isunder does not find under it
 * (walking `..` through every file system, as the caller) becomes the new
 * root; proc_crmod_leave sets PK_SUGID.
 */
export function changeRoot(k: Kernel, p: Proc, vp: Vnode): void {
  if (p.root !== null) vrele(p.root);
  p.root = vp;
  if (p.cwd === null || !vnIsunder(k, p.cwd, vp, k.ctx(p))) {
    if (p.cwd !== null) vrele(p.cwd);
    vref(vp);
    p.cwd = vp;
  }
  p.sugid = true;
  k.emit({ kind: 'cred-changed', pid: p.pid, sugid: true });
}

/** chroot(2) (sys_chroot): KAUTH_SYSTEM_CHROOT first (the superuser), then chdir_lookup, then change_root. */
export function sysChroot(k: Kernel, p: Proc, path: string): Err | undefined {
  const ke = k.kauth.authorize(k, p.cred, { scope: 'system', action: 'CHROOT' });
  if (ke !== undefined) return ke;
  const vp = chdirLookup(k.ctx(p), path);
  if (isErr(vp)) return vp;
  changeRoot(k, p, vp);
  return undefined;
}

/** The mount whose root `path` names (VV_ROOT), or EINVAL. */
function mountAt(ctx: Ctx, path: string): Mount | Err {
  return withVnode(namei(ctx, path, true), (vp) => (vp.vflag & VV_ROOT ? vp.mount : err('EINVAL')));
}

/**
 * mount(2) of a new file system (do_sys_mount, mount_domount): lookup first,
 * then the type registered (mount_get_vfsops; no module autoload in the
 * fixture: ENODEV), then kauth, a directory, nothing mounted there yet, then
 * VFS_MOUNT.
 */
export function sysMount(k: Kernel, p: Proc, fstype: string, path: string, data: MountData | null): Err | undefined {
  const ctx = k.ctx(p);
  const vp = namei(ctx, path, true);
  if (isErr(vp)) return vp;
  const fail = (e: Err): Err => {
    vrele(vp);
    return e;
  };
  const vfs = k.vfsList.get(fstype); // mount_get_vfsops
  if (vfs === undefined) return fail(err('ENODEV'));
  const ke = k.kauth.authorize(k, p.cred, { scope: 'system', action: 'MOUNT', req: 'NEW' });
  if (ke !== undefined) return fail(ke);
  if (vp.type !== 'VDIR') return fail(err('ENOTDIR'));
  if (vp.mountedHere !== null) return fail(err('EBUSY'));
  const mp = new Mount(k, vfs.ops, mountPathOf(k, vp, path, p.cwd), vp);
  const r = vfs.ops.mount(ctx, mp, path, data, 'new');
  if (isErr(r)) return fail(r);
  vp.mountedHere = mp; // the reference from namei is now mnt_vnodecovered's
  vfs.refcount++;
  k.mountlist.push(mp);
  k.emit({ kind: 'mount', mount: mp });
  mountCheckdirs(k, vp);
  return undefined;
}

/**
 * mount_checkdirs (vfs_mount.c): every process whose current or root
 * directory is the vnode just mounted on now has the new file system's
 * root there instead (nothing to do when the mount holds the only
 * reference).
 */
function mountCheckdirs(k: Kernel, olddp: Vnode): void {
  if (olddp.usecount === 1) return;
  const mp = olddp.mountedHere!;
  const newdp = mp.ops.root(k.ctx(k.proc0), mp);
  if (isErr(newdp)) throw new Error(`mount: lost mount (${newdp.errno})`);
  for (const p of k.allproc) {
    if (p.cwd === olddp) {
      vref(newdp);
      p.cwd = newdp;
      vrele(olddp);
    }
    if (p.root === olddp) {
      vref(newdp);
      p.root = newdp;
      vrele(olddp);
    }
  }
  vrele(newdp);
}

/**
 * mount(2) with MNT_UPDATE (mount_update): the path must be a mount's root;
 * when VFS_MOUNT fails and data was given, vfs_hooks_reexport gets a try:
 * data whose first eight bytes are zero is an (empty) export request and
 * succeeds (inferred from mount_update and the NFS export hook).
 */
export function sysMountUpdate(k: Kernel, p: Proc, path: string, data: MountData | null): Err | undefined {
  const ctx = k.ctx(p);
  const mp = mountAt(ctx, path);
  if (isErr(mp)) return mp;
  const ke = k.kauth.authorize(k, p.cred, { scope: 'system', action: 'MOUNT', req: 'UPDATE' });
  if (ke !== undefined) return ke;
  const r = mp.ops.mount(ctx, mp, path, data, 'update');
  if (!isErr(r)) return undefined;
  const exportRequest = data !== null && data.len >= 8 && data.version === 0 && data.flags === 0;
  return exportRequest ? undefined : r;
}

/** mount(2) with MNT_GETARGS (mount_getargs). */
export function sysGetargs(k: Kernel, p: Proc, path: string): MountData | Err {
  const ctx = k.ctx(p);
  const mp = mountAt(ctx, path);
  if (isErr(mp)) return mp;
  const ke = k.kauth.authorize(k, p.cred, { scope: 'system', action: 'MOUNT', req: 'GETARGS' });
  if (ke !== undefined) return ke;
  const r = mp.ops.mount(ctx, mp, path, { len: 8, version: 0, flags: 0 }, 'getargs');
  return r === undefined ? err('EINVAL') : r;
}

/**
 * unmount(2) (sys_unmount, dounmount): lookup without following links;
 * kauth on the mount the vnode is on; the root file system and a path that
 * is not a mount's root are EINVAL; then vfs_suspend; VFS_UNMOUNT (vflush
 * inside); on success the mount leaves the list and releases the vnode it
 * covered.
 */
export function sysUnmount(k: Kernel, p: Proc, path: string, force: boolean): Err | undefined {
  const ctx = k.ctx(p);
  const vp = namei(ctx, path, false);
  if (isErr(vp)) return vp;
  const mp = vp.mount;
  const isRoot = (vp.vflag & VV_ROOT) !== 0;
  vrele(vp);
  const ke = k.kauth.authorize(k, p.cred, { scope: 'system', action: 'MOUNT', req: 'UNMOUNT' });
  if (ke !== undefined) return ke;
  if (mp === k.rootMount || !isRoot) return err('EINVAL'); // MNT_ROOTFS, then VV_ROOT
  const se = vfsSuspend(mp);
  if (se !== undefined) return se;
  mp.unmounting = true;
  const e = mp.ops.unmount(ctx, mp, force ? MNT_FORCE : 0);
  mp.unmounting = false;
  vfsResume(mp);
  if (e !== undefined) return e;
  mp.gone = true;
  const covered = mp.covered!;
  covered.mountedHere = null;
  mp.covered = null;
  vrele(covered);
  k.mountlist.splice(k.mountlist.indexOf(mp), 1);
  k.vfsList.get(mp.ops.name)!.refcount--;
  k.emit({ kind: 'unmount', mount: mp });
  return undefined;
}

/** statvfs(2): VFS_STATVFS, then copy_statvfs_info's names. */
export function sysStatvfs(k: Kernel, p: Proc, path: string): Statvfs | Err {
  const ctx = k.ctx(p);
  const vp = namei(ctx, path, true);
  if (isErr(vp)) return vp;
  const mp = vp.mount;
  vrele(vp);
  if (mp === k.deadMount) return err('EBADF');
  const s = mp.ops.statvfs(ctx, mp);
  if (isErr(s)) return s;
  return { ...s, namemax: mp.namemax, fstype: mp.ops.name, mntonname: mp.path === '' ? '/' : mp.path };
}
