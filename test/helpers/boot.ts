/**
 * The boot helper for the emulator and procfs tests: a kernel with procfs
 * mounted on /proc (Linux compatibility on unless asked otherwise, as
 * mount_procfs does by default, netbsd-procfs.md §3.1), processes spawned
 * without ceremony, and the vnode keys a call evicts or revokes.
 */
import * as E from '../../emulator/index.ts';
import type { ProcfsOptions } from '../../procfs/index.ts';
import { PROCFSMNT_LINUXCOMPAT, procfsModule } from '../../procfs/index.ts';

export interface BootOptions {
  /** Mount with PROCFSMNT_LINUXCOMPAT (default true). */
  linux?: boolean;
  /** Where procfs goes; null boots without mounting it (default '/proc'). */
  mountOn?: string | null;
  /** Kernel configuration changes over DEFAULT_CONFIG. */
  config?: Partial<E.KernelConfig>;
  /** procfs module options (pfsLast). */
  procfs?: ProcfsOptions;
}

/** A booted kernel with the procfs module loaded and (by default) mounted on /proc by init. */
export function bootProcfs(opts: BootOptions = {}): E.Kernel {
  const k = E.boot({ ...E.DEFAULT_CONFIG, ...opts.config }, [procfsModule(opts.procfs)]);
  const on = opts.mountOn === undefined ? '/proc' : opts.mountOn;
  // As at boot: the mount is made before the securelevel is raised (secmodel_securelevel refuses mounts above 1).
  const securelevel = k.securelevel;
  k.securelevel = Math.min(securelevel, 0);
  if (on !== null) mountProcfs(k, on, opts.linux ?? true);
  k.securelevel = securelevel;
  return k;
}

/** A kernel with no modules at all (the emulator alone). */
export function bootKernel(config: Partial<E.KernelConfig> = {}): E.Kernel {
  return E.boot({ ...E.DEFAULT_CONFIG, ...config }, []);
}

/** mount(2) of procfs by init with full 8-byte arguments; throws if it fails. */
export function mountProcfs(k: E.Kernel, on: string, linux = true): E.Mount {
  const e = E.sysMount(k, k.initproc, 'procfs', on, { len: 8, version: 1, flags: linux ? PROCFSMNT_LINUXCOMPAT : 0 });
  if (e !== undefined) throw new Error(`mount procfs on ${on}: ${e.errno}`);
  return mountOf(k, on);
}

/** The mount whose mount point is `on` (the topmost one). */
export function mountOf(k: E.Kernel, on: string): E.Mount {
  const mp = [...k.mountlist].reverse().find((m) => m.path === on);
  if (mp === undefined) throw new Error(`nothing mounted on ${on}`);
  return mp;
}

/** The value, or a thrown error naming the errno (for steps that must work). */
export function must<T>(x: T | E.Err): T {
  if (E.isErr(x)) throw new Error(`unexpected ${x.errno}`);
  return x;
}

/** The errno of a result, or 'ok': handy for tables of outcomes. */
export function outcome(x: unknown): E.Errno | 'ok' {
  return E.isErr(x) ? x.errno : 'ok';
}

/** spawn(): a child of init with uid/gid running `path` (default /bin/sh); throws on failure. */
export function spawnAs(k: E.Kernel, uid: number, gid: number, path = '/bin/sh', pid?: number): E.Proc {
  return must(E.spawn(k, uid, gid, path, pid));
}

/** A Linux process: spawned on /bin/sh, then execve of /emul/linux/bin/sh. */
export function spawnLinux(k: E.Kernel, uid: number, gid: number, pid?: number): E.Proc {
  const p = spawnAs(k, uid, gid, '/bin/sh', pid);
  const e = E.execve(k, p, '/emul/linux/bin/sh');
  if (e !== undefined) throw new Error(`execve linux sh: ${e.errno}`);
  return p;
}

export const RD: E.OpenFlags = { read: true, write: false, excl: false, nofollow: false, cloexec: false };
export const WR: E.OpenFlags = { read: false, write: true, excl: false, nofollow: false, cloexec: false };
export const RDWR: E.OpenFlags = { read: true, write: true, excl: false, nofollow: false, cloexec: false };

/** open(2) that must work: the descriptor. */
export function openOk(k: E.Kernel, p: E.Proc, path: string, f: E.OpenFlags = RD): number {
  return must(E.sysOpen(k, p, path, f));
}

export interface Eviction {
  key: string;
  revoked: boolean;
  /** The mount point of the file system the vnode belonged to. */
  on: string;
}

export interface Evictions<T> {
  result: T;
  all: Eviction[];
  /** Keys evicted (recycled or revoked), in order. */
  evicted: string[];
  /** Keys revoked (someone still held them). */
  revoked: string[];
}

/** Run fn and collect every vnode-evicted event it caused. */
export function evictionsDuring<T>(k: E.Kernel, fn: () => T): Evictions<T> {
  const all: Eviction[] = [];
  const off = k.subscribe((ev) => {
    if (ev.kind === 'vnode-evicted') all.push({ key: ev.key, revoked: ev.revoked, on: ev.mount.path });
  });
  try {
    const result = fn();
    return { result, all, evicted: all.map((e) => e.key), revoked: all.filter((e) => e.revoked).map((e) => e.key) };
  } finally {
    off();
  }
}

/** The keys cached on a mount right now, sorted. */
export function cachedKeys(mp: E.Mount): string[] {
  return [...mp.vcache.keys()].sort();
}

/** The keys of pid `pid` cached on a mount, sorted. */
export function cachedKeysOf(mp: E.Mount, pid: number): string[] {
  return cachedKeys(mp).filter((key) => key.split(':')[1] === String(pid));
}
