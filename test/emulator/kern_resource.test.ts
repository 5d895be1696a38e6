/** Resource limits (kern_resource.ts): limit0 as proc0_init sets it, and where fd_alloc and fork1 apply it. */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { bootKernel, openOk, outcome, spawnAs } from '../helpers/boot.ts';

describe('limit0 (proc0_init, kern_proc.c 1.263)', () => {
  it('every limit infinite but NOFILE, NPROC, RSS, MEMLOCK, NTHR, DATA and STACK', () => {
    const lim = E.limit0(1044, 3404);
    const inf = { cur: E.RLIM_INFINITY, max: E.RLIM_INFINITY };
    expect(lim).toHaveLength(E.RLIM_NLIMITS);
    expect([E.RLIMIT.CPU, E.RLIMIT.FSIZE, E.RLIMIT.CORE, E.RLIMIT.SBSIZE, E.RLIMIT.AS].map((i) => lim[i])).toEqual(
      [inf, inf, inf, inf, inf]);
    expect(lim[E.RLIMIT.NOFILE]).toEqual({ cur: 128, max: 3404 });
    expect(lim[E.RLIMIT.NPROC]).toEqual({ cur: 160, max: 1044 });
    expect(lim[E.RLIMIT.NTHR]).toEqual({ cur: 160, max: 2048 });
    expect(lim[E.RLIMIT.DATA]).toEqual({ cur: 256 * 2 ** 20, max: 8 * 2 ** 30 });
    expect(lim[E.RLIMIT.STACK]).toEqual({ cur: 4 * 2 ** 20, max: 128 * 2 ** 20 });
    expect(lim[E.RLIMIT.MEMLOCK]).toEqual({ cur: Math.floor(2 ** 32 / 3), max: 2 ** 32 });
    expect(Object.isFrozen(lim) && Object.isFrozen(lim[0])).toBe(true);
  });

  it('takes the minimum with maxproc and maxfiles', () => {
    const lim = E.limit0(10, 64);
    expect(lim[E.RLIMIT.NPROC]).toEqual({ cur: 10, max: 10 });
    expect(lim[E.RLIMIT.NOFILE]).toEqual({ cur: 64, max: 64 });
  });

  it('a smaller kern.maxfiles lowers where fd_alloc and dup2 stop', () => {
    const k = bootKernel({ maxfiles: 64 });
    const p = spawnAs(k, 1000, 100);
    expect(E.fdLimit(p)).toBe(64);
    for (let i = 0; i < 64; i++) expect(openOk(k, p, '/etc/passwd')).toBe(i);
    expect(outcome(E.sysOpen(k, p, '/etc/passwd', { read: true, write: false, excl: false, nofollow: false, cloexec: false })))
      .toBe('EMFILE');
    expect(p.fd.nfiles).toBe(100);
    expect(outcome(E.sysDup2(k, p, 0, 64))).toBe('EBADF');
  });

  it('every process has the same table as init, which has limit0', () => {
    const k = bootKernel({ maxproc: 50 });
    expect(k.proc0.limit).toBe(k.limit0);
    expect(k.initproc.limit).toBe(k.limit0);
    expect(spawnAs(k, 1000, 100).limit).toBe(k.limit0);
    expect(E.rlimit(k.limit0, E.RLIMIT.NPROC)).toEqual({ cur: 50, max: 50 });
    expect(() => E.rlimit(k.limit0, 12)).toThrow();
  });
});
