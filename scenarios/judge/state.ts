/**
 * What the judge keeps between events and steps, and what a step rule is
 * handed: the step with its handles resolved, the actor and the world as
 * they were before it ran, its outcome, and the kernel events it caused.
 */
import type { Cred } from '../../emulator/cred.ts';
import type { Errno } from '../../emulator/errno.ts';
import type { FdSlot, File } from '../../emulator/file.ts';
import type { Kernel } from '../../emulator/kernel.ts';
import type { Mount } from '../../emulator/mount.ts';
import type { Proc } from '../../emulator/proc.ts';
import type { Vnode } from '../../emulator/vnode.ts';
import type { Outcome } from '../steps.ts';
import type { Step } from '../types.ts';
import type { Loaded } from './nodes.ts';
import type { JNode, MountView } from './walk.ts';

/** The judge's record of a procfs vnode, made when it was loaded. */
export interface VnodeRecord {
  /** What procfs_loadvnode gives it, or why it should not have loaded. */
  expected: Loaded | string;
  pid: number;
  /** A node only linux-compat mounts have (ruleLinuxOnlyNodes). */
  linuxOnly: boolean;
  mountPath: string;
  key: string;
  mp: Mount;
}

/** Credentials and PK_SUGID of a process as the judge derives them from what it ran. */
export interface Derived {
  cred: Cred;
  sugid: boolean;
}

/** An eviction a step caused, as the kernel reported it. */
export interface Eviction {
  vnode: Vnode;
  mp: Mount;
  key: string;
  revoked: boolean;
}

/** What the judge expects an exec or exit hook to do, computed when the exec or exit began. */
export interface HookExpectation {
  pid: number;
  why: 'exit' | 'exec';
  /** Every procfs vnode of the pid on every procfs mount when the hook runs, and the mount path each is on (to name it). */
  vnodes: Vnode[];
  mounts: Map<Vnode, string>;
  /** Those somebody still holds when the hook runs (after fd_closeexec, or after fd_free and cwdfree). */
  held: Set<Vnode>;
  /** Derived credentials and PK_SUGID before the exec, the tracer, for credexec. */
  before: Derived | null;
  traced: boolean;
}

/** The acting process and the kernel as they were when the step began. */
export interface Before {
  actor: Proc;
  pid: number;
  cred: Cred;
  sugid: boolean;
  traced: boolean;
  emul: string;
  cwd: JNode | null;
  root: JNode | null;
  edir: JNode | null;
  slots: (FdSlot | undefined)[];
  nfiles: number;
  nprocs: number;
  mounts: MountView[];
  /** The procfs vnodes cached on each mount when the step began (unmount's vflush set). */
  cached: Map<Mount, Vnode[]>;
  derived: Derived | null;
  /** procfs is attached (vfs_list), so mount_get_vfsops finds it. */
  procfsRegistered: boolean;
  /** chgproccnt's count of the actor's real uid (fork1's RLIMIT_NPROC check). */
  ruidCount: number;
  /** A fork's or spawn's pid request the fixture refuses (EINVAL, EAGAIN), or no free pid (EAGAIN); null otherwise. */
  pidBusy: string | null;
}

/** A step's fields with `{h}` and handles resolved (null where a handle has no number). */
export interface Args {
  path: string | null;
  fd: number | null;
  to: number | null;
  id: number | null;
  offset: number | null;
  /** procfs_args.version and .flags of a mount step. */
  version: number | null;
  mflags: number | null;
  /** A spawn's ids. */
  uid: number | null;
  gid: number | null;
}

/** What a step rule sees. */
export interface StepView {
  k: Kernel;
  j: JudgeCore;
  step: Step;
  args: Args;
  before: Before;
  out: Outcome;
  /** Evictions the step caused, in order. */
  evictions: Eviction[];
  /** Vnodes the step loaded. */
  loaded: Vnode[];
  /** Results several rules of the same step share (the walk). */
  memo: Map<string, unknown>;
}

/** The parts of the judge rules read and update. */
export interface JudgeCore {
  readonly k: Kernel;
  readonly pfsLast: number;
  records: Map<Vnode, VnodeRecord>;
  derived: Map<Proc, Derived>;
  mountFlags: Map<Mount, number>;
  /** What each file was opened on, by the open step that made it. */
  opened: WeakMap<File, JNode>;
  /** The descriptor table size each process should have (fd_tryexpand, fd_copy). */
  nfiles: Map<Proc, number>;
  /** Processes newest first, by the order the judge saw them created. */
  procsNewestFirst(): Proc[];
  /** The vtype and mode recorded for a cached procfs vnode. */
  cachedLoad(mp: Mount, key: string): Loaded | null;
}

/** What a rule expects of a step: an errno (and who gives it), success, or nothing it can judge. */
export type Want =
  | { kind: 'errno'; errno: Errno; by: string }
  | { kind: 'ok'; by: string }
  | { kind: 'unjudged'; why: string };

export const UNJUDGED = (why: string): Want => ({ kind: 'unjudged', why });
