// @ts-check
// Mutants judged equivalent by reading (the ones stryker/ignorers.mjs cannot single out: a rule
// there drops every mutant of a node, these are single replacements). Each entry names the file,
// a piece of the mutated line's text (line numbers move) and of the next line's where one is not enough, the mutator, the replacement and the (1-based) start and end
// columns when they matter, and why no run without injected bugs can tell the mutant from the original.
// stryker/score.mjs counts them apart; one that is killed is reported as a mistake in this list.

/** @type {{ file: string, line: string, next?: string, column?: number, endColumn?: number, mutator: string, replacement?: string, reason: string }[]} */
export const equivalents = [
  { file: 'emulator/kern_exec.ts', line: 'if (path.length >= MAXPATHLEN) return err', mutator: 'ConditionalExpression', replacement: 'false',
    reason: 'namei (pathbuf_copyin) refuses an absolute path of MAXPATHLEN bytes with the same ENAMETOOLONG; a relative one is refused by the next line' },
  { file: 'emulator/kern_exec.ts', line: 'if (path.length >= MAXPATHLEN) return err', mutator: 'EqualityOperator', replacement: 'path.length > MAXPATHLEN',
    reason: 'at exactly MAXPATHLEN bytes namei (pathbuf_copyin) gives the same ENAMETOOLONG' },
  { file: 'emulator/kern_exit.ts', line: 'const killed: Proc[] = [];', mutator: 'ArrayDeclaration',
    reason: 'exit1 kills only the entries procIsFindable accepts, and a string has no p_stat' },
  { file: 'emulator/kern_prot.ts', line: "const req = detach ? 'DETACH' : 'ATTACH';", column: 35, mutator: 'StringLiteral', replacement: '""',
    reason: "no listener compares req with 'ATTACH': they test for 'DETACH' and treat anything else as an attach" },
  { file: 'emulator/kern_prot.ts', line: 'if (t.opptr !== t.parent) procReparent', mutator: 'ConditionalExpression', replacement: 'true',
    reason: 'proc_reparent to the parent a process already has changes nothing (procReparent returns at once)' },
  { file: 'emulator/mount.ts', line: 'busy++;', mutator: 'UpdateOperator',
    reason: 'busy is only compared with 0 after the pass; counting down from 0 is as nonzero as counting up' },
  { file: 'emulator/vnode.ts', line: "vp.state = 'reclaiming';", mutator: 'StringLiteral',
    reason: "no code reads the 'reclaiming' state (VOP_RECLAIM implementations do not look at it)" },
  { file: 'procfs/limit.ts', line: 'return `${s.slice(0, 20).padStart(20)} `;', mutator: 'MethodExpression',
    reason: 'every RLIM_STRINGS label is shorter than 20 characters, so %20.20s never truncates' },
  { file: 'procfs/cmdline.ts', line: "if (p.system || p.stat === 'SZOMB')", column: 19, mutator: 'ConditionalExpression', replacement: 'false',
    reason: "procfs_rw locks the target with proc_find, which never finds a zombie: p_stat is never SZOMB here (p.system || false)" },
  { file: 'procfs/cmdline.ts', line: "if (p.system || p.stat === 'SZOMB')", column: 30, mutator: 'StringLiteral',
    reason: 'procfs_rw locks the target with proc_find, which never finds a zombie: p_stat is never SZOMB here' },
  { file: 'procfs/cmdline.ts', line: "if (uio.rw !== 'read') return err('EOPNOTSUPP');", mutator: 'ConditionalExpression', replacement: 'false',
    reason: 'a write that goes on reaches uiomoveFrombuf, which refuses writes with the same EOPNOTSUPP' },
  { file: 'procfs/procfs.ts', line: 'if (j < 0) return { type: pfsTypeOf(key.slice(0, i))', mutator: 'EqualityOperator', replacement: 'j <= 0',
    reason: 'j is indexOf from i + 1 >= 1: it is -1 or at least 1, never 0' },
  { file: 'procfs/procfs.ts', line: 'fd: Number(l < 0 ? key.slice(j + 1) : key.slice(j + 1, l))', mutator: 'EqualityOperator', replacement: 'l <= 0',
    reason: 'l is indexOf from j + 1 >= 2: it is -1 or at least 2, never 0' },
  { file: 'procfs/cmdline.ts', line: "return procfsDoprocargs(ctx, p, uio, 'KERN_PROC_ENV');", mutator: 'StringLiteral',
    reason: "copyProcargs tests only for 'KERN_PROC_ARGV'; any other oid is the environment" },
  { file: 'procfs/subr.ts', line: "if (isErr(vp)) mark('procfs_allocvp: vcache_get fails');", mutator: 'ConditionalExpression',
    reason: 'the branch only counts a coverage mark; isErr has no side effect' },
  { file: 'procfs/vnops.ts', line: 'if (isErr(r) || typeof r === kind) return r as T | Err;', mutator: 'ConditionalExpression', replacement: 'true',
    reason: 'rwResult\'s check is an invariant (every routine answers its direction\'s kind); it never throws on the original' },
  { file: 'procfs/vnops.ts', line: "if (pfs.type === 'mem' && pfs.flags & O_EXCL && flag & FWRITE) {", column: 7, endColumn: 25, mutator: 'ConditionalExpression', replacement: 'true',
    reason: 'only mem nodes ever get pfs_flags (procfs_open sets them for mem alone), so the O_EXCL test already implies mem' },
  { file: 'procfs/vnops.ts', line: 'default:', next: "mark('procfs_open: other node');", mutator: 'ConditionalExpression',
    reason: "procfs_open's default case only counts a mark and returns undefined, as falling out of the switch does" },
];

/** The reason `m` (a report mutant of `file`, whose source lines are `lines`) is equivalent, or undefined. */
export function equivalentReason(file, lines, m) {
  const i = m.location.start.line - 1;
  const line = lines[i] ?? '';
  for (const e of equivalents) {
    if (e.file !== file || !line.includes(e.line) || e.mutator !== m.mutatorName) continue;
    if (e.column !== undefined && e.column !== m.location.start.column) continue;
    if (e.endColumn !== undefined && e.endColumn !== m.location.end.column) continue;
    if (e.next !== undefined && !(lines[i + 1] ?? '').includes(e.next)) continue;
    if (e.replacement === undefined || e.replacement === m.replacement) return e.reason;
  }
  return undefined;
}
