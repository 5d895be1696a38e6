/** getcwd_common, vn_isunder, proc_isunder (vfs_getcwd.ts): the climb through every file system. */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { bootProcfs, must, spawnAs } from '../helpers/boot.ts';

const dir = (path: string, mode: number, uid = 0): E.RootfsEntry => ({ path, type: 'dir', mode, uid, gid: 0 });

describe('getcwd_common', () => {
  it('names directories on procfs through VOP_LOOKUP("..") and VOP_READDIR, and crosses the covered vnode', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const u = spawnAs(k, 2000, 100);
    const fdDir = must(E.namei(k.ctx(t), `/proc/${t.pid}/fd`, true));
    expect(E.getcwdCommon(k, fdDir, null, k.ctx(t))).toBe(`/proc/${t.pid}/fd`);
    const top = must(E.namei(k.ctx(t), '/proc', true));
    expect(E.getcwdCommon(k, fdDir, top, k.ctx(t))).toBe(`/${t.pid}/fd`);
    expect(E.getcwdCommon(k, top, top, k.ctx(t))).toBe('/');
    // procfs_lookup of ".." searches the fd directory (0500): another user gets EACCES.
    expect(E.getcwdCommon(k, fdDir, null, k.ctx(u))).toEqual(E.err('EACCES'));
    E.vrele(fdDir);
    E.vrele(top);
  });

  it('GETCWD_CHECK_ACCESS: VEXEC on the start, VEXEC|VREAD above it; without the flag no test', () => {
    const k = bootProcfs({ config: { files: [dir('/x', 0o711), dir('/x/y', 0o711), dir('/x/y/z', 0o111)] } });
    const u = spawnAs(k, 1000, 100);
    const z = must(E.namei(k.ctx(u), '/x/y/z', true));
    expect(E.getcwdCommon(k, z, null, k.ctx(u))).toBe('/x/y/z');
    expect(E.getcwdCommon(k, z, null, k.ctx(u), E.GETCWD_CHECK_ACCESS)).toEqual(E.err('EACCES')); // y lacks r for others
    const r = spawnAs(k, 0, 0);
    expect(E.getcwdCommon(k, z, null, k.ctx(r), E.GETCWD_CHECK_ACCESS)).toBe('/x/y/z');
    E.vrele(z);
  });

  it('a directory not below rootdir is ENOENT (the system root covers nothing)', () => {
    const k = bootProcfs();
    const u = spawnAs(k, 1000, 100);
    const etc = must(E.namei(k.ctx(u), '/etc', true));
    const tmp = must(E.namei(k.ctx(u), '/tmp', true));
    expect(E.getcwdCommon(k, etc, tmp, k.ctx(u))).toEqual(E.err('ENOENT'));
    E.vrele(etc);
    E.vrele(tmp);
  });
});

describe('vn_isunder', () => {
  it('walks `..` through procfs; a revoked directory is under nothing', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const r = spawnAs(k, 0, 0);
    const top = must(E.namei(k.ctx(r), '/proc', true));
    expect(E.sysChdir(k, r, `/proc/${t.pid}/fd`)).toBeUndefined();
    const cwd = r.cwd!;
    expect(E.vnIsunder(k, cwd, top, k.ctx(r))).toBe(true);
    expect(E.vnIsunder(k, cwd, k.rootvnode, k.ctx(r))).toBe(true);
    expect(E.vnIsunder(k, top, cwd, k.ctx(r))).toBe(false);
    E.exit1(k, t, 0);
    expect(cwd.ops).toBe(E.deadVnodeops);
    expect(E.vnIsunder(k, cwd, k.rootvnode, k.ctx(r))).toBe(false);
    expect(E.vnIsunder(k, cwd, cwd, k.ctx(r))).toBe(true);
    E.vrele(top);
  });
});

describe('proc_isunder', () => {
  it('no root is under only no root; chroot("/") is a root', () => {
    const k = bootProcfs({ config: { files: [dir('/jail', 0o755), dir('/jail/in', 0o755)] } });
    const [plain, slash, jail, inner] = [0, 1, 2, 3].map(() => spawnAs(k, 0, 0)) as [E.Proc, E.Proc, E.Proc, E.Proc];
    expect(E.sysChroot(k, slash, '/')).toBeUndefined();
    expect(slash.root).toBe(k.rootvnode);
    expect(E.sysChroot(k, jail, '/jail')).toBeUndefined();
    expect(E.sysChroot(k, inner, '/jail/in')).toBeUndefined();
    const under = (t: E.Proc, c: E.Proc) => E.procIsunder(k, t, c);
    expect([under(plain, plain), under(plain, slash), under(slash, plain), under(slash, slash)]).toEqual([true, false, true, true]);
    expect([under(jail, slash), under(slash, jail), under(inner, jail), under(jail, inner)]).toEqual([true, false, true, false]);
  });
});
