/**
 * procfs_vfsops.c 1.114 (netbsd-procfs.md §3): mount, getargs, update,
 * unmount (plain and forced), statvfs, the refused VFS operations, modcmd,
 * and the table of other vnode operations.
 */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { PROCFS_OTHER_VOPS } from '../../procfs/index.ts';
import {
  RD, bootProcfs, evictionsDuring, mountOf, mountProcfs, must, openOk, outcome, spawnAs,
} from '../helpers/boot.ts';

const MNT = { path: '/mnt', type: 'dir', mode: 0o755, uid: 0, gid: 0 } as const;

function bare() {
  const k = bootProcfs({ mountOn: null, config: { files: [MNT] } });
  return { k, init: k.initproc };
}

const linuxNames = ['meminfo', 'cpuinfo', 'uptime', 'mounts', 'devices', 'stat', 'loadavg', 'version'];
const rootNames = (k: E.Kernel, p: E.Proc, on = '/proc') => must(E.sysReaddir(k, p, on)).map((d) => d.name);

describe('procfs_mount (§3.1), in its order', () => {
  it('null data is EINVAL and nothing is mounted', () => {
    const { k, init } = bare();
    expect(outcome(E.sysMount(k, init, 'procfs', '/proc', null))).toBe('EINVAL');
    expect(k.mountlist.length).toBe(1);
    expect(rootNames(k, init)).toEqual(['.', '..']);
  });

  it('short data mounts with flags 0 (no Linux compat), whatever it holds', () => {
    const { k, init } = bare();
    expect(E.sysMount(k, init, 'procfs', '/proc', { len: 4, version: 7, flags: 1 })).toBeUndefined();
    expect(E.sysGetargs(k, init, '/proc')).toEqual({ len: 8, version: 1, flags: 0 });
    expect(rootNames(k, init).filter((n) => linuxNames.includes(n))).toEqual([]);
    expect(outcome(E.sysStat(k, init, '/proc/meminfo', false))).toBe('ENOENT');
  });

  it('version other than 1 with full data is EINVAL', () => {
    const { k, init } = bare();
    expect(outcome(E.sysMount(k, init, 'procfs', '/proc', { len: 8, version: 2, flags: 1 }))).toBe('EINVAL');
    expect(outcome(E.sysMount(k, init, 'procfs', '/proc', { len: 8, version: 0, flags: 0 }))).toBe('EINVAL');
    expect(k.mountlist.length).toBe(1);
  });

  it('flags 1 turns Linux compatibility on', () => {
    const { k, init } = bare();
    expect(E.sysMount(k, init, 'procfs', '/proc', { len: 8, version: 1, flags: 1 })).toBeUndefined();
    expect(rootNames(k, init).filter((n) => linuxNames.includes(n))).toEqual(linuxNames);
  });

  it('unknown flag bits are stored unvalidated and handed back by GETARGS', () => {
    const { k, init } = bare();
    expect(E.sysMount(k, init, 'procfs', '/proc', { len: 8, version: 1, flags: 0x7ff0 })).toBeUndefined();
    expect(E.sysGetargs(k, init, '/proc')).toEqual({ len: 8, version: 1, flags: 0x7ff0 });
    expect(outcome(E.sysStat(k, init, '/proc/meminfo', false))).toBe('ENOENT'); // bit 0 clear
    expect(E.sysMount(k, init, 'procfs', '/mnt', { len: 8, version: 1, flags: 0x7ff1 })).toBeUndefined();
    expect(E.sysGetargs(k, init, '/mnt')).toEqual({ len: 8, version: 1, flags: 0x7ff1 });
    expect(outcome(E.sysStat(k, init, '/mnt/meminfo', false))).toBe('ok');
  });

  it('sets MNT_LOCAL and the statvfs names', () => {
    const { k, init } = bare();
    const mp = mountProcfs(k, '/proc');
    expect(mp.flag & E.MNT_LOCAL).toBe(E.MNT_LOCAL);
    expect(mp.namemax).toBe(255);
    const s = E.sysStatvfs(k, init, '/proc');
    expect(E.isErr(s) ? s.errno : [s.fstype, s.mntonname, s.namemax]).toEqual(['procfs', '/proc', 255]);
  });
});

describe('mount(2) around procfs_mount (mount_domount, §3.1, §12)', () => {
  it('lookup errors come first: ENOENT and ENOTDIR of the path, even for non-root', () => {
    const { k, init } = bare();
    const user = spawnAs(k, 1000, 100);
    const args = { len: 8, version: 1, flags: 1 };
    expect(outcome(E.sysMount(k, init, 'procfs', '/nonexistent', args))).toBe('ENOENT');
    expect(outcome(E.sysMount(k, user, 'procfs', '/nonexistent', args))).toBe('ENOENT');
    expect(outcome(E.sysMount(k, init, 'procfs', '/etc/passwd/x', args))).toBe('ENOTDIR');
  });

  it('then kauth (EPERM for non-root), then the VDIR check (ENOTDIR)', () => {
    const { k, init } = bare();
    const user = spawnAs(k, 1000, 100);
    const args = { len: 8, version: 1, flags: 1 };
    expect(outcome(E.sysMount(k, user, 'procfs', '/proc', args))).toBe('EPERM');
    expect(outcome(E.sysMount(k, user, 'procfs', '/etc/passwd', args))).toBe('EPERM');
    expect(outcome(E.sysMount(k, init, 'procfs', '/etc/passwd', args))).toBe('ENOTDIR');
    expect(outcome(E.sysMount(k, init, 'nosuchfs', '/proc', args))).toBe('ENODEV');
  });

  it('mounting on /proc again stacks on the mounted root: the EBUSY check looks at the vnode namei found', () => {
    // mount_domount tests v_mountedhere of the vnode namei returned, and namei
    // has already crossed into the mounted file system (vfs_mount.c).
    const { k, init } = bare();
    const lower = mountProcfs(k, '/proc', false);
    const upper = mountProcfs(k, '/proc', true);
    expect(upper).not.toBe(lower);
    expect(upper.covered?.mount).toBe(lower);
    expect(outcome(E.sysStat(k, init, '/proc/meminfo', false))).toBe('ok');
    // The lower one is busy while the upper one covers its root.
    expect(E.sysUnmount(k, init, '/proc', false)).toBeUndefined(); // the upper
    expect(outcome(E.sysStat(k, init, '/proc/meminfo', false))).toBe('ENOENT');
    expect(E.sysUnmount(k, init, '/proc', false)).toBeUndefined(); // the lower
    expect(rootNames(k, init)).toEqual(['.', '..']);
  });
});

describe('MNT_UPDATE and MNT_GETARGS (§3.1 steps 3-4, §12)', () => {
  it('an update is EOPNOTSUPP; with data whose first eight bytes are zero it is an export request and succeeds', () => {
    const k = bootProcfs();
    const init = k.initproc;
    expect(outcome(E.sysMountUpdate(k, init, '/proc', { len: 8, version: 1, flags: 1 }))).toBe('EOPNOTSUPP');
    expect(outcome(E.sysMountUpdate(k, init, '/proc', { len: 8, version: 1, flags: 0 }))).toBe('EOPNOTSUPP');
    expect(outcome(E.sysMountUpdate(k, init, '/proc', { len: 8, version: 0, flags: 1 }))).toBe('EOPNOTSUPP');
    expect(E.sysMountUpdate(k, init, '/proc', { len: 8, version: 0, flags: 0 })).toBeUndefined();
    expect(outcome(E.sysMountUpdate(k, init, '/proc', null))).toBe('EINVAL');
    expect(E.sysGetargs(k, init, '/proc')).toEqual({ len: 8, version: 1, flags: 1 }); // unchanged
  });

  it('update and getargs need a mount root (EINVAL); update needs the superuser (EPERM), getargs does not', () => {
    const k = bootProcfs();
    const user = spawnAs(k, 1000, 100);
    expect(outcome(E.sysMountUpdate(k, k.initproc, '/tmp', { len: 8, version: 1, flags: 1 }))).toBe('EINVAL');
    expect(outcome(E.sysGetargs(k, k.initproc, '/tmp'))).toBe('EINVAL');
    expect(outcome(E.sysGetargs(k, k.initproc, '/proc/curproc'))).toBe('EINVAL');
    expect(outcome(E.sysMountUpdate(k, user, '/proc', { len: 8, version: 1, flags: 1 }))).toBe('EPERM');
    expect(E.sysGetargs(k, user, '/proc')).toEqual({ len: 8, version: 1, flags: 1 });
  });

  it('VFS_MOUNT(GETARGS) itself: short data EINVAL, a mount without mnt_data EIO', () => {
    const k = bootProcfs();
    const mp = mountOf(k, '/proc');
    const ctx = k.ctx(k.initproc);
    expect(outcome(mp.ops.mount(ctx, mp, '/proc', { len: 7, version: 0, flags: 0 }, 'getargs'))).toBe('EINVAL');
    expect(mp.ops.mount(ctx, mp, '/proc', { len: 8, version: 0, flags: 0 }, 'getargs')).toEqual({ len: 8, version: 1, flags: 1 });
    expect(E.sysUnmount(k, k.initproc, '/proc', false)).toBeUndefined();
    expect(mp.data).toBeNull();
    expect(outcome(mp.ops.mount(ctx, mp, '/proc', { len: 8, version: 0, flags: 0 }, 'getargs'))).toBe('EIO');
    expect(outcome(mp.ops.mount(ctx, mp, '/proc', null, 'getargs'))).toBe('EINVAL'); // data == NULL first
  });
});

describe('procfs_statvfs (§3.3)', () => {
  it('page-sized blocks, one block, maxproc files, maxproc - nprocs free', () => {
    const k = bootProcfs({ config: { maxproc: 100 } });
    const init = k.initproc;
    const a = spawnAs(k, 1000, 100);
    spawnAs(k, 1000, 100);
    expect(k.nprocs).toBe(4); // proc0, init and two
    expect(E.sysStatvfs(k, init, '/proc')).toEqual({
      bsize: 4096, frsize: 4096, iosize: 4096, blocks: 1, bfree: 0, bavail: 0,
      files: 100, ffree: 96, favail: 96, namemax: 255, fstype: 'procfs', mntfromname: 'procfs', mntonname: '/proc',
    });
    E.exit1(k, a, 0);
    expect(must(E.sysStatvfs(k, init, '/proc/self')).ffree).toBe(96); // a zombie still counts
    expect(E.wait(k, init, a.pid)).toBe(a.pid);
    expect(must(E.sysStatvfs(k, init, '/proc/1/status')).favail).toBe(97);
  });

  it('follows the page size', () => {
    const k = bootProcfs({ config: { pageSize: 8192 } });
    expect(must(E.sysStatvfs(k, k.initproc, '/proc'))).toMatchObject({ bsize: 8192, frsize: 8192, iosize: 8192, blocks: 1 });
  });
});

describe('procfs_unmount (§3.2)', () => {
  it('an unused mount goes, every cached vnode recycled, none revoked', () => {
    const k = bootProcfs();
    const init = k.initproc;
    const a = spawnAs(k, 1000, 100);
    must(E.sysStat(k, init, `/proc/${a.pid}/status`, false));
    const r = evictionsDuring(k, () => E.sysUnmount(k, init, '/proc', false));
    expect(r.result).toBeUndefined();
    expect(r.evicted.sort()).toEqual([`proc:${a.pid}:-1`, 'root:0:-1', `status:${a.pid}:-1`]);
    expect(r.revoked).toEqual([]);
    expect(rootNames(k, init)).toEqual(['.', '..']);
    expect(k.mountlist.map((m) => m.ops.name)).toEqual(['ffs']);
  });

  it('sys_unmount order: lookup (ENOENT), kauth (EPERM), the root file system EINVAL, not a mount root EINVAL', () => {
    const k = bootProcfs();
    const user = spawnAs(k, 1000, 100);
    expect(outcome(E.sysUnmount(k, user, '/proc', false))).toBe('EPERM');
    expect(outcome(E.sysUnmount(k, user, '/proc', true))).toBe('EPERM');
    expect(outcome(E.sysUnmount(k, user, '/tmp', false))).toBe('EPERM'); // kauth before the VV_ROOT check
    expect(outcome(E.sysUnmount(k, k.initproc, '/tmp', false))).toBe('EINVAL');
    expect(outcome(E.sysUnmount(k, k.initproc, '/nonexistent', false))).toBe('ENOENT');
    expect(outcome(E.sysUnmount(k, k.initproc, '/', false))).toBe('EINVAL'); // MNT_ROOTFS
  });

  it('mount: the file system type is looked up before kauth (ENODEV), and securelevel 2 refuses mounts (EPERM)', () => {
    const k = bootProcfs({ mountOn: null });
    const user = spawnAs(k, 1000, 100);
    expect(outcome(E.sysMount(k, user, 'nosuchfs', '/proc', { len: 8, version: 1, flags: 0 }))).toBe('ENODEV');
    expect(outcome(E.sysMount(k, user, 'procfs', '/proc', { len: 8, version: 1, flags: 0 }))).toBe('EPERM');
    k.securelevel = 2;
    expect(outcome(E.sysMount(k, k.initproc, 'procfs', '/proc', { len: 8, version: 1, flags: 0 }))).toBe('EPERM');
    k.securelevel = 1;
    expect(E.sysMount(k, k.initproc, 'procfs', '/proc', { len: 8, version: 1, flags: 0 })).toBeUndefined();
    k.securelevel = 2;
    expect(outcome(E.sysMountUpdate(k, k.initproc, '/proc', { len: 8, version: 0, flags: 0 }))).toBe('EPERM');
  });

  it('an open procfs file makes it EBUSY, and nothing is evicted', () => {
    const k = bootProcfs();
    const a = spawnAs(k, 1000, 100);
    const fd = openOk(k, a, '/proc/self/status');
    const r = evictionsDuring(k, () => E.sysUnmount(k, k.initproc, '/proc', false));
    expect(outcome(r.result)).toBe('EBUSY');
    expect(r.revoked).toEqual([]);
    expect(r.evicted).not.toContain(`status:${a.pid}:-1`);
    expect(outcome(E.sysRead(k, a, fd, 4, 0))).toBe('ok');
    E.sysClose(k, a, fd);
    expect(E.sysUnmount(k, k.initproc, '/proc', false)).toBeUndefined();
  });

  it('a current directory inside /proc makes it EBUSY', () => {
    const k = bootProcfs();
    const a = spawnAs(k, 1000, 100);
    expect(E.sysChdir(k, a, `/proc/${a.pid}`)).toBeUndefined();
    expect(outcome(E.sysUnmount(k, k.initproc, '/proc', false))).toBe('EBUSY');
    expect(E.sysChdir(k, a, '/')).toBeUndefined();
    expect(E.sysUnmount(k, k.initproc, '/proc', false)).toBeUndefined();
  });

  it('a current directory on /proc itself makes it EBUSY', () => {
    const k = bootProcfs();
    const a = spawnAs(k, 1000, 100);
    expect(E.sysChdir(k, a, '/proc')).toBeUndefined();
    expect(outcome(E.sysUnmount(k, k.initproc, '/proc', false))).toBe('EBUSY');
  });

  it('a forced unmount revokes what is in use: deadfs afterwards', () => {
    const k = bootProcfs();
    const a = spawnAs(k, 1000, 100);
    const b = spawnAs(k, 1000, 100);
    const fd = openOk(k, a, '/proc/self/status');
    expect(E.sysChdir(k, b, `/proc/${a.pid}`)).toBeUndefined();
    const r = evictionsDuring(k, () => E.sysUnmount(k, k.initproc, '/proc', true));
    expect(r.result).toBeUndefined();
    expect(r.revoked.sort()).toEqual([`proc:${a.pid}:-1`, `status:${a.pid}:-1`]);
    expect(r.all.every((e) => e.on === '/proc')).toBe(true);
    expect(outcome(E.sysRead(k, a, fd, 4, 0))).toBe('EIO');
    expect(outcome(E.sysWrite(k, a, fd, 'x', 0))).toBe('EBADF'); // opened read-only
    expect(outcome(E.sysFstat(k, a, fd))).toBe('EBADF');
    expect(E.sysClose(k, a, fd)).toBeUndefined();
    expect(outcome(E.sysReaddir(k, b, '.'))).toBe('ENOENT'); // dead_lookup of "."
    expect(outcome(E.sysStat(k, b, 'status', false))).toBe('ENOENT');
    // The path is the plain directory again.
    expect(rootNames(k, a)).toEqual(['.', '..']);
  });
});

describe('the refused VFS operations (§3.3)', () => {
  it('vget, fhtovp, vptofh, quotactl and snapshot are EOPNOTSUPP; sync is 0', () => {
    const k = bootProcfs();
    const ops = k.vfsList.get('procfs')!.ops;
    expect([ops.vget(), ops.fhtovp(), ops.vptofh(), ops.quotactl(), ops.snapshot()].map(outcome)).toEqual(
      ['EOPNOTSUPP', 'EOPNOTSUPP', 'EOPNOTSUPP', 'EOPNOTSUPP', 'EOPNOTSUPP']);
    expect(ops.sync()).toBeUndefined();
    expect(ops.minMountData).toBe(8);
    expect(ops.name).toBe('procfs');
  });

  it('VFS_ROOT gives the VV_ROOT directory of fileno 2', () => {
    const k = bootProcfs();
    const mp = mountOf(k, '/proc');
    const vp = must(mp.ops.root(k.ctx(k.initproc), mp));
    expect(vp.type).toBe('VDIR');
    expect(vp.vflag & E.VV_ROOT).toBe(E.VV_ROOT);
    expect(vp.key).toBe('root:0:-1');
    expect(must(vp.ops.getattr(k.ctx(k.initproc), vp))).toMatchObject({ fileid: 2, mode: 0o555, nlink: 1 });
    E.vrele(vp);
  });
});

describe('procfs_modcmd (§3.3)', () => {
  it('FINI is EBUSY while a procfs is mounted', () => {
    const k = bootProcfs();
    expect(outcome(k.modunload('procfs'))).toBe('EBUSY');
    expect(k.exechooks.size).toBe(1);
    expect(k.exithooks.size).toBe(1);
  });

  it('after unmount FINI detaches everything; INIT brings it back', () => {
    const k = bootProcfs();
    const init = k.initproc;
    const user = spawnAs(k, 1000, 100);
    const target = spawnAs(k, 1000, 100);
    const node = { type: 'status' };
    const auth = () => k.kauth.authorize(k, user.cred, { scope: 'process', action: 'PROCFS', p: target, node, req: 'READ' });
    expect(auth()).toBeUndefined();
    expect(E.sysUnmount(k, init, '/proc', false)).toBeUndefined();
    expect(k.modunload('procfs')).toBeUndefined();
    expect(k.exechooks.size).toBe(0);
    expect(k.exithooks.size).toBe(0);
    expect(k.vfsList.has('procfs')).toBe(false);
    expect(outcome(auth())).toBe('EPERM'); // no listener ALLOWs any more
    expect(outcome(E.sysMount(k, init, 'procfs', '/proc', { len: 8, version: 1, flags: 1 }))).toBe('ENODEV');
    expect(outcome(k.modunload('procfs'))).toBe('ENOENT');
    expect(k.modload('procfs')).toBeUndefined();
    expect(outcome(k.modload('procfs'))).toBe('EEXIST');
    expect(auth()).toBeUndefined();
    expect([k.exechooks.size, k.exithooks.size]).toEqual([1, 1]);
    mountProcfs(k, '/proc');
    expect(must(E.sysStat(k, user, `/proc/${target.pid}/status`, false)).mode).toBe(0o444);
    // The hooks work again: a set-uid exec evicts.
    openOk(k, target, '/proc/self/status', RD);
    const r = evictionsDuring(k, () => E.execve(k, target, '/usr/bin/passwd'));
    expect(r.revoked).toEqual([`status:${target.pid}:-1`]);
  });

  it('any other command is ENOTTY', () => {
    const k = bootProcfs();
    const mod = k.modules.get('procfs')!.mod;
    expect(outcome(mod.modcmd(k, 'STAT'))).toBe('ENOTTY');
  });
});

describe('PROCFS_OTHER_VOPS (§7.7)', () => {
  it('is the vnode operation table of procfs_vnodeop_entries', () => {
    expect(PROCFS_OTHER_VOPS).toEqual({
      create: 'EOPNOTSUPP', mknod: 'EOPNOTSUPP', remove: 'EOPNOTSUPP', rename: 'EOPNOTSUPP',
      mkdir: 'EOPNOTSUPP', rmdir: 'EOPNOTSUPP', fallocate: 'EOPNOTSUPP', fdiscard: 'EOPNOTSUPP',
      bmap: 'EOPNOTSUPP', mmap: 'EOPNOTSUPP',
      link: 'EROFS', symlink: 'EROFS',
      ioctl: 'ENOTTY',
      advlock: 'EINVAL',
      getpages: 'EFAULT',
      setattr: 0, fsync: 0, seek: 0, putpages: 0,
    });
  });
});
