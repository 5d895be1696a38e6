/**
 * The judge's rules on the process life cycle and descriptors: each passes
 * on the engine left alone and fails on a kernel changed behind its back.
 */
import { describe, expect, it } from 'vitest';
import { credWith } from '../../../emulator/cred.ts';
import { err } from '../../../emulator/errno.ts';
import type { KauthAction } from '../../../emulator/kauth.ts';
import type { Proc } from '../../../emulator/proc.ts';
import { patch, play, procOf } from './harness.ts';

describe('ruleCredexec', () => {
  const text = `steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - exec: { by: a, path: /usr/bin/passwd }
  - exec: { by: a, path: /usr/bin/wall }
  - setuid: { by: a, id: 1000 }
  - exec: { by: a, path: /bin/sh }
`;
  it('passes the engine left alone: set-uid, then set-gid on top, then a plain exec with equal ids clears PK_SUGID', () => {
    expect(play(text).found).toEqual([]);
  });

  it('flags a set-gid exec that did not take the file\'s group', () => {
    const p = play(text, {
      first: (e, k) => {
        if (e.kind !== 'exec' || e.pid !== 2) return;
        const a = k.pidTable.get(2)!;
        if (a.cred.egid === 4) a.cred = credWith(a.cred, { egid: 100, svgid: 100 });
      },
    });
    expect(p.found[0]).toMatchObject({ step: 2, rule: 'ruleCredexec' });
    expect(p.found[0]!.message).toMatch(/exec by pid 2 of a 2555 0:4 program from uid 1000\/0\/0 gid 100\/100\/100: pid 2 has uid 1000\/0\/0 gid 100\/100\/100 .*what it ran gives uid 1000\/0\/0 gid 100\/4\/4 PK_SUGID set \[credexec\]$/);
  });

  it('a traced process gains nothing', () => {
    const t = `steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - spawn: { as: d, uid: 1000, gid: 100 }
  - ptrace: { by: d, target: a }
  - exec: { by: a, path: /usr/bin/passwd }
    expect: { evicts: [], revokes: [] }
`;
    expect(play(t).found).toEqual([]);
    const p = play(t, { first: (e, k) => { if (e.kind === 'exec') k.pidTable.get(2)!.sugid = true; } });
    expect(p.rules[0]).toBe('ruleCredexec');
  });
});

describe('ruleSetid, ruleChrootSugid, ruleCredState', () => {
  const text = `steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - seteuid: { by: a, id: 0 }
    expect: { errno: EPERM }
  - setuid: { by: a, id: 1000 }
  - chroot: { path: /tmp }
`;
  it('passes the engine left alone (setuid to the same ids changes nothing)', () => {
    expect(play(text).found).toEqual([]);
  });

  it('flags a seteuid(0) a user is allowed', () => {
    const p = play(text, { during: { 1: (k) => {
      const orig = k.kauth.authorize.bind(k.kauth);
      return patch(k.kauth, 'authorize', (kk, c, a: KauthAction) => (a.action === 'SETID' ? undefined : orig(kk, c, a)));
    } } });
    expect(p.found[0]!.message).toMatch(/^ruleSetid: seteuid\(0\) by pid 2 \(uid 1000\/1000\/1000 gid 100\/100\/100\) succeeded; NetBSD gives EPERM \(do_setresuid: /);
  });

  it('flags PK_SUGID left clear by chroot', () => {
    const p = play(text, { first: (e, k) => { if (e.kind === 'cred-changed') k.initproc.sugid = false; } });
    expect(p.found[0]).toMatchObject({ step: 3, rule: 'ruleChrootSugid' });
  });

  it('flags a credential changed by nothing that ran', () => {
    const p = play(text, { before: { 3: (k) => { k.pidTable.get(2)!.sugid = true; } } });
    expect(p.found[0]).toMatchObject({ step: 3, rule: 'ruleCredState' });
    expect(p.found[0]!.message).toBe('ruleCredState: pid 2 has uid 1000/1000/1000 gid 100/100/100 PK_SUGID set; what it ran gives ' +
      'uid 1000/1000/1000 gid 100/100/100 PK_SUGID clear [proc_crmod_leave]');
  });
});

describe('ruleForkLimit, ruleForkSugid, ruleForkCopiesDescriptors', () => {
  const text = `kernel: { maxproc: 20 }
steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: /etc/passwd, cloexec: true }
  - fork: { by: a, as: b }
`;
  it('passes the engine left alone', () => {
    expect(play(text).found).toEqual([]);
  });

  it('flags a fork refused below every limit', () => {
    const p = play(text, { during: { 2: (k) => patch(k, 'pidAlloc', () => 0) } });
    expect(p.found[0]!.message).toBe('ruleForkLimit: fork by pid 2 with 3 processes (maxproc 20) gave EAGAIN; NetBSD lets it fork ' +
      '(fork1: below maxproc, KAUTH_PROCESS_FORK and RLIMIT_NPROC allow it) [fork1]');
  });

  // fork1 (kern_fork.c 1.194) counts the new process first (tnprocs = nprocs + 1 >= maxproc).
  it('EAGAIN once nprocs + 1 reaches maxproc', () => {
    expect(play(`kernel: { maxproc: 6 }
steps:
  - spawn: { as: a }
  - spawn: { as: b }
  - spawn: { as: c }
  - spawn: { as: d }
    expect: { errno: any }
`).found).toEqual([]);
  });

  it('flags a child without the parent\'s PK_SUGID (the fork-drops-sugid bug)', () => {
    const t = `bugs: [fork-drops-sugid]
steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - exec: { by: a, path: /usr/bin/passwd }
  - fork: { by: a, as: b }
`;
    expect(play(t).found[0]).toMatchObject({ step: 2, rule: 'ruleForkSugid' });
  });

  it('flags a child whose copied slot lost its close-on-exec flag', () => {
    const p = play(text, { first: (e, k) => {
      if (e.kind !== 'proc-created' || !e.forked) return;
      const slot = k.pidTable.get(e.pid)!.fd.get(0)!;
      slot.cloexec = false;
    } });
    expect(p.found[0]).toMatchObject({ step: 2, rule: 'ruleForkCopiesDescriptors' });
  });
});

describe('ruleFdAlloc, ruleDup2, ruleClose, ruleExecClosesExclose, ruleFdTableSize', () => {
  const text = `steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: /etc/passwd, as: f, cloexec: true }
  - dup2: { by: a, fd: f, to: 5 }
  - pipe: { by: a }
  - close: { by: a, fd: 5 }
  - dup2: { by: a, fd: f, to: 5 }
  - exec: { by: a, path: /bin/cat }
`;
  const pOf = (st: Parameters<typeof procOf>[0]): Proc => procOf(st, 'a');
  it('passes the engine left alone: close-on-exec is per slot, so the dup survives the exec', () => {
    const p = play(text);
    expect(p.found).toEqual([]);
    expect(pOf(p.st).fd.openFds()).toEqual([1, 2, 5]);
  });

  it('flags a descriptor that is not the lowest free', () => {
    const p = play(text, { before: { 3: (_k, st) => {
      const t = pOf(st).fd;
      const orig = t.alloc.bind(t);
      t.alloc = (want, lim) => orig(Math.max(want, 9), lim);
    } } });
    expect(p.found[0]!.message).toBe('ruleFdAlloc: pipe by pid 2 gave descriptors 9, 10; the lowest free are 1, 2 [fd_alloc]');
  });

  it('flags a dup2 that copied the close-on-exec flag', () => {
    const p = play(text, { during: { 2: (_k, st) => {
      const t = pOf(st).fd;
      const orig = t.install.bind(t);
      return patch(t, 'install', (fd, file) => orig(fd, file, true));
    } } });
    expect(p.found[0]!.message).toBe('ruleDup2: after dup2(0, 5) by pid 2 slot 5 is close-on-exec; fd_dup2 clears it [fd_dup2]');
  });

  it('flags a close that gives EBADF for an open slot', () => {
    const p = play(text, { during: { 4: (_k, st) => patch(pOf(st).fd, 'remove', () => undefined) } });
    expect(p.found[0]!.message).toMatch(/^ruleClose: close\(5\) by pid 2 gave EBADF; NetBSD lets it succeed/);
  });

  it('flags an exec that kept a close-on-exec descriptor', () => {
    const p = play(text, { after: (e, k) => { if (e.kind === 'exec-begin') k.pidTable.get(2)!.fd.get(0)!.cloexec = false; } });
    expect(p.found[0]!.message).toBe('ruleExecClosesExclose: exec by pid 2 kept close-on-exec descriptor 0 [fd_closeexec]');
  });

  it('flags a table that grew without a descriptor past its end', () => {
    const p = play(text, { before: { 3: (_k, st) => { pOf(st).fd.nfiles = 40; } } });
    expect(p.found[0]).toMatchObject({ step: 3, rule: 'ruleFdTableSize' });
  });

  // fd_tryexpand (kern_descrip.c 1.228.2.1): the table grows from NDFILE 20 to NDEXTENT 50, then doubles.
  it('a descriptor at 20 grows the table to 50', () => {
    expect(play(`steps:
  - open: { path: /etc/passwd }
  - dup2: { fd: 0, to: 20 }
`).found).toEqual([]);
  });
});

describe('ruleExecRevokeSet, ruleExitRevokeSet: the order inside exec and exit', () => {
  it('a close-on-exec handle is closed before the exec hook, so its vnode is recycled, not revoked', () => {
    const text = `steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - setuid: { by: a, id: 1000 }
  - seteuid: { by: a, id: 1000 }
  - open: { by: a, path: /proc/self/status, cloexec: true }
  - exec: { by: a, path: /usr/bin/passwd }
`;
    expect(play(text).found).toEqual([]);
    // A kernel that ran the hook before fd_closeexec revokes the handle's vnode instead.
    const p = play(text, { after: (e, k) => { if (e.kind === 'exec-begin') { const a = k.pidTable.get(2)!; a.sugid = true; k.exechooks.run(a); } } });
    expect(p.found[0]!.message).toBe('ruleExecRevokeSet: the set-id exec of pid 2 revoked /proc/2/status, which nobody holds any more when the hook runs ' +
      '(execve_runproc runs fd_closeexec and credexec before doexechooks) [procfs_exechook_cb]');
  });

  it('the exiting process\'s own handles and cwd are dropped before the exit hook', () => {
    const text = `steps:
  - spawn: { as: a }
  - open: { by: a, path: /proc/self/status }
  - chdir: { by: a, path: /proc/self }
  - exit: { by: a }
`;
    expect(play(text).found).toEqual([]);
    const p = play(text, { after: (e, k) => { if (e.kind === 'exit-begin') k.exithooks.run(k.pidTable.get(2)!); } });
    expect(p.found.map((f) => f.rule)).toContain('ruleExitRevokeSet');
    expect(p.found.find((f) => f.rule === 'ruleExitRevokeSet')!.message).toMatch(/^ruleExitRevokeSet: the exit of pid 2 revoked \/proc\/2\/status, which nobody holds any more/);
  });

  it('a plain exec evicts nothing (the exechook-ignores-sugid-always bug)', () => {
    const p = play(`bugs: [exechook-ignores-sugid-always]
steps:
  - spawn: { as: a }
  - lstat: { path: "/proc/{a}/status" }
  - exec: { by: a, path: /bin/cat }
`);
    expect(p.found[0]!.message).toBe('ruleExecRevokeSet: the plain exec of pid 2 evicted /proc/2/status, /proc/2 (execve_runproc runs fd_closeexec and credexec before doexechooks) [procfs_exechook_cb]');
  });
});

describe('the kauth model keeps PROCFS refusals named', () => {
  it('a tampered listener that refuses status is caught on the next open', () => {
    const p = play(`steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: "/proc/1/status" }
`, { during: { 1: (k) => {
      const orig = k.kauth.authorize.bind(k.kauth);
      return patch(k.kauth, 'authorize', (kk, c, a: KauthAction) => (a.action === 'PROCFS' ? err('EPERM') : orig(kk, c, a)));
    } } });
    expect(p.found[0]!.message).toMatch(/gave EPERM; NetBSD lets it succeed \(procfs_open: allowed\) \[procfs_open\]$/);
  });
});
