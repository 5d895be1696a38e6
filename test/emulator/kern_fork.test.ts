/** fork1 and spawn (kern_fork.ts): the maxproc limits, what a child inherits. */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { RD, bootKernel, must, openOk, outcome, spawnAs } from '../helpers/boot.ts';

describe('maxproc (fork1 limits, kern_fork.c 1.194)', () => {
  it('EAGAIN once nprocs + 1 reaches maxproc, for root and users alike: proc_listener_cb keeps no slots while maxproc > 5', () => {
    const k = bootKernel({ maxproc: 10 });
    const user = spawnAs(k, 1000, 100); // nprocs 3
    for (let n = k.nprocs; n < 9; n++) must(E.fork1(k, user)); // tnprocs 4 .. 9: into the "reserved" last five slots
    expect(k.nprocs).toBe(9);
    expect(outcome(E.fork1(k, user))).toBe('EAGAIN'); // tnprocs 10 >= maxproc
    expect(outcome(E.fork1(k, k.initproc))).toBe('EAGAIN');
    expect(outcome(E.spawn(k, 0, 0, '/bin/sh'))).toBe('EAGAIN');
  });

  it('with maxproc 5 the listener defers (0 >= 0) and only an effective uid of 0 forks (secmodel_suser)', () => {
    const k = bootKernel({ maxproc: 5 });
    const r = spawnAs(k, 0, 0); // nprocs 3
    expect(E.sysSetid(k, r, 'seteuid', 1000)).toBeUndefined();
    expect([r.cred.ruid, r.cred.euid]).toEqual([0, 1000]);
    expect(outcome(E.fork1(k, r))).toBe('EAGAIN'); // tnprocs 4 < 5, but KAUTH_PROCESS_FORK is refused
    expect(E.sysSetid(k, r, 'seteuid', 0)).toBeUndefined();
    expect(outcome(E.fork1(k, r))).toBe('ok');
  });

  it('zombies count against the limit until they are reaped', () => {
    const k = bootKernel({ maxproc: 5 });
    const a = spawnAs(k, 0, 0);
    const b = spawnAs(k, 0, 0);
    expect(outcome(E.spawn(k, 0, 0, '/bin/sh'))).toBe('EAGAIN');
    E.exit1(k, b, 0);
    expect(outcome(E.fork1(k, a))).toBe('EAGAIN');
    E.wait(k, k.initproc, b.pid);
    expect(outcome(E.fork1(k, a))).toBe('ok');
  });
});

describe('RLIMIT_NPROC (chgproccnt in fork1)', () => {
  it('a real uid may have 160 processes (min(maxproc, maxuprc)); spawn and the superuser are not held to it', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    expect(E.rlimit(u.limit, E.RLIMIT.NPROC)).toEqual({ cur: 160, max: 1044 });
    const kids: E.Proc[] = [];
    for (let i = 1; i < 160; i++) kids.push(must(E.fork1(k, u)));
    expect(E.procCountByUid(k, 1000)).toBe(160);
    expect(outcome(E.fork1(k, u))).toBe('EAGAIN');
    const v = spawnAs(k, 1000, 100); // login forks as root and takes the uid after
    expect(E.procCountByUid(k, 1000)).toBe(161);
    expect(outcome(E.fork1(k, v))).toBe('EAGAIN');
    expect(E.execve(k, v, '/usr/bin/passwd')).toBeUndefined(); // euid 0: KAUTH_REQ_PROCESS_RLIMIT_BYPASS
    expect(outcome(E.fork1(k, v))).toBe('ok');
    E.exit1(k, kids[0]!, 0);
    expect(outcome(E.fork1(k, u))).toBe('EAGAIN'); // the zombie still counts
    E.wait(k, u, kids[0]!.pid);
    E.wait(k, u, kids[1]!.pid); // not a zombie: nothing reaped
    expect(E.procCountByUid(k, 1000)).toBe(161);
  });
});

describe('fork1 (what the child shares)', () => {
  it('credentials, PK_SUGID, program, emulation, directories and files; the parent\'s newest child', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    expect(E.execve(k, p, '/usr/bin/passwd')).toBeUndefined();
    expect(E.sysChdir(k, p, '/tmp')).toBeUndefined();
    const fd = openOk(k, p, '/etc/passwd', RD);
    const c = must(E.fork1(k, p));
    expect(c.cred).toEqual(p.cred);
    expect(c.sugid).toBe(true);
    expect([c.path, c.emul, c.textvp]).toEqual([p.path, p.emul, p.textvp]);
    expect(c.cwd).toBe(p.cwd);
    expect(c.root).toBeNull();
    expect(c.parent).toBe(p);
    expect(p.children[0]).toBe(c);
    expect(k.allproc[0]).toBe(c);
    expect(c.fd.get(fd)!.file).toBe(p.fd.get(fd)!.file);
    expect(p.fd.get(fd)!.file.count).toBe(2);
    expect(c.stat).toBe('SACTIVE');
  });

  it('takes references on the directories and program it shares', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const cwdUse = p.cwd!.usecount;
    const textUse = p.textvp!.usecount;
    const c = must(E.fork1(k, p));
    expect([p.cwd!.usecount, p.textvp!.usecount]).toEqual([cwdUse + 1, textUse + 1]);
    E.exit1(k, c, 0);
    expect([p.cwd!.usecount, p.textvp!.usecount]).toEqual([cwdUse, textUse + 1]); // the text goes in proc_free
    E.wait(k, p, c.pid);
    expect(p.textvp!.usecount).toBe(textUse);
  });

  it('emits proc-created with the inherited PK_SUGID', () => {
    const k = bootKernel();
    const p = spawnAs(k, 0, 0);
    E.sysSetid(k, p, 'setuid', 1000);
    const evs: E.KernelEvent[] = [];
    k.subscribe((e) => evs.push(e));
    const c = must(E.fork1(k, p));
    expect(evs).toMatchObject([{ kind: 'proc-created', pid: c.pid, ppid: p.pid, sugid: true }]);
  });
});

describe('fork1 (limits and address space)', () => {
  it('the child has the parent\'s limit table, limit0 for everyone by default', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const c = must(E.fork1(k, p));
    expect(c.limit).toEqual(p.limit);
    expect(p.limit).toEqual(k.initproc.limit);
    expect(k.initproc.limit).toBe(k.limit0);
    expect(E.rlimit(c.limit, E.RLIMIT.NOFILE)).toEqual({ cur: 128, max: 3404 });
    expect(E.rlimit(c.limit, E.RLIMIT.CPU)).toEqual({ cur: E.RLIM_INFINITY, max: E.RLIM_INFINITY });
  });

  it('copies what was written into the parent\'s memory (uvm_proc_fork), and the copies are apart', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    p.vmspace.writes.set(0x1000, 0x41);
    const c = must(E.fork1(k, p));
    expect(c.vmspace.writes.get(0x1000)).toBe(0x41);
    c.vmspace.writes.set(0x1000, 0x42);
    expect(p.vmspace.writes.get(0x1000)).toBe(0x41);
    expect(c.vmspace).not.toBe(p.vmspace);
    expect(c.vmspace.id).toBe(p.vmspace.id); // uvmspace_fork: the same pages
  });

  it('a child of a traced process is not traced', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100);
    const dbg = spawnAs(k, 1000, 100);
    expect(E.sysPtrace(k, dbg, p.pid, false)).toBeUndefined();
    expect(must(E.fork1(k, p)).tracer).toBeNull();
  });
});

describe('spawn', () => {
  it('makes a child of init with real = effective = saved ids, cwd /, the program, PK_SUGID clear even for set-uid programs', () => {
    const k = bootKernel();
    const p = spawnAs(k, 1000, 100, '/usr/bin/passwd');
    expect(p.parent).toBe(k.initproc);
    expect(p.cred).toEqual(E.credCreate(1000, 100));
    expect(p.cwd).toBe(k.rootvnode);
    expect([p.path, p.emul, p.argv, p.sugid]).toEqual(['/usr/bin/passwd', 'netbsd', ['/usr/bin/passwd'], false]);
    expect(spawnAs(k, 0, 0, '/emul/linux/bin/sh').emul).toBe('linux');
  });

  it('needs an executable regular file: ENOENT, EACCES', () => {
    const k = bootKernel();
    expect(['/nonexistent', '/etc/passwd', '/tmp', '/dev/null'].map((p) => outcome(E.spawn(k, 1000, 100, p)))).toEqual(
      ['ENOENT', 'EACCES', 'EACCES', 'EACCES']);
  });
});
