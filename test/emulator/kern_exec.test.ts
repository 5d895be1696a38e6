/** execve (kern_exec.ts): check_exec, credexec and PK_SUGID, fd_checkstd, close-on-exec, MNT_NOSUID/NOEXEC. */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { RD, bootKernel, bootProcfs, must, openOk, outcome, spawnAs } from '../helpers/boot.ts';

const ids = (c: E.Cred) => [c.ruid, c.euid, c.svuid, c.rgid, c.egid, c.svgid];

describe('check_exec', () => {
  it('ENOENT, EACCES for a directory, a device or a file without x bits (root too)', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    const r = spawnAs(k, 0, 0);
    for (const p of [u, r]) {
      expect(['/nonexistent', '/tmp', '/dev/null', '/etc/passwd'].map((x) => outcome(E.execve(k, p, x)))).toEqual(
        ['ENOENT', 'EACCES', 'EACCES', 'EACCES']);
    }
    expect(u.path).toBe('/bin/sh'); // a failed exec changes nothing
  });

  it('MNT_NOEXEC is EACCES', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    k.rootMount.flag |= E.MNT_NOEXEC;
    expect(outcome(E.execve(k, u, '/bin/cat'))).toBe('EACCES');
  });

  it('installs the program: path, text vnode, emulation, argv, execsw', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    const evs: E.KernelEvent[] = [];
    k.subscribe((e) => {
      if (e.kind === 'exec') evs.push(e);
    });
    expect(E.execve(k, u, '/emul/linux/bin/sh')).toBeUndefined();
    expect([u.path, u.emul, u.argv, u.execsw]).toEqual(['/emul/linux/bin/sh', 'linux', ['/emul/linux/bin/sh'], true]);
    const vp = must(E.namei(k.ctx(u), '/emul/linux/bin/sh', true));
    expect(u.textvp).toBe(vp);
    E.vrele(vp);
    expect(E.execve(k, u, '/bin/cat')).toBeUndefined();
    expect(u.emul).toBe('netbsd');
    expect(evs).toMatchObject([
      { kind: 'exec', pid: u.pid, sugid: false, emul: 'linux' },
      { kind: 'exec', pid: u.pid, sugid: false, emul: 'netbsd' },
    ]);
  });
});

describe('credexec', () => {
  it('a set-uid program: euid and saved uid become the owner\'s, PK_SUGID set', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    expect(E.execve(k, u, '/usr/bin/passwd')).toBeUndefined();
    expect(ids(u.cred)).toEqual([1000, 0, 0, 100, 100, 100]);
    expect(u.sugid).toBe(true);
  });

  it('a set-gid program: egid and saved gid become the group\'s, PK_SUGID set', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    expect(E.execve(k, u, '/usr/bin/wall')).toBeUndefined();
    expect(ids(u.cred)).toEqual([1000, 1000, 1000, 100, 4, 4]);
    expect(u.sugid).toBe(true);
  });

  it('PK_SUGID stays across a plain exec while euid != ruid, and clears once they are equal', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    expect(E.execve(k, u, '/usr/bin/passwd')).toBeUndefined();
    expect(E.execve(k, u, '/bin/sh')).toBeUndefined();
    expect(u.sugid).toBe(true);
    expect(E.sysSetid(k, u, 'setuid', 1000)).toBeUndefined(); // euid 0: may set all three
    expect(u.sugid).toBe(true);
    expect(E.execve(k, u, '/bin/sh')).toBeUndefined();
    expect(u.sugid).toBe(false);
  });

  it('a PK_SUGID process with equal ids (after setuid) is cleared by the next exec', () => {
    const k = bootKernel();
    const r = spawnAs(k, 0, 0);
    expect(E.sysSetid(k, r, 'setuid', 1000)).toBeUndefined();
    expect(r.sugid).toBe(true);
    expect(E.execve(k, r, '/bin/cat')).toBeUndefined();
    expect(r.sugid).toBe(false);
  });

  it('a plain exec copies the effective ids to the saved ones', () => {
    const k = bootKernel();
    const r = spawnAs(k, 0, 0);
    expect(E.sysSetid(k, r, 'seteuid', 1000)).toBeUndefined();
    expect(ids(r.cred)).toEqual([0, 1000, 0, 0, 0, 0]);
    expect(E.execve(k, r, '/bin/sh')).toBeUndefined();
    expect(ids(r.cred)).toEqual([0, 1000, 1000, 0, 0, 0]);
    expect(r.sugid).toBe(true); // euid != ruid
  });

  it('a traced process runs set-id programs without their ids', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    const dbg = spawnAs(k, 1000, 100);
    expect(E.sysPtrace(k, dbg, u.pid, false)).toBeUndefined();
    expect(E.execve(k, u, '/usr/bin/passwd')).toBeUndefined();
    expect(E.execve(k, u, '/usr/bin/wall')).toBeUndefined();
    expect(ids(u.cred)).toEqual([1000, 1000, 1000, 100, 100, 100]);
    expect(u.sugid).toBe(false);
  });

  it('MNT_NOSUID ignores the set-id bits', () => {
    const k = bootKernel();
    k.rootMount.flag |= E.MNT_NOSUID;
    const u = spawnAs(k, 1000, 100);
    expect(E.execve(k, u, '/usr/bin/passwd')).toBeUndefined();
    expect(E.execve(k, u, '/usr/bin/wall')).toBeUndefined();
    expect(ids(u.cred)).toEqual([1000, 1000, 1000, 100, 100, 100]);
    expect(u.sugid).toBe(false);
  });
});

describe('descriptors across exec', () => {
  it('a set-id exec opens /dev/null on closed 0, 1 and 2 (fd_checkstd), each for reading and writing', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    expect(openOk(k, u, '/etc/passwd')).toBe(0);
    expect(openOk(k, u, '/etc/passwd')).toBe(1);
    expect(E.sysClose(k, u, 0)).toBeUndefined();
    expect(E.execve(k, u, '/usr/bin/passwd')).toBeUndefined();
    expect(u.fd.openFds()).toEqual([0, 1, 2]);
    const devnull = must(E.sysStat(k, u, '/dev/null', true));
    expect(must(E.sysFstat(k, u, 0))).toEqual(devnull);
    expect(must(E.sysFstat(k, u, 2))).toEqual(devnull);
    expect(must(E.sysFstat(k, u, 1)).fileno).toBe(must(E.sysStat(k, u, '/etc/passwd', true)).fileno);
    expect(u.fd.get(0)!.file.flag).toBe(E.FREAD | E.FWRITE);
    expect(u.fd.get(2)!.file.flag).toBe(E.FREAD | E.FWRITE);
    expect(outcome(E.sysRead(k, u, 0, 1, 0))).toBe('ok');
    expect(outcome(E.sysRead(k, u, 2, 1, 0))).toBe('ok');
    expect(E.sysWrite(k, u, 2, 'x', 0)).toBe(1);
  });

  it('a plain exec leaves 0-2 closed; a traced set-id exec too', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    expect(E.execve(k, u, '/bin/cat')).toBeUndefined();
    expect(u.fd.openFds()).toEqual([]);
    const dbg = spawnAs(k, 1000, 100);
    E.sysPtrace(k, dbg, u.pid, false);
    expect(E.execve(k, u, '/usr/bin/passwd')).toBeUndefined();
    expect(u.fd.openFds()).toEqual([]);
  });

  it('close-on-exec descriptors are closed, the others kept with their numbers', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    openOk(k, u, '/etc/passwd');
    openOk(k, u, '/etc/passwd', { ...RD, cloexec: true });
    openOk(k, u, '/tmp', RD);
    openOk(k, u, '/dev/null', { ...RD, cloexec: true });
    expect(E.execve(k, u, '/bin/sh')).toBeUndefined();
    expect(u.fd.openFds()).toEqual([0, 2]);
  });

  it('the exec hooks run with p_reflock held, after credexec and pathexec, before emulexec (kern_exec.c 1.518.4.2 execve_runproc)', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    const seen: unknown[] = [];
    k.exechooks.establish((p) => seen.push(p.reflockWriter, p.sugid, p.cred.euid, p.path, p.emul), null);
    expect(E.execve(k, u, '/usr/bin/passwd')).toBeUndefined();
    expect(E.execve(k, u, '/emul/linux/bin/sh')).toBeUndefined();
    expect(seen).toEqual([true, true, 0, '/usr/bin/passwd', 'netbsd', true, true, 0, '/emul/linux/bin/sh', 'netbsd']);
    expect(u.reflockWriter).toBe(false);
  });
});

describe('exec_abort', () => {
  it('a set-id exec whose fd_checkstd cannot open /dev/null (a chroot without it) kills the process', () => {
    const k = bootKernel({
      files: [
        { path: '/jail', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
        { path: '/jail/bin', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
        { path: '/jail/bin/su', type: 'file', mode: 0o4555, uid: 0, gid: 0 },
      ],
    });
    const r = spawnAs(k, 0, 0);
    expect(E.sysChroot(k, r, '/jail')).toBeUndefined();
    expect(E.sysSetid(k, r, 'setuid', 1000)).toBeUndefined();
    expect(E.execve(k, r, '/bin/su')?.errno).toBe('ENOENT');
    expect(r.stat).toBe('SZOMB');
  });
});

describe('execve_loadvm: p_reflock before the lookup', () => {
  it('the caller holds its own p_reflock while exec_makepathbuf and check_exec run; a failure releases it', () => {
    const k = bootProcfs();
    const u = spawnAs(k, 1000, 100);
    const seen: boolean[] = [];
    const root = k.rootMount.vnodeops;
    const lookup = root.lookup;
    (root as { lookup: typeof lookup }).lookup = (ctx, dvp, name) => {
      if (ctx.p === u) seen.push(u.reflockWriter);
      return lookup(ctx, dvp, name);
    };
    try {
      expect(E.execve(k, u, '/nonexistent')?.errno).toBe('ENOENT');
    } finally {
      (root as { lookup: typeof lookup }).lookup = lookup;
    }
    expect(seen).toEqual([true]);
    expect(u.reflockWriter).toBe(false);
    expect(outcome(E.execve(k, u, `/proc/${u.pid}/file`))).toBe('ENOENT');
    expect(E.sysChdir(k, u, `/proc/${u.pid}`)).toBeUndefined();
    expect(outcome(E.execve(k, u, 'file'))).toBe('EBUSY');
    expect(u.path).toBe('/bin/sh');
  });
});

/** A limit table like limit0 with a soft RLIMIT_NPROC of `cur` (the fixture has no setrlimit). */
function withNproc(lim: E.Plimit, cur: number): E.Plimit {
  return Object.freeze(lim.map((r, i) => (i === E.RLIMIT.NPROC ? Object.freeze({ cur, max: r.max }) : r)));
}

describe('execve_loadvm: the RLIMIT_NPROC check of a PK_SUGID process', () => {
  it('EAGAIN once the real uid has more processes than the soft limit, before p_reflock and the lookup', () => {
    const k = bootKernel();
    const r = spawnAs(k, 0, 0);
    r.limit = withNproc(r.limit, 2);
    spawnAs(k, 1000, 100);
    expect(E.sysSetid(k, r, 'setuid', 1000)).toBeUndefined(); // the root daemon that became the user
    expect([r.sugid, E.procCountByUid(k, 1000)]).toEqual([true, 2]);
    expect(E.execve(k, r, '/bin/cat')).toBeUndefined(); // 2 is not above 2
    expect(r.sugid).toBe(false); // credexec: real = effective ids again
    const r2 = spawnAs(k, 0, 0);
    r2.limit = r.limit;
    expect(E.sysSetid(k, r2, 'setuid', 1000)).toBeUndefined();
    expect(E.procCountByUid(k, 1000)).toBe(3);
    const evs: E.KernelEvent[] = [];
    k.subscribe((e) => evs.push(e));
    expect(outcome(E.execve(k, r2, '/bin/cat'))).toBe('EAGAIN');
    expect(outcome(E.execve(k, r2, '/nonexistent'))).toBe('EAGAIN'); // before exec_makepathbuf and namei
    expect([r2.reflockWriter, r2.path, evs]).toEqual([false, '/bin/sh', []]);
    expect(E.execve(k, r, '/bin/sh')).toBeUndefined(); // no PK_SUGID, not checked
  });

  it('the superuser passes (KAUTH_PROCESS_RLIMIT BYPASS): a set-uid-root image keeps PK_SUGID with euid 0', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    u.limit = withNproc(u.limit, 1);
    spawnAs(k, 1000, 100);
    expect(E.execve(k, u, '/usr/bin/passwd')).toBeUndefined(); // not PK_SUGID yet: not checked
    expect([u.sugid, u.cred.ruid, u.cred.euid]).toEqual([true, 1000, 0]);
    expect(E.execve(k, u, '/bin/sh')).toBeUndefined(); // 2 > 1, but euid 0 bypasses
    expect(E.sysSetid(k, u, 'seteuid', 1000)).toBeUndefined();
    expect(outcome(E.execve(k, u, '/bin/sh'))).toBe('EAGAIN');
  });

  it('counts the caller\'s real uid: a set-gid image keeps the user\'s uid in the count', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    u.limit = withNproc(u.limit, 1);
    expect(E.execve(k, u, '/usr/bin/wall')).toBeUndefined();
    expect(u.sugid).toBe(true);
    expect(E.execve(k, u, '/usr/bin/wall')).toBeUndefined(); // one process of uid 1000: not above 1
    spawnAs(k, 2000, 100);
    expect(E.execve(k, u, '/usr/bin/wall')).toBeUndefined(); // another uid's process does not count
    spawnAs(k, 1000, 100);
    expect(outcome(E.execve(k, u, '/usr/bin/wall'))).toBe('EAGAIN');
  });
});

describe('execve_runproc: uvmspace_exec', () => {
  it('a new address space: nothing written before the exec is there, the id is new; a failed exec keeps the old one', () => {
    const k = bootKernel();
    const u = spawnAs(k, 1000, 100);
    const before = u.vmspace;
    before.writes.set(0x600000, 0x41);
    expect(outcome(E.execve(k, u, '/nonexistent'))).toBe('ENOENT');
    expect(u.vmspace).toBe(before);
    expect(E.execve(k, u, '/bin/cat')).toBeUndefined();
    expect(u.vmspace.writes.size).toBe(0);
    expect(u.vmspace.id).not.toBe(before.id);
    expect(u.vmspace.id).toBe(k.vmspaceSeq);
  });

  it('spawn and boot install an image with its own address space; proc0 keeps vmspace0', () => {
    const k = bootKernel();
    const a = spawnAs(k, 1000, 100);
    const b = spawnAs(k, 1000, 100);
    expect(k.proc0.vmspace.id).toBe(0);
    expect(new Set([k.initproc.vmspace.id, a.vmspace.id, b.vmspace.id]).size).toBe(3);
    expect(k.initproc.vmspace.id).toBeGreaterThan(0);
  });
});

describe('exec_makepathbuf', () => {
  it('absolute paths as given; relative ones after the cwd path and a slash (`//` at the root)', () => {
    const k = bootKernel({ files: [{ path: '/home/user/x', type: 'dir', mode: 0o311, uid: 1000, gid: 100 }] });
    const u = spawnAs(k, 1000, 100);
    const mk = (p: string) => E.execMakepathbuf(k.ctx(u), p);
    expect(mk('/usr/../bin/cat')).toBe('/usr/../bin/cat');
    expect(mk('bin/sh')).toBe('//bin/sh');
    expect(E.sysChdir(k, u, '/home/user/x')).toBeUndefined();
    expect(mk('../../../bin/sh')).toBe('/home/user/x/../../../bin/sh'); // x is 0311: VEXEC of the cwd is enough
    expect(E.sysChdir(k, u, '/usr/bin')).toBeUndefined();
    expect(mk(`${'a'.repeat(1021)}`)).toEqual(E.err('ENAMETOOLONG')); // strlen + 3 >= MAXPATHLEN
    expect(mk(`${'a'.repeat(1014)}`)).toEqual(E.err('ERANGE')); // 8 + 1014 + 3 > MAXPATHLEN
    expect(typeof mk(`${'a'.repeat(1013)}`)).toBe('string');
  });

  it('GETCWD_CHECK_ACCESS: VEXEC|VREAD on the directories above the cwd (EACCES)', () => {
    const k = bootKernel({
      files: [
        { path: '/home/user/x', type: 'dir', mode: 0o311, uid: 1000, gid: 100 },
        { path: '/home/user/x/y', type: 'dir', mode: 0o755, uid: 1000, gid: 100 },
      ],
    });
    const u = spawnAs(k, 1000, 100);
    expect(E.sysChdir(k, u, '/home/user/x/y')).toBeUndefined();
    expect(E.execMakepathbuf(k.ctx(u), 'z')).toEqual(E.err('EACCES'));
    expect(outcome(E.execve(k, u, '/bin/cat'))).toBe('ok');
    expect(outcome(E.execve(k, u, '../../../../bin/cat'))).toBe('EACCES');
  });
});

describe('vn_marktext and VI_TEXT', () => {
  it('exec marks the program text; the last reference clears it', () => {
    const k = bootKernel();
    const cat = must(E.namei(k.ctx(k.initproc), '/bin/cat', true));
    expect(cat.iflag & E.VI_TEXT).toBe(0);
    const u = spawnAs(k, 1000, 100);
    expect(E.execve(k, u, '/bin/cat')).toBeUndefined();
    expect(cat.iflag & E.VI_TEXT).toBe(E.VI_TEXT);
    expect(E.execve(k, u, '/bin/sh')).toBeUndefined();
    expect(cat.iflag & E.VI_TEXT).toBe(E.VI_TEXT); // our lookup still holds it
    E.vrele(cat);
    expect(cat.iflag & E.VI_TEXT).toBe(0);
  });

  it('check_exec gives ETXTBSY while any file has the program open for writing (v_writecount)', () => {
    const k = bootKernel();
    const r = spawnAs(k, 0, 0);
    const u = spawnAs(k, 1000, 100);
    const w = openOk(k, r, '/usr/bin/id', { ...RD, write: true });
    const cat = must(E.namei(k.ctx(r), '/usr/bin/id', true));
    expect(E.vnWritecount(k, cat)).toBe(1);
    expect(E.fork1(k, r)).not.toHaveProperty('errno'); // the child shares the file: still one writer
    expect(E.vnWritecount(k, cat)).toBe(1);
    expect(outcome(E.execve(k, u, '/usr/bin/id'))).toBe('ETXTBSY');
    expect(u.path).toBe('/bin/sh');
    E.vrele(cat);
    expect(E.sysClose(k, r, w)).toBeUndefined();
    expect(outcome(E.execve(k, u, '/usr/bin/id'))).toBe('ETXTBSY'); // the child's copy
  });
});

describe('emulexec', () => {
  it('a Linux program sets the emulation root /emul/linux (emul_find_root), found from the process root', () => {
    const k = bootKernel({
      files: [
        { path: '/jail', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
        { path: '/jail/sh', type: 'file', mode: 0o555, uid: 0, gid: 0, emul: 'linux' },
      ],
    });
    const r = spawnAs(k, 0, 0);
    expect(E.execve(k, r, '/emul/linux/bin/sh')).toBeUndefined();
    expect(r.edir?.key).toBe(must(E.sysStat(k, r, '/../emul/linux', true)).fileno.toString());
    expect(E.sysChroot(k, r, '/jail')).toBeUndefined();
    expect(E.execve(k, r, '/sh')).toBeUndefined(); // no /jail/emul/linux: no emulation root
    expect([r.emul, r.edir]).toEqual(['linux', null]);
  });
});
