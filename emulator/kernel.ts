/**
 * The kernel: global state (proc0, init, the process tables, the mount list,
 * registered file systems and modules, kauth, hooks), boot, pid allocation,
 * proc_find, and the event stream a checker follows.
 */
import type { BugName } from './bugs.ts';
import type { Cred } from './cred.ts';
import { credCreate } from './cred.ts';
import type { Err } from './errno.ts';
import { err, isErr } from './errno.ts';
import type { KernelEvent } from './events.ts';
import { HookList } from './hooks.ts';
import {
  Kauth, procListenerCb, secmodelExtensionsCb, secmodelSecurelevelCb, secmodelSuserCb,
} from './kauth.ts';
import type { VfsOps } from './mount.ts';
import { Mount } from './mount.ts';
import type { Plimit } from './kern_resource.ts';
import { MAXFILES, limit0 } from './kern_resource.ts';
import type { Proc } from './proc.ts';
import { Proc as ProcClass, procIsFindable } from './proc.ts';
import type { RootfsEntry } from './rootfs.ts';
import { DEFAULT_ROOTFS, Rootfs, rootfsMount, rootfsVfsops } from './rootfs.ts';
import type { Ctx, Vnode } from './vnode.ts';
import { deadVnodeops } from './vnode.ts';

export interface KernelConfig {
  pidMax: number;
  maxproc: number;
  /** kern.maxfiles (MAXFILES): the hard RLIMIT_NOFILE of limit0 and fd_alloc's ceiling. */
  maxfiles: number;
  pageSize: number;
  securelevel: number;
  curtain: boolean;
  /** Entries added to (or replacing non-directories of) the default root file system. */
  files: readonly RootfsEntry[];
  bugs: readonly BugName[];
}

export const DEFAULT_CONFIG: KernelConfig = {
  pidMax: 30000, maxproc: 1044, maxfiles: MAXFILES, pageSize: 4096, securelevel: 0, curtain: false, files: [], bugs: [],
};

export type ModuleCmd = 'INIT' | 'FINI' | 'STAT';

/** A loadable kernel module (struct modinfo): its modcmd. */
export interface KernelModule {
  readonly name: string;
  modcmd(k: Kernel, cmd: ModuleCmd): Err | undefined;
}

/** Thrown where NetBSD would panic (e.g. init exiting): a programmer or scenario error, not an errno. */
export class KernelPanic extends Error {}

export class Kernel {
  readonly pidMax: number;
  readonly maxproc: number;
  readonly maxfiles: number;
  /** limit0: proc0's resource limits, which every process inherits. */
  readonly limit0: Plimit;
  readonly pageSize: number;
  securelevel: number;
  curtain: boolean;
  readonly bugs: ReadonlySet<BugName>;

  /** Every process from creation to reaping, by pid (the pid table). */
  readonly pidTable = new Map<number, Proc>();
  /** allproc, newest first; zombies move to zombproc. */
  allproc: Proc[] = [];
  zombproc: Proc[] = [];
  /** Where pid allocation continues (pid_table's next). */
  private pidLast = 1;

  readonly kauth = new Kauth();
  readonly exechooks = new HookList();
  readonly exithooks = new HookList();

  /** Registered file system types (vfs_list). */
  readonly vfsList = new Map<string, { ops: VfsOps; refcount: number }>();
  readonly modules = new Map<string, { mod: KernelModule; loaded: boolean }>();
  /** The mount list, in mount order; mountlist[0] is the root file system. */
  readonly mountlist: Mount[] = [];

  vnodeSeq = 1;
  mountSeq = 0;
  /** The last Vmspace id handed out (uvmspace_exec); proc0's vmspace0 is 0. */
  vmspaceSeq = 0;
  ticks = 0;
  /** hz: clock ticks per second (amd64 HZ); the runner advances `ticks` by one per step. */
  readonly hz = 100;
  /** boottime's tv_sec (getmicroboottime): a fixed instant, so every run sees the same clock. */
  readonly boottimeSec = 1767225600;

  readonly deadMount: Mount;
  readonly rootfs: Rootfs;
  readonly rootMount: Mount;
  readonly rootvnode: Vnode;
  readonly proc0: Proc;
  readonly initproc: Proc;

  private eventSinks: ((e: KernelEvent) => void)[] = [];

  constructor(config: KernelConfig, modules: readonly KernelModule[]) {
    this.pidMax = config.pidMax;
    this.maxproc = config.maxproc;
    this.maxfiles = config.maxfiles;
    this.limit0 = limit0(config.maxproc, config.maxfiles);
    this.pageSize = config.pageSize;
    this.securelevel = config.securelevel;
    this.curtain = config.curtain;
    this.bugs = new Set(config.bugs);
    this.kauth.listen('process', 'suser', secmodelSuserCb);
    this.kauth.listen('system', 'suser', secmodelSuserCb);
    this.kauth.listen('process', 'securelevel', secmodelSecurelevelCb);
    this.kauth.listen('system', 'securelevel', secmodelSecurelevelCb);
    this.kauth.listen('process', 'extensions', secmodelExtensionsCb);
    this.kauth.listen('process', 'proc', procListenerCb);
    this.kauth.secmodels = 3;

    this.deadMount = new Mount(this, { ...rootfsVfsops, name: 'dead', vnodeops: deadVnodeops }, '<dead>', null);
    this.rootfs = new Rootfs([...DEFAULT_ROOTFS, ...config.files]);
    this.vfsList.set('ffs', { ops: rootfsVfsops, refcount: 1 });
    this.rootMount = rootfsMount(this, this.rootfs);
    this.mountlist.push(this.rootMount);

    this.proc0 = this.procCreate(0, credCreate(0, 0), null, true);
    const ctx0: Ctx = { k: this, p: this.proc0, cred: this.proc0.cred };
    const rv = this.rootMount.ops.root(ctx0, this.rootMount);
    if (isErr(rv)) throw new Error('boot: no root vnode');
    this.rootvnode = rv; // the kernel's own reference (rootvnode)
    this.proc0.stat = 'SACTIVE';

    this.proc0.cwd = rv;
    rv.usecount++;
    // init gets its image and state in boot() (kern_fork/kern_exec do that part).
    this.initproc = this.procCreate(1, credCreate(0, 0), this.proc0, false);
    for (const m of modules) this.modules.set(m.name, { mod: m, loaded: false });
  }

  /** Register for every event from now on. */
  subscribe(sink: (e: KernelEvent) => void): () => void {
    this.eventSinks.push(sink);
    return () => {
      this.eventSinks = this.eventSinks.filter((s) => s !== sink);
    };
  }

  emit(e: KernelEvent): void {
    for (const s of this.eventSinks) s(e);
  }

  /** The calling context of process p (curlwp, with its current credential). */
  ctx(p: Proc): Ctx {
    return { k: this, p, cred: p.cred };
  }

  get nprocs(): number {
    return this.pidTable.size;
  }

  /**
   * proc_alloc: a new process in SIDL with the given pid, on allproc and in
   * the pid table. Its limits are its parent's (fork1 shares p_limit
   * copy-on-write, lim_addref), or limit0 for proc0.
   */
  procCreate(pid: number, cred: Cred, parent: Proc | null, system: boolean): Proc {
    const p = new ProcClass(pid, cred, system);
    p.parent = parent;
    p.limit = parent === null ? this.limit0 : parent.limit;
    p.pgid = parent === null ? 0 : parent.pgid; // fork1: LIST_INSERT_AFTER(p1, p2, p_pglist)
    p.startTick = this.ticks;
    if (parent !== null) parent.children.unshift(p);
    this.pidTable.set(pid, p);
    this.allproc.unshift(p);
    return p;
  }

  /**
   * proc_alloc_pid: the next pid after the last one handed out; past
   * pidMax - 1, the lowest free pid >= 2. Zero when every pid is taken.
   */
  pidAlloc(): number {
    for (let pid = this.pidLast + 1; pid < this.pidMax; pid++) {
      if (!this.pidTable.has(pid)) return (this.pidLast = pid);
    }
    for (let pid = 2; pid < this.pidMax; pid++) {
      if (!this.pidTable.has(pid)) return (this.pidLast = pid);
    }
    return 0;
  }

  /** proc_find: only SACTIVE and SSTOP processes are found (proc_find_internal). */
  procFind(pid: number): Proc | null {
    const p = this.pidTable.get(pid);
    return p !== undefined && procIsFindable(p) ? p : null;
  }

  /** vfs_attach */
  vfsAttach(ops: VfsOps): Err | undefined {
    if (this.vfsList.has(ops.name)) return err('EEXIST');
    this.vfsList.set(ops.name, { ops, refcount: 0 });
    return undefined;
  }

  /** vfs_detach: EBUSY while any mount uses the type. */
  vfsDetach(ops: VfsOps): Err | undefined {
    const e = this.vfsList.get(ops.name);
    if (e === undefined || e.ops !== ops) return err('ESRCH');
    if (e.refcount > 0) return err('EBUSY');
    this.vfsList.delete(ops.name);
    return undefined;
  }

  /** module_load (from the built-in list): MODULE_CMD_INIT. */
  modload(name: string): Err | undefined {
    const m = this.modules.get(name);
    if (m === undefined) return err('ENOENT');
    if (m.loaded) return err('EEXIST');
    const e = m.mod.modcmd(this, 'INIT');
    if (e === undefined) m.loaded = true;
    return e;
  }

  /** module_unload: MODULE_CMD_FINI, which may refuse (EBUSY). */
  modunload(name: string): Err | undefined {
    const m = this.modules.get(name);
    if (m === undefined || !m.loaded) return err('ENOENT');
    const e = m.mod.modcmd(this, 'FINI');
    if (e === undefined) m.loaded = false;
    return e;
  }

  /** Every cached vnode on every mount, for checkers and the benchmark (no reference taken). */
  cachedVnodes(): Vnode[] {
    const out: Vnode[] = [];
    for (const mp of this.mountlist) for (const vp of mp.vcache.values()) out.push(vp);
    return out;
  }

}
