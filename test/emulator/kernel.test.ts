/** The kernel's process tables (kernel.ts): pid allocation, proc_find, nprocs. */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { bootKernel, must, outcome, spawnAs } from '../helpers/boot.ts';

const pidsOf = (ps: E.Proc[]) => ps.map((p) => p.pid);

describe('boot', () => {
  it('has proc0 and init (pid 1, running /sbin/init as root, cwd /)', () => {
    const k = bootKernel();
    expect(k.proc0.pid).toBe(0);
    expect(k.proc0.system).toBe(true);
    expect(k.initproc.pid).toBe(1);
    expect(k.initproc.parent).toBe(k.proc0);
    expect(k.initproc.path).toBe('/sbin/init');
    expect(k.initproc.cwd).toBe(k.rootvnode);
    expect([k.proc0.stat, k.initproc.stat]).toEqual(['SACTIVE', 'SACTIVE']);
    expect(pidsOf(k.allproc)).toEqual([1, 0]);
    expect(k.nprocs).toBe(2);
  });
});

describe('pid allocation (proc_alloc_pid)', () => {
  it('hands out 2 first, then counts up, across spawn and fork', () => {
    const k = bootKernel();
    const a = spawnAs(k, 1000, 100);
    const b = spawnAs(k, 1000, 100);
    const c = must(E.fork1(k, a));
    expect([a.pid, b.pid, c.pid]).toEqual([2, 3, 4]);
  });

  it('continues after the last pid handed out, then wraps to the lowest free pid >= 2', () => {
    const k = bootKernel({ pidMax: 8 });
    const ps = Array.from({ length: 6 }, () => spawnAs(k, 1000, 100));
    expect(pidsOf(ps)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(outcome(E.spawn(k, 1000, 100, '/bin/sh'))).toBe('EAGAIN'); // every pid below pidMax is taken
    for (const i of [1, 4]) {
      E.exit1(k, ps[i]!, 0);
      expect(E.wait(k, k.initproc, ps[i]!.pid)).toBe(ps[i]!.pid);
    }
    expect(spawnAs(k, 1000, 100).pid).toBe(3); // past pidMax - 1: the lowest free
    expect(spawnAs(k, 1000, 100).pid).toBe(6); // then on from 3
    expect(outcome(E.spawn(k, 1000, 100, '/bin/sh'))).toBe('EAGAIN');
  });

  it('a pid stays taken until its zombie is reaped', () => {
    const k = bootKernel({ pidMax: 4 });
    const a = spawnAs(k, 1000, 100);
    spawnAs(k, 1000, 100);
    E.exit1(k, a, 3);
    expect(a.stat).toBe('SZOMB');
    expect(k.pidTable.get(2)).toBe(a);
    expect(outcome(E.spawn(k, 1000, 100, '/bin/sh'))).toBe('EAGAIN');
    expect(outcome(E.spawn(k, 1000, 100, '/bin/sh', 2))).toBe('EAGAIN');
    expect(E.wait(k, k.initproc)).toBe(2);
    expect(k.pidTable.has(2)).toBe(false);
    expect(spawnAs(k, 1000, 100).pid).toBe(2);
  });

  it('an explicit pid: EAGAIN when in use, EINVAL outside 2 .. pidMax - 1', () => {
    const k = bootKernel({ pidMax: 100 });
    expect(spawnAs(k, 1000, 100, '/bin/sh', 42).pid).toBe(42);
    expect([42, 1, 0].map((pid) => outcome(E.spawn(k, 1000, 100, '/bin/sh', pid)))).toEqual(['EAGAIN', 'EINVAL', 'EINVAL']);
    expect([-1, 100, 2.5].map((pid) => outcome(E.spawn(k, 1000, 100, '/bin/sh', pid)))).toEqual(['EINVAL', 'EINVAL', 'EINVAL']);
    expect(spawnAs(k, 1000, 100, '/bin/sh', 99).pid).toBe(99);
    const parent = spawnAs(k, 1000, 100);
    expect(parent.pid).toBe(2); // explicit pids do not move the allocator
    expect(outcome(E.fork1(k, parent, 42))).toBe('EAGAIN');
    expect(must(E.fork1(k, parent, 50)).pid).toBe(50);
  });
});

describe('proc_find', () => {
  it('finds SACTIVE processes, proc0 and init; not zombies or reaped pids', () => {
    const k = bootKernel();
    const a = spawnAs(k, 1000, 100);
    expect(k.procFind(a.pid)).toBe(a);
    expect(k.procFind(0)).toBe(k.proc0);
    expect(k.procFind(1)).toBe(k.initproc);
    E.exit1(k, a, 0);
    expect(k.procFind(a.pid)).toBeNull();
    E.wait(k, k.initproc);
    expect(k.procFind(a.pid)).toBeNull();
    expect(k.procFind(12345)).toBeNull();
  });

  it('a process in SDYING is not found (exit1 sets it before anything else)', () => {
    const k = bootKernel();
    const a = spawnAs(k, 1000, 100);
    let seen: E.Proc | null | undefined;
    k.exithooks.establish(() => {
      seen = k.procFind(a.pid);
    }, null);
    E.exit1(k, a, 0);
    expect(seen).toBeNull();
  });
});

describe('nprocs', () => {
  it('counts proc0, init, live processes and zombies; reaping decrements it', () => {
    const k = bootKernel();
    expect(k.nprocs).toBe(2);
    const a = spawnAs(k, 1000, 100);
    must(E.fork1(k, a));
    expect(k.nprocs).toBe(4);
    E.exit1(k, a, 0);
    expect(k.nprocs).toBe(4);
    expect(pidsOf(k.zombproc)).toEqual([a.pid]);
    E.wait(k, k.initproc, a.pid);
    expect(k.nprocs).toBe(3);
  });
});
