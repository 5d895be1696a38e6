/**
 * procfs_linux.c (rev 1.89, 2024-07-01): the Linux-compatible files of a
 * PROCFSMNT_LINUXCOMPAT mount (/proc/meminfo, devices, stat, loadavg,
 * cpuinfo, uptime, mounts, version; /proc/N/stat and statm), one function
 * per NetBSD function. None of them tests uio_rw: every one ends in
 * uiomove_frombuf, so a write that gets this far (root, target not init)
 * copies into the freshly built buffer and is counted.
 */
import type { Err } from '../emulator/errno.ts';
import { err, isErr } from '../emulator/errno.ts';
import type { Kernel } from '../emulator/kernel.ts';
import type { Mount } from '../emulator/mount.ts';
import { MNT_NOEXEC, MNT_NOSUID, MNT_RDONLY } from '../emulator/mount.ts';
import type { Proc } from '../emulator/proc.ts';
import { getcwdCommon } from '../emulator/vfs_getcwd.ts';
import type { Ctx, Vnode } from '../emulator/vnode.ts';
import { VV_ROOT } from '../emulator/vnode.ts';
import { procMappings, usrstack } from './map.ts';
import type { PfsType } from './procfs.ts';
import { RLIMIT_RSS_CUR, procComm, procStart } from './status.ts';
import type { Uio, UioResult } from './subr.ts';
import { uiomoveFrombuf } from './subr.ts';

/**
 * uiomove_frombuf (kern_subr.c) in both directions: a read copies out from
 * uio_offset; a write copies min(resid, buflen - offset) bytes into the
 * buffer and counts them, nothing at or past the end.
 */
export function uiomoveFrombufRw(text: string, uio: Uio): UioResult {
  if (uio.rw === 'read') return uiomoveFrombuf(text, uio);
  if (uio.offset >= text.length) return 0;
  return Math.min(uio.data.length, text.length - uio.offset);
}

/** printf's %8lu: right-aligned in eight columns. */
const u8 = (n: number) => String(n).padStart(8);

/** The fixture's physical memory: 8 GiB, no swap. */
const PHYSMEM_BYTES = 8 * 1024 * 1024 * 1024;

/** uvmexp and the CPU_COUNT page counters: stable shares of physical memory. */
function uvmexpOf(k: Kernel) {
  const npages = PHYSMEM_BYTES / k.pageSize;
  return { npages, free: npages / 2, filepg: npages / 8, anonpg: npages / 16, execpg: npages / 32, swpages: 0, swpginuse: 0 };
}

/** procfs_domeminfo: the old two-table Linux layout; Buffers prints the free pages, as the source does. */
function procfsDomeminfo(ctx: Ctx): string {
  const u = uvmexpOf(ctx.k);
  const pg = ctx.k.pageSize;
  const b = (n: number) => n * pg; // PGTOB
  const kb = (n: number) => Math.floor((n * pg) / 1024); // PGTOKB
  const cached = u.anonpg + u.filepg + u.execpg;
  return '        total:    used:    free:  shared: buffers: cached:\n' +
    `Mem:  ${u8(b(u.npages))} ${u8(b(u.npages - u.free))} ${u8(b(u.free))} ${u8(0)} ${u8(b(u.filepg))} ${u8(b(cached))}\n` +
    `Swap: ${u8(b(u.swpages))} ${u8(b(u.swpginuse))} ${u8(b(u.swpages - u.swpginuse))}\n` +
    `MemTotal:  ${u8(kb(u.npages))} kB\n` +
    `MemFree:   ${u8(kb(u.free))} kB\n` +
    `MemShared: ${u8(0)} kB\n` +
    `Buffers:   ${u8(kb(u.free))} kB\n` +
    `Cached:    ${u8(kb(cached))} kB\n` +
    `SwapTotal: ${u8(kb(u.swpages))} kB\n` +
    `SwapFree:  ${u8(kb(u.swpages - u.swpginuse))} kB\n`;
}

/** devsw_conv: the fixture's drivers as (name, block major, character major); -1 = none (amd64 majors). */
const DEVSW_CONV: readonly (readonly [string, number, number])[] = [
  ['cons', -1, 0], ['ctty', -1, 1], ['mem', -1, 2], ['wd', 0, 3], ['swap', 1, 4], ['pts', -1, 5], ['ptc', -1, 6], ['log', -1, 7],
];

/** procfs_dodevices: "%3d %s" per character major, a blank line, then the block majors. */
function procfsDodevices(): string {
  const line = (major: number, name: string) => `${String(major).padStart(3)} ${name}\n`;
  const chr = DEVSW_CONV.filter(([, , c]) => c !== -1).map(([n, , c]) => line(c, n)).join('');
  const blk = DEVSW_CONV.filter(([, b]) => b !== -1).map(([n, b]) => line(b, n)).join('');
  return `Character devices:\n${chr}\nBlock devices:\n${blk}`;
}

/**
 * The one CPU's tick counts (spc_cp_time: CP_USER, CP_NICE, CP_SYS, CP_IDLE): the
 * fixture runs nothing, so every tick since boot was idle.
 */
function cpTime(k: Kernel): readonly [number, number, number, number] {
  return [0, 0, 0, k.ticks];
}

/** procfs_docpustat: the "cpu" total, one "cpuN" line per CPU, then disk, page, swap, intr, ctxt and btime. */
function procfsDocpustat(ctx: Ctx): string {
  const t = cpTime(ctx.k).join(' ');
  return `cpu ${t}\ncpu0 ${t}\ndisk 0 0 0 0\npage 0 0\nswap 0 0\nintr 0\nctxt 0\nbtime ${ctx.k.boottimeSec}\n`;
}

/** procfs_doloadavg: three load averages (the fixture's are 0), 1 running, nprocs, and the literal 30000. */
function procfsDoloadavg(ctx: Ctx): string {
  return `0.00 0.00 0.00 1/${ctx.k.nprocs} 30000\n`;
}

/** The vmspace sizes in pages: text, data and stack entries; every page is resident. */
function vmspaceOf(ctx: Ctx, p: Proc) {
  const [text, data, stack] = procMappings(ctx, p).map((e) => (e.end - e.start) / ctx.k.pageSize);
  const tsize = text!;
  const dsize = data!;
  const ssize = stack!;
  const mapSize = tsize + dsize + ssize;
  const issize = ssize; // the whole stack entry is the initial stack (no PROT_NONE reserve)
  // fill_kproc2: p_vm_msize = atop(vm_map.size) - vm_issize + vm_ssize.
  return { tsize, dsize, ssize, msize: mapSize - issize + ssize, rssize: mapSize };
}

/** procfs_do_pid_statm: size resident shared text lib data+stack dirty, in pages. */
function procfsDoPidStatmText(ctx: Ctx, p: Proc): string {
  const vm = vmspaceOf(ctx, p);
  return `${vm.msize} ${vm.rssize} 0 ${vm.tsize} 0 ${vm.dsize + vm.ssize} 0\n`;
}

/** kinfo_proc2 p_flag bits (sys/sysctl.h) that the fixture's processes can have. */
const L_INMEM = 0x4;
const P_SUGID = 0x100;
const P_SYSTEM = 0x200;
const P_TRACED = 0x800;
const P_EXEC = 0x4000;
const P_NOCLDWAIT = 0x20000;

/** fill_kproc2's p_flag: L_INMEM always, then the PK_*, PSL_* and LW_* flags mapped to P_*. */
function kiFlag(p: Proc): number {
  let f = L_INMEM;
  if (p.sugid) f |= P_SUGID;
  if (p.system) f |= P_SYSTEM | P_NOCLDWAIT;
  if (p.tracer !== null) f |= P_TRACED;
  if (p.pkExec) f |= P_EXEC;
  return f;
}

/** UTIME2TICKS: a timeval in hundredths of a second. */
const utime2ticks = (sec: number, usec: number) => Math.floor((sec * 1000000 + usec) / 10000);

/**
 * lwp_eprio of a time-sharing LWP that has used no CPU: (PRI_KERNEL - 1) -
 * estcpu - p_nice with p_nice = NZERO (sched_4bsd resetpriority).
 */
const USER_PRIORITY = 43;
/** SIGCHLD: the p_exitsig fork1 gives every child. */
const SIGCHLD = 20;

/**
 * procfs_do_pid_stat: the 39 fields of Linux's /proc/N/stat from
 * fill_kproc2. The state letter indexes "0RRSTZXR8" with the LWP's l_stat:
 * LSSTOP is 'T'; the fixture's other LWPs are runnable or on the CPU, 'R'.
 * No tty (tty_nr 0, tpgid NO_PGID), no signals, no CPU time, no faults.
 */
function procfsDoPidStatText(ctx: Ctx, p: Proc): string {
  const vm = vmspaceOf(ctx, p);
  const text = procMappings(ctx, p)[0]!;
  const sstack = usrstack(ctx, p) - ctx.k.pageSize; // "jdk 1.6 compares low <= addr && addr < high": eat one page
  const start = procStart(ctx.k, p);
  const state = p.stat === 'SSTOP' ? 'T' : 'R';
  const kb = Math.floor((vm.rssize * ctx.k.pageSize) / 1024);
  const fields = [
    p.pid, `(${procComm(p)})`, state, p.parent?.pid ?? 0, p.pgid, p.sid, 0, -1,
    kiFlag(p),
    0, 0, 0, 0, 0, 0, 0, 0,
    USER_PRIORITY, 0, 1,
    0, utime2ticks(start.sec, start.usec), vm.msize, kb, RLIMIT_RSS_CUR,
    text.start, text.end, sstack,
    0, 0,
    0, 0, 0, 0,
    0, 0, 0, SIGCHLD, 0,
  ];
  return `${fields.join(' ')}\n`;
}

/** The fixture's CPU (what cpuid and the TSC would report), one of them. */
const CPU = {
  vendor: 'GenuineIntel', family: 6, model: 85, stepping: 7, brand: 'procfs-emu virtual CPU',
  ccFreq: 2000000000, apicid: 0, initialApicid: 0, maxCpuid: 13, clflushSize: 64,
  /** The set feature bits, named through x86_features[] in its order. */
  features: [
    'fpu', 'vme', 'de', 'pse', 'tsc', 'msr', 'pae', 'mce', 'cx8', 'apic', 'sep', 'mtrr', 'pge', 'mca', 'cmov',
    'pat', 'pse36', 'clflush', 'mmx', 'fxsr', 'sse', 'sse2', 'syscall', 'nx', 'lm', 'pni', 'ssse3', 'cx16',
    'sse4_1', 'sse4_2', 'popcnt', 'hypervisor', 'lahf_lm',
  ],
} as const;

/**
 * procfs_getonecpu (arch/x86/x86/procfs_machdep.c 1.15.2.14): one CPU's
 * block; every feature name is followed by a space.
 */
function procfsGetonecpu(xcpu: number): string {
  const freq = Math.floor((CPU.ccFreq + 4999) / 1000000);
  const fraq = Math.floor((CPU.ccFreq + 4999) / 10000) % 100;
  return `processor\t: ${xcpu}\nvendor_id\t: ${CPU.vendor}\ncpu family\t: ${CPU.family}\nmodel\t\t: ${CPU.model}\n` +
    `model name\t: ${CPU.brand}\nstepping\t: ${CPU.stepping}\n` +
    `cpu MHz\t\t: ${freq}.${String(fraq).padStart(2, '0')}\n` +
    `apicid\t\t: ${CPU.apicid}\ninitial apicid\t: ${CPU.initialApicid}\n` +
    `fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: ${CPU.maxCpuid}\nwp\t\t: yes\n` +
    `flags\t\t: ${CPU.features.map((f) => `${f} `).join('')}\n` +
    `clflush size\t: ${CPU.clflushSize}\n`;
}

/** procfs_docpuinfo → procfs_getcpuinfstr: each CPU's block followed by a newline. */
function procfsDocpuinfo(): string {
  return `${procfsGetonecpu(0)}\n`;
}

/** procfs_douptime: microuptime as seconds.hundredths, then the idle ticks as seconds.hundredths. */
function procfsDouptime(ctx: Ctx): string {
  const { hz, ticks } = ctx.k;
  const sec = Math.floor(ticks / hz);
  const usec = (ticks % hz) * (1000000 / hz);
  const idle = cpTime(ctx.k)[3];
  const idleFrac = Math.floor(((idle % hz) * 100) / hz) % 100;
  return `${sec}.${String(Math.floor(usec / 10000)).padStart(2, '0')} ${Math.floor(idle / hz)}.${String(idleFrac).padStart(2, '0')}\n`;
}

/** Mount flags not exported by emulator/mount.ts (sys/fstypes.h); no fixture mount sets them. */
const MNT_SYNCHRONOUS = 0x2;
const MNT_NODEV = 0x10;
const MNT_NOATIME = 0x04000000;

interface SfsLine {
  from: string;
  on: string;
  fstype: string;
  flag: number;
}

/** The statvfs of a mount as the mount recorded it (mnt_stat): f_mntfromname, f_mntonname, f_fstypename, f_flag. */
function mntStat(ctx: Ctx, mp: Mount): SfsLine | Err {
  // dead_rootmount (vfs_vnode.c vfs_vnode_sysinit) comes from vfs_mountalloc, which leaves mnt_stat zeroed; its
  // VFS_STATVFS is dead_panic (dead_vfsops.c 1.8), but only procfs_domounts' faked root entry reaches it, through mnt_stat.
  if (mp === ctx.k.deadMount) return { from: '', on: '', fstype: '', flag: 0 };
  const s = mp.ops.statvfs(ctx, mp);
  if (isErr(s)) return s;
  return { from: s.mntfromname, on: mp.path === '' ? '/' : mp.path, fstype: mp.ops.name, flag: mp.flag };
}

/**
 * getcwd_common(cwdi_rdir, rootvnode): the caller's root as a path. The
 * root of a mounted file system is named by its mount point (getcwd_common
 * walks ".." across the mount); other vnodes by the root file system's names.
 */
function rootdirPath(ctx: Ctx, rdir: Vnode): string | Err {
  if ((rdir.vflag & VV_ROOT) !== 0 && rdir.mount !== ctx.k.rootMount) return rdir.mount.path;
  return getcwdCommon(ctx.k, rdir, null);
}

/**
 * dostatvfs (vfs_syscalls.c) with root = 0: for a chrooted caller the
 * mount point is shown relative to its root, and a mount outside that root
 * is refused (EPERM), which procfs_domounts skips.
 */
function dostatvfs(ctx: Ctx, mp: Mount): SfsLine | Err {
  const s = mntStat(ctx, mp);
  if (isErr(s) || ctx.p.root === null) return s;
  const rootPath = rootdirPath(ctx, ctx.p.root);
  if (isErr(rootPath)) return rootPath;
  if (rootPath === '/') return s;
  const rest = s.on.slice(rootPath.length);
  if (!s.on.startsWith(rootPath) || (rest !== '' && !rest.startsWith('/'))) return err('EPERM');
  return { ...s, on: rest === '' ? '/' : rest };
}

/**
 * procfs_format_sfs: "from on type rw|ro[,nosuid][,noexec][,nodev][,sync][,noatime] 0 0",
 * with Linux's names for procfs ("proc") and ext2fs ("ext2").
 */
function procfsFormatSfs(s: SfsLine): string {
  const fsname = s.fstype === 'procfs' ? 'proc' : s.fstype === 'ext2fs' ? 'ext2' : s.fstype;
  const f = s.flag;
  const opts = (f & MNT_RDONLY ? 'ro' : 'rw') + (f & MNT_NOSUID ? ',nosuid' : '') + (f & MNT_NOEXEC ? ',noexec' : '') +
    (f & MNT_NODEV ? ',nodev' : '') + (f & MNT_SYNCHRONOUS ? ',sync' : '') + (f & MNT_NOATIME ? ',noatime' : '');
  return `${s.from} ${s.on} ${fsname} ${opts} 0 0\n`;
}

/**
 * procfs_domounts: one line per mount in mountlist order; a caller chrooted
 * somewhere that is not a mount point gets a faked entry for the mount
 * holding its root (that mount's own mnt_stat, so its real mount point).
 */
function procfsDomounts(ctx: Ctx): string {
  let text = '';
  let root = false;
  for (const mp of ctx.k.mountlist) {
    const s = dostatvfs(ctx, mp);
    if (isErr(s)) continue;
    text += procfsFormatSfs(s);
    root ||= s.on === '/';
  }
  if (!root && ctx.p.root !== null) {
    const s = mntStat(ctx, ctx.p.root.mount);
    if (!isErr(s)) text += procfsFormatSfs(s);
  }
  return text;
}

/** The kernel's and compat_linux's identification (sysctl kern.ostype ... and emul.linux.kern.*), and __VERSION__. */
const KERN_IDENT = { ostype: 'NetBSD', osrelease: '10.1', version: 'NetBSD 10.1 (GENERIC) #0: Sun Dec 15 00:00:00 UTC 2024' };
const LINUX_IDENT = { ostype: 'Linux', osrelease: '5.6.0', version: '#0 Sun Dec 15 00:00:00 UTC 2024' };
const CC_VERSION = '10.5.0';

/** procfs_doversion: "<ostype> version <release> (<reader's emulation>@localhost) (gcc version ...) <version>". */
function procfsDoversion(ctx: Ctx): string {
  const id = ctx.p.emul === 'linux' ? LINUX_IDENT : KERN_IDENT;
  return `${id.ostype} version ${id.osrelease} (${ctx.p.emul}@localhost) (gcc version ${CC_VERSION}) ${id.version}\n`;
}

/** The text of a root-level Linux file at this moment, by its procfs_do* function. */
function linuxRootText(ctx: Ctx, type: PfsType): string {
  switch (type) {
    case 'meminfo': return procfsDomeminfo(ctx);
    case 'cpuinfo': return procfsDocpuinfo();
    case 'uptime': return procfsDouptime(ctx);
    case 'mounts': return procfsDomounts(ctx);
    case 'devices': return procfsDodevices();
    case 'cpustat': return procfsDocpustat(ctx);
    case 'loadavg': return procfsDoloadavg(ctx);
    case 'version': return procfsDoversion(ctx);
    default: throw new Error(`procfs linux: ${type} is not a root file`);
  }
}

/** procfs_rw's cases for the root-level Linux files. */
export function procfsDoLinuxRoot(ctx: Ctx, type: PfsType, uio: Uio): UioResult {
  return uiomoveFrombufRw(linuxRootText(ctx, type), uio);
}

/** procfs_do_pid_stat */
export function procfsDoPidStat(ctx: Ctx, p: Proc, uio: Uio): UioResult {
  return uiomoveFrombufRw(procfsDoPidStatText(ctx, p), uio);
}

/** procfs_do_pid_statm */
export function procfsDoPidStatm(ctx: Ctx, p: Proc, uio: Uio): UioResult {
  return uiomoveFrombufRw(procfsDoPidStatmText(ctx, p), uio);
}
