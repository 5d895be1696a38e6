/**
 * What each step kind does: one exhaustive switch from a step to the
 * emulator's system calls, with handle resolution and the result fields of
 * scenario-format.md §4.
 */
import type { Err, Errno } from '../emulator/errno.ts';
import { isErr } from '../emulator/errno.ts';
import type { Dtype } from '../emulator/file.ts';
import { execve } from '../emulator/kern_exec.ts';
import { exit1, wait } from '../emulator/kern_exit.ts';
import { fork1, spawn } from '../emulator/kern_fork.ts';
import { sysPtrace, sysSetid } from '../emulator/kern_prot.ts';
import type { MountData } from '../emulator/mount.ts';
import type { DirentType } from '../emulator/vnode.ts';
import type { Proc } from '../emulator/proc.ts';
import { sysClose, sysDup2, sysNewfile, sysPipe } from '../emulator/sys_descrip.ts';
import type { Stat } from '../emulator/vfs_syscalls.ts';
import {
  sysChdir, sysChroot, sysFstat, sysGetargs, sysMount, sysMountUpdate, sysOpen, sysRead, sysReaddir,
  sysReadlink, sysStat, sysStatvfs, sysUnmount, sysWrite,
} from '../emulator/vfs_syscalls.ts';
import type { Judge } from './judge/index.ts';
import type { RunState } from './runner.ts';
import { UnboundHandle, expandString } from './runner.ts';
import type { DtypeName, IntOrRef, MountArgs, NewfdType, Ref, Step } from './types.ts';

export type Outcome = { errno: Errno } | { ok: Record<string, unknown> };

export interface Executed {
  outcome: Outcome;
  actor: number | null;
  /** Set when the step fails whatever it expects. */
  hard?: string;
}

class HardFailure extends Error {}

const NEWFD_DTYPE: Record<NewfdType, Dtype> = {
  misc: 'DTYPE_MISC', sem: 'DTYPE_SEM', crypto: 'DTYPE_CRYPTO', mqueue: 'DTYPE_MQUEUE',
  eventfd: 'DTYPE_EVENTFD', timerfd: 'DTYPE_TIMERFD', memfd: 'DTYPE_MEMFD',
};

function ok(r: Record<string, unknown> = {}): Outcome {
  return { ok: r };
}

function wrap<T>(r: T | Err, f: (v: T) => Record<string, unknown>): Outcome {
  return isErr(r) ? { errno: r.errno } : ok(f(r as T));
}

function none(e: Err | undefined): Outcome {
  return e === undefined ? ok() : { errno: e.errno };
}

/** A Dirent's d_type as the contract names it: without DT_ (revision 2). */
function dtypeName(t: DirentType): DtypeName {
  return t.slice(3) as DtypeName;
}

function statResult(s: Stat): Record<string, unknown> {
  return {
    vtype: s.vtype, mode: s.mode.toString(8).padStart(4, '0'), uid: s.uid, gid: s.gid,
    nlink: s.nlink, size: s.size, fileno: s.fileno,
  };
}

/** The process a `by` handle names; it must be bound and not have exited. */
function actorOf(st: RunState, by: string): Proc {
  if (st.failed.has(by)) throw new HardFailure(`actor ${by} has no value (the step that binds it failed)`);
  const h = st.handles.get(by);
  if (h === undefined || h.kind !== 'proc') throw new HardFailure(`actor ${by} is not a process handle`);
  const p = h.proc;
  if (p.stat === 'SZOMB' || p.stat === 'SDYING' || st.k.pidTable.get(p.pid) !== p) {
    throw new HardFailure(`actor ${by} (pid ${p.pid}) has exited`);
  }
  return p;
}

function str(st: RunState, s: string): string {
  return expandString(st, s);
}

/** An integer field: a number, or "{h}". */
function int(st: RunState, v: IntOrRef): number {
  return typeof v === 'number' ? v : Number(str(st, v));
}

/** A `child`/`target`/`fd`/`to` field: an integer, a handle name, or "{h}". */
function ref(st: RunState, v: Ref): number {
  if (typeof v === 'number') return v;
  if (v.startsWith('{')) return Number(str(st, v));
  if (st.failed.has(v)) throw new HardFailure(`handle ${v} has no value (the step that binds it failed)`);
  const h = st.handles.get(v);
  if (h === undefined) throw new HardFailure(`handle ${v} is not bound`);
  return h.kind === 'proc' ? h.pid : h.fd;
}

function mountData(st: RunState, a: MountArgs): MountData | null {
  if (a === null) return null;
  if (a === 'short') return { len: 4, version: 0, flags: 0 };
  return { len: 8, version: int(st, a.version), flags: int(st, a.flags) };
}

function bind(st: RunState, name: string | undefined, out: Outcome, value: () => { kind: 'proc'; pid: number; proc: Proc } | { kind: 'fd'; fd: number }): void {
  if (name === undefined) return;
  if ('errno' in out) st.failed.add(name);
  else st.handles.set(name, value());
}

/**
 * Play one step; the step's `as` handles are bound when it succeeds. The
 * judge (when given) is told the step begins and what came out of it.
 */
export function executeStep(st: RunState, step: Step, judge: Judge | null): Executed {
  let actor: number | null = null;
  try {
    judge?.beforeStep(st, step);
    if (step.kind === 'spawn') return judged(judge, st, step, { outcome: doSpawn(st, step), actor: 1 });
    const p = actorOf(st, step.by);
    actor = p.pid;
    return judged(judge, st, step, { outcome: doStep(st, step, p), actor });
  } catch (e) {
    if (e instanceof HardFailure || e instanceof UnboundHandle) return { outcome: ok(), actor, hard: e.message };
    throw e;
  }
}

function judged(judge: Judge | null, st: RunState, step: Step, r: Executed): Executed {
  judge?.afterStep(st, step, r.outcome);
  return r;
}

function doSpawn(st: RunState, step: Extract<Step, { kind: 'spawn' }>): Outcome {
  const pid = step.pid === undefined ? undefined : int(st, step.pid);
  const r = spawn(st.k, int(st, step.uid), int(st, step.gid), str(st, step.path), pid);
  const out = wrap(r, (c) => ({ pid: c.pid }));
  bind(st, step.as, out, () => ({ kind: 'proc', pid: (r as Proc).pid, proc: r as Proc }));
  return out;
}

function doStep(st: RunState, step: Exclude<Step, { kind: 'spawn' }>, p: Proc): Outcome {
  const k = st.k;
  switch (step.kind) {
    case 'fork': {
      const r = fork1(k, p, step.pid === undefined ? undefined : int(st, step.pid));
      const out = wrap(r, (c) => ({ pid: c.pid }));
      bind(st, step.as, out, () => ({ kind: 'proc', pid: (r as Proc).pid, proc: r as Proc }));
      return out;
    }
    case 'exec': return none(execve(k, p, str(st, step.path)));
    case 'exit':
      exit1(k, p, int(st, step.status));
      return ok();
    case 'wait': return wrap(wait(k, p, step.child === undefined ? undefined : ref(st, step.child)), (pid) => ({ pid }));
    case 'setuid':
    case 'seteuid':
    case 'setgid':
    case 'setegid': return none(sysSetid(k, p, step.kind, int(st, step.id)));
    case 'ptrace': return none(sysPtrace(k, p, ref(st, step.target), step.detach));
    case 'chdir': return none(sysChdir(k, p, str(st, step.path)));
    case 'chroot': return none(sysChroot(k, p, str(st, step.path)));
    case 'open': {
      const f = step.flags;
      const r = sysOpen(k, p, str(st, step.path), {
        read: f !== 'w', write: f !== 'r', excl: step.excl, nofollow: step.nofollow, cloexec: step.cloexec,
      });
      const out = wrap(r, (fd) => ({ fd }));
      bind(st, step.as, out, () => ({ kind: 'fd', fd: r as number }));
      return out;
    }
    case 'close': return none(sysClose(k, p, ref(st, step.fd)));
    case 'dup2': return wrap(sysDup2(k, p, ref(st, step.fd), ref(st, step.to)), (fd) => ({ fd }));
    case 'pipe': {
      const r = sysPipe(k, p);
      const out = wrap(r, (fds) => ({ fds }));
      if (step.as !== undefined) {
        bind(st, step.as[0], out, () => ({ kind: 'fd', fd: (r as [number, number])[0] }));
        bind(st, step.as[1], out, () => ({ kind: 'fd', fd: (r as [number, number])[1] }));
      }
      return out;
    }
    case 'socket':
    case 'kqueue':
    case 'newfd': {
      const dtype: Dtype = step.kind === 'newfd' ? NEWFD_DTYPE[step.type] : step.kind === 'socket' ? 'DTYPE_SOCKET' : 'DTYPE_KQUEUE';
      const r = sysNewfile(k, p, dtype);
      const out = wrap(r, (fd) => ({ fd }));
      bind(st, step.as, out, () => ({ kind: 'fd', fd: r as number }));
      return out;
    }
    case 'lstat': return wrap(sysStat(k, p, str(st, step.path), false), statResult);
    case 'stat': return wrap(sysStat(k, p, str(st, step.path), true), statResult);
    case 'fstat': return wrap(sysFstat(k, p, ref(st, step.fd)), statResult);
    case 'read': return wrap(sysRead(k, p, ref(st, step.fd), int(st, step.size), int(st, step.offset)), (data) => ({ data }));
    case 'write': return wrap(sysWrite(k, p, ref(st, step.fd), str(st, step.data), int(st, step.offset)), (count) => ({ count }));
    case 'readlink': return wrap(sysReadlink(k, p, str(st, step.path)), (target) => ({ target }));
    case 'readdir': return wrap(sysReaddir(k, p, str(st, step.path)), (d) => ({
      entries: d.map((e) => e.name), types: d.map((e) => dtypeName(e.type)),
    }));
    case 'mount': {
      const data = mountData(st, step.args);
      const path = str(st, step.path);
      return none(step.update ? sysMountUpdate(k, p, path, data) : sysMount(k, p, 'procfs', path, data));
    }
    case 'getargs': return wrap(sysGetargs(k, p, str(st, step.path)), (a) => ({ version: a.version, flags: a.flags }));
    case 'unmount': return none(sysUnmount(k, p, str(st, step.path), step.force));
    case 'statvfs': return wrap(sysStatvfs(k, p, str(st, step.path)), (s) => ({
      bsize: s.bsize, frsize: s.frsize, iosize: s.iosize, blocks: s.blocks, files: s.files,
      ffree: s.ffree, favail: s.favail, namemax: s.namemax, fstype: s.fstype,
    }));
    case 'modload':
    case 'modunload': {
      const ke = k.kauth.authorize(k, p.cred, { scope: 'system', action: 'MODULE' });
      if (ke !== undefined) return { errno: ke.errno };
      return none(step.kind === 'modload' ? k.modload(str(st, step.name)) : k.modunload(str(st, step.name)));
    }
    case 'check': return ok();
    default: {
      const never: never = step;
      throw new Error(`unknown step kind ${JSON.stringify(never)}`);
    }
  }
}
