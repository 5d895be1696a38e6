/** fork1 and spawn (kern_fork.ts): the maxproc limits, what a child inherits. */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { RD, bootKernel, must, openOk, outcome, spawnAs } from '../helpers/boot.ts';

describe('maxproc (fork1 limits, §12)', () => {
  it('EAGAIN at maxproc for a root parent, at maxproc - 5 for a parent whose real uid is not 0', () => {
    const k = bootKernel({ maxproc: 10 });
    const user = spawnAs(k, 1000, 100); // nprocs 3
    expect(must(E.fork1(k, user)).pid).toBe(3);
    expect(must(E.fork1(k, user)).pid).toBe(4);
    expect(k.nprocs).toBe(5);
    expect(outcome(E.fork1(k, user))).toBe('EAGAIN'); // 5 >= 10 - 5
    const root = spawnAs(k, 0, 0); // spawn forks from init (real uid 0)
    for (let n = k.nprocs; n < 10; n++) must(E.fork1(k, root));
    expect(k.nprocs).toBe(10);
    expect(outcome(E.fork1(k, root))).toBe('EAGAIN');
    expect(outcome(E.spawn(k, 0, 0, '/bin/sh'))).toBe('EAGAIN');
  });

  it('the rule looks at the real uid: a set-uid-root process is still limited, a root with lowered euid is not', () => {
    const k = bootKernel({ maxproc: 8 });
    const u = spawnAs(k, 1000, 100);
    expect(E.execve(k, u, '/usr/bin/passwd')).toBeUndefined();
    expect([u.cred.ruid, u.cred.euid]).toEqual([1000, 0]);
    expect(k.nprocs).toBe(3);
    expect(outcome(E.fork1(k, u))).toBe('EAGAIN'); // 3 >= 8 - 5
    const r = spawnAs(k, 0, 0);
    expect(E.sysSetid(k, r, 'seteuid', 1000)).toBeUndefined(); // needs KAUTH_PROCESS_SETID: root has it
    expect([r.cred.ruid, r.cred.euid]).toEqual([0, 1000]);
    expect(outcome(E.fork1(k, r))).toBe('ok');
  });

  it('zombies count against the limit until they are reaped', () => {
    const k = bootKernel({ maxproc: 4 });
    const a = spawnAs(k, 0, 0);
    const b = spawnAs(k, 0, 0);
    expect(outcome(E.spawn(k, 0, 0, '/bin/sh'))).toBe('EAGAIN');
    E.exit1(k, b, 0);
    expect(outcome(E.fork1(k, a))).toBe('EAGAIN');
    E.wait(k, k.initproc, b.pid);
    expect(outcome(E.fork1(k, a))).toBe('ok');
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
    expect([p.cwd!.usecount, p.textvp!.usecount]).toEqual([cwdUse, textUse]);
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
