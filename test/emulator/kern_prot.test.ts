/** The setuid(2) family, chroot(2) and ptrace attach (kern_prot.ts, vfs_syscalls.ts): permission and PK_SUGID. */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { bootKernel, must, outcome, spawnAs } from '../helpers/boot.ts';

const ids = (c: E.Cred) => [c.ruid, c.euid, c.svuid, c.rgid, c.egid, c.svgid];

describe('setuid and setgid', () => {
  it('a user may only set its real id (which changes nothing, so no PK_SUGID); anything else is EPERM', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    expect(E.sysSetid(k, u, 'setuid', 1000)).toBeUndefined();
    expect(E.sysSetid(k, u, 'setgid', 100)).toBeUndefined();
    expect(u.sugid).toBe(false);
    expect([0, 2000].map((id) => outcome(E.sysSetid(k, u, 'setuid', id)))).toEqual(['EPERM', 'EPERM']);
    expect([0, 4].map((id) => outcome(E.sysSetid(k, u, 'setgid', id)))).toEqual(['EPERM', 'EPERM']);
    expect(ids(u.cred)).toEqual([1000, 1000, 1000, 100, 100, 100]);
    expect(u.sugid).toBe(false);
  });

  it('root sets real, effective and saved ids, and gains PK_SUGID; then cannot go back', () => {
    const k = bootKernel();
    const r = spawnAs(k, 0, 0);
    expect(E.sysSetid(k, r, 'setgid', 5)).toBeUndefined();
    expect(r.sugid).toBe(true);
    expect(E.sysSetid(k, r, 'setuid', 1000)).toBeUndefined();
    expect(ids(r.cred)).toEqual([1000, 1000, 1000, 5, 5, 5]);
    expect(outcome(E.sysSetid(k, r, 'setuid', 0))).toBe('EPERM');
    expect(outcome(E.sysSetid(k, r, 'setgid', 0))).toBe('EPERM');
  });

  it('emits cred-changed with PK_SUGID, and nothing when nothing changes', () => {
    const k = bootKernel();
    const r = spawnAs(k, 0, 0);
    const evs: E.KernelEvent[] = [];
    k.subscribe((e) => evs.push(e));
    E.sysSetid(k, r, 'setuid', 0);
    expect(evs).toEqual([]);
    E.sysSetid(k, r, 'setuid', 1000);
    expect(evs).toMatchObject([{ kind: 'cred-changed', pid: r.pid, sugid: true }]);
  });
});

describe('seteuid and setegid', () => {
  it('without privilege the effective id may become the real or the saved one', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    expect(E.execve(k, u, '/usr/bin/passwd')).toBeUndefined(); // ruid 1000, euid = svuid = 0
    expect(ids(u.cred)).toEqual([1000, 0, 0, 100, 100, 100]);
    expect(E.sysSetid(k, u, 'seteuid', 1000)).toBeUndefined();
    expect(ids(u.cred)).toEqual([1000, 1000, 0, 100, 100, 100]);
    expect(outcome(E.sysSetid(k, u, 'seteuid', 5))).toBe('EPERM');
    expect(E.sysSetid(k, u, 'seteuid', 0)).toBeUndefined(); // the saved uid
    expect(ids(u.cred)).toEqual([1000, 0, 0, 100, 100, 100]);
    expect(E.sysSetid(k, u, 'seteuid', 5)).toBeUndefined(); // now euid 0: privileged
    expect(u.cred.euid).toBe(5);
  });

  it('setegid to the real or saved gid; another is EPERM for a user', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    expect(E.execve(k, u, '/usr/bin/wall')).toBeUndefined(); // set-gid 4
    expect(ids(u.cred)).toEqual([1000, 1000, 1000, 100, 4, 4]);
    expect(u.sugid).toBe(true);
    expect(E.sysSetid(k, u, 'setegid', 100)).toBeUndefined();
    expect(E.sysSetid(k, u, 'setegid', 4)).toBeUndefined();
    expect(outcome(E.sysSetid(k, u, 'setegid', 0))).toBe('EPERM');
    expect(u.cred.egid).toBe(4);
  });

  it('a change sets PK_SUGID', () => {
    const k = bootKernel();
    const r = spawnAs(k, 0, 0);
    expect(E.sysSetid(k, r, 'seteuid', 1000)).toBeUndefined();
    expect(r.sugid).toBe(true);
    expect(ids(r.cred)).toEqual([0, 1000, 0, 0, 0, 0]);
  });
});

describe('chroot', () => {
  it('is for the superuser only (EPERM) and needs a searchable directory', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    const r = spawnAs(k, 0, 0);
    expect(outcome(E.sysChroot(k, u, '/tmp'))).toBe('EPERM');
    expect(outcome(E.sysChroot(k, r, '/etc/passwd'))).toBe('ENOTDIR');
    expect(outcome(E.sysChroot(k, r, '/nonexistent'))).toBe('ENOENT');
    expect(r.sugid).toBe(false);
  });

  it('sets PK_SUGID; a cwd outside the new root becomes the root, one inside stays', () => {
    const k = bootKernel();
    const r = spawnAs(k, 0, 0);
    expect(E.sysChdir(k, r, '/etc')).toBeUndefined();
    expect(E.sysChroot(k, r, '/home')).toBeUndefined();
    expect(r.sugid).toBe(true);
    expect(r.cwd).toBe(r.root);
    const s = spawnAs(k, 0, 0);
    expect(E.sysChdir(k, s, '/home/user')).toBeUndefined();
    const cwd = s.cwd;
    expect(E.sysChroot(k, s, '/home')).toBeUndefined();
    expect(s.cwd).toBe(cwd);
    expect(E.getcwdCommon(k, s.cwd!, s.root)).toBe('/user');
  });
});

describe('ptrace attach', () => {
  it('same real uid and an untraced, non-set-id target; root anything but init at securelevel 0', () => {
    const k = bootKernel();
    const t = spawnAs(k, 1000, 100);
    const other = spawnAs(k, 2000, 100);
    const same = spawnAs(k, 1000, 100);
    const root = spawnAs(k, 0, 0);
    expect(outcome(E.sysPtrace(k, other, t.pid, false))).toBe('EPERM');
    expect(outcome(E.sysPtrace(k, t, t.pid, false))).toBe('EINVAL');
    expect(outcome(E.sysPtrace(k, root, 0, false))).toBe('EPERM');
    expect(outcome(E.sysPtrace(k, root, 1, false))).toBe('EPERM');
    expect(outcome(E.sysPtrace(k, root, 9999, false))).toBe('ESRCH');
    expect(E.sysPtrace(k, same, t.pid, false)).toBeUndefined();
    expect(outcome(E.sysPtrace(k, root, t.pid, false))).toBe('EBUSY');
    expect(outcome(E.sysPtrace(k, root, t.pid, true))).toBe('EBUSY'); // not its tracer
    expect(E.sysPtrace(k, same, t.pid, true)).toBeUndefined();
    expect(E.execve(k, t, '/usr/bin/passwd')).toBeUndefined();
    expect(outcome(E.sysPtrace(k, same, t.pid, false))).toBe('EPERM'); // PK_SUGID now
    expect(E.sysPtrace(k, root, t.pid, false)).toBeUndefined();
  });
});

describe('ptrace reparenting (do_ptrace, proc_changeparent, proc_reparent)', () => {
  it('PT_ATTACH makes the tracer the parent and remembers the old one; PT_DETACH gives the tracee back', () => {
    const k = bootKernel();
    const a = spawnAs(k, 1000, 100);
    const c = must(E.fork1(k, a));
    const dbg = spawnAs(k, 1000, 100);
    expect(E.sysPtrace(k, dbg, c.pid, false)).toBeUndefined();
    expect([c.tracer, c.parent, c.opptr]).toEqual([dbg, dbg, a]);
    expect(dbg.children[0]).toBe(c);
    expect(a.children).not.toContain(c);
    expect(outcome(E.wait(k, a, c.pid))).toBe('ECHILD');
    expect(E.wait(k, dbg, c.pid)).toBe(0); // a live tracee counts as stopped and waited for
    expect(E.sysPtrace(k, dbg, c.pid, true)).toBeUndefined();
    expect([c.tracer, c.parent, c.opptr]).toEqual([null, a, null]);
    expect(a.children[0]).toBe(c);
    expect(outcome(E.wait(k, dbg, c.pid))).toBe('ECHILD');
    expect(E.wait(k, a, c.pid)).toBe(0);
  });

  it('a tracer that is already the parent keeps it: p_opptr is the tracer itself and PT_DETACH moves nothing', () => {
    const k = bootKernel();
    const a = spawnAs(k, 1000, 100);
    const c = must(E.fork1(k, a));
    const other = must(E.fork1(k, a));
    expect(a.children).toEqual([other, c]);
    expect(E.sysPtrace(k, a, c.pid, false)).toBeUndefined();
    expect([c.parent, c.opptr]).toEqual([a, a]);
    expect(a.children).toEqual([other, c]); // proc_reparent returns at once for the same parent
    expect(E.sysPtrace(k, a, c.pid, true)).toBeUndefined();
    expect([c.tracer, c.parent, c.opptr]).toEqual([null, a, null]);
  });

  it('PT_DETACH after the original parent has exited gives the tracee to init (exit1 reset p_opptr)', () => {
    const k = bootKernel();
    const a = spawnAs(k, 1000, 100);
    const c = must(E.fork1(k, a));
    const dbg = spawnAs(k, 1000, 100);
    expect(E.sysPtrace(k, dbg, c.pid, false)).toBeUndefined();
    E.exit1(k, a, 0);
    expect([c.parent, c.opptr, c.stat]).toEqual([dbg, null, 'SACTIVE']); // not a's child: not orphaned, not killed
    expect(E.sysPtrace(k, dbg, c.pid, true)).toBeUndefined();
    expect(c.parent).toBe(k.initproc);
    expect(k.initproc.children[0]).toBe(c);
  });

  it('PT_DETACH by another process is EBUSY (t->p_pptr != p) and moves nothing', () => {
    const k = bootKernel();
    const t = spawnAs(k, 1000, 100);
    const dbg = spawnAs(k, 1000, 100);
    const other = spawnAs(k, 1000, 100);
    expect(E.sysPtrace(k, dbg, t.pid, false)).toBeUndefined();
    expect(outcome(E.sysPtrace(k, other, t.pid, true))).toBe('EBUSY');
    expect([t.tracer, t.parent, t.opptr]).toEqual([dbg, dbg, k.initproc]);
  });
});

describe('do_setresuid order', () => {
  it('an unpermitted value is EPERM even when it changes nothing (the check comes before the short circuit)', () => {
    const k = bootKernel();
    const r = spawnAs(k, 0, 0);
    expect(E.sysSetid(k, r, 'seteuid', 2000)).toBeUndefined(); // root may
    expect(ids(r.cred)).toEqual([0, 2000, 0, 0, 0, 0]);
    expect(E.sysSetid(k, r, 'seteuid', 2000)?.errno).toBe('EPERM'); // 2000 is neither ruid nor svuid, euid is not 0
    expect(E.sysSetid(k, r, 'seteuid', 0)).toBeUndefined(); // the saved uid
  });
});

describe('kauth_cred_uidmatch (the curtain)', () => {
  it('matches when any real or effective uid of one equals one of the other\'s', () => {
    const c = (ruid: number, euid: number) => E.credWith(E.credCreate(ruid, 0), { euid });
    expect(E.kauthCredUidmatch(c(0, 1000), c(1000, 1000))).toBe(true);
    expect(E.kauthCredUidmatch(c(1000, 0), c(2000, 1000))).toBe(true);
    expect(E.kauthCredUidmatch(c(1000, 1000), c(2000, 2000))).toBe(false);
  });
});

describe('ptrace_find and ptrace_allowed (sys_ptrace_common.c 1.53)', () => {
  it('the curtain hides the target (ESRCH); init may not trace (EPERM); detach needs a tracee (EPERM) of ours (EBUSY)', () => {
    const k = bootKernel({ curtain: true });
    const t = spawnAs(k, 1000, 100);
    const other = spawnAs(k, 2000, 100);
    const same = spawnAs(k, 1000, 100);
    expect(outcome(E.sysPtrace(k, other, t.pid, false))).toBe('ESRCH');
    expect(outcome(E.sysPtrace(k, k.initproc, t.pid, false))).toBe('EPERM');
    expect(outcome(E.sysPtrace(k, same, t.pid, true))).toBe('EPERM');
    expect(E.sysPtrace(k, same, t.pid, false)).toBeUndefined();
    expect(t.tracer).toBe(same);
    const root = spawnAs(k, 0, 0);
    expect(outcome(E.sysPtrace(k, root, t.pid, true))).toBe('EBUSY');
  });

  it('PT_DETACH is allowed by the ptrace listener whatever the ids (a tracee that became set-id)', () => {
    const k = bootKernel();
    const t = spawnAs(k, 1000, 100);
    const tr = spawnAs(k, 1000, 100);
    expect(E.sysPtrace(k, tr, t.pid, false)).toBeUndefined();
    t.sugid = true; // as a set-id exec before the attach would have left it
    expect(E.sysPtrace(k, tr, t.pid, true)).toBeUndefined();
    expect(outcome(E.sysPtrace(k, tr, t.pid, false))).toBe('EPERM'); // attach: PK_SUGID
  });

  it('a tracer whose root is not at or above the target\'s gets EPERM before kauth (proc_isunder)', () => {
    const k = bootKernel({ files: [{ path: '/jail', type: 'dir', mode: 0o755, uid: 0, gid: 0 }] });
    const t = spawnAs(k, 0, 0);
    const j = spawnAs(k, 0, 0);
    expect(E.sysChroot(k, j, '/jail')).toBeUndefined();
    expect(outcome(E.sysPtrace(k, j, t.pid, false))).toBe('EPERM');
    expect(E.sysChroot(k, t, '/jail')).toBeUndefined();
    expect(E.sysPtrace(k, j, t.pid, false)).toBeUndefined();
  });
});
