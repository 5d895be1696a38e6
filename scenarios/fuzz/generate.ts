/**
 * The scenario generator. It builds a scenario step by step against a live
 * session: after each step it sees the outcome (did the spawn get a pid, did
 * the open bind its handle, who is still alive), so every step it writes is
 * valid when replayed: actors are alive, handles are bound, pids fit
 * pidMax. Expectations are left to the oracle and the invariants: every
 * step expects `errno: any`, and, in runs without injected bugs, some steps
 * also pin what they did (expectations.ts) so that every key of the
 * contract's `expect` is written, loaded back and judged.
 *
 * It leans toward what exercises procfs's hooks and kauth listener: users
 * holding /proc/N/mem of themselves and of others, chdir into /proc/N,
 * set-id execs, setuid(2) calls, exits, waits with pid reuse, and pids that
 * share a hash bucket (pid +/- 256).
 *
 * Besides single steps it follows plans. A step may leave intents, steps it
 * means to take soon (the traced process runs a set-uid program, the process
 * that changed its gid runs a plain one); the `fill` action grows one
 * descriptor table past a growth point of fd_tryexpand (19 and more
 * descriptors, opens past 20 and 50); the `corner` action plays one of
 * CORNERS (exec through /proc, chroot into procfs, unmount under held
 * handles, module unload and load, Linux programs under /emul/linux/proc,
 * forks near maxproc, trailing slashes, handles held across credential
 * changes and exits, hash-bucket neighbours). An intent is checked against
 * the live kernel when its turn comes and dropped when it no longer applies.
 */
import type { BugName } from '../../emulator/bugs.ts';
import type { Proc } from '../../emulator/proc.ts';
import { FREAD, FWRITE } from '../../emulator/vnode.ts';
import { parseKey } from '../names.ts';
import { NEWFD_TYPES } from '../fields.ts';
import type { Expect, KernelSpec, ProcfsMountSpec, Scenario, Step } from '../types.ts';
import { pinExpect } from './expectations.ts';
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


/** One byte past PROCFS_NOTELEN (64): vfs_getuserstr's EMSGSIZE for note and notepg. */
const NOTE_TOO_LONG = 'N'.repeat(65);
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
  // What a step did is what NetBSD does only when no bug is injected: pin nothing otherwise.
  const pins = opts.bugs.length === 0 ? prng.child('expect') : null;
  for (let i = 0; i < opts.steps && session.failure === null; i++) {
    const step = gen.next();
    scenario.steps.push(step);
    const rec = session.play(step);
    if (pins !== null && rec.failure === null) step.expect = pinExpect(pins, step, rec, () => gen.pidHandles()); // next() handed out a step of its own
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
  return `kernel pidMax=${k.pidMax} maxproc=${k.maxproc} pageSize=${k.pageSize} pfsLast=${k.pfsLast} securelevel=${k.securelevel} ` +
    `curtain=${k.curtain} procfs=${mounts}; users ${users}; swarm ${formatSwarm(swarm)}`;
}

// ---- the kernel ------------------------------------------------------------

/**
 * Small pidMax sometimes (pid reuse, wrap-around), sometimes just past 256
 * (hash-bucket neighbours); a small maxproc now and then (fork1's EAGAIN and
 * the 5 slots kept for root); a page size other than amd64's.
 */
function drawKernel(prng: PRNG, world: World): KernelSpec {
  const pidMax = prng.chance(1, 5) ? prng.pick([6, 8, 12, 20]) : prng.chance(1, 5) ? prng.range(270, 600) : 30000;
  const maxproc = prng.chance(1, 10) ? prng.range(6, 12) : 1044;
  const pfsLast = prng.chance(1, 10) ? prng.range(34, 64) : 33;
  const securelevel = prng.weighted([[0, 12], [-1, 2], [1, 1], [2, 1]]);
  const curtain = prng.chance(1, 8);
  const procfs = drawMounts(prng, world);
  const pageSize = prng.chance(1, 16) ? prng.pick([512, 8192, 16384, 65536]) : 4096;
  return { pidMax, maxproc, pageSize, pfsLast, securelevel, curtain, files: world.entries, procfs };
}

/** /proc mostly; now and then a second mount on an extra directory, and the Linux one where the world has it. */
function drawMounts(prng: PRNG, world: World): ProcfsMountSpec[] {
  if (prng.chance(1, 16)) return [];
  const mounts: ProcfsMountSpec[] = [{ path: '/proc', linux: !prng.chance(1, 6) }];
  const extra = world.dirs[0];
  if (extra !== undefined && prng.chance(1, 6)) mounts.push({ path: extra, linux: prng.chance(1, 2) });
  if (world.emulProc !== null && !prng.chance(1, 6)) mounts.push({ path: world.emulProc, linux: !prng.chance(1, 8) });
  return mounts;
}

// ---- the steps -------------------------------------------------------------

interface ProcInfo {
  name: string;
  user: User;
}

/** Whose procfs nodes a step touches: a process by handle, or proc0. */
type Target = ProcInfo | 'pid0';

interface FdInfo {
  name: string;
  /** The process that made it (its table holds the number, and its children's after fork). */
  owner: string;
  procfs: boolean;
}

/** A step the generator means to take soon; null when it no longer applies (its actor died, its handle is gone). */
type Intent = () => Step | null;

/** Intents soon() lets wait at most: a plan is a handful of steps, and a run must still do other things. */
const PENDING_MAX = 12;

/** Per-process procfs nodes and how often each is picked: the guarded ones lead. */
const NODES: readonly (readonly [string, number])[] = [
  ['mem', 12], ['regs', 3], ['fpregs', 2], ['status', 4], ['cmdline', 2], ['map', 1], ['maps', 1], ['auxv', 1],
  ['environ', 1], ['emul', 1], ['limit', 1], ['note', 1], ['notepg', 1], ['stat', 1], ['statm', 1], ['cwd', 1],
  ['root', 1], ['exe', 1], ['file', 1], ['fd', 2], ['fd/N', 4], ['task', 1], ['task/N', 1], ['', 3],
];

/** The files at the top of a procfs mount (proc_root_targets[], Linux-compatible mounts only). */
const ROOT_FILES = ['meminfo', 'cpuinfo', 'uptime', 'mounts', 'devices', 'stat', 'loadavg', 'version'];

/** Files of the default root file system worth opening, with what they are. */
const PLAIN_PATHS = ['/tmp', '/', '/home/user', '/etc', '/etc/passwd', '/dev/null', '/dev/wd0', '/tmp/fifo', '/tmp/sock', '/etc/localtime', '/bin/sh'];


/**
 * Descriptor numbers that matter to dup2: the last slots before the table
 * grows (NDFILE 20, NDEXTENT 50: fd_tryexpand), the first after, and the
 * limit of the table (1024).
 */
const FD_NUMBERS: readonly (readonly [number, number])[] = [
  [18, 3], [19, 3], [20, 1], [48, 3], [49, 3], [50, 1], [1023, 1], [1024, 1],
];

/** How far a fill grows one table: the open that ends it gets a descriptor at or past the goal. */
const FILL_GOALS: readonly (readonly [number, number])[] = [
  [18, 2], [19, 2], [20, 3], [21, 1], [48, 1], [49, 1], [50, 3], [51, 1],
];

/** Paths an exec takes from a current directory inside /proc/N. */
const RELATIVE_EXECS = ['file', 'exe', './file', './exe', 'file/', '../self/file'];

/** The corners a `corner` action plays, and how often each comes up. */
type Corner =
  | 'procExec' | 'chroot' | 'isunder' | 'ptraceSetid' | 'kqueueFork' | 'setgidExec' | 'heldUnmount'
  | 'module' | 'linux' | 'forkStorm' | 'sugid' | 'trailing' | 'textBusy' | 'credHeld' | 'euidProbe' | 'fdOfDir' | 'exitHolding' | 'bucket';
const CORNERS: readonly (readonly [Corner, number])[] = [
  ['procExec', 3], ['chroot', 3], ['isunder', 2], ['ptraceSetid', 3], ['kqueueFork', 2], ['setgidExec', 3],
  ['heldUnmount', 3], ['module', 2], ['linux', 3], ['forkStorm', 2], ['sugid', 4], ['trailing', 3], ['textBusy', 1],
  ['credHeld', 4], ['euidProbe', 3], ['fdOfDir', 3], ['exitHolding', 4], ['bucket', 3],
];

type SetidKind = 'setuid' | 'seteuid' | 'setgid' | 'setegid';
type FlagsName = 'r' | 'w' | 'rw';

class Gen {
  private readonly procs: ProcInfo[] = [];
  private readonly fds: FdInfo[] = [];
  private readonly used = new Set<string>(['init']);
  private readonly init: ProcInfo;
  private readonly pending: Intent[] = [];
  /** A fill plan is under way (one at a time). */
  private filling = false;
  /** The steps next() has handed out (emit). */
  private readonly emitted = new WeakSet<Step>();

  constructor(
    private readonly prng: PRNG,
    private readonly world: World,
    private readonly swarm: Swarm,
    private readonly kernel: KernelSpec,
    private readonly session: Session,
  ) {
    this.init = { name: 'init', user: world.root };
  }

  /** The next step: a pending intent mostly, else a swarm-weighted action that applies now (spawn always does). */
  next(): Step {
    this.liveCache = null; // the last step may have changed who is alive
    const planned = this.fromPending(4, 5);
    if (planned !== null) return this.emit(planned);
    for (let tries = 0; tries < 8; tries++) {
      const step = this.action(this.prng.weighted(this.swarm.weights));
      if (step !== null) return this.emit(step);
    }
    return this.emit(this.spawn());
  }

  /**
   * A step as the scenario will hold it, `expect: any` until generate pins
   * what it did: the drafted object itself (a copy only if an intent handed
   * out the same object twice), so pinning can set its expect in place.
   */
  private emit(draft: Step): Step {
    const step = this.emitted.has(draft) ? { ...draft } : draft;
    this.emitted.add(step);
    step.expect = ANY;
    return step;
  }

  /** The first pending intent that still applies, each taken with chance n/d (the rest wait). */
  private fromPending(n: number, d: number): Step | null {
    while (this.pending.length > 0 && this.prng.chance(n, d)) {
      const step = this.pending.shift()!();
      if (step !== null) return step;
    }
    return null;
  }

  /** Intents to take soon, in this order, after those already waiting. */
  private soon(...intents: Intent[]): void {
    for (const i of intents) if (this.pending.length < PENDING_MAX) this.pending.push(i);
  }

  /** Queue a plan's steps and take its first one now. */
  private plan(...intents: Intent[]): Step | null {
    const first = intents.shift();
    this.pending.unshift(...intents.slice(0, PENDING_MAX));
    return first === undefined ? null : first();
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
      case 'pipe': return this.pipe(this.actor());
      case 'socket':
      case 'kqueue': return this.simpleFd(a);
      case 'newfd': return this.newfd(this.actor());
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
      case 'check': return { kind: 'check', by: this.actor().name };
      case 'fill': return this.fill();
      case 'corner': return this.corner(this.prng.weighted(this.cornerWeights()));
    }
  }

  // ---- state from the live kernel ----

  private procOf(name: string): Proc | null {
    const h = this.session.st.handles.get(name);
    return h?.kind === 'proc' ? h.proc : null;
  }

  private alive(p: ProcInfo): boolean {
    const proc = this.procOf(p.name);
    return proc !== null && (proc.stat === 'SACTIVE' || proc.stat === 'SSTOP') && this.session.k.pidTable.get(proc.pid) === proc;
  }

  /** Bound process handles (dead ones too: their pids may have been reused). */
  private bound(): ProcInfo[] {
    return this.procs.filter((p) => this.session.st.handles.has(p.name));
  }

  private liveCache: ProcInfo[] | null = null;

  private living(): ProcInfo[] {
    return (this.liveCache ??= this.procs.filter((p) => this.alive(p)));
  }

  /** The pids of live process handles, each with the first handle bound to it (entryTypes keys written as `{h}`). */
  pidHandles(): Map<number, string> {
    const out = new Map<number, string>();
    for (const p of [this.init, ...this.procs]) {
      const proc = this.procOf(p.name);
      if (proc !== null && this.alive(p) && !out.has(proc.pid)) out.set(proc.pid, p.name);
    }
    return out;
  }

  /** A live actor: spawned and forked processes mostly, init now and then. */
  private actor(): ProcInfo {
    const live = this.living();
    if (live.length === 0 || this.prng.chance(1, 6)) return this.init;
    return this.prng.pick(live);
  }

  /** A live process other than init when there is one (init seldom chroots: spawn runs its programs from init's root). */
  private spawned(): ProcInfo {
    const live = this.living();
    return live.length > 0 && !this.prng.chance(1, 10) ? this.prng.pick(live) : this.actor();
  }

  /** A live process whose real uid is not root's, when there is one. */
  private unprivileged(): ProcInfo {
    const users = this.living().filter((p) => this.procOf(p.name)!.cred.ruid !== 0);
    return users.length > 0 ? this.prng.pick(users) : this.actor();
  }

  /** Another live process than `a` (init when there is none). */
  private other(a: ProcInfo): ProcInfo {
    const rest = [this.init, ...this.living()].filter((p) => p !== a);
    return rest.length === 0 ? this.init : this.prng.pick(rest);
  }

  /** Whose procfs nodes to touch: mostly the living, sometimes the dead (pid reuse), init, proc0. */
  private target(actor: ProcInfo): Target {
    const r = this.prng.int(20);
    if (r === 0) return 'pid0';
    if (r <= 2) return this.init;
    if (r <= 7) return actor;
    const pool = r <= 9 ? this.bound() : this.living();
    return pool.length === 0 ? actor : this.prng.pick(pool);
  }

  private procfsMounts(): string[] {
    return this.session.k.mountlist.filter((m) => m.ops.name === 'procfs').map((m) => m.path);
  }

  /** The procfs mount points now mounted ('/proc' when none is, which then names an empty directory). */
  private procfsMount(): string {
    const mounts = this.procfsMounts();
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

  /** Is the descriptor handle `name` bound and open in `p`'s table? */
  private holds(p: ProcInfo, name: string): boolean {
    const h = this.session.st.handles.get(name);
    return h?.kind === 'fd' && this.alive(p) && this.procOf(p.name)!.fd.get(h.fd) !== undefined;
  }

  private boundFds(): FdInfo[] {
    return this.fds.filter((f) => this.session.st.handles.has(f.name));
  }

  /** The number the next new descriptor of `p` gets (fd_alloc: the lowest free). */
  private nextFd(p: Proc): number {
    const open = p.fd.openFds();
    let n = 0;
    while (open[n] === n) n++;
    return n;
  }

  // ---- paths ----

  /** `/proc/{a}` or, for the actor itself, `/proc/self` or `/proc/curproc` now and then. */
  private procDir(mount: string, actor: ProcInfo, t: Target): string {
    if (t === 'pid0') return `${mount}/0`;
    if (t === actor && this.prng.chance(1, 3)) return `${mount}/${this.prng.pick(['self', 'curproc'])}`;
    if (t === this.init && this.prng.chance(1, 2)) return `${mount}/1`;
    return `${mount}/{${t.name}}`;
  }

  /** A per-process node path; relative when the actor's current directory is that process's directory. */
  private nodePath(actor: ProcInfo, t: Target, node: string): string {
    const leaf = this.leaf(t, node);
    if (t !== 'pid0' && leaf !== '' && this.cwdIsProcDirOf(actor, t) && this.prng.chance(1, 2)) return leaf;
    const dir = this.procDir(this.procfsMount(), actor, t);
    return leaf === '' ? dir : `${dir}/${leaf}`;
  }

  /** fd/N with N a descriptor of the target (by handle when one names it), task/N with its pid. */
  private leaf(t: Target, node: string): string {
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

  /** Is the actor's current directory some /proc/N? */
  private cwdInProcDir(actor: ProcInfo): boolean {
    const cwd = this.procOf(actor.name)?.cwd;
    return cwd !== null && cwd !== undefined && cwd.mount.ops.name === 'procfs' && parseKey(cwd.key).type === 'proc';
  }

  private node(): string {
    return this.prng.weighted(NODES);
  }

  private plainPath(): string {
    const extra = [...this.world.files, ...this.world.dirs, ...this.world.links, ...this.world.users.map((u) => u.home)];
    return this.prng.chance(1, 3) && extra.length > 0 ? this.prng.pick(extra) : this.prng.pick(PLAIN_PATHS);
  }

  /** Now and then a trailing slash (lookup_parsepath's REQUIREDIR). */
  private slashed(path: string): string {
    return path !== '/' && !path.endsWith('/') && this.prng.chance(1, 24) ? `${path}/` : path;
  }

  // ---- process lifecycle ----

  private user(): User {
    return this.prng.chance(1, 4) ? this.world.root : this.prng.pick(this.world.users);
  }

  /**
   * A pid to ask for: a hash-bucket neighbour of a live process, a small one,
   * or the pid of a handle whose process is gone, written `{h}` (reuse).
   */
  private pidRequest(): number | string | undefined {
    if (!this.prng.chance(1, 5)) return undefined;
    const pidMax = this.kernel.pidMax;
    const free = (pid: number) => !this.session.k.pidTable.has(pid);
    const gone = this.bound().filter((p) => free(this.procOf(p.name)!.pid));
    if (gone.length > 0 && this.prng.chance(1, 4)) return `{${this.prng.pick(gone).name}}`;
    const live = this.living().map((p) => this.procOf(p.name)!.pid);
    const neighbours = live.flatMap((pid) => [pid + 256, pid - 256]).filter((pid) => pid >= 2 && pid < pidMax);
    const wanted = neighbours.filter(free);
    if (wanted.length > 0 && this.prng.chance(3, 4)) return this.prng.pick(wanted);
    const small = this.prng.range(2, Math.min(9, pidMax - 1));
    return free(small) ? small : undefined;
  }

  private spawn(): Step {
    const user = this.user();
    const name = this.fresh(user.name);
    const info = { name, user };
    this.procs.push(info);
    const r = this.prng.int(8);
    const path = r === 0 ? this.program('linux').path : r === 1 ? this.program('plain').path : r === 2 && this.prng.chance(1, 2) ? this.program('setid').path : '/bin/sh';
    const pid = this.pidRequest();
    if (r === 0 && this.prng.chance(1, 2)) this.soon(...this.linuxProbes(info, 2));
    return { kind: 'spawn', as: name, uid: user.uid, gid: user.gid, path, ...(pid === undefined ? {} : { pid }) };
  }

  private fork(): Step {
    return this.forkBy(this.actor());
  }

  private forkBy(parent: ProcInfo): Step {
    const name = this.fresh(parent.name.length > 10 ? `${parent.user.name}c` : `${parent.name}_c`);
    this.procs.push({ name, user: parent.user });
    const pid = this.pidRequest();
    return { kind: 'fork', by: parent.name, as: name, ...(pid === undefined ? {} : { pid }) };
  }

  /** A fork by `parent` whose child, once it exists, has `then` queued for it. */
  private forkThen(parent: ProcInfo, then: (child: ProcInfo) => Intent[]): Intent {
    return () => {
      if (!this.alive(parent)) return null;
      const step = this.forkBy(parent);
      this.soon(...then(this.procs[this.procs.length - 1]!));
      return step;
    };
  }

  /** A program of a kind ('setid': set-uid or set-gid). */
  private program(kind: ProgramKind | 'setid'): Program {
    const kinds: ProgramKind[] = kind === 'setid' ? ['setuid', 'setgid'] : [kind];
    const all = [...DEFAULT_PROGRAMS, ...this.world.programs].filter((p) => kinds.includes(p.kind));
    return this.prng.pick(all);
  }

  /** execve: set-id programs lead; programs reached through /proc; now and then something that is not a program at all. */
  private exec(): Step {
    const by = this.living().length > 0 && !this.prng.chance(1, 10) ? this.prng.pick(this.living()) : this.init;
    const kind = this.prng.weighted<ProgramKind | 'bad' | 'proc'>([['setuid', 5], ['setgid', 2], ['plain', 3], ['linux', 2], ['bad', 1], ['proc', 2]]);
    if (kind === 'proc') return { kind: 'exec', by: by.name, path: this.procExecPath(by) };
    if (kind === 'bad') return { kind: 'exec', by: by.name, path: this.prng.pick(['/etc/passwd', '/tmp', '/proc/self/mem', '/dev/null', '/bin/sh/']) };
    this.afterExec(by, kind);
    return { kind: 'exec', by: by.name, path: this.program(kind).path };
  }

  /** What is worth doing after an exec: probe a set-id image's guarded nodes, a Linux image's /proc. */
  private afterExec(by: ProcInfo, kind: ProgramKind): void {
    if ((kind === 'setuid' || kind === 'setgid') && this.prng.chance(1, 3)) this.soon(this.sugidProbe(by));
    if (kind === 'linux' && this.prng.chance(1, 3)) this.soon(...this.linuxProbes(by, 2));
  }

  /**
   * A program reached through procfs (execve looks it up after taking
   * p_reflock: kern_exec.c): /proc/self/exe, /proc/N/file, or a relative
   * path when the current directory is some /proc/N.
   */
  private procExecPath(by: ProcInfo): string {
    if (this.cwdInProcDir(by) && this.prng.chance(2, 3)) return this.prng.pick(RELATIVE_EXECS);
    const m = this.procfsMount();
    const t = this.target(by);
    return this.prng.weighted([
      [`${m}/self/exe`, 3], [`${m}/curproc/exe`, 1], [`${m}/self/file`, 1],
      [`${this.procDir(m, by, t)}/file`, 3], [`${this.procDir(m, by, t)}/exe`, 2],
    ]);
  }

  private execBy(p: ProcInfo, kind: ProgramKind | 'setid'): Intent {
    return () => (this.alive(p) ? { kind: 'exec', by: p.name, path: this.program(kind).path } : null);
  }

  /** setuid(2) family: ids the caller has (allowed), root's, and other users' (need privilege). */
  private setid(): Step {
    const actor = this.prng.chance(1, 2) ? this.unprivileged() : this.actor();
    const kind = this.prng.weighted<SetidKind>([['setuid', 3], ['seteuid', 4], ['setgid', 2], ['setegid', 2]]);
    return this.setidBy(actor, kind);
  }

  /**
   * One setuid-family call, with what is worth doing after it: a plain exec
   * after a gid change (PK_SUGID set by the call, then exec), a look at the
   * guarded nodes of a process whose real uid the new euid is.
   */
  private setidBy(actor: ProcInfo, kind: SetidKind, wanted?: number): Step {
    const p = this.procOf(actor.name);
    const isUid = kind === 'setuid' || kind === 'seteuid';
    const own = p === null ? [] : isUid ? [p.cred.ruid, p.cred.svuid] : [p.cred.rgid, p.cred.svgid];
    const others = this.world.users.map((u) => (isUid ? u.uid : u.gid));
    const id = wanted ?? this.prng.pick([0, ...own, ...others, ...others]);
    if (!isUid && this.prng.chance(1, 2)) this.soon(this.execBy(actor, 'plain'));
    if (kind === 'seteuid' && this.prng.chance(1, 2)) this.soon(this.guardedOpen(actor, (q) => q.cred.ruid === id));
    if (this.prng.chance(1, 4)) this.soon(this.sugidProbe(actor));
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
    return { kind: 'wait', by: by.name, child: this.procRef(this.prng.pick(named)) };
  }

  /** A process field: its handle mostly, now and then its pid as a number or as `{h}`. */
  private procRef(p: ProcInfo): string | number {
    const r = this.prng.int(10);
    if (r === 0) return this.procOf(p.name)!.pid;
    if (r === 1) return `{${p.name}}`;
    return p.name;
  }

  private ptrace(): Step | null {
    const live = this.living();
    if (live.length === 0) return null;
    const by = this.actor();
    const t = this.prng.pick(live);
    const detach = this.prng.chance(1, 4);
    if (this.prng.chance(1, 12)) return { kind: 'ptrace', by: by.name, target: this.prng.pick([0, 1, this.kernel.pidMax - 1]), detach };
    if (!detach && this.prng.chance(1, 3)) this.soon(this.execBy(t, 'setid'));
    return { kind: 'ptrace', by: by.name, target: this.procRef(t), detach };
  }

  /**
   * chdir (chroot) into procfs mostly: the current directory holds a vnode of
   * the target. init seldom chroots: spawn runs its programs from init's root.
   */
  private chdir(kind: 'chdir' | 'chroot'): Step {
    const actor = kind === 'chroot' ? this.spawned() : this.actor();
    const t = this.target(actor);
    const r = this.prng.int(10);
    const path = r < 5 ? this.nodePath(actor, t, '')
      : r < 7 ? this.nodePath(actor, t, this.prng.pick(['fd', 'task']))
        : r < 8 ? this.procfsMount() : this.prng.pick(['/', '/tmp', '/home/user', ...this.world.dirs, ...this.world.links]);
    if (kind === 'chdir' && r < 5 && this.prng.chance(1, 6)) this.soon(() => this.relativeExec(actor));
    return { kind, by: actor.name, path: kind === 'chroot' ? this.rootFor(actor, this.slashed(path)) : this.slashed(path) };
  }

  /**
   * Where `actor` may chroot: anywhere, but init only to `/`. A set-id exec
   * from a root without /dev/null fails in fd_checkstd after the point of no
   * return (exec_abort, kern_exec.c), and init dying panics NetBSD (exit1);
   * init's root is also where spawn runs its programs.
   */
  private rootFor(actor: ProcInfo, path: string): string {
    return actor === this.init ? '/' : path;
  }

  private relativeExec(actor: ProcInfo): Step | null {
    return this.alive(actor) ? { kind: 'exec', by: actor.name, path: this.prng.pick(RELATIVE_EXECS) } : null;
  }

  // ---- descriptors ----

  /** Remember a descriptor handle (or none: `as` is optional, and the number is reached as an integer). */
  private fdName(base: string, owner: ProcInfo, procfs: boolean): string | undefined {
    if (this.prng.chance(1, 16)) return undefined;
    const name = this.fresh(base);
    this.fds.push({ name, owner: owner.name, procfs });
    return name;
  }

  private flags(weights: readonly [number, number, number]): FlagsName {
    return this.prng.weighted<FlagsName>([['r', weights[0]], ['rw', weights[1]], ['w', weights[2]]]);
  }

  /** open of a procfs node of self or of another process or user: the holders. */
  private openProcfs(actor = this.actor()): Step {
    if (this.prng.chance(1, 10)) return this.openRootFile(actor);
    const t = this.target(actor);
    const node = this.node();
    return this.openNode(actor, t, node, this.nodePath(actor, t, node));
  }

  private openNode(actor: ProcInfo, t: Target, node: string, path: string): Step {
    const label = `${t === 'pid0' ? 'p0' : t.name.slice(0, 8)}_${node === '' ? 'dir' : node.replace('/N', '')}`;
    const as = this.fdName(label, actor, true);
    return {
      kind: 'open', by: actor.name, path: this.slashed(path), flags: this.flags([5, 3, 2]), excl: node === 'mem' && this.prng.chance(1, 8),
      nofollow: this.prng.chance(1, 20), cloexec: this.prng.chance(1, 8), ...(as === undefined ? {} : { as }),
    };
  }

  /** /proc/meminfo and the other Linux files at the top of the mount (their text is NetBSD's format). */
  private openRootFile(actor: ProcInfo): Step {
    const name = this.prng.pick(ROOT_FILES);
    const as = this.fdName(`${name}_fd`, actor, true);
    return { kind: 'open', by: actor.name, path: `${this.procfsMount()}/${name}`, flags: this.flags([8, 1, 1]), excl: false, nofollow: false, cloexec: false, ...(as === undefined ? {} : { as }) };
  }

  private openFile(): Step {
    const actor = this.actor();
    if (this.prng.chance(1, 10)) return this.openProgram(actor);
    const path = this.plainPath();
    const base = path.split('/').pop()?.replace(/\..*$/, '') || 'rootdir';
    const as = this.fdName(`${base}_fd`, actor, false);
    return {
      kind: 'open', by: actor.name, path: this.slashed(path), flags: this.flags([6, 1, 1]), excl: false,
      nofollow: this.prng.chance(1, 10), cloexec: this.prng.chance(1, 6), ...(as === undefined ? {} : { as }),
    };
  }

  /** Open for writing a program some process runs (vn_writechk: ETXTBSY for a text vnode). */
  private openProgram(actor: ProcInfo): Step {
    const running = this.living().map((p) => this.procOf(p.name)!.path).filter((x): x is string => x !== null);
    const path = running.length > 0 ? this.prng.pick(running) : '/bin/sh';
    const as = this.fdName('text_fd', actor, false);
    return { kind: 'open', by: actor.name, path, flags: this.flags([1, 2, 2]), excl: false, nofollow: false, cloexec: false, ...(as === undefined ? {} : { as }) };
  }

  private pipe(actor: ProcInfo): Step {
    if (this.prng.chance(1, 16)) return { kind: 'pipe', by: actor.name };
    const r = this.fresh('pipe_r');
    const w = this.fresh('pipe_w');
    this.fds.push({ name: r, owner: actor.name, procfs: false }, { name: w, owner: actor.name, procfs: false });
    return { kind: 'pipe', by: actor.name, as: [r, w] };
  }

  private simpleFd(kind: 'socket' | 'kqueue', actor = this.actor()): Step {
    const as = this.fdName(kind === 'socket' ? 'sock' : 'kq', actor, false);
    if (kind === 'kqueue' && as !== undefined && this.prng.chance(1, 3)) this.soon(this.forkThen(actor, (c) => this.kqueueChecks(c, as)));
    return { kind, by: actor.name, ...(as === undefined ? {} : { as }) };
  }

  private newfd(actor: ProcInfo): Step {
    const type = this.prng.pick(NEWFD_TYPES);
    const as = this.fdName(type, actor, false);
    return { kind: 'newfd', by: actor.name, type, ...(as === undefined ? {} : { as }) };
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

  /** A descriptor field: its handle mostly, now and then its number as an integer or as `{h}`. */
  private fdRef(name: string): string | number {
    const r = this.prng.int(12);
    const h = this.session.st.handles.get(name);
    if (r === 0 && h?.kind === 'fd') return h.fd;
    if (r === 1) return `{${name}}`;
    return name;
  }

  private fdStep(kind: 'read' | 'write' | 'fstat'): Step | null {
    const w = this.withFd(kind === 'read' ? FREAD : kind === 'write' ? FWRITE : 0);
    return w === null ? null : this.fdStepOn(kind, w.actor, w.fd.name);
  }

  private fdStepOn(kind: 'read' | 'write' | 'fstat', actor: ProcInfo, name: string): Step {
    const by = actor.name;
    const fd = this.fdRef(name);
    switch (kind) {
      case 'fstat': return { kind, by, fd };
      case 'read': return { kind, by, fd, size: this.prng.pick([1, 16, 64, 64, 4096]), offset: this.prng.chance(1, 8) ? this.prng.pick([1, 8, 4096]) : 0 };
      case 'write': return { kind, by, fd, data: this.prng.pick(['x', NOTE_TOO_LONG, 'hello', 'AAAAAAAA', '']), offset: this.prng.chance(1, 8) ? 4096 : 0 };
    }
  }

  /** A read (or fstat) of `name` by `actor` later, if it still holds it. */
  private useFd(actor: ProcInfo, name: string | undefined, kind: 'read' | 'write' | 'fstat' = 'read'): Intent {
    return () => (name !== undefined && this.holds(actor, name) ? this.fdStepOn(kind, actor, name) : null);
  }

  private close(): Step | null {
    const w = this.withFd();
    return w === null ? null : { kind: 'close', by: w.actor.name, fd: this.fdRef(w.fd.name) };
  }

  /** dup2 onto a named descriptor, a small number, or a number at the table's growth points and limit. */
  private dup2(): Step | null {
    const w = this.withFd();
    if (w === null) return null;
    return { kind: 'dup2', by: w.actor.name, fd: this.fdRef(w.fd.name), to: this.dup2To(w.fd) };
  }

  private dup2To(from: FdInfo): string | number {
    const others = this.boundFds().filter((f) => f !== from);
    const r = this.prng.int(4);
    if (r === 0 && others.length > 0) return this.prng.pick(others).name;
    if (r === 1) return this.prng.weighted(FD_NUMBERS);
    return this.prng.int(8);
  }

  // ---- lookups ----

  private stat(kind: 'lstat' | 'stat'): Step {
    const actor = this.actor();
    if (this.prng.chance(1, 10)) return { kind, by: actor.name, path: this.slashed(this.plainPath()) };
    return { kind, by: actor.name, path: this.slashed(this.nodePath(actor, this.target(actor), this.node())) };
  }

  private readlink(): Step {
    const actor = this.actor();
    const r = this.prng.int(7);
    const m = this.procfsMount();
    const path = r === 0 ? `${m}/${this.prng.pick(['self', 'curproc'])}` : r === 1 ? this.prng.pick(['/etc/localtime', ...this.world.links])
      : this.nodePath(actor, this.target(actor), this.prng.pick(['exe', 'cwd', 'root', 'fd/N', 'task/N']));
    return { kind: 'readlink', by: actor.name, path: this.slashed(path) };
  }

  private readdir(): Step {
    const actor = this.actor();
    const r = this.prng.int(6);
    const path = r === 0 ? this.procfsMount() : r === 1 ? '.'
      : this.nodePath(actor, this.target(actor), this.prng.pick(['', '', 'fd', 'fd', 'task']));
    return { kind: 'readdir', by: actor.name, path: this.slashed(path) };
  }

  // ---- mounts ----

  /** Mount points: the extra directories, /proc itself, the Linux one, and now and then a procfs directory. */
  private mountPoint(): string {
    const r = this.prng.int(9);
    if (r < 3 && this.world.dirs.length > 0) return this.prng.pick(this.world.dirs);
    if (r < 6) return '/proc';
    if (r < 7) return '/tmp';
    if (r < 8 && this.world.emulProc !== null) return this.world.emulProc;
    return this.nodePath(this.init, this.target(this.init), '');
  }

  private mount(): Step {
    const by = this.prng.chance(4, 5) ? this.init : this.actor();
    return this.mountOn(by, this.mountPoint());
  }

  private mountOn(by: ProcInfo, path: string): Step {
    const r = this.prng.int(12);
    const args = r < 9 ? { version: 1, flags: this.prng.pick([0, 1, 1, 3]) } : r === 9 ? null : r === 10 ? 'short' as const : { version: 2, flags: 1 };
    return { kind: 'mount', by: by.name, path, args, update: this.prng.chance(1, 12) };
  }

  private unmount(): Step {
    const by = this.prng.chance(4, 5) ? this.init : this.actor();
    const mounts = this.procfsMounts();
    const path = mounts.length > 0 && this.prng.chance(4, 5) ? this.prng.pick(mounts) : this.mountPoint();
    return { kind: 'unmount', by: by.name, path, force: this.prng.chance(1, 2) };
  }

  private mountQuery(kind: 'getargs' | 'statvfs'): Step {
    const actor = this.actor();
    return { kind, by: actor.name, path: this.prng.chance(4, 5) ? this.procfsMount() : this.mountPoint() };
  }

  /** modunload (EBUSY while mounted), or modload when procfs is unloaded; now and then a module that does not exist. */
  private module(): Step {
    const loaded = this.session.k.modules.get('procfs')?.loaded ?? false;
    const by = this.prng.chance(9, 10) ? this.init : this.actor();
    const name = this.prng.chance(1, 20) ? 'kernfs' : 'procfs';
    return { kind: loaded ? 'modunload' : 'modload', by: by.name, name };
  }

  // ---- plans: one descriptor table past a growth point ----

  /**
   * Grow one process's table until its next descriptor is at or past a goal
   * (NDFILE 20, NDEXTENT 50, fd_tryexpand), pipes mostly (two descriptors a
   * step); then open a procfs node there, and look at the table from procfs,
   * through a fork (fd_copy sizes the child's table) and through dup2.
   */
  private fill(): Step | null {
    if (this.filling) return null;
    this.filling = true;
    const actor = this.actor();
    return this.fillStep(actor, this.prng.weighted(FILL_GOALS));
  }

  private fillStep(actor: ProcInfo, goal: number): Step | null {
    const p = this.alive(actor) ? this.procOf(actor.name)! : null;
    if (p === null) {
      this.filling = false;
      return null;
    }
    if (this.nextFd(p) < goal) {
      this.pending.unshift(() => this.fillStep(actor, goal));
      return this.fillOne(actor);
    }
    this.filling = false;
    const m = this.procfsMount();
    this.soon(
      () => (this.alive(actor) ? { kind: 'readdir', by: actor.name, path: `${this.procDir(m, actor, actor)}/fd` } : null),
      this.forkThen(actor, (c) => [() => (this.alive(c) ? { kind: 'readdir', by: c.name, path: `${m}/{${c.name}}/fd` } : null)]),
      () => this.dup2Growth(actor),
    );
    const as = this.fresh(`${actor.name.slice(0, 8)}_past`);
    this.soon(this.useFd(actor, as, 'fstat'));
    return this.openNamedFlags(actor, `${this.procDir(m, actor, actor)}/${this.prng.pick(['status', 'cmdline', 'fd', ''])}`, as, 'r');
  }

  /** One more descriptor or two in `actor`'s table. */
  private fillOne(actor: ProcInfo): Step {
    const r = this.prng.int(10);
    if (r < 6) return this.pipe(actor);
    if (r < 7) return this.simpleFd(this.prng.pick(['socket', 'kqueue'] as const), actor);
    if (r < 8) return this.newfd(actor);
    return this.openProcfs(actor);
  }

  /** dup2 of a descriptor `actor` holds onto a slot at a growth point. */
  private dup2Growth(actor: ProcInfo): Step | null {
    const held = this.alive(actor) ? this.fdsOpenIn(this.procOf(actor.name)) : [];
    if (held.length === 0) return null;
    return { kind: 'dup2', by: actor.name, fd: this.prng.pick(held).name, to: this.prng.weighted(FD_NUMBERS) };
  }

  // ---- plans: the corners ----

  /** How often each corner comes up in this kernel (forks near maxproc where maxproc is small). */
  private cornerWeights(): readonly (readonly [Corner, number])[] {
    return CORNERS.map(([c, w]) => [c, c === 'forkStorm' && this.kernel.maxproc < 1044 ? 12 : w] as const);
  }

  private corner(c: Corner): Step | null {
    switch (c) {
      case 'procExec': return this.cornerProcExec();
      case 'chroot': return this.cornerChroot();
      case 'isunder': return this.cornerIsunder();
      case 'ptraceSetid': return this.cornerPtraceSetid();
      case 'kqueueFork': return this.cornerKqueueFork();
      case 'setgidExec': return this.cornerSetgidExec();
      case 'heldUnmount': return this.cornerHeldUnmount();
      case 'module': return this.cornerModule();
      case 'linux': return this.cornerLinux();
      case 'forkStorm': return this.cornerForkStorm();
      case 'sugid': return this.cornerSugid();
      case 'trailing': return this.cornerTrailing();
      case 'textBusy': return this.openProgram(this.actor());
      case 'credHeld': return this.cornerCredHeld();
      case 'euidProbe': return this.cornerEuidProbe();
      case 'fdOfDir': return this.cornerFdOfDir();
      case 'exitHolding': return this.cornerExitHolding();
      case 'bucket': return this.cornerBucket();
    }
  }

  /**
   * Two processes whose pids share a hash bucket (pid & 255): one holds a
   * node of its own, the other is born at pid +/- 256 and exits or runs a
   * set-id program; the hooks must match pfs_pid, not the bucket.
   */
  private cornerBucket(): Step | null {
    const live = this.living();
    if (live.length === 0) return null;
    const a = this.prng.pick(live);
    const pid = this.procOf(a.name)!.pid;
    const near = [pid + 256, pid - 256].filter((n) => n >= 2 && n < this.kernel.pidMax && !this.session.k.pidTable.has(n));
    if (near.length === 0) return null;
    const held = this.fresh(`${a.name.slice(0, 8)}_held`);
    const parent = this.other(a);
    const fork = this.forkBy(parent);
    const b = this.procs[this.procs.length - 1]!;
    const m = this.procfsMount();
    return this.plan(
      () => this.openNamedFlags(a, `${this.procDir(m, a, a)}/${this.prng.pick(['status', 'cmdline', 'mem', ''])}`, held, 'r'),
      () => (this.alive(parent) ? { ...fork, pid: this.prng.pick(near) } : null),
      () => (this.alive(b) ? (this.prng.chance(1, 2) ? { kind: 'exit', by: b.name, status: 0 } : { kind: 'exec', by: b.name, path: this.program('setid').path }) : null),
      this.useFd(a, held, this.prng.pick(['read', 'fstat'] as const)),
    );
  }

  /**
   * A process holds nodes of its own and another holds one of it; it exits
   * (its descriptors close: the last reference of its own goes, procfs_inactive
   * finds the process gone; the exit hook revokes the other's), the other
   * uses its handle, the parent reaps, and a fork asks for the freed pid.
   */
  private cornerExitHolding(): Step | null {
    const live = this.living();
    if (live.length === 0) return null;
    const a = this.prng.pick(live);
    const b = this.other(a);
    const own = this.fresh(`${a.name.slice(0, 8)}_own`);
    const seen = this.fresh(`${a.name.slice(0, 8)}_seen`);
    const nodeOf = () => this.prng.weighted<string>([['status', 3], ['regs', 2], ['mem', 2], ['', 1], ['cmdline', 1]]);
    const m = this.procfsMount();
    const pathOf = (by: ProcInfo, node: string) => (node === '' ? this.procDir(m, by, a) : `${this.procDir(m, by, a)}/${node}`);
    return this.plan(
      () => this.openNamedFlags(a, pathOf(a, nodeOf()), own, 'r'),
      () => (this.alive(a) && this.alive(b) ? this.openNamedFlags(b, pathOf(b, nodeOf()), seen, 'r') : null),
      () => (this.alive(a) ? { kind: 'exit', by: a.name, status: this.prng.pick([0, 1]) } : null),
      this.useFd(b, seen, this.prng.pick(['read', 'fstat'] as const)),
      () => {
        const parent = [this.init, ...this.living()].find((p) => this.procOf(p.name)!.children.includes(this.procOf(a.name)!));
        return parent === undefined ? null : { kind: 'wait', by: parent.name, child: a.name };
      },
      () => (this.alive(b) ? { ...this.forkBy(b), pid: `{${a.name}}` } : null),
    );
  }

  /**
   * A guarded node opened while allowed, then a credential change without
   * exec (PK_SUGID, no exec hook), then I/O on the handle: procfs_rw asks
   * KAUTH_PROCESS_PROCFS again at every read and write.
   */
  private cornerCredHeld(): Step | null {
    const roots = [this.init, ...this.living()].filter((p) => this.procOf(p.name)!.cred.euid === 0);
    const a = roots.length > 0 && this.prng.chance(3, 4) ? this.prng.pick(roots) : this.actor();
    const t = this.prng.chance(2, 3) ? a : this.target(a);
    if (t === 'pid0') return null;
    const node = this.prng.weighted<string>([['mem', 4], ['regs', 1], ['fpregs', 1]]);
    const as = this.fresh(`${t.name.slice(0, 8)}_${node}`);
    const who = this.prng.chance(3, 4) ? a : t;
    const kind = this.prng.weighted<SetidKind>([['seteuid', 4], ['setuid', 2], ['setegid', 2], ['setgid', 1]]);
    const user = this.prng.pick(this.world.users);
    const id = kind === 'seteuid' || kind === 'setuid' ? user.uid : user.gid;
    return this.plan(
      () => this.openNamedFlags(a, this.nodePath(a, t, node), as, this.flags([6, 1, 1])),
      () => (this.alive(who) ? this.setidBy(who, kind, id) : null),
      this.useFd(a, as, this.prng.chance(3, 4) ? 'read' : 'write'),
    );
  }

  /**
   * A process of real uid root with another effective uid (seteuid, or a
   * program set-uid to a user), then the guarded nodes of a process of that
   * user: the listener compares real uids (kauth_cred_getuid).
   */
  private cornerEuidProbe(): Step | null {
    const roots = [this.init, ...this.living()].filter((p) => this.procOf(p.name)!.cred.ruid === 0);
    if (roots.length === 0) return null;
    const a = this.prng.pick(roots);
    const user = this.prng.pick(this.world.users);
    const owned = this.world.programs.filter((p) => p.kind === 'setuid' && p.path.startsWith(`${user.home}/`));
    const change: Intent = owned.length > 0 && this.prng.chance(1, 2)
      ? () => (this.alive(a) ? { kind: 'exec', by: a.name, path: this.prng.pick(owned).path } : null)
      : () => (this.alive(a) ? { kind: 'seteuid', by: a.name, id: user.uid } : null);
    const hasUser = this.living().some((p) => this.procOf(p.name)!.cred.ruid === user.uid);
    const b = { name: this.fresh(user.name), user };
    const spawn: Intent[] = hasUser ? [] : [() => {
      this.procs.push(b);
      return { kind: 'spawn', as: b.name, uid: user.uid, gid: user.gid, path: '/bin/sh' };
    }];
    return this.plan(...spawn, change, this.guardedOpen(a, (q) => q.cred.ruid === user.uid));
  }

  /** A directory opened, then its /proc/N/fd/M node (a VLNK for directories: procfs_loadvnode). */
  private cornerFdOfDir(): Step | null {
    const a = this.actor();
    const m = this.procfsMount();
    const dir = this.prng.chance(1, 2) ? this.nodePath(a, a, this.prng.pick(['', 'fd', 'task'])) : this.prng.pick(['/tmp', '/', '/home/user', m, ...this.world.dirs]);
    const as = this.fresh('dir_fd');
    const b = this.prng.chance(2, 3) ? a : this.other(a);
    const kind = this.prng.weighted<'lstat' | 'stat' | 'open' | 'readlink'>([['lstat', 3], ['open', 3], ['stat', 1], ['readlink', 1]]);
    return this.plan(
      () => this.openNamedFlags(a, dir, as, 'r'),
      () => {
        if (!this.holds(a, as) || !this.alive(b)) return null;
        const path = `${this.procDir(m, b, a)}/fd/{${as}}`;
        return kind === 'open' ? this.openNamedFlags(b, path, this.fresh('dir_fd_node'), 'r') : { kind, by: b.name, path };
      },
    );
  }

  /** chdir into /proc/N, then exec a relative path from there; or exec /proc/self/exe, /proc/N/file outright. */
  private cornerProcExec(): Step | null {
    const a = this.spawned();
    if (this.prng.chance(1, 3)) return { kind: 'exec', by: a.name, path: this.procExecPath(a) };
    const t = this.prng.chance(2, 3) ? a : this.target(a);
    const dir = this.procDir(this.procfsMount(), a, t);
    return this.plan(() => ({ kind: 'chdir', by: a.name, path: dir }), () => this.relativeExec(a));
  }

  /**
   * chroot into `/` (a root that is not NULL: proc_isunder), /proc or
   * /proc/N; then reach other processes from inside: their guarded nodes,
   * ptrace, the root link, and the chrooted one from outside.
   */
  private cornerChroot(): Step | null {
    const a = this.spawned();
    const m = this.procfsMount();
    const t = this.target(a);
    const root = this.prng.weighted([['/', 3], [m, 2], [this.procDir(m, a, t), 2], [`${m}/self`, 1]]);
    const inside = root === '/' ? m : root === m ? '' : null;
    const o = this.other(a);
    const seen = (leaf: string) => (inside === null ? leaf : `${inside}/{${o.name}}/${leaf}`);
    return this.plan(
      () => ({ kind: 'chroot', by: a.name, path: this.rootFor(a, root) }),
      () => (this.alive(a) && this.alive(o) ? this.openNode(a, o, 'mem', seen('mem')) : null),
      () => (this.alive(a) && this.alive(o) ? { kind: 'ptrace', by: a.name, target: o.name, detach: false } : null),
      () => (this.alive(a) ? { kind: 'readlink', by: a.name, path: inside === null ? 'root' : `${inside}/self/root` } : null),
      () => (this.alive(a) && this.alive(o) ? this.openNode(o, a, 'mem', `${m}/{${a.name}}/mem`) : null),
    );
  }

  /** chdir into /proc/N, then chroot /proc: vn_isunder walks `..` through procfs, so the cwd stays. */
  private cornerIsunder(): Step | null {
    const a = this.spawned();
    const m = this.procfsMount();
    const t = this.target(a);
    const live = () => this.alive(a);
    return this.plan(
      () => ({ kind: 'chdir', by: a.name, path: this.procDir(m, a, t) }),
      () => (live() ? { kind: 'chroot', by: a.name, path: this.rootFor(a, m) } : null),
      () => (live() ? { kind: 'readlink', by: a.name, path: this.prng.pick(['/self/cwd', '/curproc/root', 'cwd']) } : null),
      () => (live() ? { kind: 'readdir', by: a.name, path: '.' } : null),
      () => (live() ? { kind: 'lstat', by: a.name, path: this.prng.pick(['..', 'status', '/self']) } : null),
    );
  }

  /** PT_ATTACH, then the traced process runs a set-id program, and the tracer reaches its memory. */
  private cornerPtraceSetid(): Step | null {
    const live = this.living();
    if (live.length === 0) return null;
    const t = this.prng.pick(live);
    const by = this.other(t);
    const m = this.procfsMount();
    const mem = this.fresh(`${t.name.slice(0, 8)}_mem`);
    return this.plan(
      () => ({ kind: 'ptrace', by: by.name, target: t.name, detach: false }),
      this.execBy(t, 'setid'),
      () => (this.alive(by) && this.alive(t) ? this.openNamed(by, `${m}/{${t.name}}/mem`, mem) : null),
      this.useFd(by, mem),
      () => (this.alive(by) && this.alive(t) ? { kind: 'ptrace', by: by.name, target: t.name, detach: true } : null),
    );
  }

  private openNamed(by: ProcInfo, path: string, as: string): Step {
    return this.openNamedFlags(by, path, as, this.flags([2, 2, 1]));
  }

  private openNamedFlags(by: ProcInfo, path: string, as: string, flags: FlagsName): Step {
    this.fds.push({ name: as, owner: by.name, procfs: true });
    return { kind: 'open', by: by.name, path: path.length > 1 ? path.replace(/\/$/, '') : path, flags, excl: false, nofollow: false, cloexec: false, as };
  }

  /** A kqueue, then a fork: fd_copy leaves the kqueue's slot free in the child. */
  private cornerKqueueFork(): Step | null {
    const a = this.actor();
    const kq = this.fresh('kq');
    this.fds.push({ name: kq, owner: a.name, procfs: false });
    return this.plan(
      () => ({ kind: 'kqueue', by: a.name, as: kq }),
      () => (this.session.st.handles.has(kq) ? this.forkThen(a, (c) => this.kqueueChecks(c, kq))() : null),
    );
  }

  /** What a child sees of a kqueue its parent had: its fd directory, the slot through fstat and procfs. */
  private kqueueChecks(c: ProcInfo, kq: string): Intent[] {
    const m = this.procfsMount();
    const live = () => this.alive(c) && this.session.st.handles.has(kq);
    return [
      () => (live() ? { kind: 'fstat', by: c.name, fd: kq } : null),
      () => (live() ? { kind: 'readdir', by: c.name, path: `${m}/{${c.name}}/fd` } : null),
      () => (live() ? { kind: 'lstat', by: c.name, path: `${m}/self/fd/{${kq}}` } : null),
    ];
  }

  /** setgid or setegid (PK_SUGID when the gids change), then a plain exec, then the guarded nodes of self. */
  private cornerSetgidExec(): Step | null {
    const a = this.unprivileged();
    const kind = this.prng.pick<SetidKind>(['setgid', 'setegid']);
    return this.plan(
      () => (this.alive(a) ? this.setidBy(a, kind) : null),
      this.execBy(a, 'plain'),
      this.sugidProbe(a),
    );
  }

  /**
   * A handle (and maybe a current directory) held on a procfs mount, then
   * unmount with or without MNT_FORCE; then the holders use what they hold,
   * and the mount comes back.
   */
  private cornerHeldUnmount(): Step | null {
    const mounts = this.procfsMounts();
    if (mounts.length === 0) return this.mountOn(this.init, this.prng.pick(['/proc', ...this.world.dirs]));
    const m = this.prng.pick(mounts);
    const a = this.actor();
    const t = this.target(a);
    const node = this.prng.weighted<string>([['status', 3], ['mem', 2], ['', 2], ['fd', 1], ['cmdline', 1]]);
    const as = this.fresh(`held_${node || 'dir'}`);
    const b = this.other(a);
    const dir = this.procDir(m, b, t);
    const force = this.prng.chance(1, 2);
    return this.plan(
      () => this.openNamed(a, node === '' ? this.procDir(m, a, t) : `${this.procDir(m, a, t)}/${node}`, as),
      () => (this.alive(b) && this.prng.chance(1, 2) ? { kind: 'chdir', by: b.name, path: dir } : null),
      () => ({ kind: 'unmount', by: 'init', path: m, force }),
      this.useFd(a, as, this.prng.pick(['read', 'fstat'] as const)),
      () => (this.alive(b) ? { kind: 'readdir', by: b.name, path: '.' } : null),
      () => (this.procfsMounts().includes(m) ? null : this.mountOn(this.init, m)),
    );
  }

  /** Unmount every procfs mount, unload the module, try procfs without it, load it back and mount /proc again. */
  private cornerModule(): Step | null {
    const unmounts = this.procfsMounts().map((m): Intent => () => ({ kind: 'unmount', by: 'init', path: m, force: this.prng.chance(3, 4) }));
    return this.plan(
      ...unmounts,
      () => ({ kind: 'modunload', by: 'init', name: 'procfs' }),
      () => this.mountOn(this.init, '/proc'),
      () => ({ kind: 'modload', by: this.unprivileged().name, name: this.prng.pick(['procfs', 'procfs', 'kernfs']) }),
      () => ({ kind: 'modload', by: 'init', name: 'procfs' }),
      () => (this.procfsMounts().includes('/proc') ? null : this.mountOn(this.init, '/proc')),
    );
  }

  /**
   * A Linux program (emul_linux), then its own look at /proc: with procfs on
   * /emul/linux/proc, namei_tryemulroot finds that mount first.
   */
  private cornerLinux(): Step | null {
    const emul = this.world.emulProc;
    const first: Intent[] = [];
    if (emul !== null && !this.procfsMounts().includes(emul)) first.push(() => this.mountOn(this.init, emul));
    if (this.prng.chance(1, 3)) {
      const user = this.user();
      const info = { name: this.fresh(`${user.name}_lx`), user };
      this.procs.push(info);
      first.push(() => ({ kind: 'spawn', as: info.name, uid: user.uid, gid: user.gid, path: this.program('linux').path }));
      return this.plan(...first, ...this.linuxProbes(info, 3));
    }
    const a = this.spawned();
    return this.plan(...first, this.execBy(a, 'linux'), ...this.linuxProbes(a, 3));
  }

  /** What a Linux process does with /proc: its own status and exe, the listing, another's guarded node. */
  private linuxProbes(a: ProcInfo, n: number): Intent[] {
    const out: Intent[] = [];
    for (let i = 0; i < n; i++) {
      out.push(() => {
        if (!this.alive(a)) return null;
        const t = this.target(a);
        const dir = this.procDir('/proc', a, t);
        switch (this.prng.int(6)) {
          case 0: return this.openNode(a, t, 'status', `${dir}/status`);
          case 1: return { kind: 'readlink', by: a.name, path: '/proc/self/exe' };
          case 2: return { kind: 'readdir', by: a.name, path: this.prng.pick(['/proc', `${dir}/task`]) };
          case 3: return { kind: 'stat', by: a.name, path: `${dir}/${this.prng.pick(['mem', 'maps', 'stat', 'cwd'])}` };
          case 4: return this.openRootFile(a);
          default: return { kind: 'lstat', by: a.name, path: this.world.emulProc ?? '/emul/linux' };
        }
      });
    }
    return out;
  }

  /** Forks in a row by one process (a user's mostly): near maxproc fork1 gives EAGAIN, 5 slots earlier to non-root. */
  private cornerForkStorm(): Step | null {
    const a = this.prng.chance(3, 4) ? this.unprivileged() : this.actor();
    const n = Math.min(8, this.kernel.maxproc);
    const forks: Intent[] = [];
    for (let i = 0; i < n; i++) forks.push(() => (this.alive(a) ? this.forkBy(a) : null));
    return this.plan(...forks);
  }

  /** A process that is PK_SUGID (or one that becomes so by a set-id exec), then its guarded nodes by one of its uid. */
  private cornerSugid(): Step | null {
    const sugid = this.living().filter((p) => this.procOf(p.name)!.sugid);
    if (sugid.length > 0 && this.prng.chance(2, 3)) return this.sugidProbe(this.prng.pick(sugid))();
    const a = this.unprivileged();
    return this.plan(this.execBy(a, 'setid'), this.sugidProbe(a));
  }

  /** mem, regs or fpregs of `t` opened by a process with t's real uid (t itself, a sibling), then read. */
  private sugidProbe(t: ProcInfo): Intent {
    return () => {
      if (!this.alive(t)) return null;
      const ruid = this.procOf(t.name)!.cred.ruid;
      const mates = [this.init, ...this.living()].filter((p) => this.procOf(p.name)!.cred.ruid === ruid);
      const by = this.prng.pick(mates.length > 0 ? mates : [t]);
      const step = this.guardedOpenOf(by, t);
      if (step.kind === 'open' && step.as !== undefined) this.soon(this.useFd(by, step.as));
      return step;
    };
  }

  /** `by` opens a guarded node of a live process that `match` picks, when there is one. */
  private guardedOpen(by: ProcInfo, match: (q: Proc) => boolean): Intent {
    return () => {
      const ts = this.living().filter((p) => p !== by && match(this.procOf(p.name)!));
      return this.alive(by) && ts.length > 0 ? this.guardedOpenOf(by, this.prng.pick(ts)) : null;
    };
  }

  private guardedOpenOf(by: ProcInfo, t: ProcInfo): Step {
    const node = this.prng.weighted<string>([['mem', 4], ['regs', 1], ['fpregs', 1]]);
    const path = `${this.procDir(this.procfsMount(), by, t)}/${node}`;
    return this.openNamed(by, path, this.fresh(`${t.name.slice(0, 8)}_${node}`));
  }

  /** A trailing slash after a link, a directory and a file of procfs and of the root file system. */
  private cornerTrailing(): Step | null {
    const a = this.actor();
    const m = this.procfsMount();
    const t = this.target(a);
    const dir = this.procDir(m, a, t);
    const path = this.prng.pick([
      `${m}/self/`, `${m}/curproc/`, `${dir}/exe/`, `${dir}/cwd/`, `${dir}/root/`, `${dir}/status/`, `${dir}/fd/`,
      `${dir}/${this.leaf(t, 'fd/N')}/`, `${m}/`, '/tmp/', '/etc/passwd/', '/etc/localtime/', ...this.world.links.map((l) => `${l}/`),
    ]);
    const kind = this.prng.weighted<'lstat' | 'stat' | 'readlink' | 'open' | 'chdir' | 'readdir'>([
      ['lstat', 3], ['stat', 2], ['readlink', 3], ['open', 2], ['chdir', 1], ['readdir', 1],
    ]);
    if (kind === 'open') return this.openNode(a, t, 'slash', path);
    return { kind, by: a.name, path };
  }
}
