/**
 * /proc/N/fd/M (netbsd-procfs.md §6, §7.3): what each DTYPE looks like to a
 * native and to a Linux caller, readlink, errors after close, the vtype
 * cached at load, and the fd directory listing with its top-two-slots quirk.
 */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { bootProcfs, mountProcfs, must, openOk, outcome, spawnAs, spawnLinux } from '../helpers/boot.ts';

/** One descriptor of every kind, in this fd order. */
const FD_KINDS = [
  'regular', 'dir', 'chr', 'fifo-vnode', 'socket', 'pipe-r', 'pipe-w', 'kqueue', 'misc', 'crypto',
  'mqueue', 'sem', 'eventfd', 'timerfd', 'memfd',
] as const;

/** A target (uid 1000, gid 100) with fds 0..14 as FD_KINDS says. */
function bootWithFds(linux = true) {
  const k = bootProcfs({ linux });
  const t = spawnAs(k, 1000, 100);
  expect(openOk(k, t, '/etc/passwd')).toBe(0);
  expect(openOk(k, t, '/tmp')).toBe(1);
  expect(openOk(k, t, '/dev/null')).toBe(2);
  expect(openOk(k, t, '/tmp/fifo')).toBe(3);
  expect(E.sysNewfile(k, t, 'DTYPE_SOCKET')).toBe(4);
  expect(E.sysPipe(k, t)).toEqual([5, 6]);
  const rest: E.Dtype[] = ['DTYPE_KQUEUE', 'DTYPE_MISC', 'DTYPE_CRYPTO', 'DTYPE_MQUEUE', 'DTYPE_SEM',
    'DTYPE_EVENTFD', 'DTYPE_TIMERFD', 'DTYPE_MEMFD'];
  rest.forEach((d, i) => expect(E.sysNewfile(k, t, d)).toBe(7 + i));
  return { k, t };
}

type Look = readonly [E.Vtype, number] | E.Errno;

/** lstat of /proc/N/fd/M for a native caller (§6.1 step 4, §6.2). */
const NATIVE_LSTAT: readonly Look[] = [
  ['VREG', 0o644], // the real /etc/passwd
  ['VLNK', 0o555], // "symlinks for directories to avoid cycles"
  ['VCHR', 0o666], // the real /dev/null
  ['VFIFO', 0o666], // the real /tmp/fifo
  ['VSOCK', 0o600],
  ['VFIFO', 0o600],
  ['VFIFO', 0o600],
  ['VLNK', 0o555], // kqueue
  ['VLNK', 0o555], // misc
  'EOPNOTSUPP', // crypto
  'EOPNOTSUPP', // mqueue
  ['VLNK', 0o555], // sem
  'EOPNOTSUPP', // eventfd
  'EOPNOTSUPP', // timerfd
  'EOPNOTSUPP', // memfd
];

/** lstat for a Linux caller: every vnode file is a VLNK 0555 fd node. */
const LINUX_LSTAT: readonly Look[] = [
  ['VLNK', 0o555], ['VLNK', 0o555], ['VLNK', 0o555], ['VLNK', 0o555],
  ['VSOCK', 0o600], ['VFIFO', 0o600], ['VFIFO', 0o600], ['VLNK', 0o555], ['VLNK', 0o555],
  'EOPNOTSUPP', 'EOPNOTSUPP', ['VLNK', 0o555], 'EOPNOTSUPP', 'EOPNOTSUPP', 'EOPNOTSUPP',
];

/** readlink(2) of /proc/N/fd/M (§6.3; EINVAL before any VOP for a non-link). */
const NATIVE_READLINK: readonly string[] = [
  'EINVAL', '/tmp', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', '[kqueue]', '[misc]', 'EOPNOTSUPP',
  'EOPNOTSUPP', '[ksem]', 'EOPNOTSUPP', 'EOPNOTSUPP', 'EOPNOTSUPP',
];
const LINUX_READLINK: readonly string[] = [
  '/etc/passwd', '/tmp', '/dev/null', '/tmp/fifo', 'EINVAL', 'EINVAL', 'EINVAL', '[kqueue]', '[misc]',
  'EOPNOTSUPP', 'EOPNOTSUPP', '[ksem]', 'EOPNOTSUPP', 'EOPNOTSUPP', 'EOPNOTSUPP',
];

/** fttodt (§7.3): the same for every caller. */
const FD_DIRENT_TYPES: readonly E.DirentType[] = [
  'DT_REG', 'DT_LNK', 'DT_CHR', 'DT_FIFO', 'DT_SOCK', 'DT_FIFO', 'DT_FIFO', 'DT_LNK', 'DT_LNK',
  'DT_UNKNOWN', 'DT_UNKNOWN', 'DT_LNK', 'DT_UNKNOWN', 'DT_UNKNOWN', 'DT_UNKNOWN',
];

function lstatLook(k: E.Kernel, p: E.Proc, path: string): Look {
  const s = E.sysStat(k, p, path, false);
  return E.isErr(s) ? s.errno : [s.vtype, s.mode];
}

function readlinkLook(k: E.Kernel, p: E.Proc, path: string): string {
  const r = E.sysReadlink(k, p, path);
  return E.isErr(r) ? r.errno : r;
}

describe.each([
  ['native', false, NATIVE_LSTAT, NATIVE_READLINK],
  ['Linux', true, LINUX_LSTAT, LINUX_READLINK],
] as const)('a %s caller', (_name, linuxCaller, lstats, readlinks) => {
  const { k, t } = bootWithFds();
  const caller = linuxCaller ? spawnLinux(k, 0, 0) : spawnAs(k, 0, 0);
  const fds = FD_KINDS.map((kind, fd) => [kind, fd] as const);

  it('runs under the expected emulation', () => {
    expect(caller.emul).toBe(linuxCaller ? 'linux' : 'netbsd');
  });

  it.each(fds)('lstat of fd %s (%d)', (_kind, fd) => {
    expect(lstatLook(k, caller, `/proc/${t.pid}/fd/${fd}`)).toEqual(lstats[fd]);
  });

  it.each(fds)('readlink of fd %s (%d)', (_kind, fd) => {
    expect(readlinkLook(k, caller, `/proc/${t.pid}/fd/${fd}`)).toBe(readlinks[fd]);
  });

  it('lists the fds with fttodt types, whatever the caller\'s emulation', () => {
    const ents = must(E.sysReaddir(k, caller, `/proc/${t.pid}/fd`));
    expect(ents.slice(2).map((d) => [d.name, d.type])).toEqual(FD_DIRENT_TYPES.map((dt, fd) => [String(fd), dt]));
  });

  it('fd nodes are owned by the opening credential, link count 1', () => {
    const s = must(E.sysStat(k, caller, `/proc/${t.pid}/fd/5`, false));
    expect(s).toMatchObject({ uid: 1000, gid: 100, nlink: 1, size: 0 });
  });
});

describe('a native caller gets the real vnode of a non-directory vnode file (§6.1 step 4)', () => {
  it('the very vnode of the file, which exec and exit hooks do not revoke', () => {
    const { k, t } = bootWithFds();
    const root = spawnAs(k, 0, 0);
    const vp = must(E.namei(k.ctx(root), `/proc/${t.pid}/fd/0`, false));
    expect(vp).toBe(t.fd.get(0)!.file.vnode);
    expect(vp.ops.tag).toBe('VT_UFS');
    E.vrele(vp);
    expect(must(E.sysStat(k, root, `/proc/${t.pid}/fd/0`, false))).toEqual(must(E.sysStat(k, root, '/etc/passwd', false)));
    // Opening it opens the file afresh, with the caller's permissions and offset.
    const fd = openOk(k, root, `/proc/${t.pid}/fd/0`);
    expect(must(E.sysRead(k, root, fd, 4, 0))).toBe('root');
  });

  it('an fd node loaded for such a file anyway (straight from the vcache) takes the file\'s vtype, 0600', () => {
    const { k, t } = bootWithFds();
    const root = spawnAs(k, 0, 0);
    const mp = k.mountlist.find((m) => m.ops.name === 'procfs')!;
    const got = [0, 2, 3].map((fd) => {
      const vp = must(E.vcacheGet(k.ctx(root), mp, `fd:${t.pid}:${fd}`));
      const a = must(vp.ops.getattr(k.ctx(root), vp));
      E.vrele(vp);
      return [a.type, a.mode, a.uid];
    });
    expect(got).toEqual([['VREG', 0o600, 1000], ['VCHR', 0o600, 1000], ['VFIFO', 0o600, 1000]]);
  });

  it('stat (following) of a directory fd lands on the directory itself', () => {
    const { k, t } = bootWithFds();
    const root = spawnAs(k, 0, 0);
    expect(must(E.sysStat(k, root, `/proc/${t.pid}/fd/1`, true))).toEqual(must(E.sysStat(k, root, '/tmp', true)));
    expect(must(E.sysStat(k, root, '/tmp', true))).toMatchObject({ vtype: 'VDIR', mode: 0o1777 });
  });

  it('a Linux caller following a regular file fd lands on the file', () => {
    const { k, t } = bootWithFds();
    const l = spawnLinux(k, 0, 0);
    expect(must(E.sysStat(k, l, `/proc/${t.pid}/fd/0`, true))).toMatchObject({ vtype: 'VREG', mode: 0o644 });
  });

  it('a path unreachable from the caller\'s root: readlink gives getcwd_common\'s error (ENOENT); a procfs vnode gives /', () => {
    const k = bootProcfs({ config: { files: [{ path: '/home/user/proc', type: 'dir', mode: 0o755, uid: 0, gid: 0 }] } });
    mountProcfs(k, '/home/user/proc');
    const t = spawnAs(k, 1000, 100);
    openOk(k, t, '/etc/passwd'); // 0
    openOk(k, t, '/home/user'); // 1
    openOk(k, t, '/proc/self/status'); // 2
    const l = spawnLinux(k, 0, 0);
    expect(E.sysChroot(k, l, '/home/user')).toBeUndefined();
    const rl = (fd: number) => readlinkLook(k, l, `/proc/${t.pid}/fd/${fd}`);
    expect([rl(0), rl(1), rl(2)]).toEqual(['ENOENT', '/', '/']);
    const native = spawnAs(k, 0, 0);
    expect(readlinkLook(k, native, `/proc/${t.pid}/fd/1`)).toBe('/home/user');
    expect(readlinkLook(k, native, `/proc/${t.pid}/fd/2`)).toBe('EINVAL'); // native: the status vnode itself, VREG
  });

  it('following a [kqueue] link looks up "[kqueue]" in the fd directory: ENOENT', () => {
    const { k, t } = bootWithFds();
    const root = spawnAs(k, 0, 0);
    expect(outcome(E.sysStat(k, root, `/proc/${t.pid}/fd/7`, true))).toBe('ENOENT');
  });
});

describe('errors (§6.4)', () => {
  it('lookup of a closed, a never-opened or a non-numeric fd is ENOENT', () => {
    const { k, t } = bootWithFds();
    const root = spawnAs(k, 0, 0);
    expect(outcome(E.sysStat(k, root, `/proc/${t.pid}/fd/8`, false))).toBe('ok');
    expect(E.sysClose(k, t, 8)).toBeUndefined();
    const names = ['8', '99', 'abc', '-1'];
    expect(names.map((n) => outcome(E.sysStat(k, root, `/proc/${t.pid}/fd/${n}`, false)))).toEqual(
      ['ENOENT', 'ENOENT', 'ENOENT', 'ENOENT']);
  });

  it('an opened fd node answers EBADF to fstat once the target closes the fd', () => {
    const { k, t } = bootWithFds();
    const root = spawnAs(k, 0, 0);
    const h = openOk(k, root, `/proc/${t.pid}/fd/5`);
    expect(must(E.sysFstat(k, root, h))).toMatchObject({ vtype: 'VFIFO', mode: 0o600, uid: 1000 });
    expect(outcome(E.sysRead(k, root, h, 1, 0))).toBe('ESPIPE'); // pread of a FIFO
    expect(E.sysClose(k, t, 5)).toBeUndefined();
    expect(outcome(E.sysFstat(k, root, h))).toBe('EBADF');
    expect(E.sysClose(k, root, h)).toBeUndefined();
  });

  it('a held fd link node answers EBADF to getattr and readlink once the fd is closed', () => {
    const { k, t } = bootWithFds();
    const root = spawnAs(k, 0, 0);
    const vp = must(E.namei(k.ctx(root), `/proc/${t.pid}/fd/8`, false)); // [misc]
    expect(vp.ops.readlink(k.ctx(root), vp)).toBe('[misc]');
    expect(E.sysClose(k, t, 8)).toBeUndefined();
    expect(outcome(vp.ops.readlink(k.ctx(root), vp))).toBe('EBADF');
    expect(outcome(vp.ops.getattr(k.ctx(root), vp))).toBe('EBADF');
    E.vrele(vp);
  });

  it('the fd directory is 0500: another user gets EACCES; read(2) of it is EBADF', () => {
    const { k, t } = bootWithFds();
    const other = spawnAs(k, 2000, 100);
    expect(outcome(E.sysStat(k, other, `/proc/${t.pid}/fd/0`, false))).toBe('EACCES');
    expect(outcome(E.sysReaddir(k, other, `/proc/${t.pid}/fd`))).toBe('EACCES');
    expect(outcome(E.sysReaddir(k, t, `/proc/${t.pid}/fd`))).toBe('ok');
    const d = openOk(k, t, `/proc/${t.pid}/fd`);
    expect(outcome(E.sysRead(k, t, d, 32, 0))).toBe('EBADF'); // procfs_dofd with fd -1
  });

  it('crypto, mqueue, eventfd, timerfd and memfd fds are listed but give EOPNOTSUPP on lookup', () => {
    const { k, t } = bootWithFds(false);
    const root = spawnAs(k, 0, 0);
    const names = must(E.sysReaddir(k, root, `/proc/${t.pid}/fd`)).map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(['9', '10', '12', '13', '14']));
    expect([9, 10, 12, 13, 14].map((fd) => outcome(E.sysStat(k, root, `/proc/${t.pid}/fd/${fd}`, true)))).toEqual(
      ['EOPNOTSUPP', 'EOPNOTSUPP', 'EOPNOTSUPP', 'EOPNOTSUPP', 'EOPNOTSUPP']);
  });
});

describe('the fd node\'s vnode type is fixed at load (§6.2, last paragraph; §9 quirk 4)', () => {
  it('a pipe node keeps VFIFO after the fd is reused for a directory', () => {
    const { k, t } = bootWithFds();
    const root = spawnAs(k, 0, 0);
    const path = `/proc/${t.pid}/fd/5`;
    expect(lstatLook(k, root, path)).toEqual(['VFIFO', 0o600]);
    expect(E.sysClose(k, t, 5)).toBeUndefined();
    expect(outcome(E.sysStat(k, root, path, false))).toBe('ENOENT');
    expect(openOk(k, t, '/home')).toBe(5);
    // The cached vnode comes back with its old type; the listing tells the truth.
    expect(lstatLook(k, root, path)).toEqual(['VFIFO', 0o600]);
    expect(readlinkLook(k, root, path)).toBe('EINVAL');
    const ent = must(E.sysReaddir(k, root, `/proc/${t.pid}/fd`)).find((d) => d.name === '5');
    expect(ent?.type).toBe('DT_LNK');
    // A fresh kernel would have made it a link.
    const fresh = bootWithFds();
    const r2 = spawnAs(fresh.k, 0, 0);
    E.sysClose(fresh.k, fresh.t, 5);
    openOk(fresh.k, fresh.t, '/home');
    expect(lstatLook(fresh.k, r2, `/proc/${fresh.t.pid}/fd/5`)).toEqual(['VLNK', 0o555]);
  });

  it('a node a Linux caller loaded for a regular file stays a VLNK for a native caller after reuse', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    expect(openOk(k, t, '/etc/passwd')).toBe(0);
    const l = spawnLinux(k, 0, 0);
    const root = spawnAs(k, 0, 0);
    const path = `/proc/${t.pid}/fd/0`;
    expect(lstatLook(k, l, path)).toEqual(['VLNK', 0o555]);
    expect(lstatLook(k, root, path)).toEqual(['VREG', 0o644]); // the native lookup hands back the file
    expect(E.sysClose(k, t, 0)).toBeUndefined();
    expect(E.sysPipe(k, t)).toEqual([0, 1]);
    expect(lstatLook(k, root, path)).toEqual(['VLNK', 0o555]); // stale: a pipe would be VFIFO 0600
    expect(lstatLook(k, root, `/proc/${t.pid}/fd/1`)).toEqual(['VFIFO', 0o600]);
  });
});

describe('readdir of /proc/N/fd (§7.3)', () => {
  it('`.` has the file number of /proc/N and `..` that of /proc', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100, '/bin/sh', 5);
    const ents = must(E.sysReaddir(k, t, '/proc/5/fd'));
    expect(ents).toEqual([
      { name: '.', fileno: 221, type: 'DT_DIR' },
      { name: '..', fileno: 2, type: 'DT_DIR' },
    ]);
    openOk(k, t, '/etc/passwd');
    expect(must(E.sysReaddir(k, t, '/proc/5/fd'))[2]).toEqual({ name: '0', fileno: 6 * 2 ** 32 * 33 + 11, type: 'DT_REG' });
  });

  it('never lists the top two slots of the table: fds 18 and 19 of a 20-slot table', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    for (let i = 0; i < 20; i++) expect(openOk(k, t, '/etc/passwd')).toBe(i);
    expect(t.fd.nfiles).toBe(20);
    const names = must(E.sysReaddir(k, t, `/proc/${t.pid}/fd`)).map((d) => d.name);
    expect(names).toEqual(['.', '..', ...Array.from({ length: 18 }, (_, i) => String(i))]);
    // They are still there for lookup.
    expect(lstatLook(k, t, `/proc/${t.pid}/fd/18`)).toEqual(['VREG', 0o644]);
    expect(lstatLook(k, t, `/proc/${t.pid}/fd/19`)).toEqual(['VREG', 0o644]);
    // Fd 20 expands the table to NDEXTENT (50) slots (fd_tryexpand): 18, 19 and 20 show up.
    expect(openOk(k, t, '/etc/passwd')).toBe(20);
    expect(t.fd.nfiles).toBe(50);
    const grown = must(E.sysReaddir(k, t, `/proc/${t.pid}/fd`)).map((d) => d.name);
    expect(grown).toEqual(['.', '..', ...Array.from({ length: 21 }, (_, i) => String(i))]);
  });

  it('closed slots are skipped', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    for (let i = 0; i < 4; i++) openOk(k, t, '/etc/passwd');
    E.sysClose(k, t, 1);
    E.sysClose(k, t, 2);
    expect(must(E.sysReaddir(k, t, `/proc/${t.pid}/fd`)).map((d) => d.name)).toEqual(['.', '..', '0', '3']);
  });

  it('the fd directory belongs to the target\'s euid; fd nodes to the opening credential', () => {
    const k = bootProcfs();
    const s = spawnAs(k, 0, 0);
    expect(E.sysPipe(k, s)).toEqual([0, 1]);
    expect(E.sysSetid(k, s, 'setuid', 1000)).toBeUndefined();
    const root = spawnAs(k, 0, 0);
    expect(must(E.sysStat(k, root, `/proc/${s.pid}/fd`, false))).toMatchObject({ uid: 1000, gid: 0, mode: 0o500 });
    expect(must(E.sysStat(k, root, `/proc/${s.pid}/fd/0`, false))).toMatchObject({ uid: 0, gid: 0, mode: 0o600 });
    // The opener's credential does not decide who may list the directory: the target's euid does.
    expect(outcome(E.sysReaddir(k, s, `/proc/${s.pid}/fd`))).toBe('ok');
  });
});
