/**
 * Step rules for what a system call on procfs answers, each computed by the
 * judge's model (walk.ts) from kernel state as it was before the step:
 * open (vn_open, procfs_access, procfs_open, KAUTH_PROCESS_PROCFS both
 * ways), read and write (sys_pread, procfs_rw), lstat/stat/fstat
 * (procfs_getattr), readlink, readdir of each directory type, chdir and
 * chroot, the exec lookup, statvfs, GETARGS, and the deadfs answers of
 * revoked vnodes.
 */
import type { Errno } from '../../emulator/errno.ts';
import type { Proc } from '../../emulator/proc.ts';
import type { Outcome } from '../steps.ts';
import { kauthProcfs } from './kauth.ts';
import { LISTENER_GUARDED, vtypeDt } from './nodes.ts';
import type { StepView, Want } from './state.ts';
import { UNJUDGED } from './state.ts';
import type { Attr, Entry, JNode, No, Resolved, World } from './walk.ts';
import {
  VEXEC, VREAD, VWRITE, access, getattr, isFail, isNo, lookup, namei, nodeOf, oct, pfsReaddir, procIsunder, procLock,
  readlink, sameNode, vnIsunder, vtypeOf,
} from './walk.ts';

/** What a rule reports: a message and the NetBSD function it names (the rule's own when absent). */
export interface Finding {
  msg: string;
  fn?: string;
}

export type RuleResult = Finding | null;

/** The NetBSD function a `by` text starts with. */
export function fnOf(by: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*/.exec(by)?.[0] ?? 'judge';
}

/** The world of a step: the actor and mounts as they were before it, the kernel as it is. */
export function worldOf(v: StepView, busyPid: number | null = null): World {
  const b = v.before;
  return {
    k: v.k, pfsLast: v.j.pfsLast, busyPid, mounts: b.mounts,
    actor: { proc: b.actor, pid: b.pid, cred: b.cred, emul: b.emul, cwd: b.cwd, root: b.root, edir: b.edir, slots: b.slots },
    cached: (mp, key) => v.j.cachedLoad(mp, key),
    procs: () => v.j.procsNewestFirst(),
  };
}

function memo<T>(v: StepView, key: string, f: () => T): T {
  const m = v.memo;
  if (m.has(key)) return m.get(key) as T;
  const r = f();
  m.set(key, r);
  return r;
}

/** namei of the step's path, memoized per step. */
export function resolveStep(v: StepView, followLast: boolean, busyPid: number | null = null): Resolved | (No & { procfs: boolean }) | null {
  const path = v.args.path;
  if (path === null) return null;
  return memo(v, `namei:${followLast}:${busyPid}`, () => {
    const r = namei(worldOf(v, busyPid), path, followLast);
    return isFail(r) ? { errno: r.errno, by: r.by, procfs: r.procfs } : r;
  });
}

/**
 * A relative path whose walk stops at the revoked current directory
 * (dead_lookup): ruleDeadfs judges it, the other rules leave it.
 */
export function fromDeadCwd(v: StepView): boolean {
  if (v.args.path === null || v.args.path.startsWith('/') || v.before.cwd?.fs !== 'dead') return false;
  const r = resolveStep(v, true, v.step.kind === 'exec' ? v.before.pid : null);
  return r !== null && isNo(r) && r.by.startsWith('dead_lookup');
}

function errnoOf(out: Outcome): Errno | null {
  return 'errno' in out ? out.errno : null;
}

/** Compare an outcome with what the judge wants; `ok` checks the result fields of a success. */
export function judge(v: StepView, what: string, want: Want, ok?: (r: Record<string, unknown>) => RuleResult): RuleResult {
  if (want.kind === 'unjudged') return null;
  const got = errnoOf(v.out);
  if (want.kind === 'errno') {
    if (got === want.errno) return null;
    return { msg: `${what} ${got === null ? 'succeeded' : `gave ${got}`}; NetBSD gives ${want.errno} (${want.by})`, fn: fnOf(want.by) };
  }
  if (got !== null) return { msg: `${what} gave ${got}; NetBSD lets it succeed (${want.by})`, fn: fnOf(want.by) };
  return ok === undefined ? null : ok((v.out as { ok: Record<string, unknown> }).ok);
}

function err(n: No): Want {
  return { kind: 'errno', errno: n.errno, by: n.by };
}

function stepWhat(v: StepView): string {
  return `${v.step.kind} ${JSON.stringify(v.args.path ?? v.args.fd)} by pid ${v.before.pid}`;
}

/** A walk that failed: the judge's business only when it touched procfs (the root file system's own answers are the engine's). */
function walkFailure(r: No & { procfs: boolean }): Want {
  return r.procfs ? err(r) : UNJUDGED('a lookup that never reached procfs');
}

// ---- open, read, write: KAUTH_PROCESS_PROCFS both ways ---------------------------------------------

const FREAD = 0x1;
const FWRITE = 0x2;
const O_EXCL = 0x800;

/** RLIMIT_NOFILE's soft limit: min(maxfiles, NOFILE), NOFILE = OPEN_MAX = 128 (proc0_init). */
export const OPEN_MAX = 128;

/** The lowest free slot of a table below OPEN_MAX, or -1 (fd_alloc). */
export function lowestFree(slots: readonly unknown[]): number {
  for (let i = 0; i < OPEN_MAX; i++) if (slots[i] === undefined) return i;
  return -1;
}

function reqOf(read: boolean, write: boolean): 'READ' | 'WRITE' | 'RW' {
  return read && write ? 'RW' : write ? 'WRITE' : 'READ';
}

/**
 * KAUTH_PROCESS_PROCFS for the node, as procfs_open and procfs_rw ask it
 * (the caller's current credential; proc0 for pid-0 nodes).
 */
function kauthNode(w: World, n: JNode & { fs: 'pfs' }, p: Proc, req: 'READ' | 'WRITE' | 'RW'): No | null {
  const cred = p === w.actor.proc ? w.actor.cred : p.cred;
  const why = kauthProcfs(w.actor.cred, n.type, { pid: p.pid, cred, sugid: p.sugid }, req, w.k.securelevel);
  if (why === null) return null;
  return { errno: 'EPERM', by: `${why.startsWith('procfs_listener_cb') ? '' : 'kauth_authorize_process: '}${why}` };
}

/** The mem vnode flags procfs_open keeps in pfs_flags (FWRITE | O_EXCL of the last write open). */
export type MemFlags = (n: JNode & { fs: 'pfs' }) => number;

/**
 * open(2) of a procfs node: fd_allocfile (EMFILE) first in do_open, then
 * namei, vn_open (a socket EOPNOTSUPP, O_NOFOLLOW on a link EFTYPE, a
 * directory for writing EISDIR), VOP_ACCESS (procfs_access), VOP_OPEN
 * (procfs_open: the process locked, KAUTH_PROCESS_PROCFS, mem's exclusive
 * rules and proc_isunder, regs/fpregs proc_isunder). Where none of these
 * refuses, the open must succeed.
 */
export function wantOpen(v: StepView, memFlags: MemFlags): { want: Want; node: JNode | null } {
  const step = v.step;
  if (step.kind !== 'open') return { want: UNJUDGED('not an open'), node: null };
  if (fromDeadCwd(v)) return { want: UNJUDGED('ruleDeadfs'), node: null };
  const read = step.flags !== 'w';
  const write = step.flags !== 'r';
  if (lowestFree(v.before.slots) < 0) return { want: { kind: 'errno', errno: 'EMFILE', by: `fd_allocfile: no descriptor below ${OPEN_MAX}` }, node: null };
  const r = resolveStep(v, !step.nofollow);
  if (r === null) return { want: UNJUDGED('no path'), node: null };
  if (isNo(r)) return { want: walkFailure(r), node: null };
  const n = r.node;
  if (n.fs === 'ufs' || n.fs === 'other') return { want: UNJUDGED('vn_open of a root file system node (VI_TEXT and the rest are the engine\'s)'), node: n };
  if (n.fs === 'dead') return { want: UNJUDGED('ruleDeadfs'), node: n };
  const w = worldOf(v);
  return { want: wantVnOpen(w, n, read, write, step.excl, memFlags), node: n };
}

function wantVnOpen(w: World, n: JNode & { fs: 'pfs' }, read: boolean, write: boolean, excl: boolean, memFlags: MemFlags): Want {
  const vt = vtypeOf(w, n);
  if (isNo(vt)) return err(vt);
  if (vt === 'VSOCK') return { kind: 'errno', errno: 'EOPNOTSUPP', by: 'vn_open: a socket' };
  if (vt === 'VLNK') return { kind: 'errno', errno: 'EFTYPE', by: 'vn_open: O_NOFOLLOW names a symbolic link' };
  if (write && vt === 'VDIR') return { kind: 'errno', errno: 'EISDIR', by: 'vn_openchk: a directory opened for writing' };
  const acc = (read ? VREAD : 0) | (write ? VWRITE : 0);
  const a = access(w, n, acc);
  if (a !== null) return err(a);
  const p = procLock(w, n.pid, 'ENOENT');
  if (isNo(p)) return err({ errno: p.errno, by: `procfs_open: ${p.by}` });
  const k = kauthNode(w, n, p, reqOf(read, write));
  if (k !== null) return err(k);
  if (n.type === 'mem') {
    const f = memFlags(n);
    if ((f & FWRITE && excl) || (f & O_EXCL && write)) {
      return { kind: 'errno', errno: 'EBUSY', by: `procfs_open: mem already open ${f & O_EXCL ? 'exclusively' : 'for writing'}` };
    }
  }
  if (LISTENER_GUARDED.has(n.type) && !procIsunder(w, p)) {
    return { kind: 'errno', errno: 'EPERM', by: `procfs_open: the target's root is not under the caller's (proc_isunder)` };
  }
  return { kind: 'ok', by: LISTENER_GUARDED.has(n.type) ? 'procfs_listener_cb: allowed' : 'procfs_open: allowed' };
}

/**
 * pread/pwrite of a procfs handle: sys_pread/sys_pwrite (EBADF for a
 * closed descriptor or one not open that way, ESPIPE for a non-vnode or a
 * FIFO), then procfs_rw: offset < 0 EINVAL, the process locked (ESRCH,
 * EBUSY), KAUTH_PROCESS_PROCFS with the caller's current credential (EPERM),
 * then the node's routine (procfs_rw's switch).
 */
export function wantRw(v: StepView): Want {
  const step = v.step;
  if (step.kind !== 'read' && step.kind !== 'write') return UNJUDGED('not a read or write');
  const fd = v.args.fd;
  if (fd === null) return UNJUDGED('no descriptor number');
  const write = step.kind === 'write';
  const slot = v.before.slots[fd];
  if (slot === undefined || (slot.file.flag & (write ? FWRITE : FREAD)) === 0) {
    return { kind: 'errno', errno: 'EBADF', by: `sys_p${step.kind}: descriptor ${fd} is not open for ${write ? 'writing' : 'reading'} (fd_getfile, f_flag)` };
  }
  const vp = slot.file.vnode;
  if (vp === null || vp.type === 'VFIFO') return { kind: 'errno', errno: 'ESPIPE', by: `sys_p${step.kind}: not a seekable vnode` };
  const n = nodeOf(v.k, vp)!;
  if (n.fs !== 'pfs') return UNJUDGED(n.fs === 'dead' ? 'ruleDeadfs' : 'not a procfs vnode');
  const offset = v.args.offset ?? 0;
  if (offset < 0) return { kind: 'errno', errno: 'EINVAL', by: 'procfs_rw: a negative offset' };
  const w = worldOf(v);
  const p = procLock(w, n.pid, 'ESRCH');
  if (isNo(p)) return err({ errno: p.errno, by: `procfs_rw: ${p.by}` });
  const k = kauthNode(w, n, p, write ? 'WRITE' : 'READ');
  if (k !== null) return err(k);
  return write ? writeRoutine(n, step.kind === 'write' ? step.data : '', offset) : readRoutine(n);
}

/** The nodes procfs_rw has no routine for (directories and links): reads and writes alike are EOPNOTSUPP. */
const NO_ROUTINE: ReadonlySet<string> = new Set(['root', 'proc', 'task', 'curproc', 'self', 'cwd', 'chroot', 'exe', 'file']);

function noRoutine(n: JNode & { fs: 'pfs' }): Want {
  return { kind: 'errno', errno: 'EOPNOTSUPP', by: `procfs_rw: no routine for ${n.type}` };
}

/** procfs_rw's switch for a read: what each node's routine answers, where the judge knows it. */
function readRoutine(n: JNode & { fs: 'pfs' }): Want {
  if (NO_ROUTINE.has(n.type)) return noRoutine(n);
  switch (n.type) {
    case 'note':
    case 'notepg': return { kind: 'errno', errno: 'EINVAL', by: 'procfs_donote: only writes' };
    case 'fd': return n.fd === -1 ? { kind: 'errno', errno: 'EBADF', by: 'procfs_dofd: fd -1 (fd_getfile2)' } : UNJUDGED('procfs_dofd: the target file\'s own fo_read');
    case 'status':
    case 'emul':
    case 'limit':
    case 'map':
    case 'maps':
    case 'stat':
    case 'statm':
    case 'meminfo':
    case 'cpuinfo':
    case 'uptime':
    case 'mounts':
    case 'devices':
    case 'cpustat':
    case 'loadavg':
    case 'version': return { kind: 'ok', by: `procfs_rw: generated text (uiomove_frombuf) of ${n.type}` };
    default: return UNJUDGED(`procfs_rw: ${n.type}'s routine (process_domem, procfs_doprocargs, procfs_doauxv) is not modelled`);
  }
}

/** procfs_rw's switch for a write: note's checks (vfs_getuserstr), the nodes with no routine; the rest is each generator's. */
function writeRoutine(n: JNode & { fs: 'pfs' }, data: string, offset: number): Want {
  if (NO_ROUTINE.has(n.type)) return noRoutine(n);
  switch (n.type) {
    case 'note':
    case 'notepg':
      if (offset !== 0) return { kind: 'errno', errno: 'EINVAL', by: 'procfs_donote: vfs_getuserstr at an offset' };
      if (data.length > 64) return { kind: 'errno', errno: 'EMSGSIZE', by: 'procfs_donote: past PROCFS_NOTELEN' };
      return { kind: 'errno', errno: 'EOPNOTSUPP', by: 'procfs_donote: notes are not delivered' };
    case 'fd': return n.fd === -1 ? { kind: 'errno', errno: 'EBADF', by: 'procfs_dofd: fd -1 (fd_getfile2)' } : UNJUDGED('procfs_dofd: the target file\'s own fo_write');
    default: return UNJUDGED(`procfs_rw: ${n.type}'s routine decides its writes`);
  }
}

/** ruleKauthTwoSided: open, read and write of procfs nodes succeed exactly where no named rule refuses them. */
export function ruleKauthTwoSided(v: StepView, memFlags: MemFlags): RuleResult {
  if (v.step.kind === 'open') return judge(v, stepWhat(v), wantOpen(v, memFlags).want);
  return judge(v, stepWhat(v), wantRw(v));
}

// ---- lstat, stat, fstat ---------------------------------------------------------------------------

function attrResult(a: Attr): Record<string, unknown> {
  return { vtype: a.vtype, mode: oct(a.mode), uid: a.uid, gid: a.gid, nlink: a.nlink, size: a.size, fileno: a.fileno };
}

/** Compare stat fields with the model's (identity only for root file system nodes; sizes from the engine's model skipped). */
function compareAttr(what: string, a: Attr, r: Record<string, unknown>, full: boolean): RuleResult {
  const want = attrResult(a);
  const keys = full ? ['vtype', 'mode', 'uid', 'gid', ...(a.nlinkJudged ? ['nlink'] : []), ...(a.size === null ? [] : ['size']), 'fileno']
    : ['vtype', 'mode', 'uid', 'gid', 'fileno'];
  const bad = keys.filter((f) => r[f] !== want[f]);
  if (bad.length === 0) return null;
  return { msg: `${what}: ${bad.map((f) => `${f} ${JSON.stringify(r[f])}, NetBSD gives ${JSON.stringify(want[f])}`).join('; ')}` };
}

/**
 * ruleGetattr (procfs_getattr): lstat/stat of a path into procfs gives the
 * lookup's error, or the node's vtype, mode (mem/regs/fpregs 0000 for a
 * PK_SUGID target), owner, link count, size and file number; through a
 * native caller's /proc/N/fd/M or /proc/N/file, the real file's own.
 */
export function ruleGetattr(v: StepView): RuleResult {
  if (fromDeadCwd(v)) return null;
  const r = resolveStep(v, v.step.kind === 'stat');
  if (r === null) return null;
  if (isNo(r)) return judge(v, stepWhat(v), walkFailure(r));
  if (!r.procfs || r.node.fs === 'other') return null;
  const a = getattr(worldOf(v), r.node);
  if (isNo(a)) return judge(v, stepWhat(v), err(a));
  return judge(v, stepWhat(v), { kind: 'ok', by: 'procfs_getattr' }, (res) => compareAttr(stepWhat(v), a, res, r.node.fs === 'pfs'));
}

/**
 * ruleFstat (vn_stat): fstat through a held handle stats the vnode the
 * file was opened on: the same node, with what procfs_getattr gives now.
 */
export function ruleFstat(v: StepView): RuleResult {
  const fd = v.args.fd;
  if (fd === null) return null;
  const slot = v.before.slots[fd];
  if (slot === undefined) return judge(v, stepWhat(v), { kind: 'errno', errno: 'EBADF', by: `sys_fstat: descriptor ${fd} is not open (fd_getfile)` });
  const vp = slot.file.vnode;
  if (vp === null) return null; // fo_stat of a non-vnode file: the engine's per-DTYPE answers
  const n = nodeOf(v.k, vp)!;
  if (n.fs === 'dead' || n.fs === 'other') return null; // ruleDeadfs
  const opened = v.j.opened.get(slot.file);
  if (opened !== undefined && !sameNode(opened, n)) {
    return { msg: `descriptor ${fd} of pid ${v.before.pid} was opened on ${nodeText(opened)} but its file now names ${nodeText(n)}`, fn: 'vn_stat' };
  }
  const a = getattr(worldOf(v), n);
  if (isNo(a)) return judge(v, stepWhat(v), err(a));
  return judge(v, stepWhat(v), { kind: 'ok', by: 'vn_stat' }, (res) => compareAttr(`fstat of descriptor ${fd} (${nodeText(n)})`, a, res, n.fs === 'pfs'));
}

export function nodeText(n: JNode): string {
  switch (n.fs) {
    case 'ufs': return `inode ${n.ino.ino}`;
    case 'pfs': return `${n.mp.path}:${n.type}:${n.pid}:${n.fd}`;
    case 'dead': return `a revoked vnode`;
    case 'other': return `vnode ${n.vp.key}`;
  }
}

// ---- readlink ---------------------------------------------------------------------------------------

/** ruleReadlink (procfs_readlink): the target text of every procfs link, or its error; readlink(2) of a non-link EINVAL. */
export function ruleReadlink(v: StepView): RuleResult {
  if (fromDeadCwd(v)) return null;
  const r = resolveStep(v, false);
  if (r === null) return null;
  if (isNo(r)) return judge(v, stepWhat(v), walkFailure(r));
  if (!r.procfs || r.node.fs === 'other') return null;
  const w = worldOf(v);
  const vt = vtypeOf(w, r.node);
  if (isNo(vt)) return judge(v, stepWhat(v), err(vt));
  if (vt !== 'VLNK') return judge(v, stepWhat(v), { kind: 'errno', errno: 'EINVAL', by: 'do_sys_readlinkat: not a symbolic link' });
  const t = readlink(w, r.node);
  if (isNo(t)) return judge(v, stepWhat(v), err(t));
  return judge(v, stepWhat(v), { kind: 'ok', by: 'procfs_readlink' }, (res) =>
    res.target === t ? null : { msg: `${stepWhat(v)} reads ${JSON.stringify(res.target)}; NetBSD gives ${JSON.stringify(t)}`, fn: 'procfs_readlink' });
}

// ---- readdir ------------------------------------------------------------------------------------------

type DirType = 'root' | 'proc' | 'fd' | 'task';

/**
 * readdir(path): vn_open with O_RDONLY | O_DIRECTORY (ENOTDIR, VOP_ACCESS
 * VREAD, procfs_open), then procfs_readdir of the whole directory.
 */
function wantReaddir(v: StepView): { want: Want; dir: DirType | null; entries: Entry[] | null } {
  const none = { dir: null, entries: null };
  if (fromDeadCwd(v)) return { want: UNJUDGED('ruleDeadfs'), ...none };
  const r = resolveStep(v, true);
  if (r === null) return { want: UNJUDGED('no path'), ...none };
  if (isNo(r)) return { want: walkFailure(r), ...none };
  const n = r.node;
  if (n.fs !== 'pfs') return { want: UNJUDGED('not a procfs directory'), ...none };
  const w = worldOf(v);
  const vt = vtypeOf(w, n);
  if (isNo(vt)) return { want: err(vt), ...none };
  if (vt === 'VSOCK') return { want: { kind: 'errno', errno: 'EOPNOTSUPP', by: 'vn_open: a socket' }, ...none };
  if (vt !== 'VDIR') return { want: { kind: 'errno', errno: 'ENOTDIR', by: 'vn_openchk: O_DIRECTORY on a non-directory' }, ...none };
  const a = access(w, n, VREAD);
  if (a !== null) return { want: err(a), ...none };
  const p = procLock(w, n.pid, 'ENOENT');
  if (isNo(p)) return { want: err({ errno: p.errno, by: `procfs_open: ${p.by}` }), ...none };
  const dir: DirType | null = n.type === 'root' || n.type === 'proc' || n.type === 'fd' || n.type === 'task' ? n.type : null;
  const entries = pfsReaddir(w, n);
  if (isNo(entries)) return { want: err(entries), dir, entries: null };
  return { want: { kind: 'ok', by: 'procfs_readdir' }, dir, entries };
}

function readdirRule(dir: DirType, fn: string, what: string): (v: StepView) => RuleResult {
  return (v) => {
    const x = memo(v, 'readdir', () => wantReaddir(v));
    if (x.dir !== dir && !(x.dir === null && dir === 'root')) return null;
    if (x.dir === null && x.want.kind !== 'errno') return null; // lookup errors are reported once, by the root rule
    return judge(v, stepWhat(v), x.want, (res) => {
      const names = (res.entries as string[] | undefined) ?? [];
      const types = (res.types as string[] | undefined) ?? [];
      const want = x.entries!;
      const wn = want.map((e) => e.name);
      const wt = want.map((e) => e.type);
      if (JSON.stringify(names) === JSON.stringify(wn) && JSON.stringify(types) === JSON.stringify(wt)) return null;
      return { msg: `${stepWhat(v)} lists [${names.map((s, i) => `${s}:${types[i]}`).join(' ')}]; NetBSD lists ` +
        `[${want.map((e) => `${e.name}:${e.type}`).join(' ')}] (${what})`, fn };
    });
  };
}

/** ruleReaddirRoot: `.`, `..`, curproc, self, the visible processes newest first, then the Linux files of a linux-compat mount. */
export const ruleReaddirRoot = readdirRule('root', 'procfs_readdir', 'PFSroot: allproc order, CANSEE_ENTRY, proc_root_targets on PROCFSMNT_LINUXCOMPAT');
/** ruleReaddirProc: proc_targets in table order, gated by pt_valid; empty when the process cannot be locked. */
export const ruleReaddirProc = readdirRule('proc', 'procfs_readdir', 'PFSproc: proc_targets[] with pt_valid');
/** ruleReaddirFd: the open descriptors below dt_nfiles - 2 (the top two slots never show), fttodt types. */
export const ruleReaddirFd = readdirRule('fd', 'procfs_readdir', 'PFSfd: fd i-2 for 2 <= i < dt_nfiles');
/** ruleReaddirTask: `.`, `..` and the pid itself. */
export const ruleReaddirTask = readdirRule('task', 'procfs_readdir', 'PFStask');

/**
 * ruleDirentTypes: each d_type a procfs readdir gives agrees with what lstat
 * of that entry gives, except where NetBSD itself differs: fd entries
 * (fttodt ignores the caller's emulation and the vtype cached at load, and
 * lists descriptors procfs_loadvnode refuses) and `..`.
 */
export function ruleDirentTypes(v: StepView): RuleResult {
  if (v.step.kind !== 'readdir' || !('ok' in v.out)) return null;
  const r = resolveStep(v, true);
  if (r === null || isNo(r) || r.node.fs !== 'pfs') return null;
  const dir = r.node;
  if (dir.type === 'fd') return null;
  const names = (v.out.ok.entries as string[] | undefined) ?? [];
  const types = (v.out.ok.types as string[] | undefined) ?? [];
  const w = worldOf(v);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (name === '..') continue;
    const n = lookup(w, dir, name);
    if (isNo(n)) continue;
    const vt = vtypeOf(w, n);
    if (isNo(vt)) continue;
    const want = vtypeDt(vt);
    if (types[i] !== want) {
      return { msg: `readdir of ${v.args.path} lists ${name} as ${types[i]}, but lstat of it gives ${vt} (${want})`, fn: 'procfs_readdir' };
    }
  }
  return null;
}

// ---- chdir, chroot, exec ---------------------------------------------------------------------------------

/**
 * ruleChdir (chdir_lookup): chdir and chroot into procfs look the path up,
 * need a directory (ENOTDIR) and search permission (VOP_ACCESS VEXEC); the
 * new directory is that node. chroot first needs KAUTH_SYSTEM_CHROOT.
 */
export function ruleChdir(v: StepView): RuleResult {
  if (fromDeadCwd(v)) return null;
  const chroot = v.step.kind === 'chroot';
  if (chroot && v.before.cred.euid !== 0) {
    return judge(v, stepWhat(v), { kind: 'errno', errno: 'EPERM', by: 'sys_chroot: KAUTH_SYSTEM_CHROOT is the superuser\'s' });
  }
  const r = resolveStep(v, true);
  if (r === null) return null;
  if (isNo(r)) return judge(v, stepWhat(v), walkFailure(r));
  if (!r.procfs) return null;
  const w = worldOf(v);
  const n = r.node;
  const vt = vtypeOf(w, n);
  if (isNo(vt)) return judge(v, stepWhat(v), err(vt));
  if (vt !== 'VDIR') return judge(v, stepWhat(v), { kind: 'errno', errno: 'ENOTDIR', by: 'chdir_lookup: not a directory' });
  const a = access(w, n, VEXEC);
  if (a !== null) return judge(v, stepWhat(v), err(a));
  return judge(v, stepWhat(v), { kind: 'ok', by: 'chdir_lookup' }, () => {
    const p = v.before.actor;
    const now = nodeOf(v.k, chroot ? p.root : p.cwd);
    if (sameNode(now, n)) return null;
    return { msg: `${stepWhat(v)}: the new ${chroot ? 'root' : 'current directory'} is ${now === null ? 'none' : nodeText(now)}, not ${nodeText(n)}`, fn: chroot ? 'change_root' : 'do_sys_chdir' };
  });
}

/**
 * ruleChrootCwd (change_root): a current directory not under the new root
 * (vn_isunder, which walks `..` through procfs too) becomes the new root;
 * one under it stays.
 */
export function ruleChrootCwd(v: StepView): RuleResult {
  if (v.step.kind !== 'chroot' || !('ok' in v.out)) return null;
  const p = v.before.actor;
  const root = nodeOf(v.k, p.root);
  const cwd = nodeOf(v.k, p.cwd);
  const old = v.before.cwd;
  if (root === null || old === null) return null;
  const stays = vnIsunder(worldOf(v), old, root);
  const want = stays ? old : root;
  if (sameNode(cwd, want)) return null;
  return { msg: `chroot to ${v.args.path} by pid ${p.pid}: the current directory is ${cwd === null ? 'none' : nodeText(cwd)}; ` +
    `NetBSD ${stays ? 'keeps' : 'moves it to the new root:'} ${nodeText(want)} (the old one is ${stays ? '' : 'not '}under the new root)` };
}

/**
 * ruleExecLookup (execve_loadvm, check_exec): execve takes p_reflock as
 * writer before it looks the program up, so a path through the caller's
 * own /proc/N meets EBUSY there (ENOENT at PFSroot); a procfs node is not
 * an executable (EACCES: no execute bit, even for root).
 */
export function ruleExecLookup(v: StepView): RuleResult {
  if (fromDeadCwd(v)) return null;
  // exec_makepathbuf names a relative program with getcwd_common(cwd) first; through procfs that walk
  // answers from procfs_getattr and its process lock (EBUSY for the caller's own pid), which this rule
  // does not model: a relative exec from a procfs cwd is left unjudged here.
  if (v.args.path !== null && !v.args.path.startsWith('/') && v.before.cwd?.fs !== 'ufs') return null;
  const r = resolveStep(v, true, v.before.pid);
  if (r === null) return null;
  if (isNo(r)) return judge(v, stepWhat(v), walkFailure(r));
  const n = r.node;
  if (n.fs !== 'pfs') return null;
  const w = worldOf(v, v.before.pid);
  const vt = vtypeOf(w, n);
  if (isNo(vt)) return judge(v, stepWhat(v), err(vt));
  if (vt !== 'VREG') return judge(v, stepWhat(v), { kind: 'errno', errno: 'EACCES', by: 'check_exec: not a regular file' });
  const a = getattr(w, n);
  if (isNo(a)) return judge(v, stepWhat(v), err(a));
  const e = access(w, n, VEXEC);
  if (e !== null) return judge(v, stepWhat(v), err(e));
  return null;
}

// ---- statvfs, getargs, mount -------------------------------------------------------------------------

/** ruleStatvfs (procfs_statvfs): page-sized blocks, one block, maxproc files, maxproc - nprocs free, namemax 255, procfs. */
export function ruleStatvfs(v: StepView): RuleResult {
  if (fromDeadCwd(v)) return null;
  const r = resolveStep(v, true);
  if (r === null) return null;
  if (isNo(r)) return judge(v, stepWhat(v), walkFailure(r));
  if (r.node.fs !== 'pfs') return null;
  const k = v.k;
  const free = k.maxproc - v.before.nprocs;
  const want: Record<string, unknown> = {
    bsize: k.pageSize, frsize: k.pageSize, iosize: k.pageSize, blocks: 1, files: k.maxproc, ffree: free, favail: free, namemax: 255, fstype: 'procfs',
  };
  return judge(v, stepWhat(v), { kind: 'ok', by: 'procfs_statvfs' }, (res) => {
    const bad = Object.keys(want).filter((f) => res[f] !== want[f]);
    return bad.length === 0 ? null : { msg: `${stepWhat(v)}: ${bad.map((f) => `${f} ${JSON.stringify(res[f])}, NetBSD gives ${JSON.stringify(want[f])}`).join('; ')}` };
  });
}

/** ruleGetargs (procfs_mount, MNT_GETARGS): the root of a procfs mount answers version 1 and the flags the mount was made with. */
export function ruleGetargs(v: StepView): RuleResult {
  if (fromDeadCwd(v)) return null;
  const r = resolveStep(v, true);
  if (r === null) return null;
  if (isNo(r)) return judge(v, stepWhat(v), walkFailure(r));
  const n = r.node;
  if (n.fs === 'ufs' && n.ino === v.k.rootfs.root) return null; // the root file system's own answer
  if (!r.procfs) return judge(v, stepWhat(v), { kind: 'errno', errno: 'EINVAL', by: 'mount_getargs: not the root of a mount (VV_ROOT)' });
  if (n.fs !== 'pfs' || n.type !== 'root') return judge(v, stepWhat(v), { kind: 'errno', errno: 'EINVAL', by: 'mount_getargs: not the root of a mount (VV_ROOT)' });
  const flags = v.j.mountFlags.get(n.mp);
  if (flags === undefined) return null;
  return judge(v, stepWhat(v), { kind: 'ok', by: 'procfs_mount' }, (res) =>
    res.version === 1 && res.flags === flags ? null
      : { msg: `${stepWhat(v)} answers version ${String(res.version)} flags ${String(res.flags)}; the mount was made with flags ${flags} (PROCFS_ARGSVERSION 1)` });
}

/**
 * ruleMount (do_sys_mount, mount_domount, procfs_mount): a new procfs mount
 * looks the path up, needs procfs registered (ENODEV), KAUTH_SYSTEM_MOUNT
 * (the superuser; securelevel > 1 refuses), a directory (ENOTDIR) nothing
 * is mounted on (EBUSY), and data (EINVAL) of version 1 when it is long enough.
 */
export function ruleMount(v: StepView): RuleResult {
  const step = v.step;
  if (step.kind !== 'mount' || step.update || fromDeadCwd(v)) return null;
  const r = resolveStep(v, true);
  if (r === null) return null;
  if (isNo(r)) return judge(v, stepWhat(v), walkFailure(r));
  const w = worldOf(v);
  const want = ((): Want => {
    if (!v.before.procfsRegistered) return { kind: 'errno', errno: 'ENODEV', by: 'mount_get_vfsops: procfs is not attached (modunload)' };
    if (v.before.cred.euid !== 0) return { kind: 'errno', errno: 'EPERM', by: 'mount_domount: KAUTH_SYSTEM_MOUNT is the superuser\'s' };
    if (v.k.securelevel > 1) return { kind: 'errno', errno: 'EPERM', by: 'secmodel_securelevel_system_cb: no mounts above securelevel 1' };
    const vt = vtypeOf(w, r.node);
    if (isNo(vt)) return err(vt);
    if (vt !== 'VDIR') return { kind: 'errno', errno: 'ENOTDIR', by: 'mount_domount: the mount point is not a directory' };
    if (v.before.mounts.some((m) => sameNode(m.covered, r.node))) return { kind: 'errno', errno: 'EBUSY', by: 'mount_domount: something is mounted there' };
    const a = step.args;
    if (a === null) return { kind: 'errno', errno: 'EINVAL', by: 'procfs_mount: no data' };
    if (a !== 'short' && v.args.version !== 1) return { kind: 'errno', errno: 'EINVAL', by: 'procfs_mount: procfs_args version is not PROCFS_ARGSVERSION' };
    return { kind: 'ok', by: 'procfs_mount' };
  })();
  return judge(v, stepWhat(v), want);
}
