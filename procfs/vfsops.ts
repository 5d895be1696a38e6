/**
 * procfs_vfsops.c (rev 1.114, the seed): mount, unmount, root, statvfs,
 * loadvnode, the global pid hash, the exec/exit hook, the kauth listener,
 * modcmd.
 */
import type { Cred } from '../emulator/cred.ts';
import type { Err } from '../emulator/errno.ts';
import { err, isErr } from '../emulator/errno.ts';
import type { KauthAction, KauthResult } from '../emulator/kauth.ts';
import type { Kernel, KernelModule, ModuleCmd } from '../emulator/kernel.ts';
import type { Mount, MountData, MountOp, Statvfs, VfsOps } from '../emulator/mount.ts';
import { FORCECLOSE, MNT_FORCE, MNT_LOCAL, vflush, vfsResume, vfsSuspend } from '../emulator/mount.ts';
import type { Proc } from '../emulator/proc.ts';
import type { Ctx, Vnode, Vtype } from '../emulator/vnode.ts';
import { VV_ROOT, vcacheGet, vgone, vrecycle } from '../emulator/vnode.ts';
import { fdGetfile2 } from './fd.ts';
import type { PfsNode, ProcfsMount } from './procfs.ts';
import {
  PFSLAST_BASELINE, PROCFS_ARGS_SIZE, PROCFS_ARGSVERSION, PROCFS_EXEC_HOOK, PROCFS_EXIT_HOOK,
  PROCFS_HASHSIZE, PROCFS_MAXNAMLEN, ProcfsState, VFSTOPROC, pfsKeyParse, pfsKeyString, procfsFileno,
} from './procfs.ts';
import { procfsAllocvp, procfsProcFind, procfsProcIsLinuxCompat } from './subr.ts';
import { procfsVnodeops } from './vnops.ts';
import { declareMarks } from '../emulator/marks.ts';

const mark = declareMarks('procfs/vfsops.ts', {
  'procfs_mount: no data -> EINVAL': null,
  'procfs_mount: MNT_GETARGS with short data -> EINVAL': 'mount_getargs always hands VFS_MOUNT a whole procfs_args (8 bytes)',
  'procfs_mount: MNT_GETARGS': null,
  'procfs_mount: MNT_GETARGS without mount data -> EIO': 'mnt_data is set by every successful mount and cleared only once unmount has succeeded, after which the mount is off the list',
  'procfs_mount: MNT_UPDATE -> EOPNOTSUPP': null,
  'procfs_mount: wrong args version -> EINVAL': null,
  'procfs_mount: short data, no flags': null,
  'procfs_mount: new mount': null,
  'procfs_unmount: vflush fails': null,
  'procfs_unmount: done': null,
  'procfs_loadvnode: /proc/N/fd/M process not found -> ENOENT': 'procfs_lookup of /proc/N/fd/M locks the pid just before procfs_allocvp, and the exec hook only gets keys already cached',
  'procfs_loadvnode: /proc/N/fd/M no descriptor -> EBADF': 'procfs_lookup of /proc/N/fd/M answers ENOENT for a closed descriptor before procfs_allocvp',
  'procfs_loadvnode: /proc/N/fd/M directory -> symlink': null,
  'procfs_loadvnode: /proc/N/fd/M Linux caller -> symlink': null,
  'procfs_loadvnode: /proc/N/fd/M vnode type of the file': 'procfs_lookup gives a native caller a non-directory vnode file itself, and a Linux caller gets a link: no fd node takes the file\'s own vtype',
  'procfs_loadvnode: /proc/N/fd/M pipe -> VFIFO': null,
  'procfs_loadvnode: /proc/N/fd/M socket -> VSOCK': null,
  'procfs_loadvnode: /proc/N/fd/M kqueue, misc or sem -> symlink': null,
  'procfs_loadvnode: /proc/N/fd/M other file type -> EOPNOTSUPP': null,
  'procfs_loadvnode: loaded and hashed': null,
  'procfs_exechook_cb: exec of a process that is not PK_SUGID skipped': null,
  'procfs_exechook_cb: exec of a PK_SUGID process': null,
  'procfs_exechook_cb: exit': null,
  'procfs_exechook_cb: bucket neighbour of another pid left': null,
  'procfs_exechook_cb: vcache_get fails, node skipped': 'vcache_get of a hashed key finds the cached vnode: a node is hashed exactly while its vnode is in the cache',
  'procfs_exechook_cb: unused vnode recycled': null,
  'procfs_exechook_cb: vnode in use revoked (vgone, mount suspended)': null,
  'procfs_exechook_cb: vfs_suspend fails, vgone unsuspended': 'a hashed node\'s mount is live (not IMNT_GONE and not the dead mount): vflush empties the hash of a mount before it goes',
  'procfs_exechook_cb: no node of the pid left': null,
  'procfs_listener_cb: not KAUTH_PROCESS_PROCFS -> DEFER': null,
  'procfs_listener_cb: mem/regs/fpregs, other real uid -> DEFER': null,
  'procfs_listener_cb: mem/regs/fpregs, PK_SUGID target -> DEFER': null,
  'procfs_listener_cb: mem/regs/fpregs, same real uid -> ALLOW': null,
  'procfs_listener_cb: other node -> ALLOW': null,
  'procfs_modcmd: INIT': null,
  'procfs_modcmd: INIT, vfs_attach fails': 'module_load refuses a loaded module (EEXIST) before MODULE_CMD_INIT, and FINI detaches the file system type whenever the module stops being loaded',
  'procfs_modcmd: FINI': null,
  'procfs_modcmd: FINI, vfs_detach fails (mounted)': null,
  'procfs_modcmd: other command -> ENOTTY': 'the module steps only load (INIT) and unload (FINI)',
});

const S_IRUSR = 0o400, S_IWUSR = 0o200, S_IXUSR = 0o100;
const S_IRGRP = 0o040, S_IXGRP = 0o010, S_IROTH = 0o004, S_IXOTH = 0o001;
const DR_XR_XR_X = S_IRUSR | S_IXUSR | S_IRGRP | S_IXGRP | S_IROTH | S_IXOTH; // 0555
const RW_______ = S_IRUSR | S_IWUSR; // 0600

/** procfs_hashhead: bucket pid & procfs_hashmask. */
function procfsHashhead(st: ProcfsState, pid: number): PfsNode[] {
  return st.hashtab![pid & (PROCFS_HASHSIZE - 1)]!;
}

/** procfs_hashrem (called by procfs_reclaim). */
export function procfsHashrem(pfs: PfsNode): void {
  const head = procfsHashhead(pfs.st, pfs.pid);
  const i = head.indexOf(pfs);
  if (i < 0) throw new Error(`procfs_hashrem: ${pfs.type} of pid ${pfs.pid} not hashed`);
  head.splice(i, 1);
}

/** procfs_mount: the checks of vfsops 1.114 in order. */
export function procfsMount(
  _ctx: Ctx, mp: Mount, _path: string, args: MountData | null, op: MountOp,
): Err | MountData | undefined {
  if (args === null) {
    mark('procfs_mount: no data -> EINVAL');
    return err('EINVAL');
  }
  // UIO_MX & (UIO_MX - 1): a compile-time constant power of two, never fires.
  if (op === 'getargs') {
    if (args.len < PROCFS_ARGS_SIZE) {
      mark('procfs_mount: MNT_GETARGS with short data -> EINVAL');
      return err('EINVAL');
    }
    const pmnt = VFSTOPROC(mp);
    if (pmnt === null) {
      mark('procfs_mount: MNT_GETARGS without mount data -> EIO');
      return err('EIO');
    }
    mark('procfs_mount: MNT_GETARGS');
    return { len: PROCFS_ARGS_SIZE, version: PROCFS_ARGSVERSION, flags: pmnt.flags };
  }
  if (op === 'update') {
    mark('procfs_mount: MNT_UPDATE -> EOPNOTSUPP');
    return err('EOPNOTSUPP');
  }
  if (args.len >= PROCFS_ARGS_SIZE && args.version !== PROCFS_ARGSVERSION) {
    mark('procfs_mount: wrong args version -> EINVAL');
    return err('EINVAL');
  }
  mark(args.len >= PROCFS_ARGS_SIZE ? 'procfs_mount: new mount' : 'procfs_mount: short data, no flags');
  const pmnt: ProcfsMount = { flags: 0 };
  mp.namemax = PROCFS_MAXNAMLEN;
  mp.flag |= MNT_LOCAL;
  mp.data = pmnt;
  // set_statvfs_info cannot fail here (its error would come back after this state is set).
  pmnt.flags = args.len >= PROCFS_ARGS_SIZE ? args.flags : 0; // not validated
  return undefined;
}

/** procfs_unmount: vflush (FORCECLOSE with MNT_FORCE), then mnt_data goes. */
export function procfsUnmount(_ctx: Ctx, mp: Mount, mntflags: number): Err | undefined {
  const e = vflush(mp, mntflags & MNT_FORCE ? FORCECLOSE : 0);
  if (e !== undefined) {
    mark('procfs_unmount: vflush fails');
    return e;
  }
  mark('procfs_unmount: done');
  mp.data = null;
  return undefined;
}

/** procfs_root */
export function procfsRoot(ctx: Ctx, mp: Mount): Vnode | Err {
  return procfsAllocvp(ctx, mp, 0, 'root', -1);
}

/** procfs_statvfs: genfs_statvfs, then page-sized blocks and maxproc as files. */
export function procfsStatvfs(ctx: Ctx, mp: Mount): Statvfs {
  const k = ctx.k;
  return {
    bsize: k.pageSize, frsize: k.pageSize, iosize: k.pageSize, blocks: 1, bfree: 0, bavail: 0,
    files: k.maxproc, ffree: k.maxproc - k.nprocs, favail: k.maxproc - k.nprocs,
    namemax: mp.namemax, fstype: 'procfs', mntfromname: 'procfs', mntonname: mp.path,
  };
}

/** The vtype and mode an fd node gets from the file behind it, or the errno (the PFSfd case). */
function fdNodeType(ctx: Ctx, mp: Mount, pid: number, fd: number): { type: Vtype; mode: number } | Err {
  const p = procfsProcFind(mp, pid);
  if (p === null) {
    mark('procfs_loadvnode: /proc/N/fd/M process not found -> ENOENT');
    return err('ENOENT');
  }
  const fp = fdGetfile2(p, fd);
  if (fp === null) {
    mark('procfs_loadvnode: /proc/N/fd/M no descriptor -> EBADF');
    return err('EBADF');
  }
  const symlink = { type: 'VLNK' as const, mode: DR_XR_XR_X }; // lr-xr-xr-x
  switch (fp.type) {
    case 'DTYPE_VNODE': {
      const vxp = fp.vnode!;
      // "We make symlinks for directories to avoid cycles."
      const dirLink = vxp.type === 'VDIR' && !ctx.k.bugs.has('fd-dir-not-symlink');
      if (dirLink) {
        mark('procfs_loadvnode: /proc/N/fd/M directory -> symlink');
        return symlink;
      }
      if (procfsProcIsLinuxCompat(ctx)) {
        mark('procfs_loadvnode: /proc/N/fd/M Linux caller -> symlink');
        return symlink;
      }
      mark('procfs_loadvnode: /proc/N/fd/M vnode type of the file');
      return { type: vxp.type, mode: RW_______ };
    }
    case 'DTYPE_PIPE':
      mark('procfs_loadvnode: /proc/N/fd/M pipe -> VFIFO');
      return { type: 'VFIFO', mode: RW_______ };
    case 'DTYPE_SOCKET':
      mark('procfs_loadvnode: /proc/N/fd/M socket -> VSOCK');
      return { type: 'VSOCK', mode: RW_______ };
    case 'DTYPE_KQUEUE':
    case 'DTYPE_MISC':
    case 'DTYPE_SEM':
      mark('procfs_loadvnode: /proc/N/fd/M kqueue, misc or sem -> symlink');
      return symlink;
    default:
      mark('procfs_loadvnode: /proc/N/fd/M other file type -> EOPNOTSUPP');
      return err('EOPNOTSUPP'); // crypto, mqueue, eventfd, timerfd, memfd
  }
}

/** The vtype and mode procfs_loadvnode's switch gives a key. */
function loadvnodeType(ctx: Ctx, mp: Mount, pfs: { type: PfsNode['type']; pid: number; fd: number }): { type: Vtype; mode: number } | Err {
  switch (pfs.type) {
    case 'root': // /proc = dr-xr-xr-x
    case 'proc': // /proc/N = dr-xr-xr-x
      return { type: 'VDIR', mode: DR_XR_XR_X };
    case 'task': // /proc/N/task = dr-xr-xr-x; /proc/N/task/N = lr-xr-xr-x
      return pfs.fd === -1 ? { type: 'VDIR', mode: DR_XR_XR_X } : { type: 'VLNK', mode: DR_XR_XR_X };
    case 'curproc': // /proc/curproc = lr-xr-xr-x
    case 'self': // /proc/self = lr-xr-xr-x
    case 'cwd': // /proc/N/cwd = lr-xr-xr-x
    case 'chroot': // /proc/N/root = lr-xr-xr-x
    case 'exe': // /proc/N/exe = lr-xr-xr-x
      return { type: 'VLNK', mode: DR_XR_XR_X };
    case 'fd': // /proc/N/fd = dr-x------; /proc/N/fd/M = [ps-]rw------- or lr-xr-xr-x
      return pfs.fd === -1 ? { type: 'VDIR', mode: S_IRUSR | S_IXUSR } : fdNodeType(ctx, mp, pfs.pid, pfs.fd);
    case 'file': // /proc/N/file = -rw-------
    case 'mem': // /proc/N/mem = -rw-------
    case 'regs': // /proc/N/regs = -rw-------
    case 'fpregs': // /proc/N/fpregs = -rw-------
      return { type: 'VREG', mode: RW_______ };
    case 'note': // /proc/N/note = --w-------
    case 'notepg': // /proc/N/notepg = --w-------
      return { type: 'VREG', mode: S_IWUSR };
    case 'map': // /proc/N/map = -r--------
    case 'maps': // /proc/N/maps = -r--------
    case 'auxv': // /proc/N/auxv = -r--------
    case 'environ': // /proc/N/environ = -r--------
      return { type: 'VREG', mode: S_IRUSR };
    case 'status': // /proc/N/status = -r--r--r--
    case 'stat': // /proc/N/stat
    case 'cmdline': // /proc/N/cmdline
    case 'emul': // /proc/N/emul
    case 'meminfo': // /proc/meminfo
    case 'cpustat': // /proc/stat
    case 'devices': // /proc/devices
    case 'cpuinfo': // /proc/cpuinfo
    case 'uptime': // /proc/uptime
    case 'mounts': // /proc/mounts
    case 'loadavg': // /proc/loadavg
    case 'statm': // /proc/N/statm
    case 'version': // /proc/version
    case 'limit': // /proc/N/limit
      return { type: 'VREG', mode: S_IRUSR | S_IRGRP | S_IROTH };
    default: {
      const never: never = pfs.type;
      throw new Error(`procfs_allocvp: unknown type ${String(never)}`); // panic
    }
  }
}

/** procfs_loadvnode: fill the pfsnode from the key, pick type and mode, hash it by pid. */
export function procfsLoadvnode(st: ProcfsState, ctx: Ctx, mp: Mount, vp: Vnode, key: string): Err | undefined {
  const k = pfsKeyParse(key);
  const tm = loadvnodeType(ctx, mp, k);
  if (isErr(tm)) return tm;
  const pfs: PfsNode = {
    type: k.type, pid: k.pid, fd: k.fd, vnode: vp, mount: mp, st, mode: tm.mode, flags: 0,
    fileno: procfsFileno(k.pid, k.type, k.fd, st.pfsLast),
  };
  vp.data = pfs;
  vp.type = tm.type;
  if (k.type === 'root') vp.vflag |= VV_ROOT;
  procfsHashhead(st, pfs.pid).unshift(pfs); // LIST_INSERT_HEAD
  mark('procfs_loadvnode: loaded and hashed');
  return undefined;
}

/**
 * Which hashed node the hook takes next: the first in the bucket with the
 * pid (with `hook-matches-bucket`, the first in the bucket at all), skipping
 * the ones the buggy variants leave alone.
 */
function hookNextNode(st: ProcfsState, p: Proc, skip: Set<PfsNode>): PfsNode | undefined {
  const bugs = st.k.bugs;
  for (const pfs of procfsHashhead(st, p.pid)) {
    if (skip.has(pfs)) continue;
    if (pfs.pid !== p.pid && !bugs.has('hook-matches-bucket')) {
      mark('procfs_exechook_cb: bucket neighbour of another pid left');
      continue;
    }
    const used = pfs.vnode.usecount > 0;
    if ((bugs.has('hook-revokes-unused-only') && used) || (bugs.has('hook-revokes-used-only') && !used)) {
      skip.add(pfs);
      continue;
    }
    return pfs;
  }
  return undefined;
}

/**
 * procfs_exechook_cb: on exec only a PK_SUGID process, on exit always; every
 * procfs vnode of the pid on every mount is recycled if unreferenced, else
 * revoked (vgone with the mount suspended).
 */
export function procfsExechookCb(st: ProcfsState, p: Proc, arg: unknown): void {
  const bugs = st.k.bugs;
  if (arg === PROCFS_EXEC_HOOK) {
    if (bugs.has('exechook-ignores-sugid-never')) return;
    if (!p.sugid && !bugs.has('exechook-ignores-sugid-always')) {
      mark('procfs_exechook_cb: exec of a process that is not PK_SUGID skipped');
      return;
    }
  }
  mark(arg === PROCFS_EXEC_HOOK ? 'procfs_exechook_cb: exec of a PK_SUGID process' : 'procfs_exechook_cb: exit');
  const ctx = st.k.ctx(p);
  const skip = new Set<PfsNode>();
  // Each pass removes a node from the hash or skips it, so the hash bounds the loop.
  for (let guard = 0; ; guard++) {
    if (guard > 1_000_000) throw new Error('procfs_exechook_cb: no progress');
    const pfs = hookNextNode(st, p, skip);
    if (pfs === undefined) {
      mark('procfs_exechook_cb: no node of the pid left');
      return;
    }
    const vp = vcacheGet(ctx, pfs.mount, pfsKeyString(pfs.type, pfs.pid, pfs.fd));
    if (isErr(vp)) {
      mark('procfs_exechook_cb: vcache_get fails, node skipped');
      skip.add(pfs); // NetBSD retries ("goto again"); a failing vcache_get would spin there.
      continue;
    }
    if (vrecycle(vp)) {
      mark('procfs_exechook_cb: unused vnode recycled');
      continue;
    }
    const mp = pfs.mount;
    let e: Err | undefined;
    do e = vfsSuspend(mp);
    while (e !== undefined && (e.errno === 'EINTR' || e.errno === 'ERESTART'));
    mark(e === undefined ? 'procfs_exechook_cb: vnode in use revoked (vgone, mount suspended)' : 'procfs_exechook_cb: vfs_suspend fails, vgone unsuspended');
    vgoneUnsuspended(vp, e !== undefined);
    if (e === undefined) vfsResume(mp);
  }
}

/** vgone; when vfs_suspend failed (mount gone) NetBSD calls vgone anyway, unsuspended. */
function vgoneUnsuspended(vp: Vnode, unsuspended: boolean): void {
  if (!unsuspended) return vgone(vp);
  vp.mount.suspended++;
  vgone(vp);
  vp.mount.suspended--;
}

/**
 * procfs_listener_cb: mem, regs and fpregs only for a caller with the
 * target's real uid (kauth_cred_getuid) and a target that is not PK_SUGID;
 * every other node type is allowed.
 */
export function procfsListenerCb(k: Kernel, cred: Cred, a: KauthAction): KauthResult {
  if (a.scope !== 'process' || a.action !== 'PROCFS') {
    mark('procfs_listener_cb: not KAUTH_PROCESS_PROCFS -> DEFER');
    return 'DEFER';
  }
  const pfs = a.node as PfsNode;
  switch (pfs.type) {
    case 'regs':
    case 'fpregs':
    case 'mem': {
      const uidOf = (c: Cred) => (k.bugs.has('listener-compares-euid') ? c.euid : c.ruid);
      if (uidOf(cred) !== uidOf(a.p.cred)) {
        mark('procfs_listener_cb: mem/regs/fpregs, other real uid -> DEFER');
        return 'DEFER';
      }
      if (a.p.sugid && !k.bugs.has('listener-ignores-sugid')) {
        mark('procfs_listener_cb: mem/regs/fpregs, PK_SUGID target -> DEFER');
        return 'DEFER';
      }
      mark('procfs_listener_cb: mem/regs/fpregs, same real uid -> ALLOW');
      return 'ALLOW';
    }
    default:
      mark('procfs_listener_cb: other node -> ALLOW');
      return 'ALLOW';
  }
}

const eopnotsupp = (): Err => err('EOPNOTSUPP');

function procfsVfsops(st: ProcfsState): VfsOps {
  return {
    name: 'procfs',
    minMountData: PROCFS_ARGS_SIZE,
    vnodeops: procfsVnodeops,
    mount: procfsMount,
    unmount: procfsUnmount,
    root: procfsRoot,
    statvfs: procfsStatvfs,
    loadvnode: (ctx, mp, vp, key) => procfsLoadvnode(st, ctx, mp, vp, key),
    vget: eopnotsupp, // procfs_vget
    fhtovp: eopnotsupp,
    vptofh: eopnotsupp,
    quotactl: eopnotsupp,
    snapshot: eopnotsupp,
    sync: () => undefined, // procfs_sync
  };
}

/** procfs_modcmd: INIT attaches the file system, listener, hooks and hash; FINI undoes them. */
export function procfsModcmd(st: ProcfsState, k: Kernel, cmd: ModuleCmd): Err | undefined {
  switch (cmd) {
    case 'INIT': {
      const e = k.vfsAttach(st.vfsops);
      if (e !== undefined) {
        mark('procfs_modcmd: INIT, vfs_attach fails');
        return e;
      }
      mark('procfs_modcmd: INIT');
      st.listener = k.kauth.listen('process', 'procfs', procfsListenerCb);
      st.exechook = k.exechooks.establish((p, arg) => procfsExechookCb(st, p, arg), PROCFS_EXEC_HOOK);
      if (!k.bugs.has('no-exithook')) {
        st.exithook = k.exithooks.establish((p, arg) => procfsExechookCb(st, p, arg), PROCFS_EXIT_HOOK);
      }
      st.hashtab = [];
      for (let i = 0; i < PROCFS_HASHSIZE; i++) st.hashtab.push([]); // hashinit: PROCFS_HASHSIZE empty buckets
      return undefined;
    }
    case 'FINI': {
      const e = k.vfsDetach(st.vfsops);
      if (e !== undefined) {
        mark('procfs_modcmd: FINI, vfs_detach fails (mounted)');
        return e;
      }
      mark('procfs_modcmd: FINI');
      k.kauth.unlisten(st.listener!);
      k.exechooks.disestablish(st.exechook!);
      if (st.exithook !== null) k.exithooks.disestablish(st.exithook);
      st.listener = st.exechook = st.exithook = null;
      st.hashtab = null;
      return undefined;
    }
    default:
      mark('procfs_modcmd: other command -> ENOTTY');
      return err('ENOTTY');
  }
}

export interface ProcfsOptions {
  /** PFSlast for file numbers (33 at the baseline). */
  pfsLast?: number;
}

/** The procfs module for one kernel (its globals live in the returned module). */
export function procfsModule(opts: ProcfsOptions = {}): KernelModule {
  let st: ProcfsState | null = null;
  const pfsLast = opts.pfsLast ?? PFSLAST_BASELINE;
  return {
    name: 'procfs',
    modcmd(kern: Kernel, cmd: ModuleCmd) {
      if (st === null || st.k !== kern) {
        st = new ProcfsState(kern, pfsLast);
        st.vfsops = procfsVfsops(st);
      }
      return procfsModcmd(st, kern, cmd);
    },
  };
}

