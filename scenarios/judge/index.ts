/**
 * The judge: one checker for `run`, `replay` and `fuzz`. It follows the
 * kernel through its events and reads kernel state (process table,
 * credentials, descriptor tables, cwd and root, the mount list, p_path, the
 * vnode caches); it never calls procfs code. Each rule is a small named
 * function written from a NetBSD function (table.ts lists them); the runner
 * and the fuzzer only ask the judge: executeStep tells it a step begins and
 * what came out, and checkState() after every step gives what broke.
 *
 * A violation reads `oracle: <rule>: <what> [<NetBSD function>]`; the
 * bracket is the failure class the fuzzer shrinks by.
 */
import { credCreate } from '../../emulator/cred.ts';
import type { KernelEvent } from '../../emulator/events.ts';
import type { File } from '../../emulator/file.ts';
import type { Kernel } from '../../emulator/kernel.ts';
import type { Mount } from '../../emulator/mount.ts';
import type { Proc } from '../../emulator/proc.ts';
import type { Vnode } from '../../emulator/vnode.ts';
import { vnodeName } from '../names.ts';
import type { RunState } from '../runner.ts';
import type { Outcome } from '../steps.ts';
import type { IntOrRef, Ref, Step } from '../types.ts';
import {
  checkCachedType, checkHash, checkLinuxOnly, checkUnmounted, checkUsecounts, expectedAtLoad, hashOf, HolderCounts, isLinuxOnlyKey,
  isProcfs, keyPid, recName, ruleEvictionCause, ruleHookEvictsPid, ruleInactiveRecycle, ruleLoadNeedsProcess, type HashView,
} from './cache.ts';
import { checkForkCopy, checkTableSize, grown, lastfile, copiedSize, NDFILE, ruleExecClosesExclose } from './fd.ts';
import {
  checkDerived, checkForkSugid, compareHook, countRuid, credexec, credText, execExpectation, exitExpectation, imageOf,
  ruleChrootSugid, ruleForkLimit, ruleSetid,
} from './lifecycle.ts';
import type { Loaded } from './nodes.ts';
import type { Args, Before, Derived, Eviction, HookExpectation, JudgeCore, StepView, VnodeRecord } from './state.ts';
import { STEP_RULES, ruleNamed } from './table.ts';
import type { Finding, MemFlags } from './vfs.ts';
import { resolveStep } from './vfs.ts';
import type { JNode, MountView } from './walk.ts';
import { isNo, nodeKey, nodeOf, sameNode } from './walk.ts';

export { RULES } from './table.ts';
export type { Rule } from './table.ts';
export { kauthProcfs } from './kauth.ts';
export type { KauthTarget, ProcfsReq } from './kauth.ts';

export interface Violation {
  message: string;
  /** The judge rule that broke (table.ts). */
  rule: string;
}

/** What the judge needs to know of a scenario's kernel that the kernel does not keep: PFSlast and the boot mounts' arguments. */
export interface JudgeSpec {
  pfsLast: number;
  procfs: readonly { path: string; linux: boolean }[];
}

/** Where a pid is in its life, as the events tell it. */
interface PidState {
  live: boolean;
  inExec: boolean;
  inExit: boolean;
}

const FWRITE = 0x2;
const O_EXCL = 0x800;

/** The judge's `{h}` expansion (the contract's, section 2); null when a handle has no value. */
function expand(st: RunState, s: string): string | null {
  if (!s.includes('{') && !s.includes('}')) return s;
  let bad = false;
  const out = s.replace(/\{\{|\}\}|\{([a-z][a-z0-9_]*)\}/g, (m, name: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const h = st.handles.get(name!);
    if (h === undefined) {
      bad = true;
      return '';
    }
    return String(h.kind === 'proc' ? h.pid : h.fd);
  });
  return bad ? null : out;
}

function intOf(st: RunState, v: IntOrRef | undefined): number | null {
  if (v === undefined) return null;
  if (typeof v === 'number') return v;
  const s = expand(st, v);
  return s === null ? null : Number(s);
}

/** A `fd`/`to`/`child`/`target` value as a number (handles resolved), or null when it has none. */
export function resolveRef(st: RunState, v: Ref): number | null {
  if (typeof v === 'number') return v;
  if (v.startsWith('{')) {
    const s = expand(st, v);
    const n = s === null ? NaN : Number(s);
    return Number.isInteger(n) ? n : null;
  }
  const h = st.handles.get(v);
  if (h === undefined) return null;
  return h.kind === 'proc' ? h.pid : h.fd;
}

function argsOf(st: RunState, step: Step): Args | null {
  const s = step as Step & Record<string, unknown>;
  const path = typeof s.path === 'string' ? expand(st, s.path) : null;
  if (typeof s.path === 'string' && path === null) return null;
  const fd = s.fd === undefined ? null : resolveRef(st, s.fd as Ref);
  const to = s.to === undefined ? null : resolveRef(st, s.to as Ref);
  let version: number | null = null;
  let mflags: number | null = null;
  if (step.kind === 'mount' && step.args !== null) {
    if (step.args === 'short') mflags = 0;
    else {
      version = intOf(st, step.args.version);
      mflags = intOf(st, step.args.flags);
    }
  }
  return {
    path, fd, to, id: intOf(st, s.id as IntOrRef | undefined), offset: intOf(st, s.offset as IntOrRef | undefined), version, mflags,
    uid: intOf(st, s.uid as IntOrRef | undefined), gid: intOf(st, s.gid as IntOrRef | undefined),
  };
}

export class Judge implements JudgeCore {
  readonly pfsLast: number;
  records = new Map<Vnode, VnodeRecord>();
  derived = new Map<Proc, Derived>();
  mountFlags = new Map<Mount, number>();
  opened = new WeakMap<File, JNode>();
  nfiles = new Map<Proc, number>();
  private readonly holders = new HolderCounts();
  private readonly born = new Map<Proc, number>();
  private bornSeq = 0;
  private readonly pids = new Map<number, PidState>();
  private readonly doomed = new Map<number, number>();
  private readonly dirtyBuckets = new Set<number>();
  private hashtab: HashView | null = null;
  private readonly hooks = new Map<number, HookExpectation>();
  private readonly hookEvictions = new Map<number, Eviction[]>();
  private readonly memFlags = new Map<Vnode, number>();
  private readonly memFiles = new Map<File, Vnode>();
  private unmounted: Mount[] = [];
  /** What the step rules are given beside the step's view (made once: a closure per step costs). */
  private readonly ruleEnv: { memFlags: MemFlags } = { memFlags: (n) => this.memFlagsOf(n.mp, nodeKey(n)) };
  private cur: { step: Step; args: Args; before: Before; evictions: Eviction[]; loaded: Vnode[]; setidExec: boolean } | null = null;
  private violations: Violation[] = [];

  constructor(readonly k: Kernel, spec?: JudgeSpec) {
    this.pfsLast = spec?.pfsLast ?? moduleLast(k) ?? 33;
    for (const p of [...k.allproc, ...k.zombproc].reverse()) this.born.set(p, this.bornSeq++);
    for (const p of k.pidTable.values()) {
      this.pids.set(p.pid, { live: p.stat === 'SACTIVE' || p.stat === 'SSTOP', inExec: false, inExit: false });
      this.derived.set(p, { cred: p.cred, sugid: p.sugid });
      this.nfiles.set(p, p.fd.nfiles);
    }
    const boot = [...(spec?.procfs ?? [])];
    for (const mp of k.mountlist) {
      if (!isProcfs(mp)) continue;
      const i = boot.findIndex((m) => m.path === mp.path);
      if (i >= 0) this.mountFlags.set(mp, boot.splice(i, 1)[0]!.linux ? 1 : 0);
      else this.mountFlags.set(mp, (mp.data as { flags?: number } | null)?.flags ?? 0); // made before the judge, arguments unknown: mnt_data's
      for (const vp of mp.vcache.values()) this.records.set(vp, { expected: expectedAtLoad(k, vp.key, 1), pid: keyPid(vp.key), linuxOnly: isLinuxOnlyKey(vp.key), mountPath: mp.path, key: vp.key, mp });
    }
    k.subscribe((e) => this.onEvent(e));
  }

  // ---- JudgeCore ----

  procsNewestFirst(): Proc[] {
    const live = [...this.k.pidTable.values()].filter((p) => p.stat !== 'SZOMB');
    return live.sort((a, b) => (this.born.get(b) ?? -1) - (this.born.get(a) ?? -1));
  }

  cachedLoad(mp: Mount, key: string): Loaded | null {
    const vp = mp.vcache.get(key);
    const rec = vp === undefined ? undefined : this.records.get(vp);
    return rec === undefined || typeof rec.expected === 'string' ? null : rec.expected;
  }

  private fail(rule: string, message: string, fn?: string): void {
    const r = ruleNamed(rule);
    this.violations.push({ rule, message: `${rule}: ${message} [${fn ?? r.fn}]` });
  }

  private pidState(pid: number): PidState {
    let s = this.pids.get(pid);
    if (s === undefined) this.pids.set(pid, (s = { live: false, inExec: false, inExit: false }));
    return s;
  }

  private derivedOf(p: Proc): Derived {
    return this.derived.get(p) ?? { cred: p.cred, sugid: p.sugid };
  }

  // ---- steps ----

  /** Before a step runs: the actor and the kernel as they are now. */
  beforeStep(st: RunState, step: Step): void {
    this.cur = null;
    const by = step.kind === 'spawn' ? 'init' : step.by;
    const h = st.handles.get(by);
    const args = argsOf(st, step);
    if (h?.kind !== 'proc' || args === null) return;
    const p = h.proc;
    if (p.stat === 'SZOMB' || p.stat === 'SDYING' || this.k.pidTable.get(p.pid) !== p) return;
    const cached = new Map<Mount, Vnode[]>();
    if (step.kind === 'unmount') for (const mp of this.k.mountlist) if (isProcfs(mp)) cached.set(mp, [...mp.vcache.values()]);
    const before: Before = {
      actor: p, pid: p.pid, cred: p.cred, sugid: p.sugid, traced: p.tracer !== null, emul: p.emul,
      cwd: nodeOf(this.k, p.cwd), root: nodeOf(this.k, p.root),
      edir: nodeOf(this.k, (p as { edir?: Vnode | null }).edir ?? null), // cwdi_edir, where the engine keeps one
      slots: p.fd.slots.map((x) => (x === undefined ? undefined : { file: x.file, cloexec: x.cloexec })),
      nfiles: p.fd.nfiles, nprocs: this.k.nprocs, mounts: this.mountViews(), cached,
      derived: this.derived.get(p) ?? null, procfsRegistered: this.k.vfsList.has('procfs'),
      ruidCount: step.kind === 'fork' ? countRuid(this.k, p.cred.ruid) : 0,
      pidBusy: step.kind === 'fork' || step.kind === 'spawn' ? this.pidBusy(st, step) : null,
    };
    this.cur = { step, args, before, evictions: [], loaded: [], setidExec: false };
  }

  /** A pid a fork or spawn asks for: null when free, else the errno the fixture gives (EINVAL, EAGAIN); EAGAIN too when no pid is free. */
  private pidBusy(st: RunState, step: Step & { kind: 'fork' | 'spawn' }): string | null {
    const req = intOf(st, step.pid);
    if (req !== null) {
      if (!Number.isInteger(req) || req < 2 || req >= this.k.pidMax) return 'EINVAL';
      return this.k.pidTable.has(req) ? 'EAGAIN' : null;
    }
    for (let pid = 2; pid < this.k.pidMax; pid++) if (!this.k.pidTable.has(pid)) return null;
    return 'EAGAIN';
  }

  private mountViews(): MountView[] {
    return this.k.mountlist.filter(isProcfs).map((mp) => ({ mp, covered: nodeOf(this.k, mp.covered), flags: this.mountFlags.get(mp) ?? 0 }));
  }

  /** After the step: every step rule of its kind, then the life-cycle bookkeeping. */
  afterStep(_st: RunState, step: Step, out: Outcome): void {
    const c = this.cur;
    this.cur = null;
    if (c === null || c.step !== step) return;
    const v: StepView = { k: this.k, j: this, step, args: c.args, before: c.before, out, evictions: c.evictions, loaded: c.loaded, memo: new Map() };
    for (const r of STEP_RULES.get(step.kind) ?? []) {
      const f = r.check!(v, this.ruleEnv);
      if (f !== null) this.fail(r.name, f.msg, f.fn);
    }
    this.lifecycleStep(v);
    if (step.kind === 'open' && 'ok' in out) this.afterOpen(v);
    this.trackMemCloses();
    if (step.kind === 'unmount') {
      for (const mp of this.unmounted) for (const m of checkUnmounted(this.hashtab?.() ?? null, mp)) this.fail('ruleUnmountLeavesNothing', m);
      this.unmounted = [];
    }
  }

  /** The life-cycle step rules (lifecycle.ts), which also keep the derived credentials. */
  private lifecycleStep(v: StepView): void {
    const s = v.step;
    let f: Finding | null = null;
    let rule = '';
    switch (s.kind) {
      case 'fork':
      case 'spawn':
        [rule, f] = ['ruleForkLimit', ruleForkLimit(v)];
        break;
      case 'setuid':
      case 'seteuid':
      case 'setgid':
      case 'setegid':
        [rule, f] = ['ruleSetid', ruleSetid(v, s.kind, this.derived)];
        break;
      case 'chroot':
        [rule, f] = ['ruleChrootSugid', ruleChrootSugid(v, this.derived)];
        break;
      default: return;
    }
    if (f !== null) this.fail(rule, f.msg, f.fn);
  }

  /** An open succeeded: the file must name the node the walk reached; mem write opens set pfs_flags. */
  private afterOpen(v: StepView): void {
    const step = v.step;
    if (step.kind !== 'open' || !('ok' in v.out)) return;
    const fd = v.out.ok.fd as number;
    const file = v.before.actor.fd.get(fd)?.file;
    if (file === undefined || file.vnode === null) return;
    const got = nodeOf(this.k, file.vnode)!;
    const r = resolveStep(v, !step.nofollow);
    const want = r !== null && !isNo(r) && r.procfs ? r.node : null;
    if (want !== null && !sameNode(want, got)) {
      this.fail('ruleKauthTwoSided', `open ${JSON.stringify(v.args.path)} by pid ${v.before.pid} opened ${nodeTextOf(got)}; the lookup reaches ${nodeTextOf(want)}`, 'procfs_lookup');
    }
    this.opened.set(file, got);
    if (got.fs === 'pfs' && got.type === 'mem') {
      this.memFiles.set(file, file.vnode);
      if (step.flags !== 'r') this.memFlags.set(file.vnode, (FWRITE | (step.excl ? O_EXCL : 0)));
    }
  }

  private memFlagsOf(mp: Mount, key: string): number {
    const vp = mp.vcache.get(key);
    return vp === undefined ? 0 : (this.memFlags.get(vp) ?? 0);
  }

  /** procfs_close on the last close of a mem file: a writer closing an exclusive open clears both flags. */
  private trackMemCloses(): void {
    if (this.memFiles.size === 0) return;
    const live = new Set<File>();
    for (const p of this.k.pidTable.values()) for (const s of p.fd.slots) if (s !== undefined) live.add(s.file);
    for (const [file, vp] of this.memFiles) {
      if (live.has(file)) continue;
      this.memFiles.delete(file);
      const f = this.memFlags.get(vp) ?? 0;
      if (file.flag & FWRITE && f & O_EXCL) this.memFlags.set(vp, 0);
    }
  }

  // ---- events ----

  private onEvent(e: KernelEvent): void {
    switch (e.kind) {
      case 'proc-created': return this.onCreated(e.pid, e.ppid, e.sugid, e.forked);
      case 'exec-begin': return this.onExecBegin(e.pid);
      case 'exec': return this.onExec(e.pid, e.sugid);
      case 'cred-changed': return;
      case 'exit-begin': return this.onExitBegin(e.pid);
      case 'exit': return this.onExit(e.pid);
      case 'reaped': return this.onReaped(e.pid);
      case 'vnode-loaded':
        if (isProcfs(e.mount)) this.onLoaded(e.vnode, e.mount, e.key, e.callerPid);
        return;
      case 'vnode-inactive':
        if (isProcfs(e.mount)) this.onInactive(e.mount, e.key, e.recycle);
        return;
      case 'vnode-evicted':
        if (isProcfs(e.mount)) this.onEvicted(e.vnode, e.mount, e.key, e.revoked);
        return;
      case 'mount': return this.onMount(e.mount);
      case 'unmount':
        if (isProcfs(e.mount)) this.unmounted.push(e.mount);
        return;
      default: {
        const never: never = e;
        throw new Error(`judge: unknown event ${JSON.stringify(never)}`);
      }
    }
  }

  /** ruleForkSugid, ruleForkCopiesDescriptors: what fork1 gives the child; spawn starts clean. */
  private onCreated(pid: number, ppid: number, sugid: boolean, forked: boolean): void {
    const child = this.k.pidTable.get(pid);
    const parent = this.k.pidTable.get(ppid);
    this.pids.set(pid, { live: true, inExec: false, inExit: false });
    this.doomed.delete(pid);
    if (child === undefined) return;
    this.born.set(child, this.bornSeq++);
    if (!forked || parent === undefined) {
      const a = this.cur?.step.kind === 'spawn' ? this.cur.args : null;
      const cred = a?.uid != null && a.gid !== null ? credCreate(a.uid, a.gid) : child.cred; // what login leaves behind
      this.derived.set(child, { cred, sugid: false });
      this.nfiles.set(child, NDFILE);
      const fm = checkForkSugid(pid, ppid, sugid, null);
      if (fm !== null) this.fail('ruleForkSugid', fm);
      return;
    }
    const d = this.derivedOf(parent);
    this.derived.set(child, { cred: d.cred, sugid: d.sugid });
    const fm = checkForkSugid(pid, ppid, sugid, d);
    if (fm !== null) this.fail('ruleForkSugid', fm);
    const parentNfiles = this.nfiles.get(parent) ?? parent.fd.nfiles;
    this.nfiles.set(child, copiedSize(parentNfiles, lastfile(parent.fd.slots)));
    const m = checkForkCopy(parent, child, parentNfiles);
    if (m !== null) this.fail('ruleForkCopiesDescriptors', m);
  }

  private onExecBegin(pid: number): void {
    const p = this.k.pidTable.get(pid);
    const s = this.pidState(pid);
    s.inExec = true;
    if (p === undefined) return;
    this.hooks.set(pid, execExpectation(this.k, p, this.derivedOf(p), this.holders));
    this.hookEvictions.set(pid, []);
  }

  /** ruleCredexec and ruleExecRevokeSet at the end of an exec; ruleExecClosesExclose on the step's descriptors. */
  private onExec(pid: number, sugid: boolean): void {
    const s = this.pidState(pid);
    s.inExec = false;
    const p = this.k.pidTable.get(pid);
    const x = this.hooks.get(pid);
    const got = this.hookEvictions.get(pid) ?? [];
    this.hooks.delete(pid);
    this.hookEvictions.delete(pid);
    if (p === undefined || x === undefined) return;
    const img = imageOf(this.k, p);
    const before = x.before ?? { cred: p.cred, sugid };
    const after = img === null ? { cred: p.cred, sugid: p.sugid } : credexec(before, x.traced, img, img.nosuid);
    this.derived.set(p, after);
    if (img !== null) {
      const mode = img.nosuid ? img.mode & ~0o6000 : img.mode;
      const setidExec = !x.traced && (((mode & 0o4000) !== 0 && before.cred.euid !== img.uid) || ((mode & 0o2000) !== 0 && before.cred.egid !== img.gid));
      if (this.cur !== null && this.cur.before.actor === p) this.cur.setidExec = setidExec;
      const m = checkDerived(p, after);
      if (m !== null || sugid !== after.sugid) {
        this.fail('ruleCredexec', `exec by pid ${pid} of a ${oct4(img.mode)} ${img.uid}:${img.gid} program from ${credText(before.cred)}` +
          `${x.traced ? ' (traced)' : ''}: ${m ?? `the exec event says PK_SUGID ${sugid ? 'set' : 'clear'}`}`);
      }
      if (this.cur !== null && this.cur.before.actor === p) {
        const fr = ruleExecClosesExclose({ ...this.stepViewStub(), out: { ok: {} } }, setidExec);
        if (fr !== null) this.fail('ruleExecClosesExclose', fr.msg, fr.fn);
      }
    }
    const hm = compareHook(x, after.sugid, got);
    if (hm !== null) this.fail('ruleExecRevokeSet', hm);
    if (after.sugid) this.doomed.set(pid, this.k.vnodeSeq);
  }

  private stepViewStub(): StepView {
    const c = this.cur!;
    return { k: this.k, j: this, step: c.step, args: c.args, before: c.before, out: { ok: {} }, evictions: c.evictions, loaded: c.loaded, memo: new Map() };
  }

  private onExitBegin(pid: number): void {
    const s = this.pidState(pid);
    s.live = false;
    s.inExit = true;
    s.inExec = false; // an exec that aborted (exec_abort) ends in exit1
    const p = this.k.pidTable.get(pid);
    if (p === undefined) return;
    this.hooks.set(pid, exitExpectation(this.k, p, this.holders));
    this.hookEvictions.set(pid, [...(this.hookEvictions.get(pid) ?? [])]);
  }

  private onExit(pid: number): void {
    this.pidState(pid).inExit = false;
    this.doomed.set(pid, this.k.vnodeSeq);
    const x = this.hooks.get(pid);
    const got = this.hookEvictions.get(pid) ?? [];
    this.hooks.delete(pid);
    this.hookEvictions.delete(pid);
    if (x === undefined) return;
    const hm = compareHook(x, true, got);
    if (hm !== null) this.fail('ruleExitRevokeSet', hm);
  }

  private onReaped(pid: number): void {
    for (const p of this.derived.keys()) {
      if (p.pid === pid && p.stat === 'SZOMB' && this.k.pidTable.get(pid) !== p) {
        this.derived.delete(p);
        this.nfiles.delete(p);
        this.born.delete(p);
      }
    }
  }

  /** ruleLoadvnodeType and ruleLoadNeedsProcess at load time. */
  private onLoaded(vp: Vnode, mp: Mount, key: string, callerPid: number): void {
    const pid = keyPid(key);
    const expected = expectedAtLoad(this.k, key, callerPid);
    if (this.hashtab === null) this.hashtab = hashOf(vp);
    const rec: VnodeRecord = { expected, pid, linuxOnly: isLinuxOnlyKey(key), mountPath: mp.path, key, mp };
    this.dirtyBuckets.add(pid & 255);
    if (typeof expected === 'string') this.fail('ruleLoadvnodeType', `${recName(rec)} was loaded, but NetBSD refuses it: ${expected}`);
    const lm = ruleLoadNeedsProcess(rec, pid === 0 || this.pidState(pid).live);
    if (lm !== null) this.fail('ruleLoadNeedsProcess', lm);
    this.records.set(vp, rec);
    this.cur?.loaded.push(vp);
  }

  /** ruleInactiveRecycle: recycle exactly when the process can no longer be found. */
  private onInactive(mp: Mount, key: string, recycle: boolean): void {
    const pid = keyPid(key);
    const m = ruleInactiveRecycle(mp, key, recycle, pid === 0 || this.pidState(pid).live);
    if (m !== null) this.fail('ruleInactiveRecycle', m);
  }

  /**
   * ruleEvictionCause: a procfs vnode leaves the cache only through
   * procfs_exechook_cb (a set-id exec or an exit of its pid, judged at the end
   * by the revoke-set rules), procfs_inactive (its pid gone) or an unmount's
   * vflush (ruleUnmountVflush).
   */
  private onEvicted(vp: Vnode, mp: Mount, key: string, revoked: boolean): void {
    const rec = this.records.get(vp);
    this.records.delete(vp);
    this.memFlags.delete(vp);
    const pid = rec?.pid ?? keyPid(key);
    this.dirtyBuckets.add(pid & 255);
    const ev: Eviction = { vnode: vp, mp, key, revoked };
    this.cur?.evictions.push(ev);
    this.hookEvictions.get(pid)?.push(ev);
    const s = this.pidState(pid);
    const m = ruleEvictionCause(mp, key, pid, this.cur?.step.kind === 'unmount', s.inExec || s.inExit || !s.live);
    if (m !== null) this.fail('ruleEvictionCause', m);
  }

  private onMount(mp: Mount): void {
    if (!isProcfs(mp)) return;
    const c = this.cur;
    if (c !== null && c.step.kind === 'mount') this.mountFlags.set(mp, c.args.mflags ?? 0);
    else this.mountFlags.set(mp, (mp.data as { flags?: number } | null)?.flags ?? 0);
  }

  // ---- state ----

  /** After a step: the state rules, then every violation found since the last call. */
  checkState(): Violation[] {
    for (const mp of this.k.mountlist) {
      if (!isProcfs(mp)) continue;
      for (const vp of mp.vcache.values()) this.checkCached(mp, vp);
      const ht = this.hashtab?.() ?? null;
      if (ht !== null) for (const m of checkHash(ht, mp, this.dirtyBuckets, this.records)) this.fail('rulePidHash', m);
    }
    for (const m of checkUsecounts(this.k, this.holders)) this.fail('ruleUsecount', m);
    for (const p of this.k.pidTable.values()) {
      if (p.stat === 'SZOMB') continue;
      const d = this.derived.get(p);
      if (d !== undefined) {
        const m = checkDerived(p, d);
        if (m !== null) {
          this.fail('ruleCredState', m);
          this.derived.set(p, { cred: p.cred, sugid: p.sugid }); // reported once
        }
      }
      const had = this.nfiles.get(p);
      const want = grown(had ?? p.fd.nfiles, lastfile(p.fd.slots));
      if (want !== had) this.nfiles.set(p, want);
      const tm = checkTableSize(p, want);
      if (tm !== null) {
        this.fail('ruleFdTableSize', tm);
        this.nfiles.set(p, p.fd.nfiles);
      }
    }
    if (this.dirtyBuckets.size > 0) this.dirtyBuckets.clear(); // clear() makes a new table even when empty
    const out = this.violations;
    if (out.length === 0) return [];
    this.violations = [];
    return out.map((v) => ({ rule: v.rule, message: v.message }));
  }

  private checkCached(mp: Mount, vp: Vnode): void {
    const rec = this.records.get(vp);
    if (rec === undefined) return this.fail('ruleLoadvnodeType', `${vnodeName(mp.path, vp.key)} is cached but was never loaded through vcache_get`, 'vcache_get');
    const m = checkCachedType(rec, vp);
    if (m !== null) this.fail('ruleLoadvnodeType', m);
    const lm = checkLinuxOnly(this, mp, rec);
    if (lm !== null) this.fail('ruleLinuxOnlyNodes', lm);
    const hm = ruleHookEvictsPid(rec, vp, this.doomed.get(rec.pid));
    if (hm !== null) this.fail('ruleHookEvictsPid', hm);
  }
}

/** Without a spec: PFSlast as the procfs module was configured, through a loaded pfsnode's module state (33 at the baseline). */
function moduleLast(k: Kernel): number | null {
  for (const mp of k.mountlist) {
    for (const vp of mp.vcache.values()) {
      const last = (vp.data as { st?: { pfsLast?: number } } | null)?.st?.pfsLast;
      if (typeof last === 'number') return last;
    }
  }
  return null;
}

function oct4(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

function nodeTextOf(n: JNode): string {
  switch (n.fs) {
    case 'ufs': return `inode ${n.ino.ino}`;
    case 'pfs': return vnodeName(n.mp.path, nodeKey(n));
    case 'dead': return 'a revoked vnode';
    case 'other': return `vnode ${n.vp.key}`;
  }
}

/** The judge's verdict after a step: its first violation as a message, or null. */
export function judgeMessage(j: Judge | null): string | null {
  if (j === null) return null;
  const v = j.checkState();
  return v.length === 0 ? null : `oracle: ${v[0]!.message}`;
}
