/**
 * What a generated scenario reaches, counted from the scenario itself: its
 * kernel, its steps and the outcome each step had when it was played (the
 * session's records), walked with a small model written from the contract
 * (scenario-format.md §2-§5), never from the generator's own bookkeeping.
 * Each corner is a name; `tally` adds one per scenario step that reaches it.
 */
import type { Outcome } from '../../scenarios/steps.ts';
import type { Scenario, Step } from '../../scenarios/types.ts';

/** Programs of the default root file system (scenario-format.md §3): mode and emulation. */
const DEFAULT_PROGRAMS: Readonly<Record<string, { mode: string; linux: boolean }>> = {
  '/sbin/init': { mode: '0555', linux: false }, '/bin/sh': { mode: '0555', linux: false },
  '/bin/cat': { mode: '0555', linux: false }, '/usr/bin/id': { mode: '0555', linux: false },
  '/usr/bin/passwd': { mode: '4555', linux: false }, '/usr/bin/su': { mode: '4555', linux: false },
  '/usr/bin/wall': { mode: '2555', linux: false }, '/emul/linux/bin/sh': { mode: '0555', linux: true },
};

const ROOT_FILES = new Set(['meminfo', 'cpuinfo', 'uptime', 'mounts', 'devices', 'stat', 'loadavg', 'version']);
const EMUL_PROC = '/emul/linux/proc';

interface ProcModel {
  uid: number;
  linux: boolean;
  /** The current directory is some /proc/N. */
  cwdProc: boolean;
  kqueues: Set<string>;
  gidChanged: boolean;
  traced: boolean;
  /** Descriptor handles it opened on a procfs mount and has not closed, with the mount. */
  held: Map<string, string>;
}

type Add = (corner: string) => void;

/** Count what `s` reaches into `add`; `outcomes[i]` is how step i came out when it was played. */
export function tally(s: Scenario, outcomes: readonly Outcome[], add: Add): void {
  new Walk(s, add).run(outcomes);
}

class Walk {
  private readonly procs = new Map<string, ProcModel>();
  private readonly mounts: Set<string>;
  private readonly programs = new Map(Object.entries(DEFAULT_PROGRAMS));

  constructor(private readonly s: Scenario, private readonly add: Add) {
    this.mounts = new Set(s.kernel.procfs.map((m) => m.path));
    this.procs.set('init', model(0));
    for (const f of s.kernel.files) if (f.type === 'file') this.programs.set(f.path, { mode: f.mode.padStart(4, '0'), linux: f.emul === 'linux' });
    this.kernel();
  }

  private kernel(): void {
    const k = this.s.kernel;
    if (k.maxproc < 1044) this.add('kernel: small maxproc');
    if (k.pageSize !== 4096) this.add('kernel: pageSize other than 4096');
    if (k.pidMax < 30000) this.add('kernel: small pidMax');
    if (k.procfs.length === 0) this.add('kernel: no procfs mount');
    if (k.procfs.some((m) => !m.linux)) this.add('kernel: procfs mount without linux');
    if (k.procfs.some((m) => m.path === EMUL_PROC)) this.add('kernel: procfs on /emul/linux/proc');
    if (k.files.some((f) => f.type === 'link')) this.add('kernel: files with a link');
    if (k.files.some((f) => f.emul === 'linux')) this.add('kernel: files with a Linux program');
  }

  run(outcomes: readonly Outcome[]): void {
    this.s.steps.forEach((step, i) => {
      const out = outcomes[i];
      if (out === undefined) return;
      this.fields(step);
      this.expect(step);
      this.step(step, out);
    });
  }

  // ---- fields and flags ----

  private fields(step: Step): void {
    const add = this.add;
    add(`kind: ${step.kind}`);
    if (step.kind !== 'spawn' && step.by !== 'init') add('field: by other than init');
    if ('path' in step && step.path.length > 1 && step.path.endsWith('/')) add(`trailing slash: ${step.kind}`);
    if ('fd' in step) add(typeof step.fd === 'number' ? 'field: fd as an integer' : step.fd.startsWith('{') ? 'field: fd as {h}' : 'field: fd as a handle');
    switch (step.kind) {
      case 'spawn':
        if (step.uid !== 0) add('field: spawn uid');
        if (step.gid !== 0) add('field: spawn gid');
        if (step.path !== '/bin/sh') add('field: spawn path');
        if (step.pid !== undefined) add('field: spawn pid');
        break;
      case 'fork':
        if (typeof step.pid === 'number') add('field: fork pid');
        if (typeof step.pid === 'string') add('field: fork pid as {h}');
        break;
      case 'exit': if (step.status !== 0) add('field: exit status'); break;
      case 'wait':
        if (step.child === undefined) add('field: wait without child');
        else add(typeof step.child === 'number' ? 'field: wait child as an integer' : step.child.startsWith('{') ? 'field: wait child as {h}' : 'field: wait child');
        break;
      case 'ptrace':
        if (step.detach) add('field: ptrace detach');
        if (typeof step.target === 'number') add('field: ptrace target as an integer');
        if (typeof step.target === 'string' && step.target.startsWith('{')) add('field: ptrace target as {h}');
        break;
      case 'open':
        add(`field: open flags ${step.flags}`);
        if (step.excl) add('field: open excl');
        if (step.nofollow) add('field: open nofollow');
        if (step.cloexec) add('field: open cloexec');
        if (step.as === undefined) add('field: open without as');
        break;
      case 'pipe': if (step.as === undefined) add('field: pipe without as'); break;
      case 'newfd': add(`field: newfd type ${step.type}`); break;
      case 'read':
        if (step.size !== 64) add('field: read size');
        if (step.offset !== 0) add('field: read offset');
        break;
      case 'write':
        if (step.data !== '') add('field: write data');
        if (step.offset !== 0) add('field: write offset');
        break;
      case 'dup2': add(typeof step.to === 'number' ? 'field: dup2 to an integer' : 'field: dup2 to a handle'); break;
      case 'mount':
        add(step.args === null ? 'field: mount args null' : step.args === 'short' ? 'field: mount args short' : 'field: mount args {version, flags}');
        if (step.update) add('field: mount update');
        break;
      case 'unmount': add(step.force ? 'field: unmount force' : 'field: unmount without force'); break;
      case 'modload': case 'modunload': if (step.name !== 'procfs') add(`field: ${step.kind} name other than procfs`); break;
      default: break;
    }
  }

  private expect(step: Step): void {
    const e = step.expect;
    if (e === undefined) return;
    if (e.errno === undefined) this.add('expect: success (no errno)');
    else this.add(e.errno === 'any' ? 'expect: errno any' : 'expect: an exact errno');
    for (const k of Object.keys(e)) if (k !== 'errno') this.add(`expect: ${k}`);
    const keys = Object.keys(e.entryTypes ?? {});
    if (keys.some((k) => /^[0-9]+$/.test(k))) this.add('expect: entryTypes with a numeric name');
    if (keys.some((k) => /^\{[a-z][a-z0-9_]*\}$/.test(k))) this.add('expect: entryTypes with a {h} name');
    if (e.dataMatches !== undefined && /\{[0-9]/.test(e.dataMatches)) this.add('expect: dataMatches with a {n,m} quantifier');
  }

  // ---- what the step did ----

  private proc(name: string): ProcModel {
    let p = this.procs.get(name);
    if (p === undefined) this.procs.set(name, (p = model(0)));
    return p;
  }

  private under(path: string): string | undefined {
    return [...this.mounts].find((m) => path === m || path.startsWith(`${m}/`));
  }

  /** /proc/N (a pid, `{h}`, self or curproc) under a mounted procfs. */
  private procDir(path: string): boolean {
    const m = this.under(path);
    return m !== undefined && /^\/(?:[0-9]+|\{[a-z][a-z0-9_]*\}|self|curproc)\/?$/.test(path.slice(m.length));
  }

  private step(step: Step, out: Outcome): void {
    const ok = 'ok' in out;
    const add = this.add;
    if (step.kind === 'spawn') {
      if (ok) this.procs.set(step.as, { ...model(Number(step.uid)), linux: this.programs.get(step.path)?.linux ?? false });
      return;
    }
    const by = this.proc(step.by);
    if ('path' in step && step.path.startsWith('/proc') && by.linux && this.mounts.has(EMUL_PROC)) add('corner: a Linux program looks at /proc with procfs on /emul/linux/proc');
    switch (step.kind) {
      case 'fork':
        if (!ok && out.errno === 'EAGAIN' && this.s.kernel.maxproc < 1044) add(by.uid === 0 ? 'corner: fork at maxproc (EAGAIN)' : 'corner: fork by non-root near maxproc (EAGAIN)');
        if (by.kqueues.size > 0) add('corner: kqueue then fork');
        if (ok) this.procs.set(step.as, { ...by, traced: false, kqueues: new Set(by.kqueues), held: new Map() });
        break;
      case 'exec': this.exec(step, by, ok); break;
      case 'exit': by.held.clear(); break;
      case 'setuid': case 'seteuid': case 'setgid': case 'setegid':
        if (by.uid !== 0) add(`corner: ${step.kind} by non-root`);
        if (ok && (step.kind === 'setgid' || step.kind === 'setegid')) by.gidChanged = true;
        if (ok && step.kind === 'setuid') by.uid = Number(step.id);
        break;
      case 'ptrace':
        if (ok && typeof step.target === 'string' && !step.target.startsWith('{')) this.proc(step.target).traced = !step.detach;
        break;
      case 'chdir':
        if (ok) by.cwdProc = this.procDir(step.path);
        break;
      case 'chroot': this.chroot(step.path, by, ok); break;
      case 'open': this.open(step, by, out); break;
      case 'close': if (typeof step.fd === 'string') by.held.delete(step.fd); break;
      case 'dup2':
        if (ok && typeof step.to === 'number' && [18, 19, 48, 49].includes(step.to)) add(`corner: dup2 to ${step.to}`);
        break;
      case 'kqueue': if (ok && step.as !== undefined) by.kqueues.add(step.as); break;
      case 'pipe': if (ok && Math.max(...(out.ok.fds as number[])) >= 18) add('corner: 19 or more descriptors in one table'); break;
      case 'mount': if (ok && !step.update) this.mounts.add(step.path); break;
      case 'unmount': this.unmount(step.path, step.force, ok); break;
      case 'modunload': if (ok) add('corner: modunload succeeds'); break;
      case 'modload': if (ok) add('corner: modload succeeds'); break;
      case 'read': break;
      default: break;
    }
  }

  private exec(step: Extract<Step, { kind: 'exec' }>, by: ProcModel, ok: boolean): void {
    const add = this.add;
    const path = step.path;
    const m = this.under(path);
    const inside = m === undefined ? '' : path.slice(m.length);
    if (m !== undefined && /^\/(self|curproc)\/exe$/.test(inside)) add('corner: exec /proc/self/exe');
    if (m !== undefined && /^\/(?:[0-9]+|\{[a-z][a-z0-9_]*\})\/file$/.test(inside)) add('corner: exec /proc/N/file');
    if (!path.startsWith('/') && by.cwdProc) add('corner: exec a relative path from a cwd inside /proc/N');
    const prog = this.programs.get(path);
    if (prog !== undefined) {
      const setid = prog.mode[0] === '4' ? 'set-uid' : prog.mode[0] === '2' ? 'set-gid' : null;
      if (prog.linux) add('corner: exec a Linux program');
      if (setid !== null) add(`corner: exec a ${setid} program`);
      if (setid !== null && by.traced) add('corner: ptrace then set-id exec');
      if (setid === null && !prog.linux && by.gidChanged) add('corner: setgid or setegid then plain exec');
      if (ok) by.linux = prog.linux;
    }
    if (ok) by.gidChanged = false;
  }

  private chroot(path: string, by: ProcModel, ok: boolean): void {
    if (path === '/') this.add('corner: chroot /');
    else if (this.mounts.has(path.replace(/\/$/, ''))) this.add('corner: chroot /proc');
    else if (this.procDir(path)) this.add('corner: chroot /proc/N');
    if (by.cwdProc && this.mounts.has(path)) this.add('corner: chroot /proc with a cwd inside /proc/N');
    if (ok) by.cwdProc = by.cwdProc && this.under(path) !== undefined;
  }

  private open(step: Extract<Step, { kind: 'open' }>, by: ProcModel, out: Outcome): void {
    const m = this.under(step.path);
    if (m !== undefined && ROOT_FILES.has(step.path.slice(m.length + 1))) this.add('corner: open a file at the top of procfs');
    const prog = this.programs.get(step.path);
    if (prog !== undefined && step.flags !== 'r') this.add('corner: open a program for writing');
    if (!('ok' in out)) return;
    const fd = out.ok.fd as number;
    if (fd >= 18) this.add('corner: 19 or more descriptors in one table');
    if (fd >= 20) this.add('corner: open past 20');
    if (fd >= 50) this.add('corner: open past 50');
    if (m !== undefined && step.as !== undefined) by.held.set(step.as, m);
  }

  private unmount(path: string, force: boolean, ok: boolean): void {
    const held = [...this.procs.values()].some((p) => [...p.held.values()].includes(path));
    if (held) this.add(force ? 'corner: forced unmount while handles are held' : 'corner: unmount while handles are held');
    if (!ok) return;
    this.mounts.delete(path);
    for (const p of this.procs.values()) for (const [h, m] of p.held) if (m === path) p.held.delete(h);
  }
}

function model(uid: number): ProcModel {
  return { uid, linux: false, cwdProc: false, kqueues: new Set(), gidChanged: false, traced: false, held: new Map() };
}
