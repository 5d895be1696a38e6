/**
 * The text procfs generates, line by line and field by field as each
 * NetBSD procfs_do* function writes it (scenario contract §4, revision 2),
 * with the fixture's model values: golden literals per generator, writes
 * per generator (§13 item 9), map/maps at an offset (§13 item 10), environ
 * without a CANSEE_ENV request (§13 item 8), and checks shaped like the
 * parsers of real programs that read NetBSD's /proc.
 */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { RD, RDWR, WR, bootProcfs, mountProcfs, must, openOk, outcome, spawnAs, spawnLinux } from '../helpers/boot.ts';

/** boottime.tv_sec of the fixture (kernel.ts) and hz. */
const BOOT = 1767225600;

/** The whole text of a generated file, read by `p`. */
function readAll(k: E.Kernel, p: E.Proc, path: string, offset = 0): string {
  const fd = openOk(k, p, path);
  const text = must(E.sysRead(k, p, fd, 1 << 16, offset));
  E.sysClose(k, p, fd);
  return text;
}

/** A root write of `data` at `offset` to a generated file: the count or the errno. */
function rootWrite(k: E.Kernel, root: E.Proc, path: string, data: string, offset = 0): number | E.Errno {
  const fd = openOk(k, root, path, RDWR);
  const r = E.sysWrite(k, root, fd, data, offset);
  E.sysClose(k, root, fd);
  return E.isErr(r) ? r.errno : r;
}

/** A kernel at tick 250 (2.5 s after boot) with a user process forked at that moment, pid 5. */
function fixture() {
  const k = bootProcfs();
  k.ticks = 250;
  const t = spawnAs(k, 1000, 100, '/bin/sh', 5);
  const root = spawnAs(k, 0, 0, '/bin/sh', 6);
  return { k, t, root };
}

describe('procfs_dostatus (procfs_status.c 1.39)', () => {
  it('procfs_status_netbsd: comm pid ppid pgid sid maj,min flags start ut st wmesg euid egid,groups', () => {
    const { k, t, root } = fixture();
    expect(readAll(k, root, '/proc/5/status')).toBe(`sh 5 1 5 5 -1,-1 sldr ${BOOT + 2},500000 0,0 0,0 nochan 1000 100,100\n`);
    // init: setsid() at its start; cred0 has no groups.
    expect(readAll(k, t, '/proc/1/status')).toBe(`init 1 0 1 1 -1,-1 sldr ${BOOT},0 0,0 0,0 nochan 0 0\n`);
    // proc0: "system", pgrp0/session0 (id 0) whose s_leader is unset, so noflags.
    expect(readAll(k, t, '/proc/0/status')).toBe(`system 0 0 0 0 -1,-1 noflags ${BOOT},0 0,0 0,0 nochan 0 0\n`);
  });

  it('the ppid is p_ppid: the tracer while traced (PT_ATTACH reparents), the parent again after PT_DETACH', () => {
    const k = bootProcfs();
    const a = spawnAs(k, 1000, 100);
    const c = must(E.fork1(k, a));
    const dbg = spawnAs(k, 1000, 100);
    const linux = spawnLinux(k, 1000, 100);
    const ppid = () => readAll(k, a, `/proc/${c.pid}/status`).split(' ')[2];
    const linuxPpid = () => /PPid:\t(\d+)/.exec(readAll(k, linux, `/proc/${c.pid}/status`))?.[1];
    const statPpid = () => readAll(k, a, `/proc/${c.pid}/stat`).split(' ')[3];
    expect([ppid(), linuxPpid(), statPpid()]).toEqual([`${a.pid}`, `${a.pid}`, `${a.pid}`]);
    expect(E.sysPtrace(k, dbg, c.pid, false)).toBeUndefined();
    expect([ppid(), linuxPpid(), statPpid()]).toEqual([`${dbg.pid}`, `${dbg.pid}`, `${dbg.pid}`]);
    expect(E.sysPtrace(k, dbg, c.pid, true)).toBeUndefined();
    expect([ppid(), linuxPpid(), statPpid()]).toEqual([`${a.pid}`, `${a.pid}`, `${a.pid}`]);
  });

  it('a forked child keeps the process group and session but is not their leader; exec changes comm and the ids', () => {
    const { k, t, root } = fixture();
    k.ticks = 301;
    const c = must(E.fork1(k, t, 7));
    expect(readAll(k, root, '/proc/7/status')).toBe(`sh 7 5 5 5 -1,-1 noflags ${BOOT + 3},10000 0,0 0,0 nochan 1000 100,100\n`);
    expect(E.execve(k, c, '/usr/bin/wall')).toBeUndefined(); // set-gid tty (4)
    expect(readAll(k, root, '/proc/7/status')).toBe(`wall 7 5 5 5 -1,-1 noflags ${BOOT + 3},10000 0,0 0,0 nochan 1000 4,100\n`);
  });

  it('procfs_status_linux for a Linux-emulated reader: Name, Pid, PPid, TracerPid, Groups, VmPeak, VmSize, VmRSS', () => {
    const { k } = fixture();
    const l = spawnLinux(k, 1000, 100, 8);
    expect(readAll(k, l, '/proc/5/status')).toBe(
      'Name:\tsh\nPid:\t5\nPPid:\t1\nTracerPid:\t0\nGroups:\t100 \n' +
      'VmPeak:\t  262144 kB\nVmSize:\t  262144 kB\nVmRSS:\t9007199254740991 kB\n');
  });

  it('reads continue the text at an offset; a write is EOPNOTSUPP, even for root', () => {
    const { k, root } = fixture();
    const text = readAll(k, root, '/proc/5/status');
    expect(readAll(k, root, '/proc/5/status', 10)).toBe(text.slice(10));
    expect(rootWrite(k, root, '/proc/5/status', 'x')).toBe('EOPNOTSUPP');
  });
});

describe('procfs_doprocargs (procfs_cmdline.c) and copy_procargs (kern_proc.c 1.263)', () => {
  it('cmdline: each argv string with its NUL; proc0 (PK_SYSTEM) shows "(system)" and a NUL', () => {
    const { k, t } = fixture();
    expect(readAll(k, t, '/proc/5/cmdline')).toBe('/bin/sh\0');
    expect(readAll(k, t, '/proc/1/cmdline')).toBe('/sbin/init\0');
    expect(readAll(k, t, '/proc/0/cmdline')).toBe('(system)\0');
    expect(readAll(k, t, '/proc/0/cmdline', 3)).toBe('stem)\0');
  });

  it('environ: the environment strings with their NULs; init has none; proc0 shows "(system)"', () => {
    const { k, t, root } = fixture();
    expect(readAll(k, t, '/proc/5/environ')).toBe('HOME=/\0PATH=/bin:/usr/bin\0USER=user\0');
    expect(readAll(k, root, '/proc/1/environ')).toBe('');
    expect(readAll(k, root, '/proc/0/environ')).toBe('(system)\0');
    const c = must(E.fork1(k, t, 9)); // the copied vmspace holds the same strings
    expect(readAll(k, c, '/proc/9/environ')).toBe('HOME=/\0PATH=/bin:/usr/bin\0USER=user\0');
  });

  it('environ asks kauth for no CANSEE_ENV: a same-euid reader whose real uid differs reads it (mode 0400 is the guard)', () => {
    const k = bootProcfs();
    const a = spawnAs(k, 0, 0, '/bin/sh', 5);
    expect(E.sysSetid(k, a, 'seteuid', 1000)).toBeUndefined(); // ruid 0, euid 1000, svuid 0
    const b = spawnAs(k, 1000, 100, '/bin/sh', 6);
    // proc_listener_cb would DEFER CANSEE_ENV here (ruid 1000 != 0), and nothing would ALLOW it.
    expect(k.kauth.authorize(k, b.cred, { scope: 'process', action: 'CANSEE', p: a, req: 'ENV' })).toEqual({ errno: 'EPERM' });
    expect(readAll(k, b, '/proc/5/environ')).toBe('HOME=/\0PATH=/bin:/usr/bin\0USER=root\0');
    const other = spawnAs(k, 1001, 100, '/bin/sh', 7);
    expect(outcome(E.sysOpen(k, other, '/proc/5/environ', RD))).toBe('EACCES');
  });

  it('a write is EOPNOTSUPP for both oids', () => {
    const { k, root } = fixture();
    expect(rootWrite(k, root, '/proc/5/cmdline', 'x')).toBe('EOPNOTSUPP');
    expect(rootWrite(k, root, '/proc/5/environ', 'x')).toBe('EOPNOTSUPP');
  });

  it('D-Bus style: splitting cmdline at NUL gives argv and one empty tail', () => {
    const { k, t } = fixture();
    expect(readAll(k, t, '/proc/5/cmdline').split('\0')).toEqual(['/bin/sh', '']);
  });
});

/** The fixture's address space as procfs_domap prints it for pid 5 running /bin/sh. */
const MAP_NETBSD =
  '0 0x10000 r-x rwx COW NC 1 0 0\n' +
  '0x600000 0x608000 rw- rwx COW NNC 1 0 0\n' +
  '0x7f7fff800000 0x7f7fff804000 rw- rwx COW NNC 1 0 0\n';

const pad25 = ' '.repeat(25);
const mapsLinux = (fileid: number, path: string) =>
  `0000000000000000-0000000000010000 r-xp 0000000000000000 00:00 ${String(fileid).padEnd(8)} ${pad25} ${path}\n` +
  `0000000000600000-0000000000608000 rw-p 0000000000010000 00:00 ${String(fileid).padEnd(8)} ${pad25} ${path}\n` +
  `00007f7fff800000-00007f7fff804000 rw-p 0000000000000000 00:00 0        ${pad25} \n`;

describe('procfs_domap (procfs_map.c 1.45)', () => {
  it('map: "%#lx %#lx rwx rwx COW|NCOW NC|NNC inheritance wired advice" per entry, no path (0 prints as "0")', () => {
    const { k, t } = fixture();
    expect(readAll(k, t, '/proc/5/map')).toBe(MAP_NETBSD);
  });

  it('maps: addresses and offset padded to 16 digits, dev, file id in 8 columns, 25 blank columns, the path', () => {
    const { k, t } = fixture();
    const fileid = must(E.sysStat(k, t, '/bin/sh', true)).fileno;
    expect(readAll(k, t, '/proc/5/maps')).toBe(mapsLinux(fileid, '/bin/sh'));
  });

  it('vnode_to_path drops the emulation root only for a reader of the same emulation as the target', () => {
    const k = bootProcfs();
    const l = spawnLinux(k, 1000, 100, 5);
    const root = spawnAs(k, 0, 0);
    const fileid = must(E.sysStat(k, root, '/emul/linux/bin/sh', true)).fileno;
    expect(readAll(k, root, '/proc/5/maps')).toBe(mapsLinux(fileid, '/emul/linux/bin/sh'));
    expect(readAll(k, l, '/proc/5/maps')).toBe(mapsLinux(fileid, '/bin/sh'));
  });

  it('the text is built whole, then read from uio_offset: an offset mid-line continues it, past the end is empty', () => {
    const { k, t } = fixture();
    const fd = openOk(k, t, '/proc/5/map');
    expect(must(E.sysRead(k, t, fd, 31, 0))).toBe('0 0x10000 r-x rwx COW NC 1 0 0\n');
    expect(must(E.sysRead(k, t, fd, 64, 31))).toBe('0x600000 0x608000 rw- rwx COW NNC 1 0 0\n0x7f7fff800000 0x7f7fff8');
    expect(must(E.sysRead(k, t, fd, 64, 40))).toBe(MAP_NETBSD.slice(40, 104));
    expect(must(E.sysRead(k, t, fd, 64, MAP_NETBSD.length))).toBe('');
    const maps = openOk(k, t, '/proc/5/maps');
    const whole = readAll(k, t, '/proc/5/maps');
    expect(must(E.sysRead(k, t, maps, 100, 150))).toBe(whole.slice(150, 250));
  });

  it('a write is EOPNOTSUPP for both formats', () => {
    const { k, root } = fixture();
    expect(rootWrite(k, root, '/proc/5/map', 'x')).toBe('EOPNOTSUPP');
    expect(rootWrite(k, root, '/proc/5/maps', 'x')).toBe('EOPNOTSUPP');
  });

  it('glibc style: every maps line parses as "%lx-%lx %4s %lx %x:%x %lu" with an optional path', () => {
    const { k, t } = fixture();
    const lines = readAll(k, t, '/proc/5/maps').split('\n').slice(0, -1);
    const re = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) ([0-9a-f]+):([0-9a-f]+) (\d+)\s*(\S*)$/;
    const parsed = lines.map((l) => re.exec(l)).map((m) => m && [Number.parseInt(m[1]!, 16), Number.parseInt(m[2]!, 16), m[3], m[8]]);
    expect(parsed).toEqual([
      [0, 0x10000, 'r-xp', '/bin/sh'], [0x600000, 0x608000, 'rw-p', '/bin/sh'], [0x7f7fff800000, 0x7f7fff804000, 'rw-p', ''],
    ]);
  });
});

/** A little-endian 64-bit word of the auxv text. */
function word(text: string, at: number): number {
  let n = 0;
  for (let i = 7; i >= 0; i--) n = n * 256 + text.charCodeAt(at + i);
  return n;
}

describe('procfs_doauxv (procfs_auxv.c 1.2.14.2) and proc_getauxv (kern_proc.c 1.263)', () => {
  it('es_arglen bytes: the elf_copyargs vector, AT_NULL last, then the execname string and zeros', () => {
    const { k, t } = fixture();
    const text = readAll(k, t, '/proc/5/auxv');
    expect(text.length).toBe(1062);
    const pairs: [number, number][] = [];
    for (let at = 0; at < 14 * 16; at += 16) pairs.push([word(text, at), word(text, at + 8)]);
    expect(pairs).toEqual([
      [3, 0x40], [4, 56], [5, 7], [6, 4096], [7, 0x7f7ff7c00000], [8, 0], [9, 0x1000],
      [2000, 1000], [2001, 1000], [2002, 100], [2003, 100],
      [13, 0x7f7fff804000], [2014, 0x7f7fff803000 + 14 * 16], [0, 0],
    ]);
    expect(text.slice(14 * 16, 14 * 16 + 8)).toBe('/bin/sh\0');
    expect(text.slice(14 * 16 + 8)).toBe('\0'.repeat(1062 - 14 * 16 - 8));
    expect(readAll(k, t, '/proc/5/auxv', 14 * 16)).toBe(text.slice(14 * 16));
  });

  it('AT_EUID and AT_EGID are the ids the exec gave; a later seteuid does not rewrite the stack', () => {
    const k = bootProcfs();
    const a = spawnAs(k, 1000, 100, '/bin/sh', 5);
    expect(E.execve(k, a, '/usr/bin/passwd')).toBeUndefined(); // set-uid root
    const root = spawnAs(k, 0, 0);
    const ids = () => {
      const text = readAll(k, root, '/proc/5/auxv');
      return [7, 8, 9, 10].map((i) => [word(text, i * 16), word(text, i * 16 + 8)]);
    };
    expect(ids()).toEqual([[2000, 0], [2001, 1000], [2002, 100], [2003, 100]]);
    expect(E.sysSetid(k, a, 'seteuid', 1000)).toBeUndefined();
    expect(ids()).toEqual([[2000, 0], [2001, 1000], [2002, 100], [2003, 100]]);
  });

  it('a write is EOPNOTSUPP (not EPERM)', () => {
    const { k, root } = fixture();
    expect(rootWrite(k, root, '/proc/5/auxv', 'x')).toBe('EOPNOTSUPP');
  });
});

describe('procfs_doemul (procfs_subr.c)', () => {
  it('the emulation name with no newline; a root write is counted against it (uiomove_frombuf, no direction check)', () => {
    const { k, t, root } = fixture();
    const l = spawnLinux(k, 1000, 100, 8);
    expect(readAll(k, t, '/proc/5/emul')).toBe('netbsd');
    expect(readAll(k, t, '/proc/8/emul')).toBe('linux');
    expect(rootWrite(k, root, '/proc/5/emul', 'x')).toBe(1);
    expect(rootWrite(k, root, '/proc/5/emul', 'linux32', 2)).toBe(4);
    expect(rootWrite(k, root, '/proc/5/emul', 'x', 6)).toBe(0);
    expect(readAll(k, l, '/proc/5/emul')).toBe('netbsd');
  });
});

describe('procfs_donote (procfs_note.c 1.11.2.1)', () => {
  it('a read is EINVAL; a write goes through vfs_getuserstr and then is EOPNOTSUPP', () => {
    const { k, t } = fixture();
    const fd = openOk(k, t, '/proc/5/note', WR);
    expect(outcome(E.sysWrite(k, t, fd, 'hup', 0))).toBe('EOPNOTSUPP');
    expect(outcome(E.sysWrite(k, t, fd, 'hup', 1))).toBe('EINVAL');
    expect(outcome(E.sysWrite(k, t, fd, 'x'.repeat(65), 0))).toBe('EMSGSIZE');
  });
});

describe('procfs_domeminfo (procfs_linux.c 1.89)', () => {
  const MEMINFO =
    '        total:    used:    free:  shared: buffers: cached:\n' +
    'Mem:  8589934592 4294967296 4294967296        0 1073741824 1879048192\n' +
    'Swap:        0        0        0\n' +
    'MemTotal:   8388608 kB\n' +
    'MemFree:    4194304 kB\n' +
    'MemShared:        0 kB\n' +
    'Buffers:    4194304 kB\n' +
    'Cached:     1835008 kB\n' +
    'SwapTotal:        0 kB\n' +
    'SwapFree:         0 kB\n';

  it('the two-table layout with %8lu columns (Buffers shows the free pages, as the source computes)', () => {
    const { k, t } = fixture();
    expect(readAll(k, t, '/proc/meminfo')).toBe(MEMINFO);
  });

  it('psutil style: MemTotal, MemFree, Buffers, Cached, SwapTotal, SwapFree read by key in kB', () => {
    const { k, t } = fixture();
    const byKey = new Map<string, number>();
    for (const line of readAll(k, t, '/proc/meminfo').split('\n')) {
      const m = /^(\w+):\s+(\d+) kB$/.exec(line);
      if (m) byKey.set(m[1]!, Number(m[2]) * 1024);
    }
    expect(Object.fromEntries(byKey)).toEqual({
      MemTotal: 8 * 2 ** 30, MemFree: 4 * 2 ** 30, MemShared: 0, Buffers: 4 * 2 ** 30, Cached: 1835008 * 1024, SwapTotal: 0, SwapFree: 0,
    });
  });

  it('uses the page size', () => {
    const k = bootProcfs({ config: { pageSize: 16384 } });
    expect(readAll(k, k.initproc, '/proc/meminfo')).toBe(MEMINFO);
  });
});

describe('procfs_docpustat (procfs_linux.c 1.89)', () => {
  it('cpu and cpu0 (user nice sys idle), disk, page, swap, intr, ctxt, btime', () => {
    const { k, t } = fixture();
    expect(readAll(k, t, '/proc/stat')).toBe(
      `cpu 0 0 0 250\ncpu0 0 0 0 250\ndisk 0 0 0 0\npage 0 0\nswap 0 0\nintr 0\nctxt 0\nbtime ${BOOT}\n`);
  });

  it('psutil style: the lines starting "cpu" split into numbers; btime is the boot time', () => {
    const { k, t } = fixture();
    const lines = readAll(k, t, '/proc/stat').split('\n');
    const cpus = lines.filter((l) => l.startsWith('cpu')).map((l) => l.split(' '));
    expect(cpus.map(([name, ...v]) => [name, v.map(Number)])).toEqual([['cpu', [0, 0, 0, 250]], ['cpu0', [0, 0, 0, 250]]]);
    expect(lines.find((l) => l.startsWith('btime '))).toBe(`btime ${BOOT}`);
  });
});

describe('procfs_doloadavg, procfs_douptime, procfs_doversion, procfs_dodevices, procfs_docpuinfo (procfs_linux.c 1.89)', () => {
  it('procfs_doloadavg: three averages, 1/nprocs (proc0 and zombies count), and the literal 30000', () => {
    const { k, t } = fixture();
    expect(readAll(k, t, '/proc/loadavg')).toBe('0.00 0.00 0.00 1/4 30000\n');
  });

  it('procfs_douptime: microuptime and the idle ticks, both as seconds and hundredths', () => {
    const { k, t } = fixture();
    k.ticks = 12345;
    expect(readAll(k, t, '/proc/uptime')).toBe('123.45 123.45\n');
  });

  it('procfs_doversion: "<ostype> version <release> (<reader emulation>@localhost) (gcc version ...) <version>"', () => {
    const { k, t } = fixture();
    const l = spawnLinux(k, 1000, 100);
    expect(readAll(k, t, '/proc/version')).toBe(
      'NetBSD version 10.1 (netbsd@localhost) (gcc version 10.5.0) NetBSD 10.1 (GENERIC) #0: Sun Dec 15 00:00:00 UTC 2024\n');
    expect(readAll(k, l, '/proc/version')).toBe(
      'Linux version 5.6.0 (linux@localhost) (gcc version 10.5.0) #0 Sun Dec 15 00:00:00 UTC 2024\n');
  });

  it('procfs_dodevices: "%3d %s" per character major, a blank line, the block majors', () => {
    const { k, t } = fixture();
    expect(readAll(k, t, '/proc/devices')).toBe(
      'Character devices:\n  0 cons\n  1 ctty\n  2 mem\n  3 wd\n  4 swap\n  5 pts\n  6 ptc\n  7 log\n' +
      '\nBlock devices:\n  0 wd\n  1 swap\n');
  });

  it('procfs_docpuinfo / procfs_getonecpu (x86 procfs_machdep.c): one block per CPU, then a blank line', () => {
    const { k, t } = fixture();
    expect(readAll(k, t, '/proc/cpuinfo')).toBe(
      'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\nmodel name\t: procfs-emu virtual CPU\n' +
      'stepping\t: 7\ncpu MHz\t\t: 2000.00\napicid\t\t: 0\ninitial apicid\t: 0\nfpu\t\t: yes\nfpu_exception\t: yes\n' +
      'cpuid level\t: 13\nwp\t\t: yes\n' +
      'flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ' +
      'syscall nx lm pni ssse3 cx16 sse4_1 sse4_2 popcnt hypervisor lahf_lm \n' +
      'clflush size\t: 64\n\n');
  });
});

describe('procfs_domounts / procfs_format_sfs (procfs_linux.c 1.89)', () => {
  it('one line per mount in mount order, procfs named "proc"', () => {
    const { k, t } = fixture();
    expect(readAll(k, t, '/proc/mounts')).toBe('root_device / ffs rw 0 0\nprocfs /proc proc rw 0 0\n');
    mountProcfs(k, '/var');
    expect(readAll(k, t, '/proc/mounts')).toBe('root_device / ffs rw 0 0\nprocfs /proc proc rw 0 0\nprocfs /var proc rw 0 0\n');
  });

  it('a reader chrooted where no mount is gets only a faked line: the mount holding its root, with its real mount point', () => {
    const { k, root } = fixture();
    const fd = openOk(k, root, '/proc/mounts'); // opened before the chroot; the reader's root is read at read time
    expect(E.sysChroot(k, root, '/home/user')).toBeUndefined();
    expect(must(E.sysRead(k, root, fd, 4096, 0))).toBe('root_device / ffs rw 0 0\n');
  });

  it('a chrooted reader sees the mount points under its root relative to it (dostatvfs), then the faked line', () => {
    const k = bootProcfs({ mountOn: null });
    mountProcfs(k, '/home/user');
    const root = spawnAs(k, 0, 0);
    expect(E.sysChroot(k, root, '/home')).toBeUndefined();
    expect(readAll(k, root, '/user/mounts')).toBe('procfs /user proc rw 0 0\nroot_device / ffs rw 0 0\n');
  });

  it('a reader chrooted at a mount point sees that mount as "/" and no faked line', () => {
    const { k, root } = fixture();
    expect(E.sysChroot(k, root, '/proc')).toBeUndefined();
    expect(readAll(k, root, '/mounts')).toBe('procfs / proc rw 0 0\n');
  });
});

describe('procfs_do_pid_stat and procfs_do_pid_statm (procfs_linux.c 1.89)', () => {
  it('stat: the 39 fields from fill_kproc2, comm in parentheses, start time in hundredths since the epoch', () => {
    const { k, t } = fixture();
    expect(readAll(k, t, '/proc/5/stat')).toBe(
      `5 (sh) R 1 5 5 0 -1 16388 0 0 0 0 0 0 0 0 43 0 1 0 ${(BOOT * 100) + 250} 28 112 9223372036854775807 ` +
      `0 65536 ${0x7f7fff804000 - 4096} 0 0 0 0 0 0 0 0 0 20 0\n`);
  });

  it('stat flags: P_SUGID and P_TRACED join L_INMEM | P_EXEC; a forked child that did not exec has no P_EXEC', () => {
    const { k, t } = fixture();
    const flags = (pid: number) => readAll(k, t, `/proc/${pid}/stat`).split(' ')[8];
    const c = must(E.fork1(k, t, 7));
    expect(flags(7)).toBe(String(0x4));
    expect(E.sysPtrace(k, t, c.pid, false)).toBeUndefined();
    expect(flags(7)).toBe(String(0x4 | 0x800));
    expect(E.execve(k, t, '/usr/bin/passwd')).toBeUndefined();
    expect(flags(5)).toBe(String(0x4 | 0x4000 | 0x100));
  });

  it('statm: size resident shared text lib data+stack dirty, in pages', () => {
    const { k, t } = fixture();
    expect(readAll(k, t, '/proc/5/statm')).toBe('28 28 0 16 0 12 0\n');
  });
});

describe('writes to the procfs_linux.c files: no uio_rw test, uiomove_frombuf counts them (§13 item 9)', () => {
  const files = ['/proc/meminfo', '/proc/cpuinfo', '/proc/stat', '/proc/uptime', '/proc/loadavg', '/proc/version',
    '/proc/devices', '/proc/mounts', '/proc/5/stat', '/proc/5/statm'];

  it('root writes one byte at 0: count 1; at the end of the text: count 0; a long write is cut at the end', () => {
    const { k, root } = fixture();
    for (const f of files) {
      const len = readAll(k, root, f).length;
      expect([f, rootWrite(k, root, f, 'x', 0), rootWrite(k, root, f, 'x', len), rootWrite(k, root, f, 'xyz', len - 2)])
        .toEqual([f, 1, 0, 2]);
    }
    expect(readAll(k, root, '/proc/version')).toMatch(/^NetBSD version /); // the buffer was a fresh copy
  });

  it('a user may not open them for writing (mode 0444), and nobody may write to init\'s (securelevel)', () => {
    const { k, t, root } = fixture();
    expect(outcome(E.sysOpen(k, t, '/proc/meminfo', RDWR))).toBe('EACCES');
    expect(outcome(E.sysOpen(k, root, '/proc/1/stat', RDWR))).toBe('EPERM');
  });
});
