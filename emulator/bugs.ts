/**
 * Injected bugs: switches that put historical or plausible defects back into
 * the procfs or emulator model, so the oracle, the corpus and the fuzzer can
 * be shown to catch them. Off unless a scenario's `bugs:` or `--bugs` names them.
 * Each entry says where it bites and what it breaks.
 */
export const BUGS = [
  {
    name: 'exechook-ignores-sugid-never',
    description:
      'procfs_exechook_cb returns at once on every exec, as if no process were ever PK_SUGID. ' +
      'History: the class of CVE-2012-0056 (Linux /proc/pid/mem) and FreeBSD SA-97:04/SA-00:02: ' +
      'a handle opened before a set-id exec keeps reaching the now-privileged image. ' +
      'Breaks: set-uid/set-gid execs no longer evict or revoke the pid\'s vnodes.',
  },
  {
    name: 'exechook-ignores-sugid-always',
    description:
      'procfs_exechook_cb ignores PK_SUGID the other way: every exec, plain or set-id, evicts ' +
      'and revokes the pid\'s vnodes. Breaks: a plain exec must keep every vnode (a debugger\'s ' +
      'open /proc/N/status handle survives exec on NetBSD).',
  },
  {
    name: 'no-exithook',
    description:
      'No exit hook, as in NetBSD before hannken\'s 2024-01-17 change (PR 39913, PR 57775): ' +
      'procfs vnodes of an exited process stay cached (until inactive) and open handles stay ' +
      'live instead of being revoked at exit. Breaks: exit evicts nothing.',
  },
  {
    name: 'hook-revokes-unused-only',
    description:
      'The hook only vrecycles unreferenced vnodes and skips those in use instead of ' +
      'suspending the mount and calling vgone. Breaks: open handles survive a set-id exec or exit.',
  },
  {
    name: 'hook-revokes-used-only',
    description:
      'The hook only vgones vnodes somebody holds and leaves unreferenced ones cached ' +
      '(the pre-vcache subr 1.102 loop revoked only v_usecount > 0). Breaks: unused vnodes of ' +
      'the pid outlive its set-id exec or exit.',
  },
  {
    name: 'hook-matches-bucket',
    description:
      'The hook tears down every vnode in the pid\'s hash bucket (pid & 255) instead of checking ' +
      'pfs_pid. Breaks: a neighbour pid (pid +/- 256) loses its vnodes when another process exits.',
  },
  {
    name: 'fd-dir-not-symlink',
    description:
      'procfs_loadvnode gives an fd node of a directory the directory\'s own type (VDIR 0600) ' +
      'instead of a VLNK 0555 ("symlinks for directories to avoid cycles"). Breaks: /proc/N/fd/M ' +
      'of a directory is a VDIR, which lets a walker loop.',
  },
  {
    name: 'listener-ignores-sugid',
    description:
      'procfs_listener_cb allows mem/regs/fpregs to a same-uid caller even when the target is ' +
      'PK_SUGID. Breaks: a user reads the memory of a set-uid program it started.',
  },
  {
    name: 'listener-compares-euid',
    description:
      'procfs_listener_cb compares effective uids instead of real uids (kauth_cred_getuid is the ' +
      'real uid). Breaks: a process that lowered its euid with seteuid can read a same-euid target.',
  },
  {
    name: 'getattr-no-sugid-mask',
    description:
      'procfs_getattr does not clear the mode bits of mem/regs/fpregs for a PK_SUGID target, so ' +
      'they show 0600 and the owner passes the access check. Breaks: the 0000 mode of set-id ' +
      'targets.',
  },
  {
    name: 'fork-drops-sugid',
    description:
      'fork1 does not copy PK_SUGID to the child. Breaks: the child of a set-id process is treated ' +
      'as an ordinary process (mem readable by the real uid, no revocation on its execs).',
  },
  {
    name: 'inactive-never-recycles',
    description:
      'procfs_inactive never asks for recycling, even when the process is gone. Breaks: with ' +
      'no-exithook-era kernels this left vnodes of dead pids cached (PR 57775); here a vnode ' +
      'loaded for a process that already exited stays cached after its last reference goes.',
  },
] as const;

export type BugName = (typeof BUGS)[number]['name'];
export const BUG_NAMES: readonly BugName[] = BUGS.map((b) => b.name);
export function isBugName(s: string): s is BugName {
  return (BUG_NAMES as readonly string[]).includes(s);
}
