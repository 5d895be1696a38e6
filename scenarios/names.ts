/**
 * Vnode names of the contract (scenario-format.md §5): the mount point
 * followed by the canonical path inside the mount, from a procfs vcache key
 * (`type:pid:fd`, struct pfskey). Written from the contract, not from procfs/.
 */

/** pfstypes that live at the top of the mount (pid 0), with their names. */
const ROOT_FILES: Readonly<Record<string, string>> = {
  meminfo: 'meminfo', cpuinfo: 'cpuinfo', uptime: 'uptime', mounts: 'mounts', devices: 'devices',
  cpustat: 'stat', loadavg: 'loadavg', version: 'version',
};

/** Per-process pfstypes whose entry name differs from the type name. */
const ENTRY_NAMES: Readonly<Record<string, string>> = { chroot: 'root' };

export interface ParsedKey {
  type: string;
  pid: number;
  fd: number;
}

/** The first three `:`-separated fields of a key, as `key.split(':')` gives them (a missing field is NaN). */
export function parseKey(key: string): ParsedKey {
  const i = key.indexOf(':');
  if (i < 0) return { type: key, pid: NaN, fd: NaN };
  const j = key.indexOf(':', i + 1);
  if (j < 0) return { type: key.slice(0, i), pid: Number(key.slice(i + 1)), fd: NaN };
  const l = key.indexOf(':', j + 1);
  return { type: key.slice(0, i), pid: Number(key.slice(i + 1, j)), fd: Number(l < 0 ? key.slice(j + 1) : key.slice(j + 1, l)) };
}

/** The path of a key inside its mount ('' for the root). */
export function pathInMount(key: string): string {
  const { type, pid, fd } = parseKey(key);
  switch (type) {
    case 'root': return '';
    case 'curproc': return '/curproc';
    case 'self': return '/self';
    case 'proc': return `/${pid}`;
    case 'fd': return fd === -1 ? `/${pid}/fd` : `/${pid}/fd/${fd}`;
    case 'task': return fd === -1 ? `/${pid}/task` : `/${pid}/task/${pid}`;
    default: {
      const root = ROOT_FILES[type];
      if (root !== undefined && pid === 0) return `/${root}`;
      return `/${pid}/${ENTRY_NAMES[type] ?? type}`;
    }
  }
}

/** The contract's name of a vnode: mount point + path inside the mount. */
export function vnodeName(mountPath: string, key: string): string {
  const inside = pathInMount(key);
  if (mountPath === '') return inside === '' ? '/' : inside;
  return mountPath + inside;
}
