/**
 * The judge's own tables of procfs nodes, written from NetBSD's source and
 * never taken from procfs/: pfstype values (procfs.h 1.83/1.84, sorted by
 * name), what procfs_loadvnode (procfs_vfsops.c 1.114) gives each key, what
 * procfs_getattr (procfs_vnops.c 1.229.4.1) reports, the proc_targets[] and
 * proc_root_targets[] tables of procfs_lookup and procfs_readdir (without the
 * later `limits` and `sysvipc` entries, as at the 1.114 baseline), and
 * fttodt. Keys are `type:pid:fd` (struct pfskey).
 */
import type { Dtype } from '../../emulator/file.ts';
import type { Vtype } from '../../emulator/vnode.ts';

/** pfstype, in enum order (the index is the value PROCFS_FILENO uses). */
export const PFS_TYPES = [
  'auxv', 'chroot', 'cmdline', 'cpuinfo', 'cpustat', 'curproc', 'cwd', 'devices', 'emul', 'environ',
  'exe', 'fd', 'file', 'fpregs', 'loadavg', 'limit', 'map', 'maps', 'mem', 'meminfo', 'mounts',
  'note', 'notepg', 'proc', 'regs', 'root', 'self', 'stat', 'statm', 'status', 'task', 'uptime',
  'version',
] as const;
export type PfsName = (typeof PFS_TYPES)[number];

const PFS_VALUE = new Map<string, number>(PFS_TYPES.map((t, i) => [t, i]));

export function isPfsName(s: string): s is PfsName {
  return PFS_VALUE.has(s);
}

/** PROCFS_FILENO (procfs_fileno, procfs.h): root 2, curproc 3, self 4, else ((pid+1)[<<32|fd]) * PFSlast + type. */
export function procfsFileno(pid: number, type: PfsName, fd: number, pfsLast: number): number {
  if (type === 'root') return 2;
  if (type === 'curproc') return 3;
  if (type === 'self') return 4;
  let ino = pid + 1;
  if (fd !== -1) ino = ino * 4294967296 + (fd >>> 0);
  return ino * pfsLast + PFS_VALUE.get(type)!;
}

export interface Loaded {
  vtype: Vtype;
  mode: number;
}

const DIR555: Loaded = { vtype: 'VDIR', mode: 0o555 };
const LNK555: Loaded = { vtype: 'VLNK', mode: 0o555 };
const REG = (mode: number): Loaded => ({ vtype: 'VREG', mode });

/** procfs_loadvnode's switch for every type but fd (and task's link): vtype and pfs_mode. */
export const LOAD_TABLE: Readonly<Record<Exclude<PfsName, 'fd' | 'task'>, Loaded>> = {
  root: DIR555, proc: DIR555, // /proc, /proc/N = dr-xr-xr-x
  curproc: LNK555, self: LNK555, cwd: LNK555, chroot: LNK555, exe: LNK555, // lr-xr-xr-x
  file: REG(0o600), mem: REG(0o600), regs: REG(0o600), fpregs: REG(0o600), // -rw-------
  note: REG(0o200), notepg: REG(0o200), // --w-------
  map: REG(0o400), maps: REG(0o400), auxv: REG(0o400), environ: REG(0o400), // -r--------
  status: REG(0o444), stat: REG(0o444), statm: REG(0o444), cmdline: REG(0o444), emul: REG(0o444),
  limit: REG(0o444), meminfo: REG(0o444), cpustat: REG(0o444), devices: REG(0o444), cpuinfo: REG(0o444),
  uptime: REG(0o444), mounts: REG(0o444), loadavg: REG(0o444), version: REG(0o444), // -r--r--r--
};

/** procfs_loadvnode, PFSfd with fd != -1: by f_type (null: EOPNOTSUPP, the default branch). */
export const FD_LOAD: Readonly<Record<Exclude<Dtype, 'DTYPE_VNODE'>, Loaded | null>> = {
  DTYPE_SOCKET: { vtype: 'VSOCK', mode: 0o600 }, DTYPE_PIPE: { vtype: 'VFIFO', mode: 0o600 },
  DTYPE_KQUEUE: LNK555, DTYPE_MISC: LNK555, DTYPE_SEM: LNK555,
  DTYPE_CRYPTO: null, DTYPE_MQUEUE: null, DTYPE_EVENTFD: null, DTYPE_TIMERFD: null, DTYPE_MEMFD: null,
};

/**
 * procfs_loadvnode for a DTYPE_VNODE descriptor: a directory is a symlink
 * ("to avoid cycles"), so is anything a Linux-emulated caller loads;
 * otherwise the file's own vtype, 0600.
 */
export function fdVnodeLoad(fileVtype: Vtype, callerLinux: boolean): Loaded {
  if (fileVtype === 'VDIR' || callerLinux) return LNK555;
  return { vtype: fileVtype, mode: 0o600 };
}

/** The nodes whose read/write bits procfs_getattr clears for a PK_SUGID target. */
export const SUGID_MASKED: ReadonlySet<PfsName> = new Set(['mem', 'regs', 'fpregs']);

/** The nodes procfs_listener_cb restricts to the target's real uid. */
export const LISTENER_GUARDED: ReadonlySet<PfsName> = new Set(['mem', 'regs', 'fpregs']);

/** Who owns a node in procfs_getattr's first switch (fd and task and proc set theirs in the second). */
export type Owner = 'target' | 'zero' | 'dir' | 'file-cred' | 'none';

/** How procfs_getattr's second switch sizes a node; 'engine' is a size from the engine's model (not judged). */
export type SizeKind =
  | 'dev-bsize' | 'caller-pid-digits' | 'two' | 'v_size' | 'zero' | 'dir-path' | 'p_path' | 'emul-name' | 'engine'
  | 'eopnotsupp';

export interface AttrRule {
  owner: Owner;
  nlink: number;
  size: SizeKind;
}

/** procfs_getattr, per type (fd and task give their directory's row; fd/M and task/N are below). */
export const ATTR_TABLE: Readonly<Record<PfsName, AttrRule>> = {
  root: { owner: 'zero', nlink: 1, size: 'dev-bsize' },
  curproc: { owner: 'zero', nlink: 1, size: 'caller-pid-digits' },
  self: { owner: 'zero', nlink: 1, size: 'caller-pid-digits' },
  proc: { owner: 'target', nlink: 2, size: 'dev-bsize' },
  fd: { owner: 'target', nlink: 2, size: 'dev-bsize' },
  task: { owner: 'target', nlink: 2, size: 'dev-bsize' },
  file: { owner: 'none', nlink: 1, size: 'eopnotsupp' },
  mem: { owner: 'target', nlink: 1, size: 'engine' }, // ctob(tsize + dsize + ssize)
  regs: { owner: 'target', nlink: 1, size: 'engine' }, // sizeof(struct reg)
  fpregs: { owner: 'target', nlink: 1, size: 'engine' }, // sizeof(struct fpreg)
  auxv: { owner: 'target', nlink: 1, size: 'engine' }, // p_execsw->es_arglen
  status: { owner: 'target', nlink: 1, size: 'zero' },
  stat: { owner: 'target', nlink: 1, size: 'zero' },
  statm: { owner: 'target', nlink: 1, size: 'zero' },
  note: { owner: 'target', nlink: 1, size: 'zero' },
  notepg: { owner: 'target', nlink: 1, size: 'zero' },
  cmdline: { owner: 'target', nlink: 1, size: 'zero' },
  environ: { owner: 'target', nlink: 1, size: 'zero' },
  map: { owner: 'target', nlink: 1, size: 'zero' },
  maps: { owner: 'target', nlink: 1, size: 'zero' },
  limit: { owner: 'target', nlink: 1, size: 'zero' },
  emul: { owner: 'target', nlink: 1, size: 'emul-name' },
  exe: { owner: 'zero', nlink: 1, size: 'p_path' },
  cwd: { owner: 'zero', nlink: 1, size: 'dir-path' },
  chroot: { owner: 'zero', nlink: 1, size: 'dir-path' },
  meminfo: { owner: 'zero', nlink: 1, size: 'zero' },
  cpuinfo: { owner: 'zero', nlink: 1, size: 'zero' },
  uptime: { owner: 'zero', nlink: 1, size: 'zero' },
  mounts: { owner: 'zero', nlink: 1, size: 'zero' },
  devices: { owner: 'zero', nlink: 1, size: 'zero' },
  cpustat: { owner: 'zero', nlink: 1, size: 'zero' },
  loadavg: { owner: 'zero', nlink: 1, size: 'zero' },
  version: { owner: 'zero', nlink: 1, size: 'zero' },
};

/** /proc/N/fd/M: nlink 1, owner from the file's f_cred, size v_size (DTYPE_VNODE) or 0. */
export const FD_NODE_ATTR: AttrRule = { owner: 'file-cred', nlink: 1, size: 'v_size' };
/** /proc/N/task/N: nlink 1, 0/0, size of ".." (2). */
export const TASK_LINK_ATTR: AttrRule = { owner: 'zero', nlink: 1, size: 'two' };

/** The pt_valid functions of the target tables, by name (computed by the judge from kernel state). */
export type Valid = 'always' | 'linux' | 'file' | 'auxv' | 'map' | 'regs';

export interface Target {
  name: string;
  dt: string; // d_type without DT_
  type: PfsName;
  valid: Valid;
}

const T = (name: string, dt: string, type: PfsName, valid: Valid = 'always'): Target => ({ name, dt, type, valid });

/** proc_targets[] (procfs_vnops.c), in table order: the /proc/N readdir order and lookup names. */
export const PROC_TARGETS: readonly Target[] = [
  T('.', 'DIR', 'proc'), T('..', 'DIR', 'root'), T('fd', 'DIR', 'fd'), T('task', 'DIR', 'task', 'linux'),
  T('cwd', 'LNK', 'cwd'), T('emul', 'REG', 'emul'), T('root', 'LNK', 'chroot'), T('auxv', 'REG', 'auxv', 'auxv'),
  T('cmdline', 'REG', 'cmdline'), T('environ', 'REG', 'environ'), T('exe', 'LNK', 'exe', 'file'),
  T('file', 'REG', 'file', 'file'), T('fpregs', 'REG', 'fpregs', 'regs'), T('limit', 'REG', 'limit'),
  T('map', 'REG', 'map', 'map'), T('maps', 'REG', 'maps', 'map'), T('mem', 'REG', 'mem'), T('note', 'REG', 'note'),
  T('notepg', 'REG', 'notepg'), T('regs', 'REG', 'regs', 'regs'), T('stat', 'REG', 'stat', 'linux'),
  T('statm', 'REG', 'statm', 'linux'), T('status', 'REG', 'status'),
];

/** proc_root_targets[]: the Linux files of /proc (validated with no process). */
export const ROOT_TARGETS: readonly Target[] = [
  T('meminfo', 'REG', 'meminfo', 'linux'), T('cpuinfo', 'REG', 'cpuinfo', 'linux'), T('uptime', 'REG', 'uptime', 'linux'),
  T('mounts', 'REG', 'mounts', 'linux'), T('devices', 'REG', 'devices', 'linux'), T('stat', 'REG', 'cpustat', 'linux'),
  T('loadavg', 'REG', 'loadavg', 'linux'), T('version', 'REG', 'version', 'linux'),
];

/** Types that exist only where procfs_validfile_linux holds (a PROCFSMNT_LINUXCOMPAT mount). */
export const LINUX_ONLY: ReadonlySet<PfsName> = new Set([
  'task', 'stat', 'statm', 'meminfo', 'cpuinfo', 'uptime', 'mounts', 'devices', 'cpustat', 'loadavg', 'version',
]);

/** fttodt: a descriptor's d_type (no DT_ prefix), whatever the caller's emulation. */
export function fttodt(ftype: Dtype, vnodeType: Vtype | null): string {
  switch (ftype) {
    case 'DTYPE_VNODE':
      if (vnodeType === 'VDIR') return 'LNK'; // "symlink"
      return vnodeType === null ? 'UNKNOWN' : vtypeDt(vnodeType);
    case 'DTYPE_PIPE': return 'FIFO';
    case 'DTYPE_SOCKET': return 'SOCK';
    case 'DTYPE_KQUEUE':
    case 'DTYPE_MISC':
    case 'DTYPE_SEM': return 'LNK';
    default: return 'UNKNOWN';
  }
}

/** The d_type that names a vtype (IFTODT of the vtype's S_IF* bits). */
export function vtypeDt(t: Vtype): string {
  switch (t) {
    case 'VREG': return 'REG';
    case 'VDIR': return 'DIR';
    case 'VBLK': return 'BLK';
    case 'VCHR': return 'CHR';
    case 'VLNK': return 'LNK';
    case 'VSOCK': return 'SOCK';
    case 'VFIFO': return 'FIFO';
    default: return 'UNKNOWN';
  }
}

/** procfs's atoi: digits only (anything else gives -1), wrapping as a C int does. */
export function pfsAtoi(name: string): number {
  let n = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = (Math.imul(n, 10) + (c - 48)) | 0;
  }
  return n;
}
