/**
 * Failure classes: what makes two failures "the same failure" for the
 * shrinker. Oracle and invariant messages end with the NetBSD function
 * whose rule broke, in brackets; the class is the checker plus that name.
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
