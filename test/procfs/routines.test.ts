/**
 * procfs routines at their edges, called as the kernel calls them: procfs_dofd
 * on the non-vnode files, procfs_domem moving bytes, procfs_doprocargs refusing
 * writes, procfs_close leaving mem's exclusive flags to the writer, procfs's
 * atoi, and procfs_lookup of ".." in /proc.
 */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { marksEnable, marksReset, marksTake } from '../../emulator/marks.ts';
import { procfsDofd } from '../../procfs/fd.ts';
import { procMappings } from '../../procfs/map.ts';
import { procfsAtoi, procfsLookup } from '../../procfs/vnops.ts';
import { bootProcfs, mountOf, must, openOk, RD, RDWR, spawnAs } from '../helpers/boot.ts';

const RDWR_EXCL: E.OpenFlags = { ...RDWR, excl: true };

describe('procfs_dofd (procfs_fd.c) on files without a vnode', () => {
  it('a pipe: a write appends to the pipe, a read takes from its head', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const [r, w] = must(E.sysPipe(k, t));
    const ctx = k.ctx(t);
    expect(procfsDofd(ctx, t, w!, { rw: 'write', offset: 0, data: 'abcdef' })).toBe(6);
    expect(procfsDofd(ctx, t, r!, { rw: 'read', offset: 0, size: 4 })).toBe('abcd');
    expect(procfsDofd(ctx, t, r!, { rw: 'read', offset: 0, size: 4 })).toBe('ef');
    expect(procfsDofd(ctx, t, r!, { rw: 'read', offset: 0, size: 4 })).toBe('');
  });

  it('a socket is ENOTCONN both ways; a kqueue, misc or sem file is EOPNOTSUPP (fbadop); no descriptor is EBADF', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const s = must(E.sysNewfile(k, t, 'DTYPE_SOCKET'));
    const q = must(E.sysNewfile(k, t, 'DTYPE_KQUEUE'));
    const ctx = k.ctx(t);
    expect(procfsDofd(ctx, t, s, { rw: 'read', offset: 0, size: 4 })).toEqual({ errno: 'ENOTCONN' });
    expect(procfsDofd(ctx, t, s, { rw: 'write', offset: 0, data: 'x' })).toEqual({ errno: 'ENOTCONN' });
    expect(procfsDofd(ctx, t, q, { rw: 'read', offset: 0, size: 4 })).toEqual({ errno: 'EOPNOTSUPP' });
    expect(procfsDofd(ctx, t, q, { rw: 'write', offset: 0, data: 'x' })).toEqual({ errno: 'EOPNOTSUPP' });
    expect(procfsDofd(ctx, t, 99, { rw: 'read', offset: 0, size: 4 })).toEqual({ errno: 'EBADF' });
  });
});

describe('procfs_domem (process_domem, uvm_io)', () => {
  it('a write inside a mapping is read back; zero bytes move nothing and answer 0 or ""', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const a = procMappings(k.ctx(t), t)[0]!.start + 16;
    const fd = openOk(k, t, `/proc/${t.pid}/mem`, RDWR);
    expect(E.sysWrite(k, t, fd, 'xyz', a)).toBe(3);
    expect(E.sysRead(k, t, fd, 3, a)).toBe('xyz');
    expect(E.sysWrite(k, t, fd, '', a)).toBe(0);
    expect(E.sysRead(k, t, fd, 0, a)).toBe('');
  });

  it('nothing to move returns before proc0\'s missing user pages: a write of no bytes to /proc/0/mem is 0', () => {
    const k = bootProcfs();
    const fd = E.sysOpen(k, k.initproc, '/proc/0/mem', RDWR);
    expect(fd).toBeTypeOf('number');
    expect(E.sysWrite(k, k.initproc, fd as number, '', 0)).toBe(0);
    expect(E.sysWrite(k, k.initproc, fd as number, 'x', 0)).toEqual({ errno: 'EFAULT' });
  });
});

describe('procfs_doprocargs (procfs_cmdline.c)', () => {
  it('a write of cmdline or environ, even by root, is EOPNOTSUPP', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    for (const node of ['cmdline', 'environ']) {
      const fd = must(E.sysOpen(k, k.initproc, `/proc/${t.pid}/${node}`, RDWR));
      expect(E.sysWrite(k, k.initproc, fd, 'x', 0)).toEqual({ errno: 'EOPNOTSUPP' });
    }
  });
});

describe('procfs_close (procfs_vnops.c 1.229.4.1)', () => {
  it('closing a reader of mem leaves the exclusive writer\'s FWRITE|O_EXCL: another writer is still EBUSY', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const mem = `/proc/${t.pid}/mem`;
    openOk(k, t, mem, RDWR_EXCL);
    const rd = openOk(k, t, mem, RD);
    expect(E.sysClose(k, t, rd)).toBeUndefined();
    expect(E.sysOpen(k, t, mem, RDWR)).toEqual({ errno: 'EBUSY' });
  });
});

describe('procfs_close, a writer without O_EXCL', () => {
  it('closing one of two plain writers of mem keeps FWRITE: an exclusive open is still EBUSY', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const mem = `/proc/${t.pid}/mem`;
    openOk(k, t, mem, RDWR);
    const w = openOk(k, t, mem, RDWR);
    expect(E.sysClose(k, t, w)).toBeUndefined();
    expect(E.sysOpen(k, t, mem, RDWR_EXCL)).toEqual({ errno: 'EBUSY' });
  });
});

describe('procfs atoi and procfs_lookup in /proc', () => {
  it('atoi takes digits only: any other character anywhere gives -1', () => {
    expect(procfsAtoi('17')).toBe(17);
    expect(procfsAtoi('1a')).toBe(-1);
    expect(procfsAtoi('a1')).toBe(-1);
    expect(procfsAtoi('')).toBe(-1);
  });

  it('lookup of ".." in /proc itself is EIO (the parent is namei\'s business)', () => {
    const k = bootProcfs();
    const mp = mountOf(k, '/proc');
    const ctx = k.ctx(k.initproc);
    const root = must(mp.ops.root(ctx, mp));
    expect(procfsLookup(ctx, root, '..')).toEqual({ errno: 'EIO' });
  });
});

describe('procfs_rw\'s marks (RW_ANSWERS)', () => {
  it('while marks count, each routine\'s answer counts its own mark; a node with no table (mem) counts none', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const status = openOk(k, t, `/proc/${t.pid}/status`);
    const mem = openOk(k, t, `/proc/${t.pid}/mem`);
    const a = procMappings(k.ctx(t), t)[0]!.start;
    marksReset();
    marksEnable(true);
    try {
      must(E.sysRead(k, t, status, 64, 0));
      must(E.sysRead(k, t, mem, 4, a));
    } finally {
      marksEnable(false);
    }
    const counts = marksTake();
    expect(counts['procfs_dostatus: read']).toBe(1);
    expect(counts['procfs_rw: an answer with no mark of its own']).toBeUndefined();
  });
});
