/**
 * A walk of the whole of /proc (netbsd-procfs.md §7; STYLE.md "one test
 * walks the whole of /proc"): every directory entry's dirent type against
 * lstat's vtype, and its d_fileno against the file number, for a native and
 * a Linux walker, with processes holding descriptors of every kind.
 */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { bootProcfs, must, openOk, spawnAs, spawnLinux } from '../helpers/boot.ts';

const DT_OF_VTYPE: Readonly<Record<E.Vtype, E.DirentType>> = {
  VREG: 'DT_REG', VDIR: 'DT_DIR', VLNK: 'DT_LNK', VCHR: 'DT_CHR', VBLK: 'DT_BLK', VSOCK: 'DT_SOCK',
  VFIFO: 'DT_FIFO', VNON: 'DT_UNKNOWN', VBAD: 'DT_UNKNOWN',
};

interface Visit {
  path: string;
  dt: E.DirentType;
  /** lstat's vtype, or the errno lstat gave. */
  got: E.Vtype | E.Errno;
  direntFileno: number;
  statFileno: number | null;
  procfs: boolean;
}

/** Depth-first over every entry but `.` and `..`, descending into DT_DIR entries only (links are not followed). */
function walk(k: E.Kernel, p: E.Proc, dir: string, out: Visit[]): Visit[] {
  for (const d of must(E.sysReaddir(k, p, dir))) {
    if (d.name === '.' || d.name === '..') continue;
    const path = `${dir}/${d.name}`;
    const s = E.sysStat(k, p, path, false);
    const vp = E.namei(k.ctx(p), path, false);
    // A procfs node named by this entry (under fd/, a native lookup may hand back another vnode).
    const procfs = !E.isErr(vp) && vp.ops.tag === 'VT_PROCFS' && (!/\/fd\/\d+$/.test(path) || vp.key.startsWith('fd:'));
    if (!E.isErr(vp)) E.vrele(vp);
    out.push({
      path, dt: d.type, got: E.isErr(s) ? s.errno : s.vtype, direntFileno: d.fileno,
      statFileno: E.isErr(s) ? null : s.fileno, procfs,
    });
    if (d.type === 'DT_DIR') walk(k, p, path, out);
  }
  return out;
}

/** A kernel with processes holding every kind of descriptor, one of them a Linux process. */
function populated() {
  const k = bootProcfs();
  const a = spawnAs(k, 1000, 5); // group 5 may read /dev/wd0
  openOk(k, a, '/etc/passwd');
  openOk(k, a, '/tmp');
  openOk(k, a, '/dev/null');
  openOk(k, a, '/tmp/fifo');
  openOk(k, a, '/dev/wd0');
  E.sysPipe(k, a);
  for (const d of ['DTYPE_SOCKET', 'DTYPE_KQUEUE', 'DTYPE_MISC', 'DTYPE_SEM', 'DTYPE_EVENTFD', 'DTYPE_MQUEUE'] as const) {
    E.sysNewfile(k, a, d);
  }
  openOk(k, a, '/proc/self/status'); // a procfs file behind an fd
  openOk(k, a, '/proc'); // a procfs directory behind an fd
  const b = spawnLinux(k, 1000, 100);
  openOk(k, b, '/etc/passwd');
  openOk(k, b, '/home/user');
  E.sysPipe(k, b);
  must(E.fork1(k, a));
  E.exit1(k, must(E.fork1(k, b)), 0); // a zombie: not listed
  return { k, a, b };
}

/** Entries whose dirent type disagrees with lstat (DT_UNKNOWN pairs with an EOPNOTSUPP lstat). */
function mismatches(visits: readonly Visit[]): string[] {
  return visits.filter((v) => {
    if (!v.got.startsWith('V')) return v.dt !== 'DT_UNKNOWN' || v.got !== 'EOPNOTSUPP';
    return DT_OF_VTYPE[v.got as E.Vtype] !== v.dt;
  }).map((v) => `${v.path} ${v.dt} ${v.got}`);
}

/** Procfs vnodes carry the dirent's file number (real vnodes behind fd/M and file have their own). */
function filenoMismatches(visits: readonly Visit[]): string[] {
  return visits.filter((v) => v.procfs && v.statFileno !== v.direntFileno).map((v) => v.path);
}

describe('walking /proc', () => {
  it('as a native walker every dirent type matches lstat and every procfs file number the dirent\'s', () => {
    const { k } = populated();
    const visits = walk(k, spawnAs(k, 0, 0), '/proc', []);
    expect(visits.length).toBeGreaterThan(150);
    expect(mismatches(visits)).toEqual([]);
    expect(filenoMismatches(visits)).toEqual([]);
  });

  it('as a Linux walker only vnode fds of non-directories disagree: fttodt ignores the emulation (§7.3)', () => {
    const { k, a, b } = populated();
    const visits = walk(k, spawnLinux(k, 0, 0), '/proc', []);
    const c = k.allproc.find((p) => p.parent === a)!; // a's child shares a's descriptors
    const aFds = (pid: number) => [
      `/proc/${pid}/fd/0 DT_REG VLNK`, `/proc/${pid}/fd/2 DT_CHR VLNK`, `/proc/${pid}/fd/3 DT_FIFO VLNK`,
      `/proc/${pid}/fd/4 DT_BLK VLNK`, `/proc/${pid}/fd/13 DT_REG VLNK`,
    ];
    expect(mismatches(visits).sort()).toEqual([...aFds(a.pid), ...aFds(c.pid), `/proc/${b.pid}/fd/0 DT_REG VLNK`].sort());
    expect(filenoMismatches(visits)).toEqual([]);
  });

  it.each([['native root', false], ['Linux root', true]] as const)('as %s it reaches every kind of entry', (_n, linux) => {
    const { k, a, b } = populated();
    const walker = linux ? spawnLinux(k, 0, 0) : spawnAs(k, 0, 0);
    const visits = walk(k, walker, '/proc', []);
    // It went everywhere it should.
    const paths = new Set(visits.map((v) => v.path));
    for (const p of [
      '/proc/curproc', '/proc/self', '/proc/meminfo', '/proc/0/fd', '/proc/1/status',
      `/proc/${a.pid}/fd/1`, `/proc/${a.pid}/fd/14`, `/proc/${b.pid}/task/${b.pid}`, `/proc/${b.pid}/fd/1`,
      `/proc/${walker.pid}/exe`,
    ]) expect(paths.has(p), p).toBe(true);
    expect([...paths].some((p) => p.startsWith(`/proc/${a.pid}/fd/1/`))).toBe(false); // links are not entered
    // Directories: /proc/N, /proc/N/fd, /proc/N/task and nothing else.
    const dirs = visits.filter((v) => v.dt === 'DT_DIR').map((v) => v.path.replace(/\d+/g, 'N'));
    expect(new Set(dirs)).toEqual(new Set(['/proc/N', '/proc/N/fd', '/proc/N/task']));
  });

  it('a native walker sees a directory fd as DT_LNK/VLNK and a regular file fd as DT_REG/the real VREG', () => {
    const { k, a } = populated();
    const walker = spawnAs(k, 0, 0);
    const byPath = new Map(walk(k, walker, '/proc', []).map((v) => [v.path, v]));
    expect(byPath.get(`/proc/${a.pid}/fd/1`)).toMatchObject({ dt: 'DT_LNK', got: 'VLNK', procfs: true });
    expect(byPath.get(`/proc/${a.pid}/fd/0`)).toMatchObject({ dt: 'DT_REG', got: 'VREG', procfs: false });
    expect(byPath.get(`/proc/${a.pid}/fd/4`)).toMatchObject({ dt: 'DT_BLK', got: 'VBLK', procfs: false });
    expect(byPath.get(`/proc/${a.pid}/fd/6`)).toMatchObject({ dt: 'DT_FIFO', got: 'VFIFO', procfs: true });
    expect(byPath.get(`/proc/${a.pid}/fd/11`)).toMatchObject({ dt: 'DT_UNKNOWN', got: 'EOPNOTSUPP' }); // eventfd
    expect(byPath.get(`/proc/${a.pid}/fd/12`)).toMatchObject({ dt: 'DT_UNKNOWN', got: 'EOPNOTSUPP' }); // mqueue
    expect(byPath.get(`/proc/${a.pid}/fd/13`)).toMatchObject({ dt: 'DT_REG', got: 'VREG', procfs: false }); // its status
    expect(byPath.get(`/proc/${a.pid}/fd/14`)).toMatchObject({ dt: 'DT_LNK', got: 'VLNK', procfs: true }); // /proc itself
    expect(byPath.get(`/proc/${a.pid}/file`)).toMatchObject({ dt: 'DT_REG', got: 'VREG', procfs: false });
  });

  it('lists processes newest first, without zombies, then the Linux files', () => {
    const { k, a, b } = populated();
    const walker = spawnAs(k, 0, 0);
    const names = must(E.sysReaddir(k, walker, '/proc')).map((d) => d.name);
    const pids = k.allproc.map((p) => String(p.pid));
    expect(names).toEqual(['.', '..', 'curproc', 'self', ...pids,
      'meminfo', 'cpuinfo', 'uptime', 'mounts', 'devices', 'stat', 'loadavg', 'version']);
    expect(pids.slice(-4)).toEqual([String(b.pid), String(a.pid), '1', '0']);
    expect(k.zombproc.length).toBe(1);
    expect(names).not.toContain(String(k.zombproc[0]!.pid));
  });
});
