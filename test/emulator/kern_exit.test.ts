/** exit1 and wait (kern_exit.ts): zombies, reaping, orphans, what exit releases. */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { bootKernel, must, openOk, outcome, spawnAs } from '../helpers/boot.ts';

describe('wait', () => {
  it('ECHILD without children; 0 while none is a zombie; the pid once it is, reaping it', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    expect(outcome(E.wait(k, p))).toBe('ECHILD');
    const c = must(E.fork1(k, p));
    expect(E.wait(k, p)).toBe(0);
    expect(E.wait(k, p, c.pid)).toBe(0);
    E.exit1(k, c, 7);
    expect(c.exitStatus).toBe(7);
    expect(E.wait(k, p, c.pid)).toBe(c.pid);
    expect(k.pidTable.has(c.pid)).toBe(false);
    expect(p.children).toEqual([]);
    expect(k.zombproc).toEqual([]);
    expect(outcome(E.wait(k, p))).toBe('ECHILD');
    expect(outcome(E.wait(k, p, c.pid))).toBe('ECHILD');
  });

  it('ECHILD for a pid that is not a child, even a zombie of someone else', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const q = spawnAs(k, 1000, 100);
    const c = must(E.fork1(k, q));
    E.exit1(k, c, 0);
    expect(outcome(E.wait(k, p, c.pid))).toBe('ECHILD');
    expect(E.wait(k, q, c.pid)).toBe(c.pid);
  });

  it('without a pid or with WAIT_ANY, reaps the child that exited last first (exit1 puts it at the head)', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const c1 = must(E.fork1(k, p));
    const c2 = must(E.fork1(k, p));
    E.exit1(k, c2, 0); // the newer child exits first
    E.exit1(k, c1, 0);
    expect(p.children[0]).toBe(c1);
    expect(E.wait(k, p, E.WAIT_ANY)).toBe(c1.pid);
    expect(E.wait(k, p)).toBe(c2.pid);
    expect(outcome(E.wait(k, p, E.WAIT_ANY))).toBe('ECHILD');
  });

  it('without a pid, reaps the newest zombie child first when they exit in creation order', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const c1 = must(E.fork1(k, p));
    const c2 = must(E.fork1(k, p));
    const c3 = must(E.fork1(k, p));
    E.exit1(k, c1, 0);
    E.exit1(k, c3, 0);
    expect(E.wait(k, p)).toBe(c3.pid);
    expect(E.wait(k, p)).toBe(c1.pid);
    expect(E.wait(k, p)).toBe(0);
    expect(p.children).toEqual([c2]);
  });

  it('emits exit-begin and exit at exit1, reaped at wait', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const evs: string[] = [];
    k.subscribe((e) => {
      if (!e.kind.startsWith('vnode-')) evs.push(`${e.kind}${'pid' in e ? ` ${e.pid}` : ''}`);
    });
    E.exit1(k, p, 0);
    expect(evs).toEqual([`exit-begin ${p.pid}`, `exit ${p.pid}`]);
    E.wait(k, k.initproc);
    expect(evs.slice(2)).toEqual([`reaped ${p.pid}`]);
  });
});

describe('exit1', () => {
  it('orphans are reparented to init, which can reap them', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const c1 = must(E.fork1(k, p));
    const c2 = must(E.fork1(k, p));
    E.exit1(k, p, 0);
    expect([c1.parent, c2.parent]).toEqual([k.initproc, k.initproc]);
    expect(k.initproc.children).toEqual(expect.arrayContaining([c1, c2, p]));
    expect(p.children).toEqual([]);
    E.exit1(k, c2, 0);
    expect(E.wait(k, k.initproc, c2.pid)).toBe(c2.pid);
    expect(E.wait(k, k.initproc, p.pid)).toBe(p.pid);
    expect(E.wait(k, k.initproc)).toBe(0); // c1 still runs
  });

  it('lets the tracer\'s tracees go and kills them (killproc: orphaned traced process)', () => {
    const k = bootKernel();
    const t = spawnAs(k, 1000, 100);
    const dbg = spawnAs(k, 1000, 100);
    const other = spawnAs(k, 1000, 100);
    expect(E.sysPtrace(k, dbg, t.pid, false)).toBeUndefined();
    expect(t.tracer).toBe(dbg);
    const evs: string[] = [];
    k.subscribe((e) => {
      if (e.kind === 'exit-begin' || e.kind === 'exit') evs.push(`${e.kind} ${e.pid}`);
    });
    E.exit1(k, dbg, 0);
    expect(t.tracer).toBeNull();
    expect([t.stat, t.exitSignal, t.parent]).toEqual(['SZOMB', E.SIGKILL, k.initproc]);
    expect(evs).toEqual([`exit-begin ${dbg.pid}`, `exit ${dbg.pid}`, `exit-begin ${t.pid}`, `exit ${t.pid}`]);
    expect(other.stat).toBe('SACTIVE');
  });

  it('a detached tracee lives on', () => {
    const k = bootKernel();
    const t = spawnAs(k, 1000, 100);
    const dbg = spawnAs(k, 1000, 100);
    expect(E.sysPtrace(k, dbg, t.pid, false)).toBeUndefined();
    expect(E.sysPtrace(k, dbg, t.pid, true)).toBeUndefined();
    E.exit1(k, dbg, 0);
    expect(t.stat).toBe('SACTIVE');
  });

  it('closes every descriptor, drops cwd, root and text, leaves allproc for zombproc', () => {
    const k = bootKernel();
    const p = spawnAs(k, 0, 0);
    const fd = openOk(k, p, '/etc/passwd');
    const file = p.fd.get(fd)!.file;
    const vp = file.vnode!;
    const use = vp.usecount;
    expect(E.sysChroot(k, p, '/tmp')).toBeUndefined();
    E.exit1(k, p, 0);
    expect(p.fd.openFds()).toEqual([]);
    expect(file.count).toBe(0);
    expect(vp.usecount).toBe(use - 1);
    expect([p.cwd, p.root]).toEqual([null, null]);
    expect(p.textvp).not.toBeNull(); // released by proc_free
    const text = p.textvp!;
    const textUse = text.usecount;
    expect(k.allproc).not.toContain(p);
    expect(k.zombproc).toEqual([p]);
    expect(p.stat).toBe('SZOMB');
    expect(p.reflockWriter).toBe(false);
    expect(E.wait(k, k.initproc, p.pid)).toBe(p.pid);
    expect([p.textvp, text.usecount]).toEqual([null, textUse - 1]);
  });

  it('of init panics the kernel', () => {
    const k = bootKernel();
    expect(() => E.exit1(k, k.initproc, 0)).toThrow(E.KernelPanic);
  });

  it('runs the exit hooks with p_reflock held as writer, after fd_free and cwdfree', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    openOk(k, p, '/etc/passwd');
    const seen: unknown[] = [];
    k.exithooks.establish((q, arg) => seen.push(q === p, arg, q.stat, q.reflockWriter, q.fd.openFds().length, q.cwd), 'x');
    E.exit1(k, p, 0);
    expect(seen).toEqual([true, 'x', 'SDYING', true, 0, null]);
  });
});

describe('tracees at exit and wait (exit1, proc_free with p_opptr)', () => {
  it('the tracer\'s wait returns a tracee\'s zombie and hands it back to the original parent, which reaps it', () => {
    const k = bootKernel();
    const a = spawnAs(k, 1000, 100);
    const c = must(E.fork1(k, a));
    const dbg = spawnAs(k, 1000, 100);
    expect(E.sysPtrace(k, dbg, c.pid, false)).toBeUndefined();
    E.exit1(k, c, 3);
    expect(outcome(E.wait(k, a, c.pid))).toBe('ECHILD'); // the zombie is the tracer's
    expect(dbg.children[0]).toBe(c);
    const reaped: number[] = [];
    k.subscribe((e) => {
      if (e.kind === 'reaped') reaped.push(e.pid);
    });
    expect(E.wait(k, dbg, c.pid)).toBe(c.pid);
    expect(reaped).toEqual([]); // not freed: given back
    expect([c.stat, c.parent, c.tracer, c.opptr]).toEqual(['SZOMB', a, null, null]);
    expect(k.pidTable.get(c.pid)).toBe(c);
    expect(a.children[0]).toBe(c);
    expect(outcome(E.wait(k, dbg, c.pid))).toBe('ECHILD');
    expect(E.wait(k, a, c.pid)).toBe(c.pid);
    expect(reaped).toEqual([c.pid]);
    expect(k.pidTable.has(c.pid)).toBe(false);
  });

  it('a tracer that is the original parent reaps its tracee at once', () => {
    const k = bootKernel();
    const a = spawnAs(k, 1000, 100);
    const c = must(E.fork1(k, a));
    expect(E.sysPtrace(k, a, c.pid, false)).toBeUndefined();
    E.exit1(k, c, 0);
    expect(E.wait(k, a, c.pid)).toBe(c.pid);
    expect(k.pidTable.has(c.pid)).toBe(false);
  });

  it('a tracee\'s zombie whose original parent has exited goes to init on the tracer\'s wait', () => {
    const k = bootKernel();
    const a = spawnAs(k, 1000, 100);
    const c = must(E.fork1(k, a));
    const dbg = spawnAs(k, 1000, 100);
    expect(E.sysPtrace(k, dbg, c.pid, false)).toBeUndefined();
    E.exit1(k, c, 0);
    E.exit1(k, a, 0); // resets c's p_opptr, though c is a zombie already
    expect(c.opptr).toBeNull();
    expect(E.wait(k, dbg, c.pid)).toBe(c.pid);
    expect(c.parent).toBe(k.initproc);
    expect(E.wait(k, k.initproc, c.pid)).toBe(c.pid);
  });

  it('a killed tracee goes back to its original parent, not to init, and that parent reaps it', () => {
    const k = bootKernel();
    const a = spawnAs(k, 1000, 100);
    const c = must(E.fork1(k, a));
    const dbg = spawnAs(k, 1000, 100);
    expect(E.sysPtrace(k, dbg, c.pid, false)).toBeUndefined();
    E.exit1(k, dbg, 0);
    expect([c.stat, c.exitSignal, c.parent, c.tracer, c.opptr]).toEqual(['SZOMB', E.SIGKILL, a, null, null]);
    expect(a.children[0]).toBe(c);
    expect(outcome(E.wait(k, k.initproc, c.pid))).toBe('ECHILD');
    expect(E.wait(k, a, c.pid)).toBe(c.pid);
  });

  it('a tracee\'s zombie the tracer never waited for goes back to the original parent when the tracer exits, unkilled', () => {
    const k = bootKernel();
    const a = spawnAs(k, 1000, 100);
    const c = must(E.fork1(k, a));
    const dbg = spawnAs(k, 1000, 100);
    expect(E.sysPtrace(k, dbg, c.pid, false)).toBeUndefined();
    E.exit1(k, c, 7);
    E.exit1(k, dbg, 0);
    expect([c.parent, c.exitStatus, c.exitSignal]).toEqual([a, 7, 0]);
    expect(E.wait(k, a, c.pid)).toBe(c.pid);
  });

  it('a tracee whose original parent has exited goes to init and is killed when the tracer exits', () => {
    const k = bootKernel();
    const a = spawnAs(k, 1000, 100);
    const c = must(E.fork1(k, a));
    const dbg = spawnAs(k, 1000, 100);
    expect(E.sysPtrace(k, dbg, c.pid, false)).toBeUndefined();
    E.exit1(k, a, 0);
    E.exit1(k, dbg, 0);
    expect([c.stat, c.exitSignal, c.parent]).toEqual(['SZOMB', E.SIGKILL, k.initproc]);
  });
});

describe('wait by process group (do_sys_wait: 0 and -pgid are P_PGID)', () => {
  it('0 is the caller\'s own group, -g the group g; a forked child is in its parent\'s group, a spawned process leads its own', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    expect(p.pgid).toBe(p.pid);
    const c = must(E.fork1(k, p));
    expect(c.pgid).toBe(p.pid);
    E.exit1(k, c, 0);
    expect(outcome(E.wait(k, p, -(p.pid + 1)))).toBe('ECHILD');
    expect(E.wait(k, p, 0)).toBe(c.pid);
    const d = must(E.fork1(k, p));
    E.exit1(k, d, 0);
    expect(E.wait(k, p, -p.pid)).toBe(d.pid);
    const q = spawnAs(k, 1000, 100);
    E.exit1(k, q, 0);
    expect(outcome(E.wait(k, k.initproc, q.pid + 1000))).toBe('ECHILD');
    expect(outcome(E.wait(k, k.initproc, 0))).toBe('ECHILD'); // every child of init leads its own group
    expect(E.wait(k, k.initproc, -q.pid)).toBe(q.pid);
  });
});
