/**
 * The fuzz invariants: checks beside the always-on oracle, written from
 * netbsd-procfs.md §2.2, §4 and §5 and computed from kernel state (process
 * credentials, PK_SUGID, securelevel, descriptor tables) and the kernel's
 * events. They never call procfs code. Each violation names the NetBSD
 * function whose rule it breaks, in brackets, so failures can be classed.
 *
 * 1. kauth (§5.1-§5.4): an open, read or write of a procfs node succeeds only
 *    where KAUTH_PROCESS_PROCFS would allow it at that moment.
 * 2. revocation (§4.2-§4.5): a vnode of pid P that existed when P finished a
 *    set-id exec or exited never serves a read, write, fstat or relative
 *    lookup afterwards (its holders see deadfs).
 * 3. getattr (§1.2): stat of mem, regs or fpregs of a PK_SUGID process shows 0000.
 */
import type { Cred } from '../../emulator/cred.ts';
import type { KernelEvent } from '../../emulator/events.ts';
import type { Kernel } from '../../emulator/kernel.ts';
import type { Proc } from '../../emulator/proc.ts';
import type { Vnode } from '../../emulator/vnode.ts';
import { parseKey, vnodeName } from '../names.ts';
import type { RunState } from '../runner.ts';
import { expandString } from '../runner.ts';
import type { Outcome } from '../steps.ts';
import type { Ref, Step } from '../types.ts';

export type ProcfsReq = 'READ' | 'WRITE' | 'RW';

/** The node types procfs_listener_cb restricts (§5.2). */
const GUARDED = new Set(['mem', 'regs', 'fpregs']);

/** pfstype values of the guarded nodes (§1.1), for decoding file numbers (§2.2). */
const GUARDED_PFSTYPE: Readonly<Record<number, string>> = { 13: 'fpregs', 18: 'mem', 24: 'regs' };

/** The target of a KAUTH_PROCESS_PROCFS request, as kernel state shows it. */
export interface KauthTarget {
  pid: number;
  cred: Cred;
  sugid: boolean;
}

/**
 * §5.4: the decision for KAUTH_PROCESS_PROCFS, or null when allowed.
 * secmodel_securelevel DENYs writes of init at securelevel > -1 (root too);
 * secmodel_suser ALLOWs euid 0; procfs_listener_cb ALLOWs every node but
 * mem/regs/fpregs, and those only to a caller with the target's real uid
 * when the target is not PK_SUGID; all DEFER gives EPERM.
 */
export function kauthProcfs(caller: Cred, node: string, t: KauthTarget, req: ProcfsReq, securelevel: number): string | null {
  if (req !== 'READ' && t.pid === 1 && securelevel > -1) {
    return `secmodel_securelevel denies ${req} of init at securelevel ${securelevel}`;
  }
  if (caller.euid === 0) return null;
  if (!GUARDED.has(node)) return null;
  if (caller.ruid !== t.cred.ruid) {
    return `caller real uid ${caller.ruid} is not the target's ${t.cred.ruid} (effective ${caller.euid}), so every listener defers`;
  }
  if (t.sugid) return `the target is PK_SUGID, so every listener defers`;
  return null;
}

interface Doom {
  pid: number;
  why: 'exit' | 'set-id exec';
  name: string;
}

/** What a step needs remembered from before it ran. */
interface Before {
  actor: Proc | null;
  cwd: Vnode | null;
}

export class Invariants {
  /** Vnodes of a pid that existed when it finished a set-id exec or exited. */
  private readonly doomed = new Map<Vnode, Doom>();
  /** The procfs vnodes of a pid at exec-begin/exit-begin, judged at the end of the exec or exit. */
  private readonly pending = new Map<number, Vnode[]>();
  private before: Before = { actor: null, cwd: null };

  constructor(private readonly k: Kernel, private readonly pfsLast: number) {
    k.subscribe((e) => this.onEvent(e));
  }

  private onEvent(e: KernelEvent): void {
    switch (e.kind) {
      case 'exec-begin':
      case 'exit-begin':
        this.pending.set(e.pid, this.procfsVnodesOf(e.pid));
        return;
      case 'exec':
        // The exec hook revokes only when the process is PK_SUGID after credexec (§4.3).
        if (e.sugid) this.doom(e.pid, 'set-id exec');
        this.pending.delete(e.pid);
        return;
      case 'exit':
        this.doom(e.pid, 'exit');
        this.pending.delete(e.pid);
        return;
      default:
        return;
    }
  }

  private doom(pid: number, why: Doom['why']): void {
    for (const { vp, name } of (this.pending.get(pid) ?? []).map((vp) => ({ vp, name: this.nameOf(vp) }))) {
      if (!this.doomed.has(vp)) this.doomed.set(vp, { pid, why, name });
    }
  }

  private nameOf(vp: Vnode): string {
    return vnodeName(vp.mount.path, vp.key);
  }

  /** Every cached vnode of `pid` on every procfs mount (the hook's reach, §4.2). */
  private procfsVnodesOf(pid: number): Vnode[] {
    const out: Vnode[] = [];
    for (const mp of this.k.mountlist) {
      if (mp.ops.name !== 'procfs') continue;
      for (const vp of mp.vcache.values()) if (parseKey(vp.key).pid === pid) out.push(vp);
    }
    return out;
  }

  /** Remember the actor and its current directory before the step runs. */
  beforeStep(st: RunState, step: Step): void {
    const by = step.kind === 'spawn' ? 'init' : step.by;
    const h = st.handles.get(by);
    const actor = h?.kind === 'proc' ? h.proc : null;
    this.before = { actor, cwd: actor?.cwd ?? null };
  }

  /** The first invariant the step broke, as a message, or null. */
  afterStep(st: RunState, step: Step, out: Outcome): string | null {
    if (!('ok' in out)) return null;
    const p = this.before.actor;
    if (p === null) return null;
    switch (step.kind) {
      case 'read':
      case 'write':
      case 'fstat': {
        const fd = resolveRef(st, step.fd);
        const vp = fd === null ? null : (p.fd.get(fd)?.file.vnode ?? null);
        if (vp === null) return null;
        return this.revoked(step.kind, `descriptor ${fd}`, vp) ??
          (step.kind === 'fstat' ? this.sugidMode(out, vp) : this.kauthRw(p, vp, step.kind === 'read' ? 'READ' : 'WRITE'));
      }
      case 'open': {
        const vp = p.fd.get(out.ok.fd as number)?.file.vnode ?? null;
        const req: ProcfsReq = step.flags === 'r' ? 'READ' : step.flags === 'w' ? 'WRITE' : 'RW';
        return this.relative(st, step) ?? (vp === null ? null : this.kauthOpen(p, vp, req));
      }
      case 'lstat':
      case 'stat':
        return this.relative(st, step) ?? this.sugidModeByPath(st, step.path, out);
      case 'readlink':
      case 'readdir':
      case 'chdir':
        return this.relative(st, step);
      default:
        return null;
    }
  }

  private revoked(what: string, via: string, vp: Vnode): string | null {
    const d = this.doomed.get(vp);
    if (d === undefined) return null;
    return `invariant: ${what} through ${via} (${d.name}) succeeded, but that vnode existed when pid ${d.pid} ` +
      `finished its ${d.why}; NetBSD revokes it then and its holders see deadfs [procfs_exechook_cb]`;
  }

  /** A relative lookup starts at the actor's current directory: a revoked one answers ENOENT (dead_lookup). */
  private relative(st: RunState, step: Step & { path: string }): string | null {
    const cwd = this.before.cwd;
    if (cwd === null || step.path.startsWith('/')) return null;
    const first = expandString(st, step.path).split('/').find((c) => c !== '' && c !== '.');
    if (first === undefined || first === '..') return null;
    return this.revoked(`${step.kind} of relative path ${JSON.stringify(step.path)}`, 'the current directory', cwd);
  }

  /** The guarded node behind a procfs vnode, with its target, or null. */
  private procfsNode(vp: Vnode): { type: string; target: Proc } | null {
    if (vp.mount.ops.name !== 'procfs') return null;
    const { type, pid } = parseKey(vp.key);
    const target = pid === 0 ? this.k.proc0 : this.k.procFind(pid);
    return target === null ? null : { type, target };
  }

  private kauthOpen(p: Proc, vp: Vnode, req: ProcfsReq): string | null {
    return this.kauth(p, vp, req, 'open');
  }

  private kauthRw(p: Proc, vp: Vnode, req: ProcfsReq): string | null {
    return this.kauth(p, vp, req, req === 'READ' ? 'read' : 'write');
  }

  private kauth(p: Proc, vp: Vnode, req: ProcfsReq, what: string): string | null {
    const n = this.procfsNode(vp);
    if (n === null) return null;
    const why = kauthProcfs(p.cred, n.type, { pid: n.target.pid, cred: n.target.cred, sugid: n.target.sugid }, req, this.k.securelevel);
    if (why === null) return null;
    return `invariant: ${what} of ${this.nameOf(vp)} (${req}) by pid ${p.pid} succeeded, but KAUTH_PROCESS_PROCFS ` +
      `refuses it: ${why} [procfs_listener_cb]`;
  }

  /** fstat: the vnode names the node. */
  private sugidMode(out: { ok: Record<string, unknown> }, vp: Vnode): string | null {
    const n = this.procfsNode(vp);
    if (n === null || !GUARDED.has(n.type)) return null;
    return this.checkMode(this.nameOf(vp), n.target, out.ok.mode);
  }

  /**
   * lstat/stat: the file number names the node (§2.2: (pid + 1) * PFSlast +
   * type for a per-process node), checked against the path's last component.
   */
  private sugidModeByPath(st: RunState, path: string, out: { ok: Record<string, unknown> }): string | null {
    if (out.ok.vtype !== 'VREG' || typeof out.ok.fileno !== 'number') return null;
    const fileno = out.ok.fileno;
    const type = GUARDED_PFSTYPE[fileno % this.pfsLast];
    const last = expandString(st, path).split('/').filter((c) => c !== '').pop();
    if (type === undefined || type !== last) return null;
    const pid = Math.floor(fileno / this.pfsLast) - 1;
    const target = pid === 0 ? this.k.proc0 : this.k.procFind(pid);
    if (target === null) return null;
    return this.checkMode(`${path} (pid ${pid})`, target, out.ok.mode);
  }

  private checkMode(name: string, target: Proc, mode: unknown): string | null {
    if (!target.sugid || mode === '0000') return null;
    return `invariant: stat of ${name} shows mode ${String(mode)}, but pid ${target.pid} is PK_SUGID and ` +
      `NetBSD clears the mode of mem, regs and fpregs to 0000 [procfs_getattr]`;
  }
}

/** A `fd`/`to`/`child`/`target` value as a number (handles resolved), or null when it has none. */
export function resolveRef(st: RunState, v: Ref): number | null {
  if (typeof v === 'number') return v;
  if (v.startsWith('{')) {
    const n = Number(expandString(st, v));
    return Number.isInteger(n) ? n : null;
  }
  const h = st.handles.get(v);
  if (h === undefined) return null;
  return h.kind === 'proc' ? h.pid : h.fd;
}
