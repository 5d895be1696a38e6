/**
 * Step rules for what a read of a procfs node gives, where the judge can
 * write it from the specification: /proc/N/limit (procfs_dolimit) and
 * /proc/N/emul (procfs_doemul), each read through uiomove_frombuf semantics
 * (the text from uio_offset on, at most the read's size), and
 * /proc/N/mem (process_domem: uvm_io faults or moves bytes). Errors are
 * ruleKauthTwoSided's; these judge a read that succeeded.
 */
import type { StepView } from './state.ts';
import type { RuleResult } from './vfs.ts';
import { judge, wantRw } from './vfs.ts';
import type { JNode } from './walk.ts';
import { nodeOf } from './walk.ts';

/** The judge's own copy of the boot limits (proc0_init, uvm_init_limits; amd64 vmparam.h; sys/param.h). */
const INF = null;
const MIB = 1024 * 1024;
const DEFAULTS = {
  DFLDSIZ: 256 * MIB, MAXDSIZ: 8192 * MIB, DFLSSIZ: 4 * MIB, MAXSSIZ: 128 * MIB,
  OPEN_MAX: 128, CHILD_MAX: 160, MAXLWP: 2048,
  /** The fixture's memory: 4 GiB free, below VM_MAXUSER_ADDRESS. */
  MEM: 4096 * MIB,
} as const;

/** RLIM_STRINGS order (sys/resource.h) with each limit0 entry, soft and hard; null is RLIM_INFINITY. */
function bootLimits(maxproc: number, maxfiles: number): [string, number | null, number | null][] {
  const d = DEFAULTS;
  return [
    ['cputime', INF, INF], ['filesize', INF, INF], ['datasize', d.DFLDSIZ, d.MAXDSIZ], ['stacksize', d.DFLSSIZ, d.MAXSSIZ],
    ['coredumpsize', INF, INF], ['memoryuse', d.MEM, d.MEM], ['memorylocked', Math.floor(d.MEM / 3), d.MEM],
    ['maxproc', Math.min(maxproc, d.CHILD_MAX), maxproc], ['openfiles', Math.min(maxfiles, d.OPEN_MAX), maxfiles],
    ['sbsize', INF, INF], ['vmemoryuse', INF, INF], ['maxlwp', Math.min(d.MAXLWP, d.CHILD_MAX), d.MAXLWP],
  ];
}

/** procfs_dolimit's prl: "%#20jx" of RLIM_INFINITY (2^63 - 1), "%20jd" otherwise, then the separator. */
function prl(lim: number | null, sep: string): string {
  const s = lim === null ? '0x7fffffffffffffff' : String(lim);
  return ' '.repeat(Math.max(0, 20 - s.length)) + s + sep;
}

/** procfs_dolimit (procfs_limit.c 1.1): "%20.20s " of each label, then the soft and the hard limit. */
export function limitTextModel(maxproc: number, maxfiles: number): string {
  let s = '';
  for (const [label, cur, max] of bootLimits(maxproc, maxfiles)) {
    const l = label.slice(0, 20);
    s += `${' '.repeat(20 - l.length)}${l} ${prl(cur, ' ')}${prl(max, '\n')}`;
  }
  return s;
}

/**
 * process_domem (sys_process.c 1.162.12.2): a read of no bytes returns at once; otherwise uvm_io
 * either fails (EFAULT outside the mappings) or moves the mapped bytes, so a read of n > 0 bytes
 * that succeeds moves at least one and at most n; proc0's vmspace0 maps no user pages at all.
 */
function memMoved(size: number | null, got: unknown, what: string, proc0: boolean): RuleResult {
  if (size === null || typeof got !== 'string') return null;
  if (proc0 && size > 0) return { msg: `read of ${size} bytes of ${what} succeeded; proc0's vmspace0 maps no user pages (uvm_io: EFAULT)`, fn: 'process_domem' };
  if (size === 0 ? got === '' : got.length >= 1 && got.length <= size) return null;
  return { msg: `read of ${size} bytes of ${what} succeeded with ${got.length}; process_domem (uvm_io) faults or moves 1 to ${size}`, fn: 'process_domem' };
}

/**
 * ruleReadText: a read of /proc/N/limit, emul, cmdline or environ that succeeds gives the
 * text from the offset on, at most `size` bytes (cmdline and environ: copy_procargs, each
 * string of the user stack's ps_argvstr or ps_envstr with its NUL); one of /proc/N/mem moves 1 to `size` bytes. No step sets a limit, so
 * every process has limit0; emul is the name of the process's emulation.
 */
export function ruleReadText(v: StepView): RuleResult {
  if (v.step.kind !== 'read' || !('ok' in v.out)) return null;
  const fd = v.args.fd;
  const n = procfsNodeOfFd(v);
  if (n === null) return null;
  const size = typeof v.step.size === 'number' ? v.step.size : null;
  const got = v.out.ok.data;
  if (n.type === 'mem') return memMoved(size, got, `/proc/${n.pid}/mem`, n.pid === 0);
  let text: string;
  if (n.type === 'limit') text = limitTextModel(v.k.maxproc, v.k.maxfiles);
  else if (n.type === 'emul') {
    const p = v.k.procFind(n.pid);
    if (p === null) return null;
    text = p.emul;
  } else if (n.type === 'cmdline' || n.type === 'environ') {
    const p = v.k.procFind(n.pid);
    if (p === null) return null;
    if (p.system && p.pid !== 0) return null;
    // A system process has no user stack: "(" p_comm ")" and the NUL, proc0's p_comm being "system".
    text = p.system ? '(system)\0' : (n.type === 'cmdline' ? p.argv : p.env).map((a) => `${a}\0`).join('');
  } else return null;
  const offset = v.args.offset ?? 0;
  const rest = text.slice(offset);
  const want = size === null ? rest : rest.slice(0, size);
  if (got === want || (size === null && typeof got === 'string' && rest.startsWith(got))) return null;
  return { msg: `read of descriptor ${fd} (/proc/${n.pid}/${n.type}) at offset ${offset} gave ${JSON.stringify(got)}; NetBSD gives ${JSON.stringify(want)}` };
}

/** The procfs node behind the step's descriptor as it was before the step, or null. */
function procfsNodeOfFd(v: StepView): (JNode & { fs: 'pfs' }) | null {
  const fd = v.args.fd;
  const slot = fd === null ? undefined : v.before.slots[fd];
  const n = slot === undefined ? null : nodeOf(v.k, slot.file.vnode);
  return n !== null && n.fs === 'pfs' ? n : null;
}

/** The nodes whose routine refuses every write before anything else: procfs_docmdline, procfs_dolimit. */
const READ_ONLY_ROUTINES: Readonly<Record<string, string>> = {
  cmdline: 'procfs_docmdline: uio_rw != UIO_READ', environ: 'procfs_doprocargs: uio_rw != UIO_READ',
  limit: 'procfs_dolimit: uio_rw != UIO_READ',
};

/**
 * ruleReadOnlyRoutines: a write that procfs_rw hands to the routine of cmdline, environ or
 * limit (every earlier check passed) is EOPNOTSUPP (procfs_cmdline.c 1.27.28.1, procfs_limit.c 1.1).
 */
export function ruleReadOnlyRoutines(v: StepView): RuleResult {
  if (v.step.kind !== 'write') return null;
  const fd = v.args.fd;
  const n = procfsNodeOfFd(v);
  if (n === null) return null;
  const by = READ_ONLY_ROUTINES[n.type];
  if (by === undefined || wantRw(v).kind !== 'unjudged') return null;
  return judge(v, `write of descriptor ${fd} (/proc/${n.pid}/${n.type}) by pid ${v.before.pid}`, { kind: 'errno', errno: 'EOPNOTSUPP', by });
}
