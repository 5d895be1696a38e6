/**
 * procfs_vnops.c behaviour beyond the node table (netbsd-procfs.md §1.3,
 * §5.5, §7): lookup of `..` and links, readlink targets, the exclusive mem
 * open, proc_isunder, procfs_rw per node type, and curtain visibility.
 */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { RD, RDWR, WR, bootProcfs, cachedKeys, mountOf, mountProcfs, must, openOk, outcome, spawnAs } from '../helpers/boot.ts';

const EXCL_RW: E.OpenFlags = { ...RDWR, excl: true };
const EXCL_WR: E.OpenFlags = { ...WR, excl: true };

describe('lookup (§7.6, §7.4, §7.5)', () => {
  it('`..` of /proc/N is /proc; of /proc/N/fd and /proc/N/task it is /proc/N', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100, '/bin/sh', 5);
    const fileno = (p: string) => must(E.sysStat(k, t, p, false)).fileno;
    expect([fileno('/proc/5/..'), fileno('/proc/5/fd/..'), fileno('/proc/5/task/..')]).toEqual([2, 221, 221]);
    expect(fileno('/proc/5/fd/../fd/../status')).toBe(227);
  });

  it('self goes through curproc to /proc/<caller>; task/N leads back to /proc/N', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100, '/bin/sh', 5);
    const other = spawnAs(k, 1000, 100, '/bin/sh', 6);
    expect(must(E.sysStat(k, t, '/proc/self', true)).fileno).toBe(221);
    expect(must(E.sysStat(k, other, '/proc/self', true)).fileno).toBe(254); // 7 * 33 + 23
    expect(must(E.sysStat(k, t, '/proc/curproc/status', true)).fileno).toBe(227);
    expect(must(E.sysStat(k, t, '/proc/5/task/5', true)).fileno).toBe(221);
    expect(outcome(E.sysStat(k, t, '/proc/5/task/6', false))).toBe('ENOENT');
    expect(outcome(E.sysStat(k, t, '/proc/5/task/x', false))).toBe('ENOENT');
    const task = must(E.sysReaddir(k, t, '/proc/5/task'));
    expect(task).toEqual([
      { name: '.', fileno: 221, type: 'DT_DIR' },
      { name: '..', fileno: 2, type: 'DT_DIR' },
      { name: '5', fileno: 6 * 2 ** 32 * 33 + 30, type: 'DT_LNK' },
    ]);
  });

  it('a missing pid, a bad name or a missing entry is ENOENT; a non-directory is ENOTDIR', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const names = ['/proc/99', '/proc/abc', '/proc/-1', `/proc/${t.pid}/nothing`, `/proc/${t.pid}/status/x`];
    expect(names.map((p) => outcome(E.sysStat(k, t, p, false)))).toEqual(['ENOENT', 'ENOENT', 'ENOENT', 'ENOENT', 'ENOTDIR']);
  });
});

describe('lookup of curproc and self (procfs_lookup, PFSroot)', () => {
  it('locks the caller: while its own p_reflock is held as writer both are ENOENT and nothing is loaded', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const mp = mountOf(k, '/proc');
    t.reflockWriter = true; // as inside its own execve (execve_loadvm) or exit1
    expect(['/proc/curproc', '/proc/self'].map((p) => outcome(E.sysStat(k, t, p, false)))).toEqual(['ENOENT', 'ENOENT']);
    expect(cachedKeys(mp).filter((key) => key.startsWith('curproc:') || key.startsWith('self:'))).toEqual([]);
    t.reflockWriter = false;
    expect(['/proc/curproc', '/proc/self'].map((p) => must(E.sysStat(k, t, p, false)).vtype)).toEqual(['VLNK', 'VLNK']);
    expect(cachedKeys(mp).filter((key) => key.startsWith('curproc:') || key.startsWith('self:')))
      .toEqual(['curproc:0:-1', 'self:0:-1']);
  });
});

describe('readlink (§7.5)', () => {
  it('cwd and root give paths from the caller\'s root, `/` when unreachable or absent', () => {
    const k = bootProcfs({ config: { files: [{ path: '/mnt', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
      { path: '/mnt/proc', type: 'dir', mode: 0o755, uid: 0, gid: 0 }] } });
    mountProcfs(k, '/mnt/proc');
    const t = spawnAs(k, 0, 0);
    expect(E.sysChdir(k, t, '/home/user')).toBeUndefined();
    expect(E.sysReadlink(k, t, `/proc/${t.pid}/root`)).toBe('/'); // no chroot
    expect(E.sysReadlink(k, t, `/proc/${t.pid}/cwd`)).toBe('/home/user');
    const jailed = spawnAs(k, 0, 0);
    expect(E.sysChroot(k, jailed, '/mnt')).toBeUndefined();
    expect(E.sysReadlink(k, t, `/proc/${jailed.pid}/root`)).toBe('/mnt');
    expect(E.sysReadlink(k, t, `/proc/${jailed.pid}/cwd`)).toBe('/mnt');
    // Seen from inside the jail: its own root is `/`, t's cwd cannot be reached.
    expect(E.sysReadlink(k, jailed, `/proc/${jailed.pid}/root`)).toBe('/');
    expect(E.sysReadlink(k, jailed, `/proc/${t.pid}/cwd`)).toBe('/');
    // A cwd on procfs reads as `/`.
    expect(E.sysChdir(k, t, `/proc/${t.pid}`)).toBeUndefined();
    expect(E.sysReadlink(k, jailed, `/proc/${t.pid}/cwd`)).toBe('/');
    expect(must(E.sysStat(k, jailed, `/proc/${t.pid}/cwd`, false)).size).toBe(1);
  });

  it('VOP_READLINK of a node that is no link falls into the descriptor branch: fd -1 is EBADF', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const ctx = k.ctx(t);
    const results = ['/proc', `/proc/${t.pid}`, `/proc/${t.pid}/status`, `/proc/${t.pid}/fd`, `/proc/${t.pid}/task`].map((p) => {
      const vp = must(E.namei(ctx, p, false));
      const r = vp.ops.readlink(ctx, vp);
      E.vrele(vp);
      return outcome(r);
    });
    expect(results).toEqual(['EBADF', 'EBADF', 'EBADF', 'EBADF', 'EBADF']);
  });

  it('readlink(2) of a non-link procfs node is EINVAL', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    expect(['/proc', `/proc/${t.pid}`, `/proc/${t.pid}/status`, `/proc/${t.pid}/fd`].map((p) => outcome(E.sysReadlink(k, t, p))))
      .toEqual(['EINVAL', 'EINVAL', 'EINVAL', 'EINVAL']);
  });
});

describe('exclusive opens of mem (§5.5)', () => {
  it('an O_EXCL write open shuts out other write opens until it is closed', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const path = `/proc/${t.pid}/mem`;
    const x = openOk(k, t, path, EXCL_RW);
    expect(outcome(E.sysOpen(k, t, path, WR))).toBe('EBUSY');
    expect(outcome(E.sysOpen(k, t, path, EXCL_WR))).toBe('EBUSY');
    expect(outcome(E.sysOpen(k, t, path, RD))).toBe('ok');
    expect(E.sysClose(k, t, x)).toBeUndefined();
    expect(outcome(E.sysOpen(k, t, path, WR))).toBe('ok');
  });

  it('a plain write open leaves FWRITE behind: later O_EXCL opens are EBUSY even after it is closed (§9 quirk 3)', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const path = `/proc/${t.pid}/mem`;
    const w = openOk(k, t, path, WR);
    expect(outcome(E.sysOpen(k, t, path, EXCL_RW))).toBe('EBUSY');
    expect(E.sysClose(k, t, w)).toBeUndefined();
    expect(outcome(E.sysOpen(k, t, path, EXCL_RW))).toBe('EBUSY');
    expect(outcome(E.sysOpen(k, t, path, { ...RD, excl: true }))).toBe('EBUSY'); // O_EXCL with FWRITE set
    expect(outcome(E.sysOpen(k, t, path, WR))).toBe('ok');
  });

  it('a vnode loaded afresh (after a set-uid exec evicted it) starts clean', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const root = spawnAs(k, 0, 0);
    const path = `/proc/${t.pid}/mem`;
    E.sysClose(k, root, openOk(k, root, path, WR));
    expect(outcome(E.sysOpen(k, root, path, EXCL_WR))).toBe('EBUSY');
    expect(E.execve(k, t, '/usr/bin/passwd')).toBeUndefined();
    expect(outcome(E.sysOpen(k, root, path, EXCL_WR))).toBe('ok');
  });

  it('kauth comes before the exclusive check: EPERM, not EBUSY, for a caller kauth refuses', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const path = `/proc/${t.pid}/mem`;
    openOk(k, t, path, EXCL_RW);
    const c = spawnAs(k, 1000, 100);
    c.cred = E.credWith(c.cred, { ruid: 2000 });
    expect(outcome(E.sysOpen(k, c, path, WR))).toBe('EPERM');
  });
});

describe('proc_isunder for mem, regs and fpregs (§5.5)', () => {
  it('a chrooted caller may not open them for a target whose root is outside its own', () => {
    const k = bootProcfs({ mountOn: null, config: { files: [{ path: '/mnt', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
      { path: '/mnt/proc', type: 'dir', mode: 0o755, uid: 0, gid: 0 }] } });
    mountProcfs(k, '/mnt/proc');
    const outside = spawnAs(k, 0, 0);
    const jailed = spawnAs(k, 0, 0);
    expect(E.sysChroot(k, jailed, '/mnt')).toBeUndefined();
    const at = (p: E.Proc, n: string) => outcome(E.sysOpen(k, jailed, `/proc/${p.pid}/${n}`, RD));
    expect(['mem', 'regs', 'fpregs', 'status', 'map'].map((n) => at(outside, n))).toEqual(['EPERM', 'EPERM', 'EPERM', 'ok', 'ok']);
    expect(['mem', 'regs', 'fpregs'].map((n) => at(jailed, n))).toEqual(['ok', 'ok', 'ok']);
    // The unchrooted one may open the jailed one's.
    expect(outcome(E.sysOpen(k, outside, `/mnt/proc/${jailed.pid}/mem`, RD))).toBe('ok');
  });
});

describe('procfs_rw by node type', () => {
  it('directories: root and /proc/N EOPNOTSUPP, /proc/N/fd EBADF, /proc/N/task EOPNOTSUPP', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const rd = (p: string) => outcome(E.sysRead(k, t, openOk(k, t, p, RD), 16, 0));
    expect(['/proc', `/proc/${t.pid}`, `/proc/${t.pid}/fd`, `/proc/${t.pid}/task`].map(rd)).toEqual(
      ['EOPNOTSUPP', 'EOPNOTSUPP', 'EBADF', 'EOPNOTSUPP']);
  });

  it('note and notepg: read EINVAL; write EINVAL at an offset, EMSGSIZE past 64 bytes, else EOPNOTSUPP', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const root = spawnAs(k, 0, 0);
    for (const n of ['note', 'notepg']) {
      const path = `/proc/${t.pid}/${n}`;
      expect(outcome(E.sysOpen(k, t, path, RD))).toBe('EACCES'); // 0200
      const w = openOk(k, t, path, WR);
      expect(outcome(E.sysWrite(k, t, w, 'kill', 0))).toBe('EOPNOTSUPP');
      expect(outcome(E.sysWrite(k, t, w, 'kill', 1))).toBe('EINVAL');
      expect(outcome(E.sysWrite(k, t, w, 'x'.repeat(64), 0))).toBe('EOPNOTSUPP');
      expect(outcome(E.sysWrite(k, t, w, 'x'.repeat(65), 0))).toBe('EMSGSIZE');
      const rw = openOk(k, root, path, RDWR);
      expect(outcome(E.sysRead(k, root, rw, 4, 0))).toBe('EINVAL');
    }
  });

  it('status is read-only text (write EOPNOTSUPP, even for root)', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100, '/bin/sh', 5);
    const root = spawnAs(k, 0, 0);
    const s = openOk(k, root, '/proc/5/status', RDWR);
    const text = must(E.sysRead(k, root, s, 200, 0));
    expect(text).toMatch(/^sh 5 1 5 5 -1,-1 sldr \d+,\d+ 0,0 0,0 nochan 1000 100,100\n$/); // procfs_status_netbsd
    expect(must(E.sysRead(k, root, s, 4, 3))).toBe(text.slice(3, 7));
    expect(outcome(E.sysWrite(k, root, s, 'x', 0))).toBe('EOPNOTSUPP');
    expect(E.execve(k, t, '/usr/bin/passwd')).toBeUndefined();
    const s2 = openOk(k, root, '/proc/5/status', RD);
    expect(must(E.sysRead(k, root, s2, 100, 0))).toMatch(/ nochan 0 100,100\n$/); // the new euid; no PK_SUGID field
  });

  it('a root write to emul is accepted and changes nothing (§9 quirk 7)', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const root = spawnAs(k, 0, 0);
    expect(outcome(E.sysOpen(k, t, `/proc/${t.pid}/emul`, WR))).toBe('EACCES'); // 0444
    const e = openOk(k, root, `/proc/${t.pid}/emul`, RDWR);
    expect(E.sysWrite(k, root, e, 'linux', 0)).toBe(5);
    expect(E.sysRead(k, root, e, 16, 0)).toBe('netbsd');
  });

  it('cmdline is the NUL-terminated argv; proc0 shows (system) (procfs_doprocargs, p_comm of proc0)', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    expect(E.sysRead(k, t, openOk(k, t, `/proc/${t.pid}/cmdline`), 64, 0)).toBe('/bin/sh\0');
    expect(E.sysRead(k, t, openOk(k, t, '/proc/0/cmdline'), 64, 0)).toBe('(system)\0');
  });

  it('regs and fpregs (proc_regio): the whole block reads, an offset past it is EINVAL, a write needs LSSTOP: EBUSY', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    for (const [n, size] of [['regs', 208], ['fpregs', 512]] as const) {
      const fd = openOk(k, t, `/proc/${t.pid}/${n}`, RDWR);
      expect(must(E.sysRead(k, t, fd, 4096, 0))).toHaveLength(size);
      expect(E.sysRead(k, t, fd, 16, size)).toBe('');
      expect(outcome(E.sysRead(k, t, fd, 16, size + 1))).toBe('EINVAL');
      expect(outcome(E.sysWrite(k, t, fd, 'x', 0))).toBe('EBUSY');
    }
  });

  it('mem (process_domem): a zero-length transfer returns at once; proc0 and unmapped addresses fault', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const root = spawnAs(k, 0, 0);
    const fd = openOk(k, t, `/proc/${t.pid}/mem`, RDWR);
    expect(E.sysRead(k, t, fd, 0, 2 ** 40)).toBe('');
    expect(outcome(E.sysRead(k, t, fd, 4, 2 ** 40))).toBe('EFAULT');
    expect(E.sysWrite(k, t, fd, 'AB', 100)).toBe(2);
    expect(E.sysRead(k, t, fd, 2, 100)).toBe('AB');
    const m0 = openOk(k, root, '/proc/0/mem', RD);
    expect(outcome(E.sysRead(k, root, m0, 4, 0))).toBe('EFAULT');
    expect(E.sysRead(k, root, m0, 0, 0)).toBe('');
  });

  it('mem: unwritten bytes follow the address space: a fork reads its parent\'s (uvmspace_fork), an exec new ones (uvmspace_exec)', () => {
    const k = bootProcfs();
    const a = spawnAs(k, 1000, 100);
    const b = spawnAs(k, 1000, 100);
    const read = (p: E.Proc) => {
      const fd = openOk(k, p, '/proc/self/mem', RD);
      const s = must(E.sysRead(k, p, fd, 16, 0x600000));
      E.sysClose(k, p, fd);
      return s;
    };
    const c = must(E.fork1(k, a));
    expect(read(c)).toBe(read(a));
    expect(read(b)).not.toBe(read(a)); // another image
    const before = read(c);
    expect(E.execve(k, c, '/bin/cat')).toBeUndefined();
    expect(read(c)).not.toBe(before);
    expect(read(a)).toBe(before); // the parent's space is its own
  });

  it('a negative offset is EINVAL', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    expect(outcome(E.sysRead(k, t, openOk(k, t, `/proc/${t.pid}/status`), 4, -1))).toBe('EINVAL');
  });
});

describe('CANSEE with security.curtain on (§5.5, §1.3, §7.1)', () => {
  it('hides other users\' processes: getattr ENOENT, absent from /proc, Linux root files hidden from non-root', () => {
    const k = bootProcfs({ config: { curtain: true } });
    const a = spawnAs(k, 1000, 100);
    const b = spawnAs(k, 2000, 200);
    const root = spawnAs(k, 0, 0);
    expect(outcome(E.sysStat(k, b, `/proc/${a.pid}`, false))).toBe('ENOENT');
    expect(outcome(E.sysStat(k, b, `/proc/${a.pid}/status`, false))).toBe('ENOENT');
    expect(outcome(E.sysStat(k, b, `/proc/${b.pid}/status`, false))).toBe('ok');
    expect(outcome(E.sysStat(k, b, '/proc/meminfo', false))).toBe('ENOENT'); // CANSEE against proc0
    expect(must(E.sysReaddir(k, b, '/proc')).map((d) => d.name)).toEqual(['.', '..', 'curproc', 'self', String(b.pid)]);
    expect(must(E.sysReaddir(k, root, '/proc')).map((d) => d.name)).toEqual(['.', '..', 'curproc', 'self',
      String(root.pid), String(b.pid), String(a.pid), '1', '0',
      'meminfo', 'cpuinfo', 'uptime', 'mounts', 'devices', 'stat', 'loadavg', 'version']);
    expect(outcome(E.sysStat(k, root, `/proc/${a.pid}/status`, false))).toBe('ok');
  });

  it('the same real uid is enough, whatever the effective one', () => {
    const k = bootProcfs({ config: { curtain: true } });
    const a = spawnAs(k, 1000, 100);
    expect(E.execve(k, a, '/usr/bin/passwd')).toBeUndefined();
    const b = spawnAs(k, 1000, 100);
    expect(outcome(E.sysStat(k, b, `/proc/${a.pid}`, false))).toBe('ok');
  });
});
