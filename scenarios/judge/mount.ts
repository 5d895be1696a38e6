/**
 * ruleUnmountVflush (sys_unmount, dounmount, procfs_unmount, vflush and
 * vflush_one in vfs_mount.c 1.93): unmount looks the path up without
 * following, needs the superuser (KAUTH_SYSTEM_MOUNT UNMOUNT), refuses the
 * root file system and anything but a mount's root (EINVAL); vflush then
 * recycles every vnode of the mount nobody holds (vrecycle) and, with
 * MNT_FORCE, revokes the held ones (vgone), else fails with EBUSY when any
 * is held. Only those vnodes leave the cache, and only that way.
 */
import type { Mount } from '../../emulator/mount.ts';
import type { Vnode } from '../../emulator/vnode.ts';
import { vnodeName } from '../names.ts';
import { countHolders } from './cache.ts';
import type { StepView, Want } from './state.ts';
import type { RuleResult } from './vfs.ts';
import { fromDeadCwd, judge, resolveStep } from './vfs.ts';
import { isNo } from './walk.ts';

export function ruleUnmountVflush(v: StepView): RuleResult {
  if (v.step.kind !== 'unmount' || fromDeadCwd(v)) return null;
  const force = v.step.force;
  const r = resolveStep(v, false);
  if (r === null) return null;
  const what = `unmount ${JSON.stringify(v.args.path)}${force ? ' (forced)' : ''} by pid ${v.before.pid}`;
  if (isNo(r)) return r.procfs ? judge(v, what, { kind: 'errno', errno: r.errno, by: r.by }) : null;
  if (!r.procfs) return null;
  const n = r.node;
  if (v.before.cred.euid !== 0) return judge(v, what, { kind: 'errno', errno: 'EPERM', by: 'sys_unmount: KAUTH_SYSTEM_MOUNT UNMOUNT is the superuser\'s' });
  if (n.fs !== 'pfs' || n.type !== 'root') {
    return judge(v, what, { kind: 'errno', errno: 'EINVAL', by: n.fs === 'ufs' && n.ino === v.k.rootfs.root ? 'sys_unmount: MNT_ROOTFS' : 'sys_unmount: not the root of a mount (VV_ROOT)' });
  }
  const mp = n.mp;
  const set = flushSet(v, mp);
  const holders = countHolders(v.k);
  const held = set.filter((vp) => holders.get(vp) > 0);
  const want: Want = held.length > 0 && !force
    ? { kind: 'errno', errno: 'EBUSY', by: `vflush: ${held.map((vp) => name(v, mp, vp)).join(', ')} still in use` }
    : { kind: 'ok', by: 'vflush' };
  const r1 = judge(v, what, want);
  if (r1 !== null) return r1;
  const wantEvicted = force ? set : set.filter((vp) => !held.includes(vp));
  const got = v.evictions.filter((e) => e.mp === mp);
  const missing = wantEvicted.filter((vp) => !got.some((e) => e.vnode === vp));
  const extra = got.filter((e) => !wantEvicted.includes(e.vnode));
  const badRevoke = got.filter((e) => wantEvicted.includes(e.vnode) && e.revoked !== held.includes(e.vnode));
  if (missing.length + extra.length + badRevoke.length === 0) return null;
  const parts = [
    ...(missing.length ? [`left ${missing.map((vp) => name(v, mp, vp)).join(', ')} in the cache`] : []),
    ...(extra.length ? [`evicted ${extra.map((e) => vnodeName(mp.path, e.key)).join(', ')}`] : []),
    ...badRevoke.map((e) => `${e.revoked ? 'revoked' : 'recycled'} ${vnodeName(mp.path, e.key)}, which is ${held.includes(e.vnode) ? '' : 'not '}held`),
  ];
  return { msg: `${what} ${parts.join('; ')} (vflush_one: vrecycle, then vgone with FORCECLOSE)`, fn: 'vflush' };
}

/** The vnodes vflush walks: those cached on the mount when the step began and those its own lookup loaded. */
function flushSet(v: StepView, mp: Mount): Vnode[] {
  const out = [...(v.before.cached.get(mp) ?? [])];
  for (const vp of v.loaded) if (!out.includes(vp) && (vp.mount === mp || v.evictions.some((e) => e.vnode === vp && e.mp === mp))) out.push(vp);
  return out;
}

function name(v: StepView, mp: Mount, vp: Vnode): string {
  return vnodeName(mp.path, vp.key);
}
