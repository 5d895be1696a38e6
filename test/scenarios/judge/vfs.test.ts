/**
 * The judge's rules on what system calls on procfs answer: each passes on
 * the engine left alone and fails, naming the rule, on a kernel changed
 * behind its back.
 */
import { describe, expect, it } from 'vitest';
import { err } from '../../../emulator/errno.ts';
import type { KauthAction } from '../../../emulator/kauth.ts';
import { deadVnodeops } from '../../../emulator/vnode.ts';
import type { Vnode } from '../../../emulator/vnode.ts';
import { procfsVnodeops } from '../../../procfs/vnops.ts';
import { patch, play, procOf, procfsMount } from './harness.ts';

const wrapReaddir = (f: (d: { name: string; fileno: number; type: string }[]) => typeof d) =>
  (k: unknown) => {
    const orig = procfsVnodeops.readdir;
    return patch(procfsVnodeops, 'readdir', (ctx, vp) => {
      const r = orig(ctx, vp);
      return Array.isArray(r) ? (f(r as never) as never) : r;
    });
  };

describe('ruleKauthTwoSided', () => {
  const mem = `steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: /proc/self/mem, flags: rw, as: m }
  - open: { path: /proc/1/mem, flags: w }
    expect: { errno: EPERM }
  - read: { by: a, fd: m }
`;
  it('passes the engine left alone: the owner opens its mem, root may not write init at securelevel 0', () => {
    expect(play(mem).found).toEqual([]);
  });

  it('an open that every check allows must succeed', () => {
    const p = play(mem, {
      during: { 1: (k) => {
        const orig = k.kauth.authorize.bind(k.kauth);
        return patch(k.kauth, 'authorize', (kk, c, a: KauthAction) => (a.action === 'PROCFS' ? err('EPERM') : orig(kk, c, a)));
      } },
    });
    expect(p.found[0]).toMatchObject({ step: 1, rule: 'ruleKauthTwoSided' });
    expect(p.found[0]!.message).toMatch(/^ruleKauthTwoSided: open "\/proc\/self\/mem" by pid 2 gave EPERM; NetBSD lets it succeed \(procfs_listener_cb: allowed\) \[procfs_listener_cb\]$/);
  });

  it('an open a named rule refuses must fail with that rule\'s errno', () => {
    const p = play(mem, { during: { 2: (k) => patch(k.kauth, 'authorize', () => undefined) } });
    expect(p.found[0]!.message).toBe('ruleKauthTwoSided: open "/proc/1/mem" by pid 1 succeeded; NetBSD gives EPERM ' +
      '(kauth_authorize_process: secmodel_securelevel_process_cb denies WRITE of init at securelevel 0) [kauth_authorize_process]');
  });

  it('every read asks kauth again with the caller\'s current credential', () => {
    const p = play(`steps:
  - open: { path: /proc/1/mem, as: m }
  - seteuid: { id: 1000 }
  - read: { fd: m }
    expect: { errno: EPERM }
`, { during: { 2: (k) => patch(k.kauth, 'authorize', () => undefined) } });
    expect(p.found.map((f) => f.rule)).toEqual(['ruleKauthTwoSided']);
    expect(p.found[0]!.message).toMatch(/real uid 0 is not the target's 0|PK_SUGID/);
  });

  it('names EBUSY of an exclusive mem open while it is open for writing', () => {
    const text = `steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: /proc/self/mem, flags: w }
  - open: { by: a, path: /proc/self/mem, flags: rw, excl: true }
    expect: { errno: EBUSY }
`;
    expect(play(text).found).toEqual([]);
    const mpOf = (k: Parameters<typeof procfsMount>[0]) => procfsMount(k).vcache.get('mem:2:-1')!.data as { flags: number };
    const p = play(text, { before: { 2: (k) => { mpOf(k).flags = 0; } } });
    expect(p.found[0]!.message).toMatch(/succeeded; NetBSD gives EBUSY \(procfs_open: mem already open for writing\) \[procfs_open\]$/);
  });
});

describe('ruleGetattr', () => {
  const text = `steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: /etc/passwd, as: f }
  - exec: { by: a, path: /usr/bin/passwd }
  - lstat: { path: "/proc/{a}/mem" }
  - lstat: { path: "/proc/{a}/fd/{f}" }
  - lstat: { path: /proc/self }
  - lstat: { path: /proc/99/status }
    expect: { errno: ENOENT }
`;
  it('passes the engine left alone (mem of a set-id process 0000, a native fd link is the file itself)', () => {
    expect(play(text).found).toEqual([]);
  });

  it('flags the mode of mem left 0600 for a PK_SUGID target', () => {
    const p = play(text, { during: { 3: () => {
      const orig = procfsVnodeops.getattr;
      return patch(procfsVnodeops, 'getattr', (ctx, vp) => {
        const a = orig(ctx, vp);
        return 'mode' in a ? { ...a, mode: 0o600 } : a;
      });
    } } });
    expect(p.found[0]).toMatchObject({ step: 3, rule: 'ruleGetattr' });
    expect(p.found[0]!.message).toBe('ruleGetattr: lstat "/proc/2/mem" by pid 1: mode "0600", NetBSD gives "0000" [procfs_getattr]');
  });

  it('flags a lookup of an absent pid that finds something', () => {
    const orig = procfsVnodeops.lookup;
    const p = play(text, { during: { 6: () => patch(procfsVnodeops, 'lookup', (ctx, dvp, name) => orig(ctx, dvp, name === '99' ? '1' : name)) } });
    expect(p.found[0]!.message).toBe('ruleGetattr: lstat "/proc/99/status" by pid 1 succeeded; NetBSD gives ENOENT ' +
      '(procfs_lookup: 99: procfs_proc_lock: pid 99 cannot be found (proc_find)) [procfs_lookup]');
  });
});

describe('ruleFstat', () => {
  const text = `steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: /proc/self/status, as: s }
  - fstat: { by: a, fd: s }
    expect: { vtype: VREG, mode: "0444", uid: 1000 }
`;
  it('passes the engine left alone', () => {
    expect(play(text).found).toEqual([]);
  });

  it('flags a file that names another vnode than the one it was opened on', () => {
    const p = play(text, { before: { 2: (k, st) => {
      const a = procOf(st, 'a');
      const other = procfsMount(k).vcache.get(`proc:${a.pid}:-1`)!;
      const h = st.handles.get('s');
      (a.fd.get(h?.kind === 'fd' ? h.fd : -1)!.file as { vnode: Vnode | null }).vnode = other;
    } } });
    expect(p.found[0]).toMatchObject({ step: 2, rule: 'ruleFstat' });
    expect(p.found[0]!.message).toMatch(/was opened on \/proc:status:2:-1 but its file now names \/proc:proc:2:-1 \[vn_stat\]$/);
  });
});

describe('ruleReadlink', () => {
  const text = `steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - chdir: { by: a, path: /tmp }
  - readlink: { by: a, path: /proc/curproc }
    expect: { target: "{a}" }
  - readlink: { path: "/proc/{a}/cwd" }
    expect: { target: /tmp }
  - readlink: { path: "/proc/{a}/exe" }
    expect: { target: /bin/sh }
  - readlink: { path: /proc/self }
    expect: { target: curproc }
`;
  it('passes the engine left alone', () => {
    expect(play(text).found).toEqual([]);
  });

  it('reads cwd and root from the caller\'s root: `/` for what a chrooted caller cannot reach (procfs_dir)', () => {
    const t = `kernel:
  files: [{ path: /home/proc, type: dir, mode: "0755" }]
  procfs: [{ path: /proc, linux: true }, { path: /home/proc, linux: true }]
steps:
  - spawn: { as: a }
  - spawn: { as: b }
  - chdir: { by: a, path: /home/user }
  - chroot: { by: b, path: /home }
  - readlink: { by: b, path: "/proc/{a}/cwd" }
  - chdir: { by: a, path: /tmp }
  - readlink: { by: b, path: "/proc/{a}/cwd" }
  - readlink: { by: b, path: "/proc/{b}/root" }
  - readlink: { path: "/proc/{b}/root" }
`;
    const clean = play(t);
    expect(clean.found).toEqual([]);
    expect([4, 6, 7, 8].map((i) => clean.outcomes[i])).toEqual([
      { ok: { target: '/user' } }, { ok: { target: '/' } }, { ok: { target: '/' } }, { ok: { target: '/home' } },
    ]);
    const orig = procfsVnodeops.readlink;
    const p = play(t, { during: { 6: () => patch(procfsVnodeops, 'readlink', (ctx, vp) => orig({ ...ctx, p: ctx.k.initproc }, vp)) } });
    expect(p.found[0]!.message).toBe('ruleReadlink: readlink "/proc/2/cwd" by pid 3 reads "/tmp"; NetBSD gives "/" [procfs_readlink]');
  });

  it('flags a wrong link text', () => {
    const orig = procfsVnodeops.readlink;
    const p = play(text, { during: { 3: () => patch(procfsVnodeops, 'readlink', (ctx, vp) => { const r = orig(ctx, vp); return typeof r === 'string' ? `${r}x` : r; }) } });
    expect(p.found[0]!.message).toBe('ruleReadlink: readlink "/proc/2/cwd" by pid 1 reads "/tmpx"; NetBSD gives "/tmp" [procfs_readlink]');
  });
});

describe('ruleReaddir*', () => {
  const text = `kernel: { procfs: [{ path: /proc, linux: false }] }
steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: /etc/passwd }
  - dup2: { by: a, fd: 0, to: 18 }
  - dup2: { by: a, fd: 0, to: 17 }
  - readdir: { path: /proc }
  - readdir: { path: "/proc/{a}" }
  - readdir: { path: "/proc/{a}/fd" }
    expect: { entries: [".", "..", "0", "17"] }
`;
  it('passes the engine left alone: newest first, no Linux files on a nolinux mount, fd 18 of 20 slots hidden', () => {
    expect(play(text).found).toEqual([]);
  });

  it('flags /proc listing processes oldest first (ruleReaddirRoot)', () => {
    const p = play(text, { during: { 4: wrapReaddir((d) => [...d.slice(0, 4), ...d.slice(4).reverse()]) } });
    expect(p.found[0]).toMatchObject({ step: 4, rule: 'ruleReaddirRoot' });
    expect(p.found[0]!.message).toMatch(/lists \[\. \.\. curproc self 0:DIR 1:DIR 2:DIR\]|lists \[\.:DIR \.\.:DIR curproc:LNK self:LNK 0:DIR 1:DIR 2:DIR\]; NetBSD lists \[\.:DIR \.\.:DIR curproc:LNK self:LNK 2:DIR 1:DIR 0:DIR\]/);
  });

  it('flags a Linux-only entry on a mount made without PROCFSMNT_LINUXCOMPAT (ruleReaddirProc)', () => {
    const p = play(text, { during: { 5: wrapReaddir((d) => [...d, { name: 'stat', fileno: 0, type: 'DT_REG' }]) } });
    expect(p.found[0]).toMatchObject({ step: 5, rule: 'ruleReaddirProc' });
  });

  it('flags the top slot of the fd table listed after all (ruleReaddirFd)', () => {
    const p = play(text, { during: { 6: wrapReaddir((d) => [...d, { name: '18', fileno: 0, type: 'DT_REG' }]) } });
    expect(p.found[0]).toMatchObject({ step: 6, rule: 'ruleReaddirFd' });
    expect(p.found[0]!.message).toContain('NetBSD lists [.:DIR ..:DIR 0:REG 17:REG] (PFSfd: fd i-2 for 2 <= i < dt_nfiles)');
  });

  it('flags a task listing with another name (ruleReaddirTask)', () => {
    const t = `steps:
  - spawn: { as: a }
  - readdir: { path: "/proc/{a}/task" }
`;
    expect(play(t).found).toEqual([]);
    const p = play(t, { during: { 1: wrapReaddir((d) => d.slice(0, 2)) } });
    expect(p.found[0]).toMatchObject({ step: 1, rule: 'ruleReaddirTask' });
  });

  it('flags a d_type that lstat of the entry contradicts (ruleDirentTypes)', () => {
    const p = play(text, { during: { 5: wrapReaddir((d) => d.map((e) => (e.name === 'cwd' ? { ...e, type: 'DT_REG' } : e))) } });
    expect(p.rules).toEqual(['ruleReaddirProc', 'ruleDirentTypes']);
    expect(p.found[1]!.message).toBe('ruleDirentTypes: readdir of /proc/2 lists cwd as REG, but lstat of it gives VLNK (LNK) [procfs_readdir]');
  });
});

describe('ruleChdir and ruleChrootCwd', () => {
  it('chdir needs search permission on the procfs directory', () => {
    const text = `steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - chdir: { by: a, path: /proc/self/fd }
  - chdir: { path: "/proc/{a}/fd" }
`;
    expect(play(text).found).toEqual([]);
    const p = play(text, { during: { 2: () => patch(procfsVnodeops, 'access', () => err('EACCES')) } });
    expect(p.found[0]!.message).toMatch(/^ruleChdir: chdir "\/proc\/2\/fd" by pid 1 gave EACCES; NetBSD lets it succeed/);
  });

  it('chroot moves a current directory not under the new root to it', () => {
    const text = `steps:
  - chdir: { path: /tmp }
  - chroot: { path: /home }
`;
    expect(play(text).found).toEqual([]);
    let keep: Vnode | null = null;
    const p = play(text, {
      before: { 1: (k) => { keep = k.initproc.cwd; } },
      after: (e, k) => {
        if (e.kind === 'cred-changed' && keep !== null) {
          const p1 = k.initproc;
          p1.cwd!.usecount--;
          keep.usecount++;
          p1.cwd = keep;
        }
      },
    });
    expect(p.found[0]).toMatchObject({ step: 1, rule: 'ruleChrootCwd' });
  });
});

describe('ruleExecLookup', () => {
  it('a procfs node is no program: EACCES (check_exec)', () => {
    const text = `steps:
  - spawn: { as: a }
  - spawn: { as: b }
  - exec: { by: b, path: "/proc/{a}/status" }
    expect: { errno: EACCES }
`;
    expect(play(text).found).toEqual([]);
    const p = play(text, { during: { 2: () => patch(procfsVnodeops, 'access', () => undefined) } });
    expect(p.found[0]!.message).toMatch(/^ruleExecLookup: exec "\/proc\/2\/status" by pid 3 gave ENOEXEC; NetBSD gives EACCES/);
  });

  // execve_loadvm (kern_exec.c 1.518.4.2; netbsd-procfs.md §13.1) takes p_reflock before the lookup.
  it('a path through the caller\'s own /proc/N meets its p_reflock: ENOENT', () => {
    expect(play(`steps:
  - spawn: { as: a }
  - exec: { by: a, path: /proc/self/mem }
    expect: { errno: any }
`).found).toEqual([]);
  });
});

describe('ruleStatvfs, ruleGetargs, ruleMount', () => {
  const text = `steps:
  - spawn: { as: a }
  - statvfs: { path: /proc }
  - getargs: { path: /proc }
  - mount: { path: /tmp, args: { version: 1, flags: 0 } }
  - getargs: { path: /tmp }
    expect: { flags: 0 }
  - mount: { by: a, path: /home, args: { version: 1, flags: 1 } }
    expect: { errno: EPERM }
`;
  it('passes the engine left alone', () => {
    expect(play(text.replace('spawn: { as: a }', 'spawn: { as: a, uid: 1000, gid: 100 }')).found).toEqual([]);
  });

  it('flags ffree that is not maxproc - nprocs', () => {
    const p = play(text, { during: { 1: (k) => {
      const mp = procfsMount(k);
      const orig = mp.ops.statvfs;
      return patch(mp.ops, 'statvfs', (ctx, m) => ({ ...(orig(ctx, m) as object), ffree: 7 }) as never);
    } } });
    expect(p.found[0]!.message).toBe('ruleStatvfs: statvfs "/proc" by pid 1: ffree 7, NetBSD gives 1041 [procfs_statvfs]');
  });

  it('flags GETARGS flags that are not what the mount was made with', () => {
    const p = play(text, { before: { 4: (k) => { (procfsMount(k, '/tmp').data as { flags: number }).flags = 1; } } });
    expect(p.found[0]).toMatchObject({ step: 4, rule: 'ruleGetargs' });
  });

  it('flags a mount by a user', () => {
    const p = play(text.replace('spawn: { as: a }', 'spawn: { as: a, uid: 1000, gid: 100 }').replace('    expect: { errno: EPERM }\n', ''),
      { during: { 5: (k) => patch(k.kauth, 'authorize', () => undefined) } });
    expect(p.found[0]!.message).toMatch(/^ruleMount: mount "\/home" by pid 2 succeeded; NetBSD gives EPERM/);
  });
});

describe('ruleDeadfs', () => {
  const text = `steps:
  - spawn: { as: a }
  - spawn: { as: b }
  - open: { by: b, path: "/proc/{a}/status", as: h }
  - chdir: { by: b, path: "/proc/{a}" }
  - exit: { by: a }
  - read: { by: b, fd: h }
    expect: { errno: EIO }
  - fstat: { by: b, fd: h }
    expect: { errno: EBADF }
  - lstat: { by: b, path: . }
    expect: { errno: ENOENT }
  - close: { by: b, fd: h }
`;
  it('passes the engine left alone', () => {
    expect(play(text).found).toEqual([]);
  });

  it('flags a read of a revoked vnode that does not give EIO', () => {
    const p = play(text, { during: { 5: () => patch(deadVnodeops, 'read', () => '') } });
    expect(p.found[0]!.message).toBe('ruleDeadfs: read of descriptor 0 (a revoked vnode) by pid 3 succeeded; NetBSD gives EIO (dead_read: the vnode was revoked) [dead_read]');
  });

  it('flags `.` looked up in a revoked current directory', () => {
    const p = play(text, { during: { 7: () => patch(deadVnodeops, 'lookup', (_c, dvp) => { dvp.usecount++; return dvp; }) } });
    expect(p.found[0]).toMatchObject({ step: 7, rule: 'ruleDeadfs' });
    expect(p.found[0]!.message).toMatch(/relative path "\." by pid 3 from a revoked current directory .*NetBSD gives ENOENT \(dead_lookup/);
  });
});
