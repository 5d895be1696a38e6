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

  it('runs out at FD_LIMIT with EMFILE; the table grows from NDFILE by doubling', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    expect(p.fd.nfiles).toBe(E.NDFILE);
    const sizes = new Set<number>();
    for (let i = 0; i < E.FD_LIMIT; i++) {
      expect(E.sysNewfile(k, p, 'DTYPE_MISC')).toBe(i);
      sizes.add(p.fd.nfiles);
    }
    expect([...sizes]).toEqual([20, 40, 80, 160, 320, 640, 1280]);
    expect(outcome(E.sysNewfile(k, p, 'DTYPE_MISC'))).toBe('EMFILE');
    expect(outcome(E.sysOpen(k, p, '/etc/passwd', RD))).toBe('EMFILE');
    expect(outcome(E.sysPipe(k, p))).toBe('EMFILE');
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
    expect(p.fd.nfiles).toBe(40);
    expect(E.execve(k, p, '/bin/sh')).toBeUndefined();
    expect(p.fd.openFds()).toEqual([b, 30]);
  });

  it('dup2 onto itself returns it; EBADF for a closed source or a target out of range', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const a = openOk(k, p, '/etc/passwd');
    expect(E.sysDup2(k, p, a, a)).toBe(a);
    expect(p.fd.get(a)!.file.count).toBe(1);
    expect([[5, 6], [a, -1], [a, E.FD_LIMIT], [a, 2.5]].map(([f, t]) => outcome(E.sysDup2(k, p, f!, t!)))).toEqual(
      ['EBADF', 'EBADF', 'EBADF', 'EBADF']);
    expect(E.sysDup2(k, p, a, E.FD_LIMIT - 1)).toBe(E.FD_LIMIT - 1);
  });
});

describe('fork copies the table', () => {
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
    expect(c.fd.nfiles).toBe(p.fd.nfiles);
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

  it('fstat of non-vnode files: a pipe is a FIFO 0600, a socket a socket, the rest no type', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const [pr] = must(E.sysPipe(k, p));
    const s = must(E.sysNewfile(k, p, 'DTYPE_SOCKET'));
    const q = must(E.sysNewfile(k, p, 'DTYPE_KQUEUE'));
    expect(must(E.sysFstat(k, p, pr))).toMatchObject({ vtype: 'VFIFO', mode: 0o600, uid: 1000, gid: 100 });
    expect(must(E.sysFstat(k, p, s))).toMatchObject({ vtype: 'VSOCK', uid: 1000 });
    expect(must(E.sysFstat(k, p, q))).toMatchObject({ vtype: 'VNON' });
    expect(outcome(E.sysFstat(k, p, 42))).toBe('EBADF');
  });
});
