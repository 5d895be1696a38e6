/**
 * The exec hook and the exit hook (netbsd-procfs.md §4): who gets evicted,
 * who revoked, when, on which mounts; PK_SUGID through fork, setuid(2) and
 * tracing; deadfs on revoked handles (§4.5); pid reuse and hash neighbours.
 */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import {
  RD, RDWR, bootProcfs, cachedKeys, cachedKeysOf, evictionsDuring, mountOf, mountProcfs, must, openOk, outcome,
  spawnAs,
} from '../helpers/boot.ts';

const MNT = { path: '/mnt', type: 'dir', mode: 0o755, uid: 0, gid: 0 } as const;

/** A kernel with procfs on /proc and /mnt, a target (uid 1000) and a root observer. */
function twoMounts() {
  const k = bootProcfs({ config: { files: [MNT] } });
  const mnt = mountProcfs(k, '/mnt', false);
  const proc = mountOf(k, '/proc');
  const t = spawnAs(k, 1000, 100);
  const obs = spawnAs(k, 0, 0);
  return { k, proc, mnt, t, obs };
}

/**
 * Load a spread of the target's vnodes on both mounts: some only cached
 * (looked up, then released), some held open by the observer or by the
 * target itself. Returns the keys held.
 */
function loadVnodes(k: E.Kernel, t: E.Proc, obs: E.Proc) {
  const n = t.pid;
  for (const on of ['/proc', '/mnt']) {
    for (const x of ['status', 'cmdline', 'fd', 'exe', 'cwd', 'root', 'map', 'limit']) must(E.sysStat(k, obs, `${on}/${n}/${x}`, false));
  }
  must(E.sysStat(k, obs, `/proc/${n}/task/${n}`, false));
  openOk(k, t, '/tmp'); // fd 0: a directory, so fd/0 is a procfs node
  must(E.sysStat(k, obs, `/proc/${n}/fd/0`, false));
  const held = {
    mem: openOk(k, obs, `/proc/${n}/mem`, RDWR),
    status: openOk(k, obs, `/mnt/${n}/status`, RD),
    own: openOk(k, t, '/proc/self/cmdline', RD),
  };
  return held;
}

const EXPECTED_PROC_KEYS = (n: number) => [
  `cmdline:${n}:-1`, `cwd:${n}:-1`, `exe:${n}:-1`, `fd:${n}:-1`, `fd:${n}:0`, `limit:${n}:-1`, `map:${n}:-1`,
  `mem:${n}:-1`, `proc:${n}:-1`, `chroot:${n}:-1`, `status:${n}:-1`, `task:${n}:-1`, `task:${n}:0`,
].sort();
const EXPECTED_MNT_KEYS = (n: number) => [
  `cmdline:${n}:-1`, `cwd:${n}:-1`, `exe:${n}:-1`, `fd:${n}:-1`, `limit:${n}:-1`, `map:${n}:-1`,
  `proc:${n}:-1`, `chroot:${n}:-1`, `status:${n}:-1`,
].sort();

describe('exec hook (§4.2, §4.3)', () => {
  it('a plain exec keeps every vnode, and the handles keep working', () => {
    const { k, proc, mnt, t, obs } = twoMounts();
    const held = loadVnodes(k, t, obs);
    expect(cachedKeysOf(proc, t.pid)).toEqual(EXPECTED_PROC_KEYS(t.pid));
    expect(cachedKeysOf(mnt, t.pid)).toEqual(EXPECTED_MNT_KEYS(t.pid));
    const r = evictionsDuring(k, () => E.execve(k, t, '/bin/cat'));
    expect(r.result).toBeUndefined();
    expect(r.evicted).toEqual([]);
    expect(t.sugid).toBe(false);
    expect(cachedKeysOf(proc, t.pid)).toEqual(EXPECTED_PROC_KEYS(t.pid));
    expect(cachedKeysOf(mnt, t.pid)).toEqual(EXPECTED_MNT_KEYS(t.pid));
    expect(outcome(E.sysRead(k, obs, held.mem, 4, 0))).toBe('ok');
    expect(must(E.sysRead(k, obs, held.status, 3, 0))).toBe('cat');
    expect(must(E.sysRead(k, t, held.own, 64, 0))).toBe('/bin/cat\0');
  });

  it.each([
    ['set-uid', '/usr/bin/passwd', 0, 100],
    ['set-gid', '/usr/bin/wall', 1000, 4],
  ] as const)('a %s exec evicts every vnode of the pid on every procfs mount, revoking those in use', (_n, prog, euid, egid) => {
    const { k, proc, mnt, t, obs } = twoMounts();
    const held = loadVnodes(k, t, obs);
    const before = cachedKeys(proc).filter((key) => !key.includes(`:${t.pid}:`));
    const r = evictionsDuring(k, () => E.execve(k, t, prog));
    expect(r.result).toBeUndefined();
    expect(t.sugid).toBe(true);
    expect([t.cred.euid, t.cred.egid]).toEqual([euid, egid]);
    expect(r.all.filter((e) => e.on === '/proc').map((e) => e.key).sort()).toEqual(EXPECTED_PROC_KEYS(t.pid));
    expect(r.all.filter((e) => e.on === '/mnt').map((e) => e.key).sort()).toEqual(EXPECTED_MNT_KEYS(t.pid));
    // Revoked: the two handles the observer holds and the target's own (open across exec).
    expect(r.all.filter((e) => e.revoked).map((e) => `${e.on} ${e.key}`).sort()).toEqual([
      `/mnt status:${t.pid}:-1`, `/proc cmdline:${t.pid}:-1`, `/proc mem:${t.pid}:-1`,
    ]);
    expect(cachedKeysOf(proc, t.pid)).toEqual([]);
    expect(cachedKeysOf(mnt, t.pid)).toEqual([]);
    // pid-0 nodes and other processes' nodes stay.
    expect(cachedKeys(proc).filter((key) => !key.includes(`:${t.pid}:`))).toEqual(before);
    expect(cachedKeys(proc)).toContain('root:0:-1');
    // deadfs on every revoked handle.
    expect(outcome(E.sysRead(k, obs, held.mem, 4, 0))).toBe('EIO');
    expect(outcome(E.sysWrite(k, obs, held.mem, 'x', 0))).toBe('EIO');
    expect(outcome(E.sysRead(k, obs, held.status, 4, 0))).toBe('EIO');
    expect(outcome(E.sysRead(k, t, held.own, 4, 0))).toBe('EIO');
    expect(outcome(E.sysFstat(k, obs, held.mem))).toBe('EBADF');
    expect(E.sysClose(k, obs, held.mem)).toBeUndefined();
    // A fresh lookup builds a new vnode and checks permissions again.
    const fresh = must(E.sysStat(k, obs, `/proc/${t.pid}/status`, false));
    expect(fresh.uid).toBe(euid);
  });

  it('does not touch the executable vnode or the real file behind /proc/N/fd/M', () => {
    const { k, t, obs } = twoMounts();
    openOk(k, t, '/etc/passwd'); // fd 0
    const h = openOk(k, obs, `/proc/${t.pid}/fd/0`); // the real /etc/passwd
    const r = evictionsDuring(k, () => E.execve(k, t, '/usr/bin/passwd'));
    expect(r.all.filter((e) => e.revoked)).toEqual([]);
    expect(must(E.sysRead(k, obs, h, 4, 0))).toBe('root');
  });

  it('root running a set-uid-root program keeps every vnode (euid already the file\'s uid)', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 0, 0);
    const h = openOk(k, t, '/proc/self/mem', RDWR);
    must(E.sysStat(k, t, `/proc/${t.pid}/status`, false));
    const r = evictionsDuring(k, () => E.execve(k, t, '/usr/bin/passwd'));
    expect(r.evicted).toEqual([]);
    expect(t.sugid).toBe(false);
    expect(outcome(E.sysRead(k, t, h, 4, 0))).toBe('ok');
  });

  it('a traced process gains nothing from a set-id exec: no PK_SUGID, no eviction', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const dbg = spawnAs(k, 1000, 100);
    expect(E.sysPtrace(k, dbg, t.pid, false)).toBeUndefined();
    const h = openOk(k, dbg, `/proc/${t.pid}/mem`, RDWR);
    const r = evictionsDuring(k, () => E.execve(k, t, '/usr/bin/passwd'));
    expect(r.evicted).toEqual([]);
    expect(t.sugid).toBe(false);
    expect([t.cred.ruid, t.cred.euid, t.cred.svuid]).toEqual([1000, 1000, 1000]);
    expect(outcome(E.sysRead(k, dbg, h, 4, 0))).toBe('ok');
    // Detached, the next set-uid exec does revoke.
    expect(E.sysPtrace(k, dbg, t.pid, true)).toBeUndefined();
    const r2 = evictionsDuring(k, () => E.execve(k, t, '/usr/bin/passwd'));
    expect(r2.revoked).toEqual([`mem:${t.pid}:-1`]);
  });

  it('a process already PK_SUGID (euid != ruid) revokes at every later exec, even a plain one', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    expect(E.execve(k, t, '/usr/bin/passwd')).toBeUndefined();
    const h = openOk(k, t, '/proc/self/status');
    const r = evictionsDuring(k, () => E.execve(k, t, '/bin/sh'));
    expect(t.sugid).toBe(true);
    expect(r.revoked).toEqual([`status:${t.pid}:-1`]);
    expect(outcome(E.sysRead(k, t, h, 1, 0))).toBe('EIO');
  });

  it('fork inherits PK_SUGID: the child\'s mem is 0000 and its next exec revokes', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    expect(E.execve(k, t, '/usr/bin/passwd')).toBeUndefined();
    const c = must(E.fork1(k, t));
    expect(c.sugid).toBe(true);
    const obs = spawnAs(k, 0, 0);
    expect(must(E.sysStat(k, obs, `/proc/${c.pid}/mem`, false)).mode).toBe(0o000);
    const h = openOk(k, obs, `/proc/${c.pid}/status`);
    const r = evictionsDuring(k, () => E.execve(k, c, '/bin/cat'));
    expect(r.revoked).toEqual([`status:${c.pid}:-1`]);
    expect(r.evicted.every((key) => key.endsWith(`:${c.pid}:-1`))).toBe(true);
    expect(outcome(E.sysRead(k, obs, h, 1, 0))).toBe('EIO');
  });

  it('setuid(2) evicts nothing, but later reads of an old mem handle get EPERM', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 0, 0);
    const h = openOk(k, t, '/proc/self/mem', RDWR);
    expect(outcome(E.sysRead(k, t, h, 4, 0))).toBe('ok');
    const r = evictionsDuring(k, () => E.sysSetid(k, t, 'setuid', 1000));
    expect(r.result).toBeUndefined();
    expect(r.evicted).toEqual([]);
    expect(t.sugid).toBe(true);
    // procfs_rw asks kauth again with the current credential: same real uid, but PK_SUGID.
    expect(outcome(E.sysRead(k, t, h, 4, 0))).toBe('EPERM');
    expect(outcome(E.sysWrite(k, t, h, 'x', 0))).toBe('EPERM');
    expect(must(E.sysFstat(k, t, h))).toMatchObject({ vtype: 'VREG', mode: 0o000, uid: 1000 });
  });
});

describe('exit hook (§4.2, §4.3 exit1)', () => {
  it('runs at exit, not at wait; it evicts every vnode of the pid and revokes those others hold', () => {
    const { k, proc, mnt, t, obs } = twoMounts();
    const held = loadVnodes(k, t, obs);
    const r = evictionsDuring(k, () => E.exit1(k, t, 0));
    expect(r.all.filter((e) => e.on === '/proc').map((e) => e.key).sort()).toEqual(EXPECTED_PROC_KEYS(t.pid));
    expect(r.all.filter((e) => e.on === '/mnt').map((e) => e.key).sort()).toEqual(EXPECTED_MNT_KEYS(t.pid));
    expect(r.revoked.sort()).toEqual([`mem:${t.pid}:-1`, `status:${t.pid}:-1`]);
    expect(cachedKeysOf(proc, t.pid)).toEqual([]);
    expect(cachedKeysOf(mnt, t.pid)).toEqual([]);
    expect(t.stat).toBe('SZOMB');
    const w = evictionsDuring(k, () => E.wait(k, k.initproc, t.pid));
    expect(w.result).toBe(t.pid);
    expect(w.evicted).toEqual([]);
    expect(outcome(E.sysRead(k, obs, held.mem, 4, 0))).toBe('EIO');
    expect(outcome(E.sysRead(k, obs, held.status, 4, 0))).toBe('EIO');
  });

  it('runs after the process\'s own descriptors are closed: its own /proc/self/status is evicted, not revoked', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    openOk(k, t, '/proc/self/status');
    const events: string[] = [];
    k.subscribe((ev) => {
      if (ev.kind === 'exit-begin' || ev.kind === 'exit') events.push(ev.kind);
      if (ev.kind === 'vnode-inactive' && ev.mount.ops.name === 'procfs') events.push(`${ev.key} inactive ${ev.recycle}`);
      if (ev.kind === 'vnode-evicted') events.push(`${ev.key} ${ev.revoked ? 'revoked' : 'recycled'}`);
    });
    E.exit1(k, t, 0);
    expect(events).toEqual([
      'exit-begin',
      `status:${t.pid}:-1 inactive true`, // fd_free: the last reference goes; procfs_inactive: not findable (SDYING)
      `status:${t.pid}:-1 recycled`,
      `proc:${t.pid}:-1 recycled`, // the hook
      'exit',
    ]);
  });

  it('a current directory inside the dying process\'s /proc directory is revoked: deadfs results', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const b = spawnAs(k, 1000, 100);
    expect(E.sysChdir(k, b, `/proc/${t.pid}`)).toBeUndefined();
    expect(must(E.sysStat(k, b, 'status', false)).mode).toBe(0o444);
    const r = evictionsDuring(k, () => E.exit1(k, t, 0));
    expect(r.revoked).toEqual([`proc:${t.pid}:-1`]);
    // namei hands "." and names alike to VOP_LOOKUP: dead_lookup gives ENOENT.
    expect(outcome(E.sysReaddir(k, b, '.'))).toBe('ENOENT');
    expect(outcome(E.sysStat(k, b, 'status', false))).toBe('ENOENT');
    expect(outcome(E.sysStat(k, b, '.', false))).toBe('ENOENT');
    expect(outcome(E.sysOpen(k, b, '.', RD))).toBe('ENOENT');
    // The held vnode itself answers through deadfs: getdents and access EBADF, open ENXIO.
    const dead = b.cwd!;
    const ctx = k.ctx(b);
    expect(outcome(dead.ops.readdir(ctx, dead))).toBe('EBADF');
    expect(dead.ops.access(ctx, dead, E.VEXEC)?.errno).toBe('EBADF');
    expect(dead.ops.open(ctx, dead, E.FREAD)?.errno).toBe('ENXIO');
    expect(dead.type).toBe('VDIR'); // vgone keeps v_type
    // Absolute paths still work; chdir away drops the dead vnode.
    expect(E.sysChdir(k, b, '/')).toBeUndefined();
    expect(outcome(E.sysReaddir(k, b, '.'))).toBe('ok');
  });

  it('deadfs: read and write EIO, fstat EBADF, close 0; lseek-like offsets do not matter', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const b = spawnAs(k, 1000, 100);
    const m = openOk(k, b, `/proc/${t.pid}/mem`, RDWR);
    const st = openOk(k, b, `/proc/${t.pid}/status`, RD);
    const d = openOk(k, b, `/proc/${t.pid}`, RD);
    E.exit1(k, t, 0);
    expect([0, 100].map((off) => outcome(E.sysRead(k, b, m, 4, off)))).toEqual(['EIO', 'EIO']);
    expect(outcome(E.sysWrite(k, b, m, 'x', 0))).toBe('EIO');
    expect(outcome(E.sysRead(k, b, st, 4, 0))).toBe('EIO');
    expect(outcome(E.sysFstat(k, b, st))).toBe('EBADF');
    expect(outcome(E.sysFstat(k, b, d))).toBe('EBADF');
    expect([m, st, d].map((fd) => E.sysClose(k, b, fd))).toEqual([undefined, undefined, undefined]);
    expect(outcome(E.sysClose(k, b, m))).toBe('EBADF'); // now really closed
  });

  it('a zombie is gone from procfs: lookups ENOENT, /proc lists it no more', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    E.exit1(k, t, 0);
    expect(outcome(E.sysStat(k, k.initproc, `/proc/${t.pid}`, false))).toBe('ENOENT');
    expect(must(E.sysReaddir(k, k.initproc, '/proc')).map((d) => d.name)).not.toContain(String(t.pid));
  });
});

describe('procfs_inactive (§3.5)', () => {
  it('keeps an unreferenced vnode cached while its process is live, pid-0 nodes always', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const proc = mountOf(k, '/proc');
    must(E.sysStat(k, t, '/proc/self/status', false));
    expect(cachedKeys(proc)).toEqual(['curproc:0:-1', `proc:${t.pid}:-1`, 'root:0:-1', 'self:0:-1', `status:${t.pid}:-1`]);
    expect(proc.vcache.get(`status:${t.pid}:-1`)!.usecount).toBe(0);
  });

  it('recycles at once a vnode whose process cannot be found when the last reference goes', () => {
    const k = bootProcfs();
    const proc = mountOf(k, '/proc');
    const ctx = k.ctx(k.initproc);
    const gone = must(E.vcacheGet(ctx, proc, 'status:4242:-1')); // loadvnode checks no process for status
    const r = evictionsDuring(k, () => E.vrele(gone));
    expect(r.all).toEqual([{ key: 'status:4242:-1', revoked: false, on: '/proc' }]);
    expect(proc.vcache.has('status:4242:-1')).toBe(false);
    const live = must(E.vcacheGet(ctx, proc, 'status:1:-1'));
    expect(evictionsDuring(k, () => E.vrele(live)).all).toEqual([]);
    expect(proc.vcache.has('status:1:-1')).toBe(true);
  });

  it('an fd node cannot be loaded for a missing process (ENOENT) or a closed fd (EBADF)', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const proc = mountOf(k, '/proc');
    const ctx = k.ctx(k.initproc);
    expect(outcome(E.vcacheGet(ctx, proc, 'fd:4242:0'))).toBe('ENOENT');
    expect(outcome(E.vcacheGet(ctx, proc, `fd:${t.pid}:0`))).toBe('EBADF');
    E.sysNewfile(k, t, 'DTYPE_EVENTFD');
    expect(outcome(E.vcacheGet(ctx, proc, `fd:${t.pid}:0`))).toBe('EOPNOTSUPP');
    expect(cachedKeysOf(proc, t.pid)).toEqual([]);
    expect(cachedKeysOf(proc, 4242)).toEqual([]);
  });
});

describe('pid reuse and the hash (§4.1)', () => {
  it('a reused pid gets fresh vnodes', () => {
    const k = bootProcfs({ config: { pidMax: 4 } });
    const a = spawnAs(k, 1000, 100);
    const b = spawnAs(k, 1000, 100);
    expect([a.pid, b.pid]).toEqual([2, 3]);
    expect(outcome(E.spawn(k, 1000, 100, '/bin/sh'))).toBe('EAGAIN');
    const old = openOk(k, b, '/proc/2/status');
    const oldVp = b.fd.get(old)!.file.vnode!;
    E.exit1(k, a, 0);
    expect(outcome(E.spawn(k, 1000, 100, '/bin/sh'))).toBe('EAGAIN'); // the zombie keeps pid 2
    expect(E.wait(k, k.initproc, 2)).toBe(2);
    const c = spawnAs(k, 2000, 200, '/bin/cat');
    expect(c.pid).toBe(2);
    const loaded: number[] = [];
    k.subscribe((ev) => {
      if (ev.kind === 'vnode-loaded' && ev.key === 'status:2:-1') loaded.push(ev.seq);
    });
    const fresh = openOk(k, b, '/proc/2/status');
    const freshVp = b.fd.get(fresh)!.file.vnode!;
    expect(freshVp).not.toBe(oldVp);
    expect(loaded).toEqual([freshVp.seq]);
    expect(freshVp.seq).toBeGreaterThan(oldVp.seq);
    expect(must(E.sysRead(k, b, fresh, 4, 0))).toBe('cat ');
    expect(outcome(E.sysRead(k, b, old, 4, 0))).toBe('EIO');
    expect(must(E.sysStat(k, b, '/proc/2/mem', false)).uid).toBe(2000);
  });

  it('two pids in one hash bucket (2 and 258) leave each other alone', () => {
    const k = bootProcfs();
    const a = spawnAs(k, 1000, 100);
    const b = spawnAs(k, 1000, 100, '/bin/sh', 258);
    expect([a.pid, b.pid, a.pid & 255, b.pid & 255]).toEqual([2, 258, 2, 2]);
    const obs = spawnAs(k, 0, 0);
    const proc = mountOf(k, '/proc');
    const ha = openOk(k, obs, '/proc/2/status');
    const hb = openOk(k, obs, '/proc/258/status');
    must(E.sysStat(k, obs, '/proc/2/cmdline', false));
    must(E.sysStat(k, obs, '/proc/258/cmdline', false));
    const r = evictionsDuring(k, () => E.execve(k, b, '/usr/bin/passwd'));
    expect(r.evicted.sort()).toEqual(['cmdline:258:-1', 'proc:258:-1', 'status:258:-1']);
    expect(cachedKeysOf(proc, 2)).toEqual(['cmdline:2:-1', 'proc:2:-1', 'status:2:-1']);
    expect(outcome(E.sysRead(k, obs, ha, 1, 0))).toBe('ok');
    expect(outcome(E.sysRead(k, obs, hb, 1, 0))).toBe('EIO');
    const hb2 = openOk(k, obs, '/proc/258/status');
    const r2 = evictionsDuring(k, () => E.exit1(k, a, 0));
    expect(r2.evicted.sort()).toEqual(['cmdline:2:-1', 'proc:2:-1', 'status:2:-1']);
    expect(cachedKeysOf(proc, 258)).toEqual(['proc:258:-1', 'status:258:-1']);
    expect(outcome(E.sysRead(k, obs, hb2, 1, 0))).toBe('ok');
  });

  it('/proc/007 is the same vnode as /proc/7 (atoi keeps the number)', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100, '/bin/sh', 7);
    const a = must(E.namei(k.ctx(t), '/proc/007', false));
    const b = must(E.namei(k.ctx(t), '/proc/7', false));
    expect(a).toBe(b);
    E.vrele(a);
    E.vrele(b);
  });
});

describe('EBUSY while the target is in exec or exit (§4.4)', () => {
  it('a procfs access from a hook sees p_reflock held as writer', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const obs = spawnAs(k, 0, 0);
    const st = openOk(k, obs, `/proc/${t.pid}/status`);
    const seen: string[] = [];
    k.exechooks.establish(() => {
      seen.push(outcome(E.sysRead(k, obs, st, 1, 0)));
      seen.push(outcome(E.sysFstat(k, obs, st)));
      seen.push(outcome(E.sysStat(k, obs, `/proc/${t.pid}`, false)));
      seen.push(outcome(E.sysReaddir(k, obs, `/proc/${t.pid}/fd`)));
      seen.push(outcome(E.sysReadlink(k, obs, `/proc/${t.pid}/exe`)));
    }, null);
    expect(E.execve(k, t, '/bin/cat')).toBeUndefined();
    // rw EBUSY; getattr EBUSY; root lookup ENOENT; lookup of /proc/N fails ENOENT before the fd dir.
    expect(seen).toEqual(['EBUSY', 'EBUSY', 'ENOENT', 'ENOENT', 'ENOENT']);
    expect(outcome(E.sysRead(k, obs, st, 1, 0))).toBe('ok');
  });
});

describe('HookList (kern_hook.c hook_establish / hook_proc_run)', () => {
  it('runs the newest hook first (LIST_INSERT_HEAD) and forgets a disestablished one', () => {
    const hooks = new E.HookList();
    const seen: unknown[] = [];
    const first = hooks.establish((_p, arg) => seen.push(arg), 'first');
    hooks.establish((_p, arg) => seen.push(arg), 'second');
    hooks.establish((_p, arg) => seen.push(arg), 'third');
    const k = bootProcfs({ mountOn: null });
    hooks.run(k.initproc);
    expect(seen).toEqual(['third', 'second', 'first']);
    hooks.disestablish(first);
    seen.length = 0;
    hooks.run(k.initproc);
    expect(seen).toEqual(['third', 'second']);
    expect(() => hooks.disestablish(first)).toThrow(/not established/);
  });
});
