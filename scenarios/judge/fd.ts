/**
 * Descriptor rules, from kern_descrip.c 1.228.2.1 and sys_descrip.c 1.28:
 * new descriptors take the lowest free slot (fd_alloc) with the
 * close-on-exec flag asked for; dup2 puts the same file in the target slot
 * without close-on-exec (fd_dup2); close empties a slot (fd_close); exec
 * closes exactly the close-on-exec slots (fd_closeexec) and a set-id exec
 * makes sure 0-2 are open (fd_checkstd); fork copies every slot but kqueues,
 * with its close-on-exec flag, into a table sized from the parent's last
 * descriptor (fd_copy); tables grow to NDEXTENT, then double (fd_tryexpand).
 */
import type { FdSlot } from '../../emulator/file.ts';
import type { Proc } from '../../emulator/proc.ts';
import type { StepView } from './state.ts';
import type { RuleResult } from './vfs.ts';
import { OPEN_MAX, judge, lowestFree } from './vfs.ts';

/** NDFILE and NDEXTENT (sys/filedesc.h). */
export const NDFILE = 20;
export const NDEXTENT = 50;

/** fd_lastfile: the highest open slot, -1 when none. */
export function lastfile(slots: readonly (FdSlot | undefined)[]): number {
  for (let i = slots.length - 1; i >= 0; i--) if (slots[i] !== undefined) return i;
  return -1;
}

/** fd_tryexpand, as often as a descriptor at `last` needs: NDEXTENT from the built-in table, then twice the size. */
export function grown(nfiles: number, last: number): number {
  let n = nfiles;
  for (let guard = 0; last >= n && guard < 32; guard++) n = n < NDEXTENT ? NDEXTENT : 2 * n;
  return n;
}

/**
 * fd_copy's table size for the child: NDFILE when the parent's last
 * descriptor (kqueues included) is below NDFILE; otherwise the parent's
 * size, halved while at least 2 * NDEXTENT and more than twice the last.
 */
export function copiedSize(parentNfiles: number, last: number): number {
  if (last < NDFILE) return NDFILE;
  let i = parentNfiles;
  while (i >= 2 * NDEXTENT && i > last * 2) i /= 2;
  return i;
}

/** The slots a successful step made, lowest free first, as fd_alloc hands them out. */
function expectedNew(before: readonly (FdSlot | undefined)[], count: number): number[] {
  const taken = [...before];
  const out: number[] = [];
  for (let n = 0; n < count; n++) {
    const fd = lowestFree(taken);
    out.push(fd);
    taken[fd] = { file: null as never, cloexec: false };
  }
  return out;
}

/**
 * ruleFdAlloc (fd_alloc, fd_affix): open, pipe, socket, kqueue and the other
 * descriptor makers take the lowest free slots below RLIMIT_NOFILE (EMFILE
 * when none is free), close-on-exec only when open asked for it.
 */
export function ruleFdAlloc(v: StepView): RuleResult {
  const s = v.step;
  const count = s.kind === 'pipe' ? 2 : 1;
  const free = expectedNew(v.before.slots, count);
  if (free.includes(-1)) return judge(v, `${s.kind} by pid ${v.before.pid}`, { kind: 'errno', errno: 'EMFILE', by: `fd_alloc: no slot below ${OPEN_MAX}` });
  if (!('ok' in v.out)) return null;
  const got = s.kind === 'pipe' ? (v.out.ok.fds as number[]) : [v.out.ok.fd as number];
  if (JSON.stringify(got) !== JSON.stringify(free)) {
    return { msg: `${s.kind} by pid ${v.before.pid} gave descriptor${count > 1 ? 's' : ''} ${got.join(', ')}; the lowest free ${count > 1 ? 'are' : 'is'} ${free.join(', ')}` };
  }
  const cloexec = s.kind === 'open' && s.cloexec;
  for (const fd of got) {
    const slot = v.before.actor.fd.get(fd);
    if (slot === undefined) return { msg: `${s.kind} by pid ${v.before.pid} returned descriptor ${fd}, but the slot is empty` };
    if (slot.cloexec !== cloexec) {
      return { msg: `descriptor ${fd} of pid ${v.before.pid} is ${slot.cloexec ? '' : 'not '}close-on-exec; ${s.kind} ${cloexec ? 'asked for O_CLOEXEC' : 'sets it only for O_CLOEXEC'}` };
    }
    if (s.kind === 'open' && slot.file.cred !== v.before.actor.cred && !sameCred(slot.file.cred, v.before.cred)) {
      return { msg: `descriptor ${fd} of pid ${v.before.pid} has another f_cred than the opener's`, fn: 'falloc' };
    }
  }
  return null;
}

function sameCred(a: { ruid: number; euid: number; rgid: number; egid: number }, b: typeof a): boolean {
  return a.ruid === b.ruid && a.euid === b.euid && a.rgid === b.rgid && a.egid === b.egid;
}

/**
 * ruleDup2 (dodup, fd_dup2): EBADF for a closed descriptor or a target
 * outside [0, RLIMIT_NOFILE); otherwise the target slot holds the same file,
 * not close-on-exec, and the source slot is left as it was.
 */
export function ruleDup2(v: StepView): RuleResult {
  const from = v.args.fd;
  const to = v.args.to;
  if (from === null || to === null) return null;
  const what = `dup2(${from}, ${to}) by pid ${v.before.pid}`;
  const src = v.before.slots[from];
  if (src === undefined || !Number.isInteger(to) || to < 0 || to >= OPEN_MAX) {
    return judge(v, what, { kind: 'errno', errno: 'EBADF', by: src === undefined ? `dodup: descriptor ${from} is not open` : `dodup: ${to} is outside the descriptor limit` });
  }
  const r = judge(v, what, { kind: 'ok', by: 'fd_dup2' }, (res) => (res.fd === to ? null : { msg: `${what} returned ${String(res.fd)}` }));
  if (r !== null || from === to) return r;
  const p = v.before.actor;
  const now = p.fd.get(to);
  if (now?.file !== src.file) return { msg: `after ${what} slot ${to} does not hold descriptor ${from}'s file` };
  if (now.cloexec) return { msg: `after ${what} slot ${to} is close-on-exec; fd_dup2 clears it` };
  const kept = p.fd.get(from);
  if (kept?.file !== src.file || kept.cloexec !== src.cloexec) return { msg: `${what} changed slot ${from}` };
  return null;
}

/** ruleClose (fd_close): EBADF for a closed slot; afterwards the slot is free. */
export function ruleClose(v: StepView): RuleResult {
  const fd = v.args.fd;
  if (fd === null) return null;
  const what = `close(${fd}) by pid ${v.before.pid}`;
  if (v.before.slots[fd] === undefined) return judge(v, what, { kind: 'errno', errno: 'EBADF', by: `fd_close: descriptor ${fd} is not open` });
  const r = judge(v, what, { kind: 'ok', by: 'fd_close' });
  if (r !== null) return r;
  return v.before.actor.fd.get(fd) === undefined ? null : { msg: `after ${what} the slot is still in use` };
}

/**
 * ruleExecClosesExclose (fd_closeexec, fd_checkstd): after an exec exactly
 * the close-on-exec slots are gone (close-on-exec is per slot: a dup of the
 * same file without the flag stays); the others hold the same files; after a
 * set-id exec 0, 1 and 2 are open.
 */
export function ruleExecClosesExclose(v: StepView, setidExec: boolean): RuleResult {
  if (!('ok' in v.out)) return null;
  const p = v.before.actor;
  if (p.stat === 'SZOMB' || p.stat === 'SDYING') return null; // exec_abort ended in exit1
  for (let i = 0; i < v.before.slots.length; i++) {
    const was = v.before.slots[i];
    if (was === undefined) continue;
    const now = p.fd.get(i);
    if (was.cloexec) {
      if (now !== undefined && now.file === was.file) return { msg: `exec by pid ${p.pid} kept close-on-exec descriptor ${i}`, fn: 'fd_closeexec' };
    } else if (now?.file !== was.file) {
      return { msg: `exec by pid ${p.pid} closed descriptor ${i}, which is not close-on-exec`, fn: 'fd_closeexec' };
    }
  }
  if (setidExec) {
    for (let i = 0; i < 3; i++) {
      if (p.fd.get(i) === undefined) return { msg: `after a set-id exec descriptor ${i} of pid ${p.pid} is closed; fd_checkstd opens it on /dev/null`, fn: 'fd_checkstd' };
    }
  }
  return null;
}

/** ruleForkCopiesDescriptors (fd_copy): the child's slots and table size from the parent's, kqueues left behind. */
export function checkForkCopy(parent: Proc, child: Proc, parentNfiles: number): string | null {
  const ps = parent.fd.slots;
  const last = lastfile(ps);
  for (let i = 0; i <= Math.max(last, lastfile(child.fd.slots)); i++) {
    const a = ps[i];
    const b = child.fd.get(i);
    const want = a === undefined || a.file.type === 'DTYPE_KQUEUE' ? undefined : a;
    if (want === undefined) {
      if (b !== undefined) return `the child ${child.pid} of pid ${parent.pid} has descriptor ${i}, which fd_copy ${a === undefined ? 'has no parent slot for' : 'leaves behind (a kqueue)'}`;
      continue;
    }
    if (b?.file !== want.file) return `the child ${child.pid} of pid ${parent.pid} lacks the parent's descriptor ${i}`;
    if (b.cloexec !== want.cloexec) return `descriptor ${i} of the child ${child.pid} is ${b.cloexec ? '' : 'not '}close-on-exec, unlike the parent's slot`;
  }
  const size = copiedSize(parentNfiles, last);
  if (child.fd.nfiles !== size) return `the child ${child.pid} of pid ${parent.pid} has a ${child.fd.nfiles}-slot table; fd_copy sizes it ${size} from the parent's ${parentNfiles} slots and last descriptor ${last}`;
  return null;
}

/** ruleFdTableSize (fd_tryexpand): a table grows to NDEXTENT, then doubles, only as a descriptor past its end needs. */
export function checkTableSize(p: Proc, expected: number): string | null {
  if (p.fd.nfiles === expected) return null;
  return `pid ${p.pid} has a ${p.fd.nfiles}-slot descriptor table; fd_tryexpand gives ${expected} (NDFILE ${NDFILE}, NDEXTENT ${NDEXTENT}, then doubling) for its last descriptor ${lastfile(p.fd.slots)}`;
}
