/**
 * The oracle catches a broken kernel: each bookkeeping rule it claims is
 * shown to fail on a kernel tampered with behind its back.
 */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { loadScenarioText } from '../../scenarios/load.ts';
import { bootScenario } from '../../scenarios/runner.ts';
import { Oracle } from '../../scenarios/oracle.ts';

function setup() {
  const l = loadScenarioText('name: x\nsteps:\n  - check: {}\n', 'x.yaml');
  if (!l.ok) throw new Error(l.error.message);
  const k = bootScenario(l.scenario);
  if (typeof k === 'string') throw new Error(k);
  const oracle = new Oracle(k);
  const a = E.spawn(k, 1000, 100, '/bin/sh') as E.Proc;
  const fd = E.sysOpen(k, a, `/proc/${a.pid}/status`, { read: true, write: false, excl: false, nofollow: false, cloexec: false });
  if (E.isErr(fd)) throw new Error(fd.errno);
  expect(oracle.checkState()).toEqual([]);
  const proc = k.mountlist.find((m) => m.path === '/proc')!;
  const status = proc.vcache.get(`status:${a.pid}:-1`)!;
  const hashtab = (status.data as { st: { hashtab: { vnode: E.Vnode }[][] } }).st.hashtab;
  return { k, oracle, a, proc, status, hashtab };
}

const messages = (o: Oracle) => o.checkState().map((v) => v.message);

describe('oracle', () => {
  it('passes a kernel left alone', () => {
    const { oracle, k, a } = setup();
    E.exit1(k, a, 0);
    expect(oracle.checkState()).toEqual([]);
  });

  it('flags a use count that does not match the holders [vref/vrele]', () => {
    const { oracle, status } = setup();
    status.usecount++;
    expect(messages(oracle)).toEqual([expect.stringMatching(/^\/proc\/2\/status: use count 2, but 1 holders \[vref\/vrele\]$/)]);
  });

  it('flags a mode changed after load, naming what NetBSD gives [procfs_loadvnode]', () => {
    const { oracle, status } = setup();
    (status.data as { mode: number }).mode = 0o666;
    expect(messages(oracle)).toEqual(['/proc/2/status: NetBSD gives VREG 0444 at load, found VREG 0666 [procfs_loadvnode]']);
  });

  it('flags a cached vnode missing from the pid hash, and a stale node left in it', () => {
    const { oracle, status, hashtab, a } = setup();
    const bucket = hashtab[a.pid & 255]!;
    const i = bucket.findIndex((pfs) => pfs.vnode === status);
    const [pfs] = bucket.splice(i, 1);
    expect(messages(oracle)).toEqual([expect.stringContaining('/proc/2/status is cached but not in pid hash bucket 2')]);
    bucket.push(pfs!);
    expect(oracle.checkState()).toEqual([]);
  });

  it('flags a node left in the pid hash after its vnode left the cache [procfs_hashrem]', () => {
    const { k, oracle, proc } = setup();
    const b = E.spawn(k, 1000, 100, '/bin/sh') as E.Proc;
    expect(E.sysStat(k, b, `/proc/${b.pid}/cmdline`, false)).not.toHaveProperty('errno');
    expect(oracle.checkState()).toEqual([]);
    const vp = proc.vcache.get(`cmdline:${b.pid}:-1`)!;
    proc.vcache.delete(vp.key); // evicted without procfs_reclaim's procfs_hashrem
    k.emit({ kind: 'vnode-evicted', vnode: vp, mount: proc, key: vp.key, revoked: false });
    expect(messages(oracle)).toEqual([
      '/proc/3/cmdline was evicted while pid 3 is alive and not in exec or exit; NetBSD keeps it cached ' +
        '[procfs_exechook_cb, procfs_inactive]',
      'pid hash holds /proc/3/cmdline, which is not cached [procfs_hashrem]',
    ]);
  });

  it('flags a vnode of a pid that outlives its exit [procfs_exechook_cb]', () => {
    const { k, oracle, a, proc } = setup();
    const keep = proc.vcache.get(`proc:${a.pid}:-1`)!;
    k.exithooks.disestablish((k.exithooks as unknown as { hooks: E.ProcHook[] }).hooks[0]!);
    E.exit1(k, a, 0);
    expect(proc.vcache.get(keep.key)).toBe(keep);
    expect(messages(oracle)).toContainEqual(expect.stringContaining('outlived the exit or set-id exec of pid 2'));
  });
});
