/** Path lookup (namei.ts): components, symbolic links, `..`, mount points, chroot, limits. */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { bootKernel, bootProcfs, must, outcome, spawnAs } from '../helpers/boot.ts';

const link = (path: string, target: string): E.RootfsEntry => ({ path, type: 'link', mode: 0o755, uid: 0, gid: 0, target });

/** A chain /tmp/c0 -> /tmp/c1 -> ... -> /tmp/c32 -> /etc/passwd: 33 links from c0, 32 from c1. */
const CHAIN: E.RootfsEntry[] = Array.from({ length: 33 }, (_, i) => link(`/tmp/c${i}`, i === 32 ? '/etc/passwd' : `/tmp/c${i + 1}`));

const FILES: E.RootfsEntry[] = [
  link('/tmp/loop1', '/tmp/loop2'),
  link('/tmp/loop2', 'loop1'),
  link('/tmp/abs', '/etc/passwd'),
  link('/tmp/rel', 'fifo'),
  link('/tmp/etcdir', '../etc'),
  link('/tmp/empty', ''),
  link('/tmp/dangling', '/nowhere'),
  { path: '/home/private', type: 'dir', mode: 0o700, uid: 1000, gid: 100 },
  { path: '/home/private/f', type: 'file', mode: 0o644, uid: 1000, gid: 100 },
  { path: '/home/user/etc', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
  { path: '/home/user/etc/passwd', type: 'file', mode: 0o644, uid: 0, gid: 0 },
  link('/home/user/up', '/etc/passwd'),
  ...CHAIN,
];

function boot() {
  const k = bootKernel({ files: FILES });
  return { k, u: spawnAs(k, 1000, 100), r: spawnAs(k, 0, 0) };
}

const ino = (k: E.Kernel, p: E.Proc, path: string, follow = true) => {
  const s = E.sysStat(k, p, path, follow);
  return E.isErr(s) ? s.errno : s.fileno;
};

describe('components', () => {
  it('`.` and repeated slashes are ignored; relative paths start at the cwd', () => {
    const { k, u } = boot();
    const passwd = ino(k, u, '/etc/passwd');
    expect(['//etc///passwd', '/./etc/./passwd', '/etc/../etc/passwd'].map((p) => ino(k, u, p))).toEqual([passwd, passwd, passwd]);
    expect(E.sysChdir(k, u, '/etc')).toBeUndefined();
    expect(ino(k, u, 'passwd')).toBe(passwd);
    expect(ino(k, u, './passwd')).toBe(passwd);
    expect(ino(k, u, '../etc/passwd')).toBe(passwd);
  });

  it('ENOENT for an empty path or a missing name, ENOTDIR through a file, ENAMETOOLONG', () => {
    const { k, u } = boot();
    expect(outcome(E.sysStat(k, u, '', true))).toBe('ENOENT');
    expect(outcome(E.sysStat(k, u, '/etc/nothing', true))).toBe('ENOENT');
    expect(outcome(E.sysStat(k, u, '/etc/passwd/x', true))).toBe('ENOTDIR');
    expect(outcome(E.sysStat(k, u, `/${'a'.repeat(256)}`, true))).toBe('ENAMETOOLONG');
    expect(outcome(E.sysStat(k, u, `/${'a'.repeat(255)}`, true))).toBe('ENOENT');
    expect(outcome(E.sysStat(k, u, '/a'.repeat(512), true))).toBe('ENAMETOOLONG');
  });

  it('searching a directory needs its x bit: EACCES', () => {
    const { k, u, r } = boot();
    const other = spawnAs(k, 2000, 200);
    expect(outcome(E.sysStat(k, u, '/home/private/f', true))).toBe('ok');
    expect(outcome(E.sysStat(k, r, '/home/private/f', true))).toBe('ok');
    expect(outcome(E.sysStat(k, other, '/home/private/f', true))).toBe('EACCES');
    expect(outcome(E.sysStat(k, other, '/home/private', true))).toBe('ok'); // the dir itself: search of /home
  });
});

describe('symbolic links', () => {
  it('the last component is followed by stat, not by lstat; links in the middle always', () => {
    const { k, u } = boot();
    const passwd = ino(k, u, '/etc/passwd');
    expect(ino(k, u, '/tmp/abs')).toBe(passwd);
    expect(must(E.sysStat(k, u, '/tmp/abs', false))).toMatchObject({ vtype: 'VLNK', size: '/etc/passwd'.length });
    expect(ino(k, u, '/tmp/etcdir/passwd', false)).toBe(passwd); // relative ../etc from /tmp
    expect(ino(k, u, '/tmp/rel')).toBe(ino(k, u, '/tmp/fifo'));
    expect(E.sysReadlink(k, u, '/tmp/rel')).toBe('fifo');
    expect(outcome(E.sysReadlink(k, u, '/etc/passwd'))).toBe('EINVAL');
  });

  it('a dangling or empty link is ENOENT when followed', () => {
    const { k, u } = boot();
    expect(outcome(E.sysStat(k, u, '/tmp/dangling', true))).toBe('ENOENT');
    expect(outcome(E.sysStat(k, u, '/etc/localtime', true))).toBe('ENOENT');
    expect(outcome(E.sysStat(k, u, '/tmp/dangling', false))).toBe('ok');
    expect(outcome(E.sysStat(k, u, '/tmp/empty', true))).toBe('ENOENT');
  });

  it('ELOOP past MAXSYMLINKS (32) links, and on a cycle', () => {
    const { k, u } = boot();
    expect(E.MAXSYMLINKS).toBe(32);
    expect(ino(k, u, '/tmp/c1')).toBe(ino(k, u, '/etc/passwd')); // 32 links
    expect(outcome(E.sysStat(k, u, '/tmp/c0', true))).toBe('ELOOP'); // 33
    expect(outcome(E.sysStat(k, u, '/tmp/c0', false))).toBe('ok');
    expect(outcome(E.sysStat(k, u, '/tmp/loop1', true))).toBe('ELOOP');
    expect(outcome(E.sysStat(k, u, '/tmp/loop1/x', false))).toBe('ELOOP');
  });
});

describe('`..` and mount points', () => {
  it('`..` of / is /', () => {
    const { k, u } = boot();
    expect(ino(k, u, '/..')).toBe(ino(k, u, '/'));
    expect(ino(k, u, '/../../etc/passwd')).toBe(ino(k, u, '/etc/passwd'));
  });

  it('crosses into a mounted file system and back out through `..`', () => {
    const k = bootProcfs();
    const u = spawnAs(k, 1000, 100);
    const top = must(E.namei(k.ctx(u), '/proc', true));
    expect(top.key).toBe('root:0:-1');
    expect(top.ops.tag).toBe('VT_PROCFS');
    const up = must(E.namei(k.ctx(u), '/proc/..', true));
    expect(up).toBe(k.rootvnode);
    const back = must(E.namei(k.ctx(u), `/proc/${u.pid}/../../etc/passwd`, true));
    expect(back.ops.tag).toBe('VT_UFS');
    for (const vp of [top, up, back]) E.vrele(vp);
    expect(E.sysChdir(k, u, '/proc')).toBeUndefined();
    expect(ino(k, u, '..')).toBe(ino(k, u, '/'));
    expect(ino(k, u, '../etc/passwd')).toBe(ino(k, u, '/etc/passwd'));
  });
});

describe('chroot', () => {
  it('`/` is the new root, `..` stops there, absolute links resolve inside it', () => {
    const { k, r } = boot();
    const outside = ino(k, r, '/etc/passwd');
    const inside = ino(k, r, '/home/user/etc/passwd');
    expect(E.sysChroot(k, r, '/home/user')).toBeUndefined();
    expect(ino(k, r, '/etc/passwd')).toBe(inside);
    expect(ino(k, r, '/../../etc/passwd')).toBe(inside);
    expect(ino(k, r, '/up')).toBe(inside); // /etc/passwd seen from the new root
    expect(ino(k, r, '/etc/passwd')).not.toBe(outside);
    expect(outcome(E.sysStat(k, r, '/bin/sh', true))).toBe('ENOENT');
    expect(E.getcwdCommon(k, r.cwd!, r.root)).toBe('/');
  });
});

describe('lookup_parsepath: a trailing slash (REQUIREDIR)', () => {
  it('follows a link even without FOLLOW, and a non-directory is ENOTDIR', () => {
    const { k, u } = boot();
    expect(ino(k, u, '/tmp/etcdir/', false)).toBe(ino(k, u, '/etc'));
    expect(must(E.sysStat(k, u, '/tmp/etcdir', false)).vtype).toBe('VLNK');
    expect(outcome(E.sysStat(k, u, '/tmp/abs/', false))).toBe('ENOTDIR');
    expect(outcome(E.sysStat(k, u, '/etc/passwd/', true))).toBe('ENOTDIR');
    expect(outcome(E.sysStat(k, u, '/etc/passwd//', true))).toBe('ENOTDIR');
    expect(outcome(E.sysReadlink(k, u, '/tmp/etcdir/'))).toBe('EINVAL');
    expect(outcome(E.sysStat(k, u, '/nothing/', true))).toBe('ENOENT');
    expect(ino(k, u, '/etc//', false)).toBe(ino(k, u, '/etc'));
  });
});

describe('namei_follow limits', () => {
  it('ENAMETOOLONG when the link text and the rest reach MAXPATHLEN', () => {
    const long = `/${'dd/'.repeat(300)}`.slice(0, 700);
    const k = bootKernel({ files: [link('/tmp/long', long)] });
    const u = spawnAs(k, 1000, 100);
    const rest = `/${'x'.repeat(200)}/${'y'.repeat(100)}`;
    expect(outcome(E.sysStat(k, u, `/tmp/long${rest}`, true))).toBe('ENOENT'); // 700 + 302 + 1 < 1024
    expect(outcome(E.sysStat(k, u, `/tmp/long${rest}${'/z'.repeat(10)}`, true))).toBe('ENOENT'); // 700 + 322 + 1 = 1023
    expect(outcome(E.sysStat(k, u, `/tmp/long${rest}${'/z'.repeat(11)}`, true))).toBe('ENAMETOOLONG'); // 1025
  });
});

describe('namei_tryemulroot', () => {
  const FILES_EMUL: E.RootfsEntry[] = [
    { path: '/emul/linux/etc', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
    { path: '/emul/linux/etc/passwd', type: 'file', mode: 0o600, uid: 0, gid: 0 },
    { path: '/emul/linux/closed', type: 'dir', mode: 0o700, uid: 0, gid: 0 },
    { path: '/emul/linux/closed/x', type: 'file', mode: 0o644, uid: 0, gid: 0 },
    { path: '/closed', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
    { path: '/closed/x', type: 'file', mode: 0o644, uid: 0, gid: 0 },
    { path: '/emul/linux/tmp', type: 'dir', mode: 0o777, uid: 0, gid: 0 },
    link('/emul/linux/tmp/up', '/../etc/passwd'),
    link('/emul/linux/tmp/abs', '/etc/passwd'),
    link('/emul/linux/tmp/gone', '/nowhere'),
    { path: '/tmp/gone', type: 'file', mode: 0o644, uid: 0, gid: 0 },
    link('/emul/linux/tmp/loop', 'loop'),
    link('/emul/linux/tmp/nil', ''),
    { path: '/tmp/loop', type: 'file', mode: 0o644, uid: 0, gid: 0 },
    { path: '/tmp/nil', type: 'file', mode: 0o644, uid: 0, gid: 0 },
    { path: '/emul/linux/var', type: 'file', mode: 0o644, uid: 0, gid: 0 },
  ];

  function bootEmul() {
    const k = bootKernel({ files: FILES_EMUL });
    const l = spawnAs(k, 1000, 100);
    expect(E.execve(k, l, '/emul/linux/bin/sh')).toBeUndefined();
    return { k, l, n: spawnAs(k, 1000, 100) };
  }

  it('an absolute path starts at /emul/linux; a relative one at the cwd; `/../` at the real root', () => {
    const { k, l, n } = bootEmul();
    expect(l.edir).toBe(must(E.namei(k.ctx(n), '/emul/linux', true)));
    E.vrele(l.edir!);
    expect(ino(k, l, '/etc/passwd')).toBe(ino(k, n, '/emul/linux/etc/passwd'));
    expect(ino(k, l, '/../etc/passwd')).toBe(ino(k, n, '/etc/passwd'));
    expect(E.sysChdir(k, l, '/etc')).toBeUndefined(); // /emul/linux/etc
    expect(ino(k, l, 'passwd')).toBe(ino(k, n, '/emul/linux/etc/passwd'));
    expect(ino(k, l, '/')).toBe(ino(k, n, '/')); // the emulation root itself becomes the real root
    expect(n.edir).toBe(null);
  });

  it('retries from the root after a lookup error (ENOENT, EACCES), not after a link error', () => {
    const { k, l, n } = bootEmul();
    expect(ino(k, l, '/usr/bin/id')).toBe(ino(k, n, '/usr/bin/id')); // ENOENT in the emulation root
    expect(ino(k, l, '/closed/x')).toBe(ino(k, n, '/closed/x')); // EACCES there
    expect(ino(k, l, '/var/')).toBe(ino(k, n, '/var')); // ENOTDIR there (a file), a directory from the root
    expect(ino(k, l, '/tmp/abs')).toBe(ino(k, n, '/emul/linux/etc/passwd')); // an absolute link stays inside
    expect(ino(k, l, '/tmp/up')).toBe(ino(k, n, '/etc/passwd')); // `/../` leaves it
    // ENOENT for /emul/linux/nowhere after the link is a lookup error: the whole path again from the root.
    expect(ino(k, l, '/tmp/gone')).toBe(ino(k, n, '/tmp/gone'));
    // Errors of namei_follow itself do not set attempt_retry.
    expect(ino(k, l, '/tmp/loop')).toBe('ELOOP');
    expect(ino(k, l, '/tmp/nil')).toBe('ENOENT');
    expect(typeof ino(k, n, '/tmp/nil')).toBe('number');
  });

  it('a native program run from the emulation root drops it (cwdexec, emulexec)', () => {
    const { k, l } = bootEmul();
    expect(E.execve(k, l, '/bin/cat')).toBeUndefined();
    expect([l.emul, l.edir]).toEqual(['netbsd', null]);
  });
});
