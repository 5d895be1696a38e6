/**
 * Failure classes and signatures: what makes two failures "the same bug".
 * Oracle and invariant messages end with the NetBSD function whose rule
 * broke, in brackets; the class (the rule) is the checker plus that name.
 * A campaign groups its failures by signature: the rule, the kind of the
 * step where it broke and the procfs node type that step addressed, so
 * one defect seen in a thousand runs gives one repro, not a thousand.
 */

/** The class of a failure message, e.g. `oracle [procfs_exechook_cb]`, `invariant [procfs_listener_cb]`. */
export function failureClass(message: string): string {
  const bracket = /\[([^\]]+)\]\s*$/.exec(message)?.[1];
  if (message.startsWith('oracle: ')) return `oracle [${bracket ?? '?'}]`;
  if (message.startsWith('invariant: ')) return `invariant [${bracket ?? '?'}]`;
  if (message.startsWith('kernel panic: ')) return 'kernel panic';
  if (message.startsWith('exception: ')) return `exception ${message.slice(11).replace(/[0-9]+/g, 'N').slice(0, 80)}`;
  if (message.startsWith('boot: ')) return 'boot';
  if (message.startsWith('nondeterminism')) return 'nondeterminism';
  if (/^(actor|handle) /.test(message)) return 'step cannot run';
  const field = /^([a-zA-Z]+): expected/.exec(message)?.[1];
  if (field !== undefined) return `expectation ${field}`;
  if (message.startsWith('expected ')) return 'expectation errno';
  return 'other';
}

/** A short label of a class for file names: `oracle-procfs_exechook_cb`. */
export function classSlug(cls: string): string {
  return cls.replace(/[^A-Za-z0-9_]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48) || 'failure';
}

/**
 * The signature of a failure: the violated rule (failureClass), the step
 * kind where it broke, and the procfs node type that step addressed
 * (a pfstype such as `mem`, `proc` for /proc/N, `root` for the mount's
 * root; `-` when the step addresses no procfs node, as exit or exec do).
 */
export interface Signature {
  rule: string;
  kind: string;
  node: string;
}

/** `invariant [procfs_listener_cb] on read mem`, `oracle [procfs_exechook_cb, procfs_inactive] on exit`. */
export function signatureText(s: Signature): string {
  return `${s.rule} on ${s.kind}${s.node === '-' ? '' : ` ${s.node}`}`;
}

/** Per-process entry names whose pfstype has another name (procfs_vnops.c proc_targets[]: "root" is PFSchroot). */
const ENTRY_TYPES: Readonly<Record<string, string>> = { root: 'chroot' };

/** Entries at the top of the mount whose pfstype has another name ("stat" is PFScpustat). */
const ROOT_ENTRY_TYPES: Readonly<Record<string, string>> = { stat: 'cpustat' };

/**
 * The pfstype a path inside a procfs mount names, from its components below
 * the mount point (already free of `.` and `..`): [] is the root, [N] or
 * [self]/[curproc] the process directory or its link, [N, name, ...] the
 * per-process entry `name` (fd and task keep their directory's type).
 */
export function nodeOfComponents(c: readonly string[]): string {
  const [top, entry] = c;
  if (top === undefined) return 'root';
  const isProc = /^[0-9]+$/.test(top) || top === 'self' || top === 'curproc';
  if (!isProc) return ROOT_ENTRY_TYPES[top] ?? top;
  if (entry === undefined) return /^[0-9]+$/.test(top) ? 'proc' : top;
  return ENTRY_TYPES[entry] ?? entry;
}
