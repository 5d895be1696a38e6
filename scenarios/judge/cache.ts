/**
 * Rules on the procfs vnode cache, fed by the kernel's vnode events and
 * checked against kernel state after every step: what a key loads as
 * (procfs_loadvnode), when an unused vnode is recycled (procfs_inactive),
 * which causes may take a vnode out of the cache (procfs_exechook_cb,
 * procfs_inactive, vflush), that nothing of a pid outlives its exit or
 * set-id exec, the global pid hash (procfs_hashrem), use counts (vref/vrele)
 * and that Linux-only nodes exist only on PROCFSMNT_LINUXCOMPAT mounts.
 */
import type { File } from '../../emulator/file.ts';
import type { Kernel } from '../../emulator/kernel.ts';
import type { Mount } from '../../emulator/mount.ts';
import type { Proc } from '../../emulator/proc.ts';
import type { Vnode } from '../../emulator/vnode.ts';
import { vnodeName } from '../names.ts';
import type { Loaded } from './nodes.ts';
import { FD_LOAD, LINUX_ONLY, LOAD_TABLE, fdVnodeLoad, isPfsName } from './nodes.ts';
import type { JudgeCore, VnodeRecord } from './state.ts';

export function isProcfs(mp: Mount): boolean {
  return mp.ops.name === 'procfs';
}

export function parsedKey(key: string): { type: string; pid: number; fd: number } {
  const i = key.indexOf(':');
  const j = i < 0 ? -1 : key.indexOf(':', i + 1);
  if (j < 0) return { type: i < 0 ? key : key.slice(0, i), pid: NaN, fd: NaN };
  return { type: key.slice(0, i), pid: Number(key.slice(i + 1, j)), fd: Number(key.slice(j + 1)) };
}

/** The pid field of a key, without building the rest. */
export function keyPid(key: string): number {
  const i = key.indexOf(':');
  const j = i < 0 ? -1 : key.indexOf(':', i + 1);
  return j < 0 ? NaN : Number(key.slice(i + 1, j));
}

export function recName(rec: VnodeRecord): string {
  return vnodeName(rec.mountPath, rec.key);
}

export function oct(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/**
 * ruleLoadvnodeType (procfs_loadvnode): the vtype and mode a key loads as,
 * from kernel state at the moment of the load: the node table, for an fd
 * node the file behind the descriptor and the emulation of the process that
 * caused the load; a string says why the load should have failed.
 */
export function expectedAtLoad(k: Kernel, key: string, callerPid: number): Loaded | string {
  const { type, pid, fd } = parsedKey(key);
  if (!isPfsName(type)) return `unknown node type ${type}`;
  if (type === 'task') return fd === -1 ? { vtype: 'VDIR', mode: 0o555 } : { vtype: 'VLNK', mode: 0o555 };
  if (type !== 'fd') return LOAD_TABLE[type];
  if (fd === -1) return { vtype: 'VDIR', mode: 0o500 };
  const target = pid === 0 ? k.proc0 : k.pidTable.get(pid);
  const file = target?.fd.get(fd)?.file;
  if (file === undefined) return 'loading an fd node needs an open descriptor (EBADF)';
  if (file.type === 'DTYPE_VNODE') return fdVnodeLoad(file.vnode!.type, k.pidTable.get(callerPid)?.emul === 'linux');
  return FD_LOAD[file.type] ?? `a ${file.type} descriptor cannot have an fd node (EOPNOTSUPP)`;
}

/** ruleLoadNeedsProcess (procfs_proc_lock before procfs_allocvp): a per-process vnode loads only while its pid can be found. */
export function ruleLoadNeedsProcess(rec: VnodeRecord, live: boolean): string | null {
  if (rec.pid === 0 || live) return null;
  return `${recName(rec)} was loaded while pid ${rec.pid} cannot be found; NetBSD's lookups lock the process first`;
}

/** ruleInactiveRecycle (procfs_inactive): the last reference recycles the vnode exactly when its process can no longer be found. */
export function ruleInactiveRecycle(mp: Mount, key: string, recycle: boolean, live: boolean): string | null {
  if (recycle !== live) return null;
  const want = live ? 'keeps it cached (the process is alive)' : 'recycles it (the process is gone)';
  return `${vnodeName(mp.path, key)}: last reference dropped; NetBSD ${want}, found recycle=${recycle}`;
}

/**
 * ruleEvictionCause: a procfs vnode leaves the cache only through
 * procfs_exechook_cb (a set-id exec or an exit of its pid; the revoke-set
 * rules judge which), procfs_inactive (its pid gone) or an unmount's vflush
 * (ruleUnmountVflush judges that).
 */
export function ruleEvictionCause(mp: Mount, key: string, pid: number, unmounting: boolean, pidGoingOrGone: boolean): string | null {
  if (unmounting || (pid !== 0 && pidGoingOrGone)) return null;
  return `${vnodeName(mp.path, key)} was evicted while pid ${pid} is ${pid === 0 ? 'proc0' : 'alive and not in exec or exit'}; NetBSD keeps it cached`;
}

/** ruleLoadvnodeType, after a step: every cached procfs vnode still has the vtype and pfs_mode it was given at load. */
export function checkCachedType(rec: VnodeRecord, vp: Vnode): string | null {
  if (typeof rec.expected === 'string') return null;
  const mode = (vp.data as { mode?: number } | null)?.mode;
  if (vp.type === rec.expected.vtype && mode === rec.expected.mode) return null;
  return `${recName(rec)}: NetBSD gives ${rec.expected.vtype} ${oct(rec.expected.mode)} at load, ` +
    `found ${vp.type} ${mode === undefined ? '?' : oct(mode)}`;
}

/** ruleHookEvictsPid (procfs_exechook_cb): nothing loaded before the exit or set-id exec of its pid is still cached. */
export function ruleHookEvictsPid(rec: VnodeRecord, vp: Vnode, watermark: number | undefined): string | null {
  if (watermark === undefined || vp.seq >= watermark) return null;
  return `${recName(rec)} outlived the exit or set-id exec of pid ${rec.pid}; NetBSD evicts every vnode of the pid on every procfs mount`;
}

/** Whether a key names a node that only a linux-compat mount has (task, stat, statm, the root Linux files); worked out once, at load. */
export function isLinuxOnlyKey(key: string): boolean {
  const type = key.slice(0, key.indexOf(':'));
  return isPfsName(type) && LINUX_ONLY.has(type);
}

/** ruleLinuxOnlyNodes (procfs_validfile_linux): task, stat, statm and the root Linux files exist only on a linux-compat mount. */
export function checkLinuxOnly(j: JudgeCore, mp: Mount, rec: VnodeRecord): string | null {
  if (!rec.linuxOnly) return null;
  const flags = j.mountFlags.get(mp);
  if (flags === undefined || (flags & 1) !== 0) return null;
  return `${vnodeName(mp.path, rec.key)} is cached on ${mp.path}, mounted without PROCFSMNT_LINUXCOMPAT`;
}

/** What the holder walk skips: a process's descriptors (all, or some slots) and its cwd and root, as they will be dropped. */
export interface HolderSkip {
  proc: Proc;
  fds: 'all' | ReadonlySet<number>;
  cwdRoot: boolean;
}

interface Held {
  vp: Vnode;
  /** The walk this count belongs to. */
  stamp: number;
  n: number;
  /** The walk in which checkUsecounts found the vnode in a cache. */
  cached: number;
}

/**
 * Who holds each vnode: the kernel's rootvnode, every process's cwd, root and
 * text, each open file once, covered mount points. The counters live on from
 * walk to walk (a count is the current walk's when its stamp is), so a hold
 * costs one hash lookup; counters no walk has used for a while are dropped.
 */
export class HolderCounts {
  private readonly byVnode = new Map<Vnode, Held>();
  private readonly files = new Map<File, { stamp: number }>();
  private stamp = 0;
  /** The vnodes the last walk counted, in the order it first met them. */
  readonly held: Held[] = [];

  /** Count every holder of the kernel as it is now, less `skip`. */
  walk(k: Kernel, skip?: HolderSkip): this {
    this.stamp++;
    this.held.length = 0;
    this.hold(k.rootvnode);
    for (const p of k.pidTable.values()) {
      const mine = skip !== undefined && skip.proc === p;
      if (!(mine && skip.cwdRoot)) {
        this.hold(p.cwd);
        this.hold(p.root);
      }
      this.hold(p.textvp);
      const slots = p.fd.slots;
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i];
        if (slot === undefined || (mine && (skip.fds === 'all' || skip.fds.has(i)))) continue;
        if (!this.seenFile(slot.file)) this.hold(slot.file.vnode);
      }
    }
    for (const mp of k.mountlist) this.hold(mp.covered);
    this.prune();
    return this;
  }

  /** How many holders the last walk found for `vp`. */
  get(vp: Vnode): number {
    const c = this.byVnode.get(vp);
    return c !== undefined && c.stamp === this.stamp ? c.n : 0;
  }

  /** The holders of a vnode found in a cache (0 when none), its counter marked as met in a cache. */
  cached(vp: Vnode): number {
    const c = this.byVnode.get(vp);
    if (c === undefined || c.stamp !== this.stamp) return 0;
    c.cached = this.stamp;
    return c.n;
  }

  /** Whether `cached()` met this counter in the last walk. */
  wasCached(c: Held): boolean {
    return c.cached === this.stamp;
  }

  private seenFile(f: File): boolean {
    const s = this.files.get(f);
    if (s === undefined) {
      this.files.set(f, { stamp: this.stamp });
      return false;
    }
    if (s.stamp === this.stamp) return true;
    s.stamp = this.stamp;
    return false;
  }

  private hold(vp: Vnode | null): void {
    if (vp === null) return;
    let c = this.byVnode.get(vp);
    if (c === undefined) this.byVnode.set(vp, (c = { vp, stamp: 0, n: 0, cached: 0 }));
    if (c.stamp !== this.stamp) {
      c.stamp = this.stamp;
      c.n = 0;
      this.held.push(c);
    }
    c.n++;
  }

  /** Drop the counters and file marks older than this walk once they outnumber it by far (bounded memory). */
  private prune(): void {
    const limit = 4 * this.held.length + 256;
    if (this.byVnode.size > limit) for (const [vp, c] of this.byVnode) if (c.stamp !== this.stamp) this.byVnode.delete(vp);
    if (this.files.size > limit) for (const [f, s] of this.files) if (s.stamp !== this.stamp) this.files.delete(f);
  }
}

/** Who holds each vnode now (a fresh walk); `skip` leaves out what a process is about to drop. */
export function countHolders(k: Kernel, skip?: HolderSkip): HolderCounts {
  return new HolderCounts().walk(k, skip);
}

/** ruleUsecount (vref/vrele): every vnode's use count equals its holders; `h` is the judge's own counter set, walked afresh. */
export function checkUsecounts(k: Kernel, h: HolderCounts = new HolderCounts()): string[] {
  h.walk(k);
  const out: string[] = [];
  for (const mp of k.mountlist) {
    for (const vp of mp.vcache.values()) {
      const want = h.cached(vp);
      if (vp.usecount !== want) out.push(usecountMessage(vp, want));
    }
  }
  for (const c of h.held) if (!h.wasCached(c) && c.vp.usecount !== c.n) out.push(usecountMessage(c.vp, c.n)); // held outside every cache: revoked, deadfs
  return out;
}

function usecountMessage(vp: Vnode, want: number): string {
  const name = isProcfs(vp.mount) ? vnodeName(vp.mount.path, vp.key) : `vnode ${vp.mount.ops.name}:${vp.key}`;
  return `${name}: use count ${vp.usecount}, but ${want} holders`;
}

interface HashNode {
  pid: number;
  vnode: Vnode;
  mount: Mount;
}

/** procfs's pid hash (procfs_hashtab), reached through a loaded pfsnode's module state. */
export type HashView = () => HashNode[][] | null;

export function hashOf(vp: Vnode): HashView | null {
  const st = (vp.data as { st?: { hashtab: HashNode[][] | null } } | null)?.st;
  return st === undefined ? null : () => st.hashtab;
}

/**
 * rulePidHash (procfs_loadvnode, procfs_hashrem): the pid hash holds exactly
 * the cached procfs vnodes, each in bucket pid & 255; buckets a load or an
 * eviction touched are checked for stale nodes.
 */
export function checkHash(hashtab: HashNode[][], mp: Mount, dirty: ReadonlySet<number>, records: ReadonlyMap<Vnode, VnodeRecord>): string[] {
  const out: string[] = [];
  for (const vp of mp.vcache.values()) {
    const pid = records.get(vp)?.pid ?? keyPid(vp.key);
    if (!inBucket(hashtab[pid & 255]!, vp)) out.push(`${vnodeName(mp.path, vp.key)} is cached but not in pid hash bucket ${pid & 255}`);
  }
  for (const i of dirty) {
    for (const pfs of hashtab[i]!) {
      if (pfs.mount !== mp) continue;
      if ((pfs.pid & 255) !== i) out.push(`pid hash: a node of pid ${pfs.pid} sits in bucket ${i}`);
      if (mp.vcache.get(pfs.vnode.key) !== pfs.vnode) out.push(`pid hash holds ${vnodeName(mp.path, pfs.vnode.key)}, which is not cached`);
    }
  }
  return out;
}

function inBucket(bucket: readonly HashNode[], vp: Vnode): boolean {
  for (let i = 0; i < bucket.length; i++) if (bucket[i]!.vnode === vp) return true;
  return false;
}

/** ruleUnmountLeavesNothing (dounmount, procfs_unmount): a mount gone leaves no cached vnode and no pid hash node. */
export function checkUnmounted(hashtab: HashNode[][] | null, mp: Mount): string[] {
  const out: string[] = [];
  for (const vp of mp.vcache.values()) out.push(`${vnodeName(mp.path, vp.key)} is still cached after ${mp.path} was unmounted`);
  if (hashtab !== null) {
    for (const bucket of hashtab) {
      for (const pfs of bucket) {
        if (pfs.mount === mp) out.push(`the pid hash still holds ${vnodeName(mp.path, pfs.vnode.key)} after ${mp.path} was unmounted`);
      }
    }
  }
  return out;
}
