/**
 * The judge's vnode-cache rules catch a broken kernel: each is shown to fail
 * on a kernel tampered with behind its back, driven by system calls (as the
 * benchmark drives it) or by steps, and to pass on the kernel left alone.
 */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { vcacheGet } from '../../emulator/vnode.ts';
import { loadScenarioText } from '../../scenarios/load.ts';
import { Oracle } from '../../scenarios/oracle.ts';
import { Judge } from '../../scenarios/judge/index.ts';
import { RULES } from '../../scenarios/judge/table.ts';
import { bootScenario } from '../../scenarios/runner.ts';
import { play, procfsMount } from './judge/harness.ts';

function setup(text = 'name: x\nsteps:\n  - check: {}\n') {
  const l = loadScenarioText(text, 'x.yaml');
  if (!l.ok) throw new Error(l.error.message);
  const k = bootScenario(l.scenario);
  if (typeof k === 'string') throw new Error(k);
  const judge = new Judge(k, l.scenario.kernel);
  const a = E.spawn(k, 1000, 100, '/bin/sh') as E.Proc;
  const fd = E.sysOpen(k, a, `/proc/${a.pid}/status`, { read: true, write: false, excl: false, nofollow: false, cloexec: false });
  if (E.isErr(fd)) throw new Error(fd.errno);
  expect(judge.checkState()).toEqual([]);
  const proc = k.mountlist.find((m) => m.path === '/proc')!;
  const status = proc.vcache.get(`status:${a.pid}:-1`)!;
  const hashtab = (status.data as { st: { hashtab: { vnode: E.Vnode }[][] } }).st.hashtab;
  return { k, judge, a, proc, status, hashtab };
}

const messages = (j: Judge) => j.checkState().map((v) => v.message);

describe('the judge as the oracle (system calls, no steps)', () => {
  it('keeps the Oracle name for the package and the benchmark', () => {
    expect(Oracle).toBe(Judge);
  });

  it('passes a kernel left alone', () => {
    const { judge, k, a } = setup();
    E.exit1(k, a, 0);
    expect(judge.checkState()).toEqual([]);
  });

  it('ruleUsecount: flags a use count that does not match the holders [vrele]', () => {
    const { judge, status } = setup();
    status.usecount++;
    expect(messages(judge)).toEqual(['ruleUsecount: /proc/2/status: use count 2, but 1 holders [vrele]']);
  });

  it('ruleLoadvnodeType: flags a mode changed after load, naming what NetBSD gives', () => {
    const { judge, status } = setup();
    (status.data as { mode: number }).mode = 0o666;
    expect(messages(judge)).toEqual(['ruleLoadvnodeType: /proc/2/status: NetBSD gives VREG 0444 at load, found VREG 0666 [procfs_loadvnode]']);
  });

  it('rulePidHash: flags a cached vnode missing from the pid hash, and passes once it is back', () => {
    const { judge, status, hashtab, a } = setup();
    const bucket = hashtab[a.pid & 255]!;
    const [pfs] = bucket.splice(bucket.findIndex((x) => x.vnode === status), 1);
    expect(messages(judge)).toEqual(['rulePidHash: /proc/2/status is cached but not in pid hash bucket 2 [procfs_hashrem]']);
    bucket.push(pfs!);
    expect(judge.checkState()).toEqual([]);
  });

  it('ruleEvictionCause, rulePidHash: flags a vnode evicted while its process lives, left in the pid hash', () => {
    const { k, judge, proc } = setup();
    const b = E.spawn(k, 1000, 100, '/bin/sh') as E.Proc;
    expect(E.sysStat(k, b, `/proc/${b.pid}/cmdline`, false)).not.toHaveProperty('errno');
    expect(judge.checkState()).toEqual([]);
    const vp = proc.vcache.get(`cmdline:${b.pid}:-1`)!;
    proc.vcache.delete(vp.key); // evicted without procfs_reclaim's procfs_hashrem
    k.emit({ kind: 'vnode-evicted', vnode: vp, mount: proc, key: vp.key, revoked: false });
    expect(messages(judge)).toEqual([
      'ruleEvictionCause: /proc/3/cmdline was evicted while pid 3 is alive and not in exec or exit; NetBSD keeps it cached [procfs_exechook_cb]',
      'rulePidHash: pid hash holds /proc/3/cmdline, which is not cached [procfs_hashrem]',
    ]);
  });

  it('ruleExitRevokeSet, ruleHookEvictsPid: flags a vnode of a pid that outlives its exit', () => {
    const { k, judge, a, proc } = setup();
    const keep = proc.vcache.get(`proc:${a.pid}:-1`)!;
    k.exithooks.disestablish((k.exithooks as unknown as { hooks: E.ProcHook[] }).hooks[0]!);
    E.exit1(k, a, 0);
    expect(proc.vcache.get(keep.key)).toBe(keep);
    const m = messages(judge);
    expect(m[0]).toBe('ruleExitRevokeSet: the exit of pid 2 left /proc/2 in the cache (exit1 closes its descriptors (fd_free) and drops cwd ' +
      'and root (cwdfree) before doexithooks) [procfs_exechook_cb]');
    expect(m).toContainEqual(expect.stringMatching(/^ruleHookEvictsPid: \/proc\/2 outlived the exit or set-id exec of pid 2/));
  });

  it('ruleLoadNeedsProcess: flags a vnode loaded for a pid nobody can find', () => {
    const { k, judge, proc } = setup();
    expect(vcacheGet(k.ctx(k.initproc), proc, 'status:77:-1')).not.toHaveProperty('errno');
    expect(messages(judge)).toContainEqual('ruleLoadNeedsProcess: /proc/77/status was loaded while pid 77 cannot be found; NetBSD\'s lookups lock the process first [procfs_proc_lock]');
  });

  it('ruleLinuxOnlyNodes: flags a Linux file cached on a mount made without PROCFSMNT_LINUXCOMPAT', () => {
    const { k, judge, proc } = setup('name: x\nkernel: { procfs: [{ path: /proc, linux: false }] }\nsteps:\n  - check: {}\n');
    expect(vcacheGet(k.ctx(k.initproc), proc, 'meminfo:0:-1')).not.toHaveProperty('errno');
    expect(messages(judge)).toContainEqual('ruleLinuxOnlyNodes: /proc/meminfo is cached on /proc, mounted without PROCFSMNT_LINUXCOMPAT [procfs_validfile_linux]');
  });
});

describe('the judge on inactive and unmount (steps)', () => {
  it('ruleInactiveRecycle: flags a vnode of a gone process kept after its last reference (inactive-never-recycles)', () => {
    const p = play(`bugs: [inactive-never-recycles]
steps:
  - fork: { as: c }
  - chroot: { by: c, path: /proc/self/fd }
  - exit: { by: c }
`);
    expect(p.found[0]!.message).toBe('ruleInactiveRecycle: /proc/2/fd: last reference dropped; NetBSD recycles it (the process is gone), found recycle=false [procfs_inactive]');
  });

  const unmount = `steps:
  - spawn: { as: a }
  - open: { by: a, path: "/proc/{a}/status", as: h }
  - lstat: { path: "/proc/{a}/cmdline" }
  - unmount: { path: /proc }
    expect: { errno: EBUSY, evicts: ["/proc", "/proc/2", "/proc/2/cmdline"], revokes: [] }
  - unmount: { path: /proc, force: true }
    expect: { revokes: ["/proc/2/status"] }
`;
  it('ruleUnmountVflush and ruleUnmountLeavesNothing pass the engine left alone', () => {
    expect(play(unmount).found).toEqual([]);
  });

  it('ruleUnmountVflush: flags a non-forced unmount that recycled a vnode still held', () => {
    const p = play(unmount, { before: { 3: (k) => { procfsMount(k).vcache.get('status:2:-1')!.usecount--; } } });
    expect(p.found[0]).toMatchObject({ step: 3, rule: 'ruleUnmountVflush' });
    expect(p.found[0]!.message).toMatch(/^ruleUnmountVflush: unmount "\/proc" by pid 1 succeeded; NetBSD gives EBUSY \(vflush: \/proc\/2\/status still in use\) \[vflush\]$/);
  });

  it('ruleUnmountLeavesNothing: flags a vnode left in the cache of a mount that is gone', () => {
    const p = play(unmount, { after: (e) => {
      if (e.kind === 'unmount') e.mount.vcache.set('status:2:-1', e.mount.k.rootvnode);
    } });
    expect(p.found.map((f) => f.rule)).toContain('ruleUnmountLeavesNothing');
  });
});

describe('the rule table', () => {
  it('names each rule once, with its NetBSD source, its file and a bracketed function', async () => {
    const { readFileSync } = await import('node:fs');
    expect(new Set(RULES.map((r) => r.name)).size).toBe(RULES.length);
    for (const r of RULES) {
      expect(r.netbsd, r.name).toMatch(/[a-z_]+/);
      expect(r.fn, r.name).toMatch(/^[a-z_][a-z0-9_]*$/);
      expect(readFileSync(r.file, 'utf8'), `${r.name} in ${r.file}`).toContain(r.name);
      if (r.when === 'step') expect(r.kinds?.length ?? 0, r.name).toBeGreaterThan(0);
    }
  });
});
