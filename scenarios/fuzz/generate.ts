/**
 * The scenario generator. It builds a scenario step by step against a live
 * session: after each step it sees the outcome (did the spawn get a pid, did
 * the open bind its handle, who is still alive), so every step it writes is
 * valid when replayed: actors are alive, handles are bound, pids fit
 * pidMax. Expectations are left to the oracle and the invariants: every
 * step expects `errno: any`.
 *
 * It leans toward what exercises procfs's hooks and kauth listener: users
 * holding /proc/N/mem of themselves and of others, chdir into /proc/N,
 * set-id execs, setuid(2) calls, exits, waits with pid reuse, and pids that
 * share a hash bucket (pid +/- 256).
 */
import type { BugName } from '../../emulator/bugs.ts';
import type { Proc } from '../../emulator/proc.ts';
import { FREAD, FWRITE } from '../../emulator/vnode.ts';
import { parseKey } from '../names.ts';
import type { Expect, KernelSpec, NewfdType, ProcfsMountSpec, Scenario, Step } from '../types.ts';
import type { PRNG } from './prng.ts';
import type { SessionResult } from './session.ts';
import { Session } from './session.ts';
import type { Action, Swarm } from './swarm.ts';
import { drawSwarm, formatSwarm } from './swarm.ts';
import type { Program, ProgramKind, User, World } from './world.ts';
import { DEFAULT_PROGRAMS, drawWorld } from './world.ts';

export interface GenerateOptions {
  /** Steps to generate (fewer when a step fails). */
  steps: number;
  /** Injected bugs the session runs with (not written into the scenario). */
  bugs: readonly BugName[];
  /** Keep a trace of the session. */
  trace?: boolean;
}

export interface Generated {
  scenario: Scenario;
  swarm: Swarm;
  world: World;
  /** The session's verdict on the generated steps: the last one failed when failure is set. */
  result: SessionResult;
}

const ANY: Expect = { errno: 'any' };

/** Generate one scenario from `prng` (one run of a campaign). */
export function generate(prng: PRNG, opts: GenerateOptions): Generated {
  const world = drawWorld(prng.child('world'));
  const swarm = drawSwarm(prng.child('swarm'));
  const kernel = drawKernel(prng.child('kernel'), world);
  const scenario: Scenario = { format: 1, name: `fuzz ${prng.seed}`, kernel, bugs: [], steps: [] };
  const session = Session.boot(kernel, opts.bugs, opts.trace ?? false);
  if (typeof session === 'string') {
    scenario.steps.push({ kind: 'check', by: 'init', expect: ANY });
    return { scenario, swarm, world, result: { failure: { step: 0, message: session }, played: [], trace: [] } };
  }
  const gen = new Gen(prng.child('steps'), world, swarm, kernel, session);
  for (let i = 0; i < opts.steps && session.failure === null; i++) {
    const step = gen.next();
    scenario.steps.push(step);
    session.play(step);
  }
  if (scenario.steps.length === 0) {
    const step: Step = { kind: 'check', by: 'init', expect: ANY };
    scenario.steps.push(step);
    session.play(step);
  }
  return { scenario, swarm, world, result: { failure: session.failure, played: session.played, trace: session.trace } };
}

/**
 * What run `prng` draws before its first step, in one line: the swarm, the
 * kernel and the cast. A pure function of the run's seed (no step is played).
 */
export function describeRun(prng: PRNG): string {
  const world = drawWorld(prng.child('world'));
  const swarm = drawSwarm(prng.child('swarm'));
  const k = drawKernel(prng.child('kernel'), world);
  const mounts = k.procfs.map((m) => `${m.path}${m.linux ? '' : '(nolinux)'}`).join(',') || 'none';
  const users = world.users.map((u) => `${u.name}=${u.uid}`).join(',');
  return `kernel pidMax=${k.pidMax} maxproc=${k.maxproc} pfsLast=${k.pfsLast} securelevel=${k.securelevel} ` +
    `curtain=${k.curtain} procfs=${mounts}; users ${users}; swarm ${formatSwarm(swarm)}`;
}

// ---- the kernel ------------------------------------------------------------

/** Small pidMax sometimes (pid reuse, wrap-around), sometimes just past 256 (hash-bucket neighbours). */
function drawKernel(prng: PRNG, world: World): KernelSpec {
  const pidMax = prng.chance(1, 5) ? prng.pick([6, 8, 12, 20]) : prng.chance(1, 5) ? prng.range(270, 600) : 30000;
  return {
    pidMax,
    maxproc: prng.chance(1, 12) ? prng.range(6, 12) : 1044,
    pageSize: 4096,
    pfsLast: prng.chance(1, 10) ? prng.range(34, 64) : 33,
    securelevel: prng.weighted([[0, 12], [-1, 2], [1, 1], [2, 1]]),
    curtain: prng.chance(1, 8),
    files: world.entries,
    procfs: drawMounts(prng, world),
  };
}

function drawMounts(prng: PRNG, world: World): ProcfsMountSpec[] {
  if (prng.chance(1, 16)) return [];
  const mounts: ProcfsMountSpec[] = [{ path: '/proc', linux: !prng.chance(1, 6) }];
  const extra = world.dirs[0];
  if (extra !== undefined && prng.chance(1, 6)) mounts.push({ path: extra, linux: prng.chance(1, 2) });
  return mounts;
}

// ---- the steps -------------------------------------------------------------

interface ProcInfo {
  name: string;
  user: User;
}

interface FdInfo {
  name: string;
  /** The process that made it (its table holds the number, and its children's after fork). */
  owner: string;
  procfs: boolean;
}

/** Per-process procfs nodes and how often each is picked: the guarded ones lead. */
const NODES: readonly (readonly [string, number])[] = [
  ['mem', 12], ['regs', 3], ['fpregs', 2], ['status', 4], ['cmdline', 2], ['map', 1], ['maps', 1], ['auxv', 1],
  ['environ', 1], ['emul', 1], ['limit', 1], ['note', 1], ['notepg', 1], ['stat', 1], ['statm', 1], ['cwd', 1],
  ['root', 1], ['exe', 1], ['file', 1], ['fd', 2], ['fd/N', 4], ['task', 1], ['task/N', 1], ['', 3],
];

/** Files of the default root file system worth opening, with what they are. */
const PLAIN_PATHS = ['/tmp', '/', '/home/user', '/etc', '/etc/passwd', '/dev/null', '/dev/wd0', '/tmp/fifo', '/tmp/sock', '/etc/localtime', '/bin/sh'];

const NEWFD_TYPES: readonly NewfdType[] = ['misc', 'sem', 'crypto', 'mqueue', 'eventfd', 'timerfd', 'memfd'];

class Gen {
  private readonly procs: ProcInfo[] = [];
  private readonly fds: FdInfo[] = [];
  private readonly used = new Set<string>(['init']);
  private readonly init: ProcInfo;

  constructor(
    private readonly prng: PRNG,
    private readonly world: World,
    private readonly swarm: Swarm,
    private readonly kernel: KernelSpec,
    private readonly session: Session,
  ) {
    this.init = { name: 'init', user: world.root };
  }

  /** The next step: a swarm-weighted action that applies now (spawn always does). */
  next(): Step {
    this.liveCache = null; // the last step may have changed who is alive
    for (let tries = 0; tries < 8; tries++) {
      const step = this.action(this.prng.weighted(this.swarm.weights));
      if (step !== null) return { ...step, expect: ANY } as Step;
    }
    return { ...this.spawn(), expect: ANY };
  }

  private action(a: Action): Step | null {
    switch (a) {
      case 'spawn': return this.spawn();
      case 'fork': return this.fork();
      case 'exec': return this.exec();
      case 'setid': return this.setid();
      case 'exit': return this.exit();
      case 'wait': return this.wait();
      case 'ptrace': return this.ptrace();
      case 'chdir': return this.chdir('chdir');
      case 'chroot': return this.chdir('chroot');
      case 'open': return this.openProcfs();
      case 'openfile': return this.openFile();
      case 'close': return this.close();
      case 'dup2': return this.dup2();
      case 'pipe': return this.pipe();
      case 'socket':
      case 'kqueue': return this.simpleFd(a);
      case 'newfd': return this.newfd();
      case 'lstat':
      case 'stat': return this.stat(a);
      case 'fstat': return this.fdStep('fstat');
      case 'read': return this.fdStep('read');
      case 'write': return this.fdStep('write');
      case 'readlink': return this.readlink();
      case 'readdir': return this.readdir();
      case 'mount': return this.mount();
      case 'unmount': return this.unmount();
      case 'getargs':
      case 'statvfs': return this.mountQuery(a);
      case 'module': return this.module();
    }
  }

  // ---- state from the live kernel ----

  private procOf(name: string): Proc | null {
    const h = this.session.st.handles.get(name);
    return h?.kind === 'proc' ? h.proc : null;
  }

  private alive(name: string): boolean {
    const p = this.procOf(name);
    return p !== null && (p.stat === 'SACTIVE' || p.stat === 'SSTOP') && this.session.k.pidTable.get(p.pid) === p;
  }

  /** Bound process handles (dead ones too: their pids may have been reused). */
  private bound(): ProcInfo[] {
    return this.procs.filter((p) => this.session.st.handles.has(p.name));
  }

  private liveCache: ProcInfo[] | null = null;

  private living(): ProcInfo[] {
    return (this.liveCache ??= this.procs.filter((p) => this.alive(p.name)));
  }

  /** A live actor: spawned and forked processes mostly, init now and then. */
  private actor(): ProcInfo {
    const live = this.living();
    if (live.length === 0 || this.prng.chance(1, 6)) return this.init;
    return this.prng.pick(live);
  }

  /** Whose procfs nodes to touch: mostly the living, sometimes the dead (pid reuse), init, proc0. */
  private target(actor: ProcInfo): ProcInfo | 'pid0' {
    const r = this.prng.int(20);
    if (r === 0) return 'pid0';
    if (r <= 2) return this.init;
    if (r <= 7) return actor;
    const pool = r <= 9 ? this.bound() : this.living();
    return pool.length === 0 ? actor : this.prng.pick(pool);
  }

  /** The procfs mount points now mounted ('/proc' when none is, which then names an empty directory). */
  private procfsMount(): string {
    const mounts = this.session.k.mountlist.filter((m) => m.ops.name === 'procfs').map((m) => m.path);
    if (mounts.length === 0) return '/proc';
    return mounts.length === 1 || this.prng.chance(3, 4) ? mounts[0]! : this.prng.pick(mounts);
  }

  private fresh(base: string): string {
    const clean = base.replace(/[^a-z0-9_]/g, '').replace(/^[^a-z]+/, '').slice(0, 16) || 'h';
    let name = clean;
    for (let n = 2; this.used.has(name); n++) name = `${clean}${n}`;
    this.used.add(name);
    return name;
  }

  /** Descriptor handles bound and open in `p`'s table now. */
  private fdsOpenIn(p: Proc | null): FdInfo[] {
    if (p === null) return [];
    return this.fds.filter((f) => {
      const h = this.session.st.handles.get(f.name);
      return h?.kind === 'fd' && p.fd.get(h.fd) !== undefined;
    });
  }

  private boundFds(): FdInfo[] {
    return this.fds.filter((f) => this.session.st.handles.has(f.name));
  }

  // ---- paths ----

  /** `/proc/{a}` or, for the actor itself, `/proc/self` or `/proc/curproc` now and then. */
  private procDir(mount: string, actor: ProcInfo, t: ProcInfo | 'pid0'): string {
    if (t === 'pid0') return `${mount}/0`;
    if (t === actor && this.prng.chance(1, 3)) return `${mount}/${this.prng.pick(['self', 'curproc'])}`;
    if (t === this.init && this.prng.chance(1, 2)) return `${mount}/1`;
    return `${mount}/{${t.name}}`;
  }

  /** A per-process node path; relative when the actor's current directory is that process's directory. */
  private nodePath(actor: ProcInfo, t: ProcInfo | 'pid0', node: string): string {
    const leaf = this.leaf(t, node);
    if (t !== 'pid0' && leaf !== '' && this.cwdIsProcDirOf(actor, t) && this.prng.chance(1, 2)) return leaf;
    const dir = this.procDir(this.procfsMount(), actor, t);
    return leaf === '' ? dir : `${dir}/${leaf}`;
  }

  /** fd/N with N a descriptor of the target (by handle when one names it), task/N with its pid. */
  private leaf(t: ProcInfo | 'pid0', node: string): string {
    if (node === 'task/N') return t === 'pid0' ? 'task/0' : `task/{${t.name}}`;
    if (node !== 'fd/N') return node;
    const p = t === 'pid0' ? this.session.k.proc0 : this.procOf(t.name);
    const open = p === null ? [] : p.fd.openFds();
    if (open.length === 0) return `fd/${this.prng.int(4)}`;
    const fd = this.prng.pick(open);
    const named = this.boundFds().find((f) => {
      const h = this.session.st.handles.get(f.name);
      return h?.kind === 'fd' && h.fd === fd;
    });
    return named === undefined ? `fd/${fd}` : `fd/{${named.name}}`;
  }

  private cwdIsProcDirOf(actor: ProcInfo, t: ProcInfo): boolean {
    const cwd = this.procOf(actor.name)?.cwd;
    const tp = this.procOf(t.name);
    if (cwd === null || cwd === undefined || tp === null || cwd.mount.ops.name !== 'procfs') return false;
    const key = parseKey(cwd.key);
    return key.type === 'proc' && key.pid === tp.pid;
  }

  private node(): string {
    return this.prng.weighted(NODES);
  }

  private plainPath(): string {
    const extra = [...this.world.files, ...this.world.dirs, ...this.world.users.map((u) => u.home)];
    return this.prng.chance(1, 3) && extra.length > 0 ? this.prng.pick(extra) : this.prng.pick(PLAIN_PATHS);
  }

  // ---- process lifecycle ----

  private user(): User {
    return this.prng.chance(1, 4) ? this.world.root : this.prng.pick(this.world.users);
  }

  /** A pid to ask for: a hash-bucket neighbour of a live process, or a small one. */
  private pidRequest(): number | undefined {
    if (!this.prng.chance(1, 5)) return undefined;
    const pidMax = this.kernel.pidMax;
    const live = this.living().map((p) => this.procOf(p.name)!.pid);
    const neighbours = live.flatMap((pid) => [pid + 256, pid - 256]).filter((pid) => pid >= 2 && pid < pidMax);
    const free = (pid: number) => !this.session.k.pidTable.has(pid);
    const wanted = neighbours.filter(free);
    if (wanted.length > 0 && this.prng.chance(3, 4)) return this.prng.pick(wanted);
    const small = this.prng.range(2, Math.min(9, pidMax - 1));
    return free(small) ? small : undefined;
  }

  private spawn(): Step {
    const user = this.user();
    const name = this.fresh(user.name);
    this.procs.push({ name, user });
    const r = this.prng.int(8);
    const path = r === 0 ? '/emul/linux/bin/sh' : r === 1 ? this.program('plain').path : '/bin/sh';
    const pid = this.pidRequest();
    return { kind: 'spawn', as: name, uid: user.uid, gid: user.gid, path, ...(pid === undefined ? {} : { pid }) };
  }

  private fork(): Step {
    const parent = this.actor();
    const name = this.fresh(parent.name.length > 10 ? `${parent.user.name}c` : `${parent.name}_c`);
    this.procs.push({ name, user: parent.user });
    const pid = this.pidRequest();
    return { kind: 'fork', by: parent.name, as: name, ...(pid === undefined ? {} : { pid }) };
  }

  private program(kind: ProgramKind): Program {
    const all = [...DEFAULT_PROGRAMS, ...this.world.programs].filter((p) => p.kind === kind);
    return this.prng.pick(all);
  }

  /** execve: set-id programs lead; now and then something that is not a program at all. */
  private exec(): Step {
    const by = this.living().length > 0 && !this.prng.chance(1, 10) ? this.prng.pick(this.living()) : this.init;
    const kind = this.prng.weighted<ProgramKind | 'bad'>([['setuid', 5], ['setgid', 2], ['plain', 3], ['linux', 2], ['bad', 1]]);
    const path = kind === 'bad' ? this.prng.pick(['/etc/passwd', '/tmp', '/proc/self/mem', '/dev/null']) : this.program(kind).path;
    return { kind: 'exec', by: by.name, path };
  }

  /** setuid(2) family: ids the caller has (allowed), root's, and other users' (need privilege). */
  private setid(): Step {
    const actor = this.actor();
    const p = this.procOf(actor.name);
    const kind = this.prng.weighted<'setuid' | 'seteuid' | 'setgid' | 'setegid'>([['setuid', 3], ['seteuid', 4], ['setgid', 1], ['setegid', 1]]);
    const isUid = kind === 'setuid' || kind === 'seteuid';
    const own = p === null ? [] : isUid ? [p.cred.ruid, p.cred.svuid] : [p.cred.rgid, p.cred.svgid];
    const others = this.world.users.map((u) => (isUid ? u.uid : u.gid));
    const id = this.prng.pick([0, ...own, ...others, ...others]);
    return { kind, by: actor.name, id };
  }

  private exit(): Step | null {
    const live = this.living();
    if (live.length === 0) return null;
    return { kind: 'exit', by: this.prng.pick(live).name, status: this.prng.pick([0, 0, 1, 255]) };
  }

  /** wait: init mostly (every spawned process is its child, and orphans come to it). */
  private wait(): Step | null {
    const parents = [this.init, ...this.living()].filter((x) => (this.procOf(x.name)?.children.length ?? 0) > 0);
    if (parents.length === 0) return null;
    const by = parents.includes(this.init) && this.prng.chance(2, 3) ? this.init : this.prng.pick(parents);
    const kids = this.procOf(by.name)!.children;
    const named = this.bound().filter((x) => kids.includes(this.procOf(x.name)!));
    if (named.length === 0 || this.prng.chance(1, 2)) return { kind: 'wait', by: by.name };
    return { kind: 'wait', by: by.name, child: this.prng.pick(named).name };
  }

  private ptrace(): Step | null {
    const live = this.living();
    if (live.length === 0) return null;
    const by = this.actor();
    const t = this.prng.pick(live);
    return { kind: 'ptrace', by: by.name, target: t.name, detach: this.prng.chance(1, 4) };
  }

  /**
   * chdir (chroot) into procfs mostly: the current directory holds a vnode of
   * the target. init seldom chroots: spawn runs its programs from init's root.
   */
  private chdir(kind: 'chdir' | 'chroot'): Step {
    const live = this.living();
    const actor = kind === 'chroot' && live.length > 0 && !this.prng.chance(1, 10) ? this.prng.pick(live) : this.actor();
    const t = this.target(actor);
    const r = this.prng.int(10);
    const path = r < 5 ? this.nodePath(actor, t, '')
      : r < 7 ? this.nodePath(actor, t, this.prng.pick(['fd', 'task']))
        : r < 8 ? this.procfsMount() : this.prng.pick(['/', '/tmp', '/home/user', ...this.world.dirs]);
    return { kind, by: actor.name, path };
  }

  // ---- descriptors ----

  /** open of a procfs node of self or of another process or user: the holders. */
  private openProcfs(): Step {
    const actor = this.actor();
    const t = this.target(actor);
    const node = this.node();
    const path = this.nodePath(actor, t, node);
    const flags = this.prng.weighted<'r' | 'w' | 'rw'>([['r', 5], ['rw', 3], ['w', 2]]);
    const label = `${t === 'pid0' ? 'p0' : t.name.slice(0, 8)}_${node === '' ? 'dir' : node.replace('/N', '')}`;
    const as = this.fresh(label);
    this.fds.push({ name: as, owner: actor.name, procfs: true });
    return {
      kind: 'open', by: actor.name, path, flags, excl: node === 'mem' && this.prng.chance(1, 8),
      nofollow: this.prng.chance(1, 20), cloexec: this.prng.chance(1, 8), as,
    };
  }

  private openFile(): Step {
    const actor = this.actor();
    const path = this.plainPath();
    const base = path.split('/').pop()?.replace(/\..*$/, '') || 'rootdir';
    const as = this.fresh(`${base}_fd`);
    this.fds.push({ name: as, owner: actor.name, procfs: false });
    const flags = this.prng.weighted<'r' | 'w' | 'rw'>([['r', 6], ['rw', 1], ['w', 1]]);
    return { kind: 'open', by: actor.name, path, flags, excl: false, nofollow: this.prng.chance(1, 10), cloexec: this.prng.chance(1, 6), as };
  }

  private pipe(): Step {
    const actor = this.actor();
    const r = this.fresh('pipe_r');
    const w = this.fresh('pipe_w');
    this.fds.push({ name: r, owner: actor.name, procfs: false }, { name: w, owner: actor.name, procfs: false });
    return { kind: 'pipe', by: actor.name, as: [r, w] };
  }

  private simpleFd(kind: 'socket' | 'kqueue'): Step {
    const actor = this.actor();
    const as = this.fresh(kind === 'socket' ? 'sock' : 'kq');
    this.fds.push({ name: as, owner: actor.name, procfs: false });
    return { kind, by: actor.name, as };
  }

  private newfd(): Step {
    const actor = this.actor();
    const type = this.prng.pick(NEWFD_TYPES);
    const as = this.fresh(type);
    this.fds.push({ name: as, owner: actor.name, procfs: false });
    return { kind: 'newfd', by: actor.name, type, as };
  }

  /**
   * A descriptor step by a process that has the descriptor: procfs handles
   * lead, and for read and write mostly ones open for that (f_flag).
   */
  private withFd(need = 0): { actor: ProcInfo; fd: FdInfo } | null {
    const live = [this.init, ...this.living()];
    const holders = live.map((a) => ({ a, fds: this.fdsOpenIn(this.procOf(a.name)) })).filter((x) => x.fds.length > 0);
    if (holders.length === 0) return null;
    const h = this.prng.pick(holders);
    const p = this.procOf(h.a.name)!;
    const usable = need === 0 || this.prng.chance(1, 4) ? h.fds : h.fds.filter((f) => {
      const fh = this.session.st.handles.get(f.name);
      return fh?.kind === 'fd' && ((p.fd.get(fh.fd)?.file.flag ?? 0) & need) !== 0;
    });
    const pool = usable.length > 0 ? usable : h.fds;
    const procfs = pool.filter((f) => f.procfs);
    const fd = procfs.length > 0 && this.prng.chance(3, 4) ? this.prng.pick(procfs) : this.prng.pick(pool);
    return { actor: h.a, fd };
  }

  private fdStep(kind: 'read' | 'write' | 'fstat'): Step | null {
    const w = this.withFd(kind === 'read' ? FREAD : kind === 'write' ? FWRITE : 0);
    if (w === null) return null;
    const by = w.actor.name;
    const fd = w.fd.name;
    switch (kind) {
      case 'fstat': return { kind, by, fd };
      case 'read': return { kind, by, fd, size: this.prng.pick([1, 16, 64, 64, 4096]), offset: this.prng.chance(1, 8) ? 4096 : 0 };
      case 'write': return { kind, by, fd, data: this.prng.pick(['x', 'x', 'hello', 'AAAAAAAA', '']), offset: this.prng.chance(1, 8) ? 4096 : 0 };
    }
  }

  private close(): Step | null {
    const w = this.withFd();
    return w === null ? null : { kind: 'close', by: w.actor.name, fd: w.fd.name };
  }

  private dup2(): Step | null {
    const w = this.withFd();
    if (w === null) return null;
    const others = this.boundFds().filter((f) => f !== w.fd);
    const to = others.length > 0 && this.prng.chance(1, 2) ? this.prng.pick(others).name : this.prng.int(8);
    return { kind: 'dup2', by: w.actor.name, fd: w.fd.name, to };
  }

  // ---- lookups ----

  private stat(kind: 'lstat' | 'stat'): Step {
    const actor = this.actor();
    if (this.prng.chance(1, 10)) return { kind, by: actor.name, path: this.plainPath() };
    return { kind, by: actor.name, path: this.nodePath(actor, this.target(actor), this.node()) };
  }

  private readlink(): Step {
    const actor = this.actor();
    const r = this.prng.int(6);
    const m = this.procfsMount();
    const path = r === 0 ? `${m}/${this.prng.pick(['self', 'curproc'])}` : r === 1 ? '/etc/localtime'
      : this.nodePath(actor, this.target(actor), this.prng.pick(['exe', 'cwd', 'root', 'fd/N', 'task/N']));
    return { kind: 'readlink', by: actor.name, path };
  }

  private readdir(): Step {
    const actor = this.actor();
    const r = this.prng.int(6);
    const path = r === 0 ? this.procfsMount() : r === 1 ? '.'
      : this.nodePath(actor, this.target(actor), this.prng.pick(['', '', 'fd', 'task']));
    return { kind: 'readdir', by: actor.name, path };
  }

  // ---- mounts ----

  /** Mount points: the extra directories, /proc itself, and now and then a procfs directory. */
  private mountPoint(): string {
    const r = this.prng.int(8);
    if (r < 3 && this.world.dirs.length > 0) return this.prng.pick(this.world.dirs);
    if (r < 6) return '/proc';
    if (r < 7) return '/tmp';
    return this.nodePath(this.init, this.target(this.init), '');
  }

  private mount(): Step {
    const by = this.prng.chance(4, 5) ? this.init : this.actor();
    const r = this.prng.int(12);
    const args = r < 9 ? { version: 1, flags: this.prng.pick([0, 1, 1, 3]) } : r === 9 ? null : r === 10 ? 'short' as const : { version: 2, flags: 1 };
    return { kind: 'mount', by: by.name, path: this.mountPoint(), args, update: this.prng.chance(1, 12) };
  }

  private unmount(): Step {
    const by = this.prng.chance(4, 5) ? this.init : this.actor();
    const mounts = this.session.k.mountlist.filter((m) => m.ops.name === 'procfs').map((m) => m.path);
    const path = mounts.length > 0 && this.prng.chance(4, 5) ? this.prng.pick(mounts) : this.mountPoint();
    return { kind: 'unmount', by: by.name, path, force: this.prng.chance(1, 2) };
  }

  private mountQuery(kind: 'getargs' | 'statvfs'): Step {
    const actor = this.actor();
    return { kind, by: actor.name, path: this.prng.chance(4, 5) ? this.procfsMount() : this.mountPoint() };
  }

  /** modunload (EBUSY while mounted), or modload when procfs is unloaded. */
  private module(): Step {
    const loaded = this.session.k.modules.get('procfs')?.loaded ?? false;
    const by = this.prng.chance(9, 10) ? this.init : this.actor();
    return { kind: loaded ? 'modunload' : 'modload', by: by.name, name: 'procfs' };
  }
}
