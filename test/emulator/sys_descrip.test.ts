/** Descriptor tables and the descriptor system calls (file.ts, sys_descrip.ts). */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { RD, WR, bootKernel, must, openOk, outcome, spawnAs } from '../helpers/boot.ts';

describe('the lowest free descriptor', () => {
  it('is used by open, pipe and every other kind of file', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    expect(openOk(k, p, '/etc/passwd')).toBe(0);
    expect(E.sysPipe(k, p)).toEqual([1, 2]);
    expect(E.sysNewfile(k, p, 'DTYPE_KQUEUE')).toBe(3);
    expect(E.sysClose(k, p, 1)).toBeUndefined();
    expect(E.sysNewfile(k, p, 'DTYPE_SOCKET')).toBe(1);
    expect(E.sysClose(k, p, 0)).toBeUndefined();
    expect(E.sysClose(k, p, 2)).toBeUndefined();
    expect(openOk(k, p, '/etc/passwd')).toBe(0);
    expect(openOk(k, p, '/etc/passwd')).toBe(2);
    expect(p.fd.openFds()).toEqual([0, 1, 2, 3]);
  });

  it('runs out at the soft RLIMIT_NOFILE (128) with EMFILE; the table grows 20, 50, 100, 200 (fd_tryexpand)', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    expect(p.fd.nfiles).toBe(E.NDFILE);
    expect(E.fdLimit(p)).toBe(128);
    const sizes: number[] = [];
    for (let i = 0; i < 128; i++) {
      expect(E.sysNewfile(k, p, 'DTYPE_MISC')).toBe(i);
      if (sizes[sizes.length - 1] !== p.fd.nfiles) sizes.push(p.fd.nfiles);
    }
    expect(sizes).toEqual([20, 50, 100, 200]);
    expect(outcome(E.sysNewfile(k, p, 'DTYPE_MISC'))).toBe('EMFILE');
    expect(outcome(E.sysOpen(k, p, '/etc/passwd', RD))).toBe('EMFILE');
    expect(outcome(E.sysPipe(k, p))).toBe('EMFILE');
    expect(p.fd.nfiles).toBe(200); // fd_alloc answers EMFILE without expanding past the limit
  });

  it('grows at 20 and 50 exactly: descriptors 19 and 49 fit, 20 and 50 expand', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    for (let i = 0; i < 20; i++) E.sysNewfile(k, p, 'DTYPE_MISC');
    expect(p.fd.nfiles).toBe(20);
    E.sysNewfile(k, p, 'DTYPE_MISC');
    expect(p.fd.nfiles).toBe(50);
    for (let i = 21; i < 50; i++) E.sysNewfile(k, p, 'DTYPE_MISC');
    expect(p.fd.nfiles).toBe(50);
    E.sysNewfile(k, p, 'DTYPE_MISC');
    expect(p.fd.nfiles).toBe(100);
  });

  it('a pipe that gets one descriptor but not the second gives the first back (fd_abort)', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    for (let i = 0; i < 127; i++) E.sysNewfile(k, p, 'DTYPE_MISC');
    expect(outcome(E.sysPipe(k, p))).toBe('EMFILE');
    expect(p.fd.get(127)).toBeUndefined();
    expect(E.sysNewfile(k, p, 'DTYPE_MISC')).toBe(127);
  });
});

describe('close', () => {
  it('EBADF for a closed or impossible descriptor', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    expect([0, -1, 1.5, 5000].map((fd) => outcome(E.sysClose(k, p, fd)))).toEqual(['EBADF', 'EBADF', 'EBADF', 'EBADF']);
    const fd = openOk(k, p, '/etc/passwd');
    expect(E.sysClose(k, p, fd)).toBeUndefined();
    expect(outcome(E.sysClose(k, p, fd))).toBe('EBADF');
  });

  it('the last close of a file releases its vnode', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const a = openOk(k, p, '/etc/passwd');
    const vp = p.fd.get(a)!.file.vnode!;
    const base = vp.usecount;
    const b = openOk(k, p, '/etc/passwd');
    expect(vp.usecount).toBe(base + 1); // a second file, a second reference
    const c = must(E.sysDup2(k, p, a, 7));
    expect(vp.usecount).toBe(base + 1); // same file: no new reference
    E.sysClose(k, p, a);
    expect(vp.usecount).toBe(base + 1);
    E.sysClose(k, p, c);
    expect(vp.usecount).toBe(base);
    E.sysClose(k, p, b);
    expect(vp.usecount).toBe(base - 1);
  });
});

describe('dup2', () => {
  it('puts the same file at `to`, closing what was there; the new slot is not close-on-exec', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const a = openOk(k, p, '/etc/passwd', { ...RD, cloexec: true });
    const b = openOk(k, p, '/tmp', RD);
    const old = p.fd.get(b)!.file;
    expect(E.sysDup2(k, p, a, b)).toBe(b);
    expect(p.fd.get(b)!.file).toBe(p.fd.get(a)!.file);
    expect(p.fd.get(b)!.cloexec).toBe(false);
    expect(p.fd.get(a)!.cloexec).toBe(true);
    expect(old.count).toBe(0);
    expect(p.fd.get(a)!.file.count).toBe(2);
    expect(E.sysDup2(k, p, a, 30)).toBe(30);
    expect(p.fd.nfiles).toBe(50); // fd_dup2 expands with fd_tryexpand: NDFILE to NDEXTENT
    expect(E.execve(k, p, '/bin/sh')).toBeUndefined();
    expect(p.fd.openFds()).toEqual([b, 30]);
  });

  it('dup2 onto itself returns it; EBADF for a closed source or a target out of range', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const a = openOk(k, p, '/etc/passwd');
    expect(E.sysDup2(k, p, a, a)).toBe(a);
    expect(p.fd.get(a)!.file.count).toBe(1);
    expect([[5, 6], [a, -1], [a, 128], [a, 3404], [a, 2.5], [5, 200]].map(([f, t]) => outcome(E.sysDup2(k, p, f!, t!))))
      .toEqual(['EBADF', 'EBADF', 'EBADF', 'EBADF', 'EBADF', 'EBADF']);
    expect(E.sysDup2(k, p, a, 127)).toBe(127);
    expect(p.fd.nfiles).toBe(200); // 20 -> 50 -> 100 -> 200 until 127 is inside
  });

  it('onto 49 grows the table to 50, onto 50 to 100', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const a = openOk(k, p, '/etc/passwd');
    expect(E.sysDup2(k, p, a, 19)).toBe(19);
    expect(p.fd.nfiles).toBe(20);
    expect(E.sysDup2(k, p, a, 49)).toBe(49);
    expect(p.fd.nfiles).toBe(50);
    expect(E.sysDup2(k, p, a, 50)).toBe(50);
    expect(p.fd.nfiles).toBe(100);
  });

  it('onto a descriptor of the same file leaves the file open', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const a = openOk(k, p, '/etc/passwd');
    const b = must(E.sysDup2(k, p, a, 5));
    const file = p.fd.get(a)!.file;
    expect(E.sysDup2(k, p, a, b)).toBe(b);
    expect(file.count).toBe(2);
    expect(must(E.sysRead(k, p, b, 4, 0))).toBe('root');
  });
});

describe('fork copies the table (fd_copy)', () => {
  it('the same files at the same numbers; closing in one leaves the other', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const fd = openOk(k, p, '/etc/passwd');
    const cl = openOk(k, p, '/etc/passwd', { ...RD, cloexec: true });
    const c = must(E.fork1(k, p));
    expect(c.fd.openFds()).toEqual([fd, cl]);
    expect(c.fd.get(cl)!.cloexec).toBe(true);
    const file = p.fd.get(fd)!.file;
    expect(c.fd.get(fd)!.file).toBe(file);
    expect(file.count).toBe(2);
    expect(E.sysClose(k, c, fd)).toBeUndefined();
    expect(file.count).toBe(1);
    expect(must(E.sysRead(k, p, fd, 4, 0))).toBe('root');
  });

  it('leaves kqueue descriptors behind: the child\'s slot is free and taken first', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const f = openOk(k, p, '/etc/passwd');
    const q = must(E.sysNewfile(k, p, 'DTYPE_KQUEUE'));
    const g = openOk(k, p, '/etc/passwd');
    const kq = p.fd.get(q)!.file;
    const c = must(E.fork1(k, p));
    expect(c.fd.openFds()).toEqual([f, g]);
    expect(kq.count).toBe(1);
    expect(openOk(k, c, '/etc/passwd')).toBe(q);
    expect(outcome(E.sysClose(k, c, 3))).toBe('EBADF');
  });

  it('sizes the child\'s table from the parent\'s last descriptor, kqueues included', () => {
    const k = bootKernel();
    const sizes = (last: number, kqueue: boolean): [number, number] => {
      const p = spawnAs(k, 0, 0);
      const a = openOk(k, p, '/etc/passwd');
      if (kqueue) {
        const q = must(E.sysNewfile(k, p, 'DTYPE_KQUEUE'));
        if (last !== q) expect(E.sysDup2(k, p, q, last)).toBe(last);
        if (last !== q) E.sysClose(k, p, q);
      } else if (last !== a) {
        expect(E.sysDup2(k, p, a, last)).toBe(last);
      }
      return [p.fd.nfiles, must(E.fork1(k, p)).fd.nfiles];
    };
    expect(sizes(19, false)).toEqual([20, 20]); // fd_lastfile < NDFILE: the built-in table
    expect(sizes(20, false)).toEqual([50, 50]);
    expect(sizes(49, false)).toEqual([50, 50]);
    expect(sizes(50, false)).toEqual([100, 100]); // 100 >= 2 * NDEXTENT but not > 2 * 50
    expect(sizes(99, false)).toEqual([100, 100]);
    expect(sizes(127, false)).toEqual([200, 200]);
    expect(sizes(30, true)).toEqual([50, 50]); // the kqueue is not copied, but it sized the table
  });

  it('shrinks a table that outgrew its descriptors: 200 slots and fd 40 give 50', () => {
    const k = bootKernel();
    const p = spawnAs(k, 0, 0);
    const a = openOk(k, p, '/etc/passwd');
    expect(E.sysDup2(k, p, a, 127)).toBe(127);
    expect(E.sysDup2(k, p, a, 40)).toBe(40);
    E.sysClose(k, p, 127);
    expect([p.fd.nfiles, p.fd.lastfile]).toEqual([200, 40]);
    expect(must(E.fork1(k, p)).fd.nfiles).toBe(50); // 200 -> 100 -> 50 while >= 100 and > 2 * 40
  });
});

describe('read and write through descriptors', () => {
  it('need the descriptor opened for it (EBADF); pipes are not seekable (ESPIPE)', () => {
    const k = bootKernel();
    const p = spawnAs(k, 0, 0);
    const r = openOk(k, p, '/tmp/fifo', RD);
    const w = openOk(k, p, '/etc/passwd', WR);
    expect(outcome(E.sysWrite(k, p, r, 'x', 0))).toBe('EBADF');
    expect(outcome(E.sysRead(k, p, w, 1, 0))).toBe('EBADF');
    expect(outcome(E.sysRead(k, p, 99, 1, 0))).toBe('EBADF');
    expect(outcome(E.sysRead(k, p, r, 1, 0))).toBe('ESPIPE'); // a FIFO vnode
    const [pr, pw] = must(E.sysPipe(k, p));
    expect(outcome(E.sysRead(k, p, pr, 1, 0))).toBe('ESPIPE'); // no vnode
    expect(outcome(E.sysWrite(k, p, pw, 'x', 0))).toBe('ESPIPE');
    expect(outcome(E.sysRead(k, p, w, 1, -1))).toBe('EBADF');
    const rw = openOk(k, p, '/etc/passwd', RD);
    expect(outcome(E.sysRead(k, p, rw, 1, -1))).toBe('EINVAL');
  });

  it('fstat of non-vnode files gives each fo_stat\'s type, mode, owner, link count and size', () => {
    const k = bootKernel();
    const p = spawnAs(k, 0, 0);
    expect(E.sysSetid(k, p, 'setegid', 100)).toBeUndefined();
    expect(E.sysSetid(k, p, 'seteuid', 1000)).toBeUndefined();
    const [pr, pw] = must(E.sysPipe(k, p));
    const st = (fd: number) => {
      const s = must(E.sysFstat(k, p, fd));
      return [s.vtype, s.mode.toString(8), s.uid, s.gid, s.nlink, s.size];
    };
    expect(st(pr)).toEqual(['VFIFO', '600', 1000, 100, 0, 0]); // pipe_stat
    const types: E.Dtype[] = ['DTYPE_SOCKET', 'DTYPE_KQUEUE', 'DTYPE_MISC', 'DTYPE_CRYPTO', 'DTYPE_MQUEUE',
      'DTYPE_SEM', 'DTYPE_EVENTFD', 'DTYPE_TIMERFD', 'DTYPE_MEMFD'];
    expect(types.map((t) => st(must(E.sysNewfile(k, p, t))))).toEqual([
      ['VSOCK', '0', 0, 0, 0, 0], // soo_stat: S_IFSOCK only, ids left 0
      ['VFIFO', '600', 1000, 100, 0, 0], // kqueue_stat
      ['VNON', '0', 1000, 100, 0, 0], // cryptof_stat
      ['VNON', '0', 1000, 100, 0, 0],
      ['VNON', '600', 1000, 100, 0, 0], // mq_stat_fop: mq_mode has no type bits
      ['VREG', '0', 1000, 100, 1, 0], // ksem_stat_fop: unnamed, ks_ref 1
      ['VFIFO', '600', 1000, 100, 0, 0], // eventfd_fop_stat
      ['VFIFO', '600', 1000, 100, 0, 0], // timerfd_fop_stat
      ['VNON', '600', 1000, 100, 0, 0], // memfd_stat
    ]);
    expect(outcome(E.sysFstat(k, p, 42))).toBe('EBADF');
    expect(st(pw)[5]).toBe(0);
  });

  it('a pipe\'s st_size is what its one buffer holds, seen from both ends', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const [pr, pw] = must(E.sysPipe(k, p));
    p.fd.get(pw)!.file.pipe!.data += 'abc'; // as pipe_write leaves it
    expect([must(E.sysFstat(k, p, pr)).size, must(E.sysFstat(k, p, pw)).size]).toEqual([3, 3]);
  });
});
