/** File system calls on the root file system (vfs_syscalls.ts): vn_open rules, readdir, chdir, readlink. */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { RD, RDWR, WR, bootKernel, must, openOk, outcome, spawnAs } from '../helpers/boot.ts';

describe('vn_open', () => {
  it('EFTYPE for a link with O_NOFOLLOW, EOPNOTSUPP for a socket, EISDIR for a directory opened for writing', () => {
    const k = bootKernel();
    const r = spawnAs(k, 0, 0);
    const nofollow = { ...RD, nofollow: true };
    expect(outcome(E.sysOpen(k, r, '/etc/localtime', nofollow))).toBe('EFTYPE');
    expect(outcome(E.sysOpen(k, r, '/tmp/sock', RD))).toBe('EOPNOTSUPP');
    expect(outcome(E.sysOpen(k, r, '/tmp', WR))).toBe('EISDIR');
    expect(outcome(E.sysOpen(k, r, '/tmp', RDWR))).toBe('EISDIR');
    expect(outcome(E.sysOpen(k, r, '/tmp', RD))).toBe('ok');
    expect(outcome(E.sysOpen(k, r, '/etc/passwd', nofollow))).toBe('ok');
  });

  it('reads and writes at the given offset', () => {
    const k = bootKernel();
    const r = spawnAs(k, 0, 0);
    const fd = openOk(k, r, '/etc/passwd', RDWR);
    expect(E.sysRead(k, r, fd, 4, 0)).toBe('root');
    expect(E.sysWrite(k, r, fd, 'ROOT', 0)).toBe(4);
    expect(E.sysRead(k, r, fd, 6, 0)).toBe('ROOT:*');
    const d = openOk(k, r, '/tmp', RD);
    expect(outcome(E.sysRead(k, r, d, 1, 0))).toBe('EISDIR');
  });
});

describe('readdir, chdir, readlink', () => {
  it('readdir lists `.`, `..` and the entries in creation order; ENOTDIR on a file', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    const ents = must(E.sysReaddir(k, u, '/tmp'));
    expect(ents.map((d) => [d.name, d.type])).toEqual([
      ['.', 'DT_DIR'], ['..', 'DT_DIR'], ['fifo', 'DT_FIFO'], ['sock', 'DT_SOCK'],
    ]);
    expect(ents[1]!.fileno).toBe(must(E.sysStat(k, u, '/', true)).fileno);
    expect(outcome(E.sysReaddir(k, u, '/etc/passwd'))).toBe('ENOTDIR');
  });

  it('chdir needs a searchable directory: ENOTDIR, ENOENT, EACCES', () => {
    const k = bootKernel({ files: [{ path: '/home/closed', type: 'dir', mode: 0o700, uid: 0, gid: 0 }] });
    const u = spawnAs(k, 1000, 100);
    expect(outcome(E.sysChdir(k, u, '/etc/passwd'))).toBe('ENOTDIR');
    expect(outcome(E.sysChdir(k, u, '/nope'))).toBe('ENOENT');
    expect(outcome(E.sysChdir(k, u, '/home/closed'))).toBe('EACCES');
    expect(outcome(E.sysChdir(k, u, '/etc/localtime/..'))).toBe('ENOENT'); // the link is followed: /usr/share is missing
    expect(E.sysChdir(k, u, '/etc')).toBeUndefined();
    expect(E.getcwdCommon(k, u.cwd!, null)).toBe('/etc');
  });

  it('readlink gives the target text; EINVAL for anything else', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    expect(E.sysReadlink(k, u, '/etc/localtime')).toBe('/usr/share/zoneinfo/UTC');
    expect(outcome(E.sysReadlink(k, u, '/etc'))).toBe('EINVAL');
    expect(outcome(E.sysReadlink(k, u, '/nope'))).toBe('ENOENT');
  });
});

describe('statvfs of the root file system', () => {
  it('names it ffs on /', () => {
    const k = bootKernel();
    expect(must(E.sysStatvfs(k, k.initproc, '/etc'))).toMatchObject({ fstype: 'ffs', mntonname: '/', namemax: 255 });
  });
});

describe('vn_openchk order (no O_CREAT)', () => {
  it('O_DIRECTORY ENOTDIR, then EISDIR, then ETXTBSY (vn_writechk), then VOP_ACCESS', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100); // runs /bin/sh: VI_TEXT
    const r = spawnAs(k, 0, 0);
    expect(outcome(E.sysOpen(k, u, '/bin/sh', { ...WR, directory: true }))).toBe('ENOTDIR');
    expect(outcome(E.sysOpen(k, u, '/bin/sh', WR))).toBe('ETXTBSY'); // not EACCES (0555)
    expect(outcome(E.sysOpen(k, r, '/bin/sh', RDWR))).toBe('ETXTBSY');
    expect(outcome(E.sysOpen(k, u, '/bin/cat', WR))).toBe('EACCES');
    expect(outcome(E.sysOpen(k, u, '/bin/sh', RD))).toBe('ok');
  });
});

describe('mount_checkdirs', () => {
  it('a cwd or root on the covered vnode moves to the mounted root', async () => {
    const { bootProcfs } = await import('../helpers/boot.ts');
    const k = bootProcfs({ mountOn: null });
    const a = spawnAs(k, 0, 0);
    const b = spawnAs(k, 0, 0);
    expect(E.sysChdir(k, a, '/proc')).toBeUndefined();
    expect(E.sysChroot(k, b, '/proc')).toBeUndefined();
    const covered = a.cwd!;
    expect(E.sysMount(k, k.initproc, 'procfs', '/proc', { len: 8, version: 1, flags: 0 })).toBeUndefined();
    expect(a.cwd).not.toBe(covered);
    expect(a.cwd!.key).toBe('root:0:-1');
    expect(b.root).toBe(a.cwd);
    expect(b.cwd).toBe(a.cwd);
    expect(covered.usecount).toBe(1); // only the mount's (mnt_vnodecovered)
  });
});
