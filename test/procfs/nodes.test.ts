/**
 * Every node type of netbsd-procfs.md §1.2: vtype, mode, owner, link count and
 * file number (§2.2, PFSlast 33 at the baseline and as a parameter), the
 * Linux-only gate, /proc/N/file, the PK_SUGID mode mask, and the getattr
 * sizes of §1.3. Expected values are literals worked out from the spec.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { RD, bootProcfs, must, openOk, outcome, spawnAs } from '../helpers/boot.ts';

/** [path, vtype, mode, uid, gid, nlink, fileno] */
type Row = readonly [string, E.Vtype, number, number, number, number, number];

/**
 * A target with pid 5 (uid 1000, gid 100) running /bin/sh, a pipe on fd 3,
 * seen by root on a linux-compat mount with PFSlast = 33:
 * fileno = (pid + 1) * 33 + type = 198 + type for pid 5.
 */
const NODES_PID5: readonly Row[] = [
  ['/proc', 'VDIR', 0o555, 0, 0, 1, 2],
  ['/proc/curproc', 'VLNK', 0o555, 0, 0, 1, 3],
  ['/proc/self', 'VLNK', 0o555, 0, 0, 1, 4],
  ['/proc/5', 'VDIR', 0o555, 1000, 100, 2, 221], // PFSproc 23
  ['/proc/5/fd', 'VDIR', 0o500, 1000, 100, 2, 209], // PFSfd 11
  ['/proc/5/fd/3', 'VFIFO', 0o600, 1000, 100, 1, 850403524718], // ((6 << 32) | 3) * 33 + 11
  ['/proc/5/task', 'VDIR', 0o555, 1000, 100, 2, 228], // PFStask 30
  ['/proc/5/task/5', 'VLNK', 0o555, 0, 0, 1, 850403524638], // ((6 << 32) | 0) * 33 + 30
  ['/proc/5/cwd', 'VLNK', 0o555, 0, 0, 1, 204], // PFScwd 6
  ['/proc/5/root', 'VLNK', 0o555, 0, 0, 1, 199], // PFSchroot 1
  ['/proc/5/exe', 'VLNK', 0o555, 0, 0, 1, 208], // PFSexe 10
  ['/proc/5/mem', 'VREG', 0o600, 1000, 100, 1, 216], // PFSmem 18
  ['/proc/5/regs', 'VREG', 0o600, 1000, 100, 1, 222], // PFSregs 24
  ['/proc/5/fpregs', 'VREG', 0o600, 1000, 100, 1, 211], // PFSfpregs 13
  ['/proc/5/note', 'VREG', 0o200, 1000, 100, 1, 219], // PFSnote 21
  ['/proc/5/notepg', 'VREG', 0o200, 1000, 100, 1, 220], // PFSnotepg 22
  ['/proc/5/map', 'VREG', 0o400, 1000, 100, 1, 214], // PFSmap 16
  ['/proc/5/maps', 'VREG', 0o400, 1000, 100, 1, 215], // PFSmaps 17
  ['/proc/5/auxv', 'VREG', 0o400, 1000, 100, 1, 198], // PFSauxv 0
  ['/proc/5/environ', 'VREG', 0o400, 1000, 100, 1, 207], // PFSenviron 9
  ['/proc/5/cmdline', 'VREG', 0o444, 1000, 100, 1, 200], // PFScmdline 2
  ['/proc/5/emul', 'VREG', 0o444, 1000, 100, 1, 206], // PFSemul 8
  ['/proc/5/status', 'VREG', 0o444, 1000, 100, 1, 227], // PFSstatus 29
  ['/proc/5/limit', 'VREG', 0o444, 1000, 100, 1, 213], // PFSlimit 15
  ['/proc/5/stat', 'VREG', 0o444, 1000, 100, 1, 225], // PFSstat 27
  ['/proc/5/statm', 'VREG', 0o444, 1000, 100, 1, 226], // PFSstatm 28
  ['/proc/meminfo', 'VREG', 0o444, 0, 0, 1, 52], // 33 + 19
  ['/proc/cpuinfo', 'VREG', 0o444, 0, 0, 1, 36], // 33 + 3
  ['/proc/uptime', 'VREG', 0o444, 0, 0, 1, 64], // 33 + 31
  ['/proc/mounts', 'VREG', 0o444, 0, 0, 1, 53], // 33 + 20
  ['/proc/devices', 'VREG', 0o444, 0, 0, 1, 40], // 33 + 7
  ['/proc/stat', 'VREG', 0o444, 0, 0, 1, 37], // PFScpustat: 33 + 4
  ['/proc/loadavg', 'VREG', 0o444, 0, 0, 1, 47], // 33 + 14
  ['/proc/version', 'VREG', 0o444, 0, 0, 1, 65], // 33 + 32
  ['/proc/0', 'VDIR', 0o555, 0, 0, 2, 56], // 1 * 33 + 23
  ['/proc/1', 'VDIR', 0o555, 0, 0, 2, 89], // 2 * 33 + 23
];

/** The same target with procfsModule({ pfsLast: 40 }): fileno = (pid + 1) * 40 + type. */
const FILENOS_PFSLAST_40: readonly (readonly [string, number])[] = [
  ['/proc', 2],
  ['/proc/curproc', 3],
  ['/proc/self', 4],
  ['/proc/0', 63],
  ['/proc/1', 103],
  ['/proc/5', 263],
  ['/proc/5/fd', 251],
  ['/proc/5/fd/3', 1030792151171], // ((6 << 32) | 3) * 40 + 11
  ['/proc/5/mem', 258],
  ['/proc/5/status', 269],
  ['/proc/meminfo', 59],
  ['/proc/version', 72],
];

/** Boot with a target of pid 5 (fds 0-2 on /etc/passwd, a pipe on 3 and 4) and a root caller. */
function bootWithTarget(opts: Parameters<typeof bootProcfs>[0] = {}) {
  const k = bootProcfs(opts);
  const t = spawnAs(k, 1000, 100, '/bin/sh', 5);
  for (let i = 0; i < 3; i++) openOk(k, t, '/etc/passwd');
  expect(must(E.sysPipe(k, t))).toEqual([3, 4]);
  const root = spawnAs(k, 0, 0);
  return { k, t, root };
}

function lstatRow(k: E.Kernel, p: E.Proc, path: string): Row | E.Errno {
  const s = E.sysStat(k, p, path, false);
  if (E.isErr(s)) return s.errno;
  return [path, s.vtype, s.mode, s.uid, s.gid, s.nlink, s.fileno];
}

describe('node table (§1.2, §2.2 with PFSlast 33)', () => {
  const { k, root } = bootWithTarget();
  it.each(NODES_PID5.map((r) => [r[0], r] as const))('%s', (path, row) => {
    expect(lstatRow(k, root, path)).toEqual(row);
  });

  it('lists the per-process entries in proc_targets order with the same file numbers', () => {
    const ents = must(E.sysReaddir(k, root, '/proc/5'));
    expect(ents.map((d) => [d.name, d.type, d.fileno])).toEqual([
      ['.', 'DT_DIR', 221], ['..', 'DT_DIR', 2], ['fd', 'DT_DIR', 209], ['task', 'DT_DIR', 228],
      ['cwd', 'DT_LNK', 204], ['emul', 'DT_REG', 206], ['root', 'DT_LNK', 199], ['auxv', 'DT_REG', 198],
      ['cmdline', 'DT_REG', 200], ['environ', 'DT_REG', 207], ['exe', 'DT_LNK', 208], ['file', 'DT_REG', 210],
      ['fpregs', 'DT_REG', 211], ['limit', 'DT_REG', 213], ['map', 'DT_REG', 214], ['maps', 'DT_REG', 215],
      ['mem', 'DT_REG', 216], ['note', 'DT_REG', 219], ['notepg', 'DT_REG', 220], ['regs', 'DT_REG', 222],
      ['stat', 'DT_REG', 225], ['statm', 'DT_REG', 226], ['status', 'DT_REG', 227],
    ]);
  });
});

describe('PFSlast is a parameter (§1.1, §2.2)', () => {
  const { k, root } = bootWithTarget({ procfs: { pfsLast: 40 } });
  it.each(FILENOS_PFSLAST_40)('%s has file number %d', (path, fileno) => {
    expect(must(E.sysStat(k, root, path, false)).fileno).toBe(fileno);
  });
});

describe('Linux-only nodes (§1.2 "linux")', () => {
  const LINUX_ONLY = [
    '/proc/5/task', '/proc/5/task/5', '/proc/5/stat', '/proc/5/statm', '/proc/meminfo', '/proc/cpuinfo',
    '/proc/uptime', '/proc/mounts', '/proc/devices', '/proc/stat', '/proc/loadavg', '/proc/version',
  ];

  it('are ENOENT on a mount without PROCFSMNT_LINUXCOMPAT', () => {
    const { k, root } = bootWithTarget({ linux: false });
    expect(LINUX_ONLY.map((p) => [p, outcome(E.sysStat(k, root, p, false))])).toEqual(
      LINUX_ONLY.map((p) => [p, 'ENOENT']));
  });

  it('are missing from the listings of a non-linux mount', () => {
    const { k, root } = bootWithTarget({ linux: false });
    const rootNames = must(E.sysReaddir(k, root, '/proc')).map((d) => d.name);
    expect(rootNames).toEqual(['.', '..', 'curproc', 'self', '2', '5', '1', '0']);
    const procNames = must(E.sysReaddir(k, root, '/proc/5')).map((d) => d.name);
    expect(procNames).toEqual([
      '.', '..', 'fd', 'cwd', 'emul', 'root', 'auxv', 'cmdline', 'environ', 'exe', 'file', 'fpregs',
      'limit', 'map', 'maps', 'mem', 'note', 'notepg', 'regs', 'status',
    ]);
  });

  it('the non-linux nodes stay the same on a non-linux mount', () => {
    const { k, root } = bootWithTarget({ linux: false });
    expect(lstatRow(k, root, '/proc/5/maps')).toEqual(['/proc/5/maps', 'VREG', 0o400, 1000, 100, 1, 215]);
    expect(lstatRow(k, root, '/proc/5/exe')).toEqual(['/proc/5/exe', 'VLNK', 0o555, 0, 0, 1, 208]);
  });

  it('per-process Linux nodes need a text vnode even on a linux mount (proc0 has none)', () => {
    const { k, root } = bootWithTarget();
    const paths = ['/proc/0/task', '/proc/0/stat', '/proc/0/statm', '/proc/0/exe', '/proc/0/file'];
    expect(paths.map((p) => outcome(E.sysStat(k, root, p, false)))).toEqual(
      ['ENOENT', 'ENOENT', 'ENOENT', 'ENOENT', 'ENOENT']);
  });

  it('proc0 has no auxv, map, maps, regs or fpregs (validauxv, validmap, validregs)', () => {
    const { k, root } = bootWithTarget();
    const paths = ['/proc/0/auxv', '/proc/0/map', '/proc/0/maps', '/proc/0/regs', '/proc/0/fpregs', '/proc/0/mem'];
    expect(paths.map((p) => outcome(E.sysStat(k, root, p, false)))).toEqual(
      ['ENOENT', 'ENOENT', 'ENOENT', 'ENOENT', 'ENOENT', 'ok']);
  });
});

describe('/proc/N/file (§1.2 PFSfile)', () => {
  it('hands back the executable\'s own vnode, not a procfs node', () => {
    const { k, t, root } = bootWithTarget();
    const vp = must(E.namei(k.ctx(root), '/proc/5/file', false));
    expect(vp).toBe(t.textvp);
    expect(vp.ops.tag).toBe('VT_UFS');
    E.vrele(vp);
    const viaProc = must(E.sysStat(k, root, '/proc/5/file', false));
    const direct = must(E.sysStat(k, root, '/bin/sh', false));
    expect(viaProc).toEqual(direct);
    expect(viaProc).toMatchObject({ vtype: 'VREG', mode: 0o555, uid: 0, gid: 0 });
  });

  it('follows the program across exec', () => {
    const { k, t, root } = bootWithTarget();
    expect(E.execve(k, t, '/bin/cat')).toBeUndefined();
    expect(must(E.sysStat(k, root, '/proc/5/file', false)).fileno).toBe(must(E.sysStat(k, root, '/bin/cat', true)).fileno);
  });

  it('a PFSfile procfs vnode (only from the vcache) is VREG 0600 and its getattr is EOPNOTSUPP', () => {
    const { k, root } = bootWithTarget();
    const mp = k.mountlist.find((m) => m.ops.name === 'procfs')!;
    const vp = must(E.vcacheGet(k.ctx(root), mp, 'file:5:-1'));
    expect(vp.type).toBe('VREG');
    expect(outcome(vp.ops.getattr(k.ctx(root), vp))).toBe('EOPNOTSUPP');
    E.vrele(vp);
  });
});

describe('the PK_SUGID mask of mem, regs and fpregs (§1.2, procfs_getattr)', () => {
  const MASKED = ['mem', 'regs', 'fpregs'] as const;
  const UNMASKED: readonly (readonly [string, number])[] = [
    ['status', 0o444], ['map', 0o400], ['environ', 0o400], ['note', 0o200], ['fd', 0o500],
  ];

  it('a set-uid exec makes them 0000, owned by the new euid; the others keep their modes', () => {
    const { k, t, root } = bootWithTarget();
    expect(E.execve(k, t, '/usr/bin/passwd')).toBeUndefined();
    expect(t.sugid).toBe(true);
    for (const n of MASKED) {
      expect(must(E.sysStat(k, root, `/proc/5/${n}`, false))).toMatchObject({ vtype: 'VREG', mode: 0o000, uid: 0, gid: 100 });
    }
    for (const [n, mode] of UNMASKED) expect(must(E.sysStat(k, root, `/proc/5/${n}`, false)).mode).toBe(mode);
  });

  it('setuid(2) makes them 0000 for the already loaded vnodes too (the mask is applied at getattr)', () => {
    const { k, root } = bootWithTarget();
    const s = spawnAs(k, 0, 0);
    const path = `/proc/${s.pid}/mem`;
    expect(must(E.sysStat(k, root, path, false)).mode).toBe(0o600);
    expect(E.sysSetid(k, s, 'setuid', 1000)).toBeUndefined();
    expect(must(E.sysStat(k, root, path, false))).toMatchObject({ mode: 0o000, uid: 1000, gid: 0 });
    // The owner itself no longer gets past the mode bits.
    expect(outcome(E.sysOpen(k, s, '/proc/self/mem', RD))).toBe('EACCES');
    expect(must(E.sysStat(k, root, `/proc/${s.pid}/regs`, false)).mode).toBe(0o000);
    expect(must(E.sysStat(k, root, `/proc/${s.pid}/fpregs`, false)).mode).toBe(0o000);
  });

  it('an exec with euid == ruid clears PK_SUGID and the mask', () => {
    const { k, root } = bootWithTarget();
    const s = spawnAs(k, 0, 0);
    expect(E.sysSetid(k, s, 'setuid', 1000)).toBeUndefined();
    expect(E.execve(k, s, '/bin/sh')).toBeUndefined();
    expect(s.sugid).toBe(false);
    expect(must(E.sysStat(k, root, `/proc/${s.pid}/mem`, false)).mode).toBe(0o600);
  });
});

describe('getattr sizes (§1.3)', () => {
  let k: E.Kernel;
  let root: E.Proc;
  beforeAll(() => {
    const b = bootWithTarget();
    ({ k, root } = b);
    expect(openOk(k, b.t, '/tmp')).toBe(5); // a directory
  });
  const size = (p: E.Proc, path: string) => must(E.sysStat(k, p, path, false)).size;

  it('root, /proc/N, fd and task directories are DEV_BSIZE', () => {
    expect(['/proc', '/proc/5', '/proc/5/fd', '/proc/5/task'].map((p) => size(root, p))).toEqual([512, 512, 512, 512]);
  });

  it('curproc and self are the digit count of the caller\'s pid, not of the link text', () => {
    expect(root.pid).toBe(2);
    expect([size(root, '/proc/curproc'), size(root, '/proc/self')]).toEqual([1, 1]);
    const big = spawnAs(k, 1000, 100, '/bin/sh', 12345);
    expect([size(big, '/proc/curproc'), size(big, '/proc/self')]).toEqual([5, 5]);
    expect(E.sysReadlink(k, big, '/proc/self')).toBe('curproc');
    expect(E.sysReadlink(k, big, '/proc/curproc')).toBe('12345');
  });

  it('task/N is 2 (the length of "..")', () => {
    expect(size(root, '/proc/5/task/5')).toBe(2);
    expect(E.sysReadlink(k, root, '/proc/5/task/5')).toBe('..');
  });

  it('exe is strlen(p_path), cwd and root strlen of their paths, emul strlen of the name', () => {
    expect(size(root, '/proc/5/exe')).toBe('/bin/sh'.length);
    expect(E.sysReadlink(k, root, '/proc/5/exe')).toBe('/bin/sh');
    expect([size(root, '/proc/5/cwd'), size(root, '/proc/5/root')]).toEqual([1, 1]);
    const l = spawnAs(k, 0, 0);
    expect(E.sysChdir(k, l, '/home/user')).toBeUndefined();
    expect(size(root, `/proc/${l.pid}/cwd`)).toBe('/home/user'.length);
    expect(E.sysReadlink(k, root, `/proc/${l.pid}/cwd`)).toBe('/home/user');
    expect(E.execve(k, l, '/emul/linux/bin/sh')).toBeUndefined();
    expect(size(root, `/proc/${l.pid}/exe`)).toBe('/emul/linux/bin/sh'.length);
    expect(size(root, `/proc/${l.pid}/emul`)).toBe('linux'.length);
    expect(size(root, '/proc/5/emul')).toBe('netbsd'.length);
  });

  it('mem, auxv, regs and fpregs have their structure sizes; text files are 0', () => {
    expect(size(root, '/proc/5/mem')).toBe((16 + 8 + 4) * 4096);
    expect(size(root, '/proc/5/auxv')).toBe(240 / 8 + 1024 + 8); // es_arglen = ELF64_AUXSIZE (exec_elf64.c 1.6)
    expect(size(root, '/proc/5/regs')).toBe(26 * 8);
    expect(size(root, '/proc/5/fpregs')).toBe(512);
    const text = ['status', 'cmdline', 'environ', 'limit', 'map', 'maps', 'note', 'notepg', 'stat', 'statm'];
    expect(text.map((n) => size(root, `/proc/5/${n}`))).toEqual(text.map(() => 0));
    expect(size(root, '/proc/meminfo')).toBe(0);
  });

  it('fd/M is the file vnode\'s size for DTYPE_VNODE, else 0', () => {
    expect(size(root, '/proc/5/fd/3')).toBe(0); // a pipe
    expect(size(root, '/proc/5/fd/5')).toBe(512); // the directory's VLNK node: /tmp's size
    const linux = spawnAs(k, 0, 0, '/emul/linux/bin/sh');
    const passwd = must(E.sysStat(k, root, '/etc/passwd', true)).size;
    expect(passwd).toBeGreaterThan(0);
    // A Linux caller gets an fd node (VLNK) for the regular file, sized like the file.
    expect(must(E.sysStat(k, linux, '/proc/5/fd/0', false))).toMatchObject({ vtype: 'VLNK', size: passwd });
  });

  it('map, maps and limit have a 4-page block size, the rest one page', () => {
    const bs = (path: string) => {
      const vp = must(E.namei(k.ctx(root), path, false));
      const a = must(vp.ops.getattr(k.ctx(root), vp));
      E.vrele(vp);
      return a.blocksize;
    };
    expect(['map', 'maps', 'limit', 'status', 'mem'].map((n) => bs(`/proc/5/${n}`))).toEqual([16384, 16384, 16384, 4096, 4096]);
  });
});
