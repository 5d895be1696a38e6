/**
 * The oracle: an independent checker of the procfs vnode cache. It follows
 * the kernel through its events and reads kernel state (process tables,
 * descriptor tables, vnode caches); it never calls procfs code. Its
 * expectations are written from netbsd-procfs.md (§1.2, §3.5, §4, §6.2),
 * each rule naming the NetBSD function it comes from.
 */
import type { KernelEvent } from '../emulator/events.ts';
import type { Kernel } from '../emulator/kernel.ts';
import type { Mount } from '../emulator/mount.ts';
import type { Vnode } from '../emulator/vnode.ts';
import { parseKey, vnodeName, type ParsedKey } from './names.ts';

interface Expected {
  vtype: string;
  mode: number;
}

/** §1.2: vtype and mode of each node type as procfs_loadvnode sets them (fd and task aside). */
const NODE_TABLE: Readonly<Record<string, Expected>> = {
  root: { vtype: 'VDIR', mode: 0o555 }, proc: { vtype: 'VDIR', mode: 0o555 },
  curproc: { vtype: 'VLNK', mode: 0o555 }, self: { vtype: 'VLNK', mode: 0o555 },
  cwd: { vtype: 'VLNK', mode: 0o555 }, chroot: { vtype: 'VLNK', mode: 0o555 }, exe: { vtype: 'VLNK', mode: 0o555 },
  file: { vtype: 'VREG', mode: 0o600 }, mem: { vtype: 'VREG', mode: 0o600 },
  regs: { vtype: 'VREG', mode: 0o600 }, fpregs: { vtype: 'VREG', mode: 0o600 },
  note: { vtype: 'VREG', mode: 0o200 }, notepg: { vtype: 'VREG', mode: 0o200 },
  map: { vtype: 'VREG', mode: 0o400 }, maps: { vtype: 'VREG', mode: 0o400 },
  auxv: { vtype: 'VREG', mode: 0o400 }, environ: { vtype: 'VREG', mode: 0o400 },
  status: { vtype: 'VREG', mode: 0o444 }, stat: { vtype: 'VREG', mode: 0o444 }, statm: { vtype: 'VREG', mode: 0o444 },
  cmdline: { vtype: 'VREG', mode: 0o444 }, emul: { vtype: 'VREG', mode: 0o444 }, limit: { vtype: 'VREG', mode: 0o444 },
  meminfo: { vtype: 'VREG', mode: 0o444 }, cpustat: { vtype: 'VREG', mode: 0o444 }, devices: { vtype: 'VREG', mode: 0o444 },
  cpuinfo: { vtype: 'VREG', mode: 0o444 }, uptime: { vtype: 'VREG', mode: 0o444 }, mounts: { vtype: 'VREG', mode: 0o444 },
  loadavg: { vtype: 'VREG', mode: 0o444 }, version: { vtype: 'VREG', mode: 0o444 },
};

const LINK: Expected = { vtype: 'VLNK', mode: 0o555 };

/** §6.2: an fd node by the file's DTYPE (null: loading must fail with EOPNOTSUPP). */
const FD_TABLE: Readonly<Record<string, Expected | null>> = {
  DTYPE_SOCKET: { vtype: 'VSOCK', mode: 0o600 }, DTYPE_PIPE: { vtype: 'VFIFO', mode: 0o600 },
  DTYPE_KQUEUE: LINK, DTYPE_MISC: LINK, DTYPE_SEM: LINK,
  DTYPE_CRYPTO: null, DTYPE_MQUEUE: null, DTYPE_EVENTFD: null, DTYPE_TIMERFD: null, DTYPE_MEMFD: null,
};

export interface Violation {
  message: string;
}

interface VnodeRecord {
  expected: Expected | string; // a string: why no load should have happened
  pid: number;
  mountPath: string;
  key: string;
}

/** The contract's name of a recorded vnode (built only for messages). */
function recName(rec: VnodeRecord): string {
  return vnodeName(rec.mountPath, rec.key);
}

/** Where a pid is in its life, as the events tell it. */
interface PidState {
  live: boolean; // SACTIVE/SSTOP: proc_find finds it
  inExec: boolean;
  inExit: boolean;
  sugid: boolean; // PK_SUGID as the events tell it
  evictedInExec: boolean;
}

function newPid(live: boolean, sugid: boolean): PidState {
  return { live, inExec: false, inExit: false, sugid, evictedInExec: false };
}

export class Oracle {
  private records = new Map<Vnode, VnodeRecord>();
  private pids = new Map<number, PidState>();
  /** Vnodes that must be gone: loaded before their pid's exit or set-id exec finished. */
  private doomed = new Map<number, number>(); // pid -> vnode seq watermark
  private unmounting = false;
  /** Pid hash buckets a load or an eviction touched since the last check. */
  private readonly dirtyBuckets = new Set<number>();
  /** procfs's pid hash, found through the first procfs vnode loaded (the module's globals). */
  private hashtab: (() => { pid: number; vnode: Vnode; mount: Mount }[][] | null) | null = null;
  private violations: Violation[] = [];

  constructor(private readonly k: Kernel) {
    for (const p of k.pidTable.values()) this.pids.set(p.pid, newPid(true, p.sugid));
    k.subscribe((e) => this.onEvent(e));
  }

  private isProcfs(mp: Mount): boolean {
    return mp.ops.name === 'procfs';
  }

  private pidState(pid: number): PidState {
    let s = this.pids.get(pid);
    if (s === undefined) this.pids.set(pid, (s = newPid(false, false)));
    return s;
  }

  /** Bracket an unmount(2): vflush may evict any vnode of the mount, even when it then fails with EBUSY. */
  setUnmounting(on: boolean): void {
    this.unmounting = on;
  }

  private fail(message: string): void {
    this.violations.push({ message });
  }

  /** procfs_loadvnode (§1.2, §6.2): what a key must load as, from the kernel state at load time. */
  private expectedAtLoad(k: ParsedKey, callerPid: number): Expected | string {
    const { type, pid, fd } = k;
    if (type === 'task') return fd === -1 ? { vtype: 'VDIR', mode: 0o555 } : LINK;
    if (type !== 'fd') return NODE_TABLE[type] ?? `unknown node type ${type}`;
    if (fd === -1) return { vtype: 'VDIR', mode: 0o500 };
    const target = this.k.pidTable.get(pid);
    const file = target?.fd.get(fd)?.file;
    if (file === undefined) return 'loading an fd node needs an open descriptor (EBADF)';
    if (file.type === 'DTYPE_VNODE') {
      const caller = this.k.pidTable.get(callerPid);
      const linux = caller?.emul === 'linux';
      if (file.vnode!.type === 'VDIR' || linux) return LINK;
      return { vtype: file.vnode!.type, mode: 0o600 };
    }
    const e = FD_TABLE[file.type];
    return e ?? `a ${file.type} descriptor cannot have an fd node (EOPNOTSUPP)`;
  }

  private onEvent(e: KernelEvent): void {
    switch (e.kind) {
      case 'proc-created':
        this.onCreated(e.pid, e.ppid, e.sugid, e.forked);
        return;
      case 'exec-begin': {
        const s = this.pidState(e.pid);
        s.inExec = true;
        s.evictedInExec = false;
        return;
      }
      case 'exec':
        this.onExec(e.pid, e.sugid);
        return;
      case 'cred-changed':
        this.pidState(e.pid).sugid = e.sugid;
        return;
      case 'exit-begin': {
        const s = this.pidState(e.pid);
        s.live = false;
        s.inExit = true;
        s.inExec = false; // an exec that aborted (exec_abort) ends in exit1
        return;
      }
      case 'exit':
        this.pidState(e.pid).inExit = false;
        this.doomed.set(e.pid, this.k.vnodeSeq);
        return;
      case 'reaped':
        return;
      case 'vnode-loaded':
        if (this.isProcfs(e.mount)) this.onLoaded(e.vnode, e.mount, e.key, e.callerPid);
        return;
      case 'vnode-inactive':
        if (this.isProcfs(e.mount)) this.onInactive(e.vnode, e.mount, e.key, e.recycle);
        return;
      case 'vnode-evicted':
        if (this.isProcfs(e.mount)) this.onEvicted(e.vnode, e.mount, e.key);
        return;
      case 'mount':
      case 'unmount':
        return;
      default: {
        const never: never = e;
        throw new Error(`oracle: unknown event ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * fork1 copies PK_SUGID (p2->p_flag = p1->p_flag & PK_SUGID); spawn starts clear.
   */
  private onCreated(pid: number, ppid: number, sugid: boolean, forked: boolean): void {
    const want = forked ? this.pidState(ppid).sugid : false;
    if (sugid !== want) {
      this.fail(`pid ${pid} forked from pid ${ppid} with PK_SUGID ${sugid ? 'set' : 'clear'}; the parent's is ` +
        `${want ? 'set' : 'clear'} and fork copies it [fork1]`);
    }
    this.pids.set(pid, newPid(true, sugid));
    this.doomed.delete(pid);
  }

  /** A plain exec evicts nothing (the hook returns at once without PK_SUGID); a set-id exec dooms the pid's vnodes. */
  private onExec(pid: number, sugid: boolean): void {
    const s = this.pidState(pid);
    s.inExec = false;
    s.sugid = sugid;
    if (sugid) this.doomed.set(pid, this.k.vnodeSeq);
    else if (s.evictedInExec) {
      this.fail(`a plain exec of pid ${pid} (PK_SUGID clear after credexec) evicted its vnodes; NetBSD's exec hook ` +
        `returns at once [procfs_exechook_cb]`);
    }
  }

  private onLoaded(vp: Vnode, mp: Mount, key: string, callerPid: number): void {
    const parsed = parseKey(key);
    const expected = this.expectedAtLoad(parsed, callerPid);
    if (this.hashtab === null) {
      const st = (vp.data as { st?: { hashtab: { pid: number; vnode: Vnode; mount: Mount }[][] | null } } | null)?.st;
      if (st !== undefined) this.hashtab = () => st.hashtab;
    }
    const rec: VnodeRecord = { expected, pid: parsed.pid, mountPath: mp.path, key };
    this.dirtyBuckets.add(parsed.pid & 255);
    if (typeof expected === 'string') this.fail(`${recName(rec)} was loaded, but NetBSD refuses it: ${expected} [procfs_loadvnode]`);
    if (parsed.pid !== 0 && !this.pidState(parsed.pid).live) {
      this.fail(`${recName(rec)} was loaded while pid ${parsed.pid} cannot be found; NetBSD's lookups lock the ` +
        `process first [procfs_proc_lock]`);
    }
    this.records.set(vp, rec);
  }

  /** procfs_inactive (§3.5): recycle exactly when the process can no longer be found. */
  private onInactive(vp: Vnode, mp: Mount, key: string, recycle: boolean): void {
    const pid = this.records.get(vp)?.pid ?? parseKey(key).pid;
    const live = pid === 0 || this.pidState(pid).live;
    if (recycle === live) {
      const name = vnodeName(mp.path, key);
      const want = live ? 'keeps it cached (the process is alive)' : 'recycles it (the process is gone)';
      this.fail(`${name}: last reference dropped; NetBSD ${want}, found recycle=${recycle} [procfs_inactive]`);
    }
  }

  /**
   * A procfs vnode leaves the cache only through procfs_exechook_cb (a set-id
   * exec or an exit of its pid), procfs_inactive (its pid gone) or an unmount.
   */
  private onEvicted(vp: Vnode, mp: Mount, key: string): void {
    const rec = this.records.get(vp);
    this.records.delete(vp);
    const pid = rec?.pid ?? parseKey(key).pid;
    this.dirtyBuckets.add(pid & 255);
    if (this.unmounting) return;
    const s = this.pidState(pid);
    if (pid !== 0 && s.inExec) {
      s.evictedInExec = true; // judged at the end of the exec (onExec)
      return;
    }
    if (pid !== 0 && (s.inExit || !s.live)) return;
    this.fail(`${vnodeName(mp.path, key)} was evicted while pid ${pid} is ${pid === 0 ? 'proc0' : 'alive and not in exec or exit'}; ` +
      `NetBSD keeps it cached [procfs_exechook_cb, procfs_inactive]`);
  }

  /** After a step: every cached procfs vnode, the doomed pids, the hash and the use counts. */
  checkState(): Violation[] {
    for (const mp of this.k.mountlist) {
      if (!this.isProcfs(mp)) continue;
      for (const vp of mp.vcache.values()) this.checkCached(mp, vp);
      this.checkHash(mp);
    }
    this.checkUsecounts();
    this.dirtyBuckets.clear();
    const out = this.violations;
    this.violations = [];
    return out;
  }

  private checkCached(mp: Mount, vp: Vnode): void {
    const rec = this.records.get(vp);
    if (rec === undefined) {
      return this.fail(`${vnodeName(mp.path, vp.key)} is cached but was never loaded through vcache_get [vcache_get]`);
    }
    if (typeof rec.expected !== 'string') {
      const mode = (vp.data as { mode?: number } | null)?.mode;
      if (vp.type !== rec.expected.vtype || mode !== rec.expected.mode) {
        this.fail(`${recName(rec)}: NetBSD gives ${rec.expected.vtype} ${oct(rec.expected.mode)} at load, ` +
          `found ${vp.type} ${mode === undefined ? '?' : oct(mode)} [procfs_loadvnode]`);
      }
    }
    const watermark = this.doomed.get(rec.pid);
    if (watermark !== undefined && vp.seq < watermark) {
      this.fail(`${recName(rec)} outlived the exit or set-id exec of pid ${rec.pid}; NetBSD evicts every vnode of the ` +
        `pid on every procfs mount [procfs_exechook_cb]`);
    }
  }

  /**
   * The pid hash holds exactly the cached procfs vnodes, each in bucket
   * pid & 255 (procfs_loadvnode, procfs_hashrem): every cached vnode is in its
   * bucket, and every node in a bucket that a load or an eviction touched
   * since the last check is cached (only those can have gone stale).
   */
  private checkHash(mp: Mount): void {
    const hashtab = this.hashtab?.() ?? null;
    if (hashtab === null) return;
    for (const vp of mp.vcache.values()) {
      const pid = this.records.get(vp)?.pid ?? parseKey(vp.key).pid;
      if (!hashtab[pid & 255]!.some((pfs) => pfs.vnode === vp)) {
        this.fail(`${vnodeName(mp.path, vp.key)} is cached but not in pid hash bucket ${pid & 255} [procfs_loadvnode]`);
      }
    }
    for (const i of this.dirtyBuckets) {
      for (const pfs of hashtab[i]!) {
        if (pfs.mount !== mp) continue;
        if ((pfs.pid & 255) !== i) this.fail(`pid hash: a node of pid ${pfs.pid} sits in bucket ${i} [procfs_hashhead]`);
        if (mp.vcache.get(pfs.vnode.key) !== pfs.vnode) {
          this.fail(`pid hash holds ${vnodeName(mp.path, pfs.vnode.key)}, which is not cached [procfs_hashrem]`);
        }
      }
    }
  }

  /** Scratch tables of the use-count walk, emptied and reused every step (no garbage per step). */
  private readonly holders = new Map<Vnode, number>();
  private readonly files = new Set<unknown>();

  private countHolders(): Map<Vnode, number> {
    const holders = this.holders;
    const files = this.files;
    holders.clear();
    files.clear();
    hold(holders, this.k.rootvnode);
    for (const p of this.k.pidTable.values()) {
      hold(holders, p.cwd);
      hold(holders, p.root);
      hold(holders, p.textvp);
      const slots = p.fd.slots;
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i];
        if (slot === undefined || files.has(slot.file)) continue;
        files.add(slot.file);
        hold(holders, slot.file.vnode);
      }
    }
    for (const mp of this.k.mountlist) hold(holders, mp.covered);
    return holders;
  }

  /** Every vnode's use count equals its holders (vref/vrele bookkeeping). */
  private checkUsecounts(): void {
    const holders = this.countHolders();
    for (const mp of this.k.mountlist) {
      for (const vp of mp.vcache.values()) {
        this.checkUsecount(vp, holders.get(vp) ?? 0);
        holders.delete(vp);
      }
    }
    for (const [vp, want] of holders) this.checkUsecount(vp, want); // held outside every cache: revoked, deadfs
  }

  private checkUsecount(vp: Vnode, want: number): void {
    if (vp.usecount === want) return;
    const name = this.isProcfs(vp.mount) ? vnodeName(vp.mount.path, vp.key) : `vnode ${vp.mount.ops.name}:${vp.key}`;
    this.fail(`${name}: use count ${vp.usecount}, but ${want} holders [vref/vrele]`);
  }
}

function hold(holders: Map<Vnode, number>, vp: Vnode | null): void {
  if (vp !== null) holders.set(vp, (holders.get(vp) ?? 0) + 1);
}

function oct(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
