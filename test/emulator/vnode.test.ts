/**
 * vnode life-cycle edges (vnode.ts): a revoked vnode is left reclaimed on
 * deadfs, and vrecycle of such a vnode only drops the caller's reference.
 */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { bootProcfs, openOk, spawnAs } from '../helpers/boot.ts';

describe('vcache_reclaim and vrecycle (vfs_vnode.c 1.37)', () => {
  it('a vnode revoked while held is reclaimed; vrecycle of it answers true and drops one reference', () => {
    const k = bootProcfs();
    const reader = spawnAs(k, 0, 0);
    const t = spawnAs(k, 1000, 100);
    const fd = openOk(k, reader, `/proc/${t.pid}/status`);
    const vp = reader.fd.get(fd)!.file.vnode!;
    E.exit1(k, t, 0);
    expect(vp.state).toBe('reclaimed');
    expect(vp.ops.tag).toBe('VT_NON');
    const held = vp.usecount;
    E.vref(vp);
    expect(E.vrecycle(vp)).toBe(true);
    expect(vp.usecount).toBe(held);
  });
});

describe('exec_makepathbuf and fork1 edges', () => {
  it('a path of MAXPATHLEN bytes or more is ENAMETOOLONG before any lookup (copyinstr); one byte less is looked up', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const dots = './'.repeat(508); // 1 + 1016 + '/bin/sh': 1023 bytes
    expect(`/${dots}bin/sh`.length).toBe(E.MAXPATHLEN - 1);
    expect(E.execve(k, t, `/${dots}/bin/sh`)).toEqual({ errno: 'ENAMETOOLONG' });
    expect(E.execve(k, t, `/${dots}bin/sh`)).toBeUndefined();
  });

  it('fork1 of a chrooted process takes a reference on its root directory (cwdinit)', () => {
    const k = bootProcfs();
    const p = spawnAs(k, 0, 0);
    expect(E.sysChroot(k, p, '/tmp')).toBeUndefined();
    const root = p.root!;
    const before = root.usecount;
    const c = E.fork1(k, p);
    expect(E.isErr(c)).toBe(false);
    expect((c as E.Proc).root).toBe(root);
    expect(root.usecount).toBe(before + (p.cwd === root ? 2 : 1)); // cdir too, when it is the root
  });
});
