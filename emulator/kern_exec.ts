/**
 * execve (sys/kern/kern_exec.c 1.518.4.2) in its order: execve_loadvm takes
 * p_reflock as writer, makes the path absolute (exec_makepathbuf) and
 * checks the program (check_exec, with vn_marktext from the ELF probe);
 * execve_runproc then runs cwdexec, fd_closeexec, credexec, the vm commands
 * (p_textvp), pathexec (p_path), doexechooks, emulexec (p_emul, the
 * emulation root) and releases p_reflock.
 */
import { credWith } from './cred.ts';
import type { Err } from './errno.ts';
import { err, isErr } from './errno.ts';
import { File } from './file.ts';
import { fdCloseexec } from './sys_descrip.ts';
import { vnOpenFlags } from './vfs_syscalls.ts';
import { exit1 } from './kern_exit.ts';
import type { Kernel } from './kernel.ts';
import { RLIMIT, procCountByUid, rlimit } from './kern_resource.ts';
import { MNT_NOEXEC, MNT_NOSUID } from './mount.ts';
import { MAXPATHLEN, namei, nameiFlags } from './namei.ts';
import type { EmulName, Proc } from './proc.ts';
import type { Inode } from './rootfs.ts';
import { rootfsVnodeops } from './rootfs.ts';
import { GETCWD_CHECK_ACCESS, getcwdCommon } from './vfs_getcwd.ts';
import type { Ctx, Vattr, Vnode } from './vnode.ts';
import { FREAD, FWRITE, VEXEC, VI_TEXT, vrele } from './vnode.ts';

export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;

/** e_path of each emulation (struct emul): where its emulation root is; NetBSD's own has none. */
export const EMUL_PATH: Readonly<Record<EmulName, string | null>> = { netbsd: null, linux: '/emul/linux' };

/** What check_exec found: the program's vnode (held), attributes, emulation and the path as given. */
export interface ExecImage {
  vp: Vnode;
  attr: Vattr;
  emul: EmulName;
  /** ep_resolvedname: the pathbuf exec_makepathbuf made, before namei (p_path comes from it). */
  path: string;
}

/**
 * exec_makepathbuf: an absolute path is kept as it is; a relative one gets
 * the cwd's path (getcwd_common from the process's root, with
 * GETCWD_CHECK_ACCESS) and `/` in front. At the root that path is `/`, so
 * `sh` run from `/` becomes `//sh`. Nothing is canonicalized.
 */
export function execMakepathbuf(ctx: Ctx, path: string): string | Err {
  if (path.length >= MAXPATHLEN) return err('ENAMETOOLONG'); // copyinstr
  if (path.charCodeAt(0) === 0x2f) return path;
  if (path.length + 3 >= MAXPATHLEN) return err('ENAMETOOLONG'); // len + 1 >= MAXPATHLEN, len = strlen + 2
  const cwd = ctx.p.cwd ?? ctx.k.rootvnode;
  const dir = getcwdCommon(ctx.k, cwd, null, ctx, GETCWD_CHECK_ACCESS);
  if (isErr(dir)) return dir;
  // getcwd_scandir's `bp <= bufp` test: the names, the slashes, the path, its NUL and one spare byte must fit.
  if (dir !== '/' && dir.length + path.length + 3 > MAXPATHLEN) return err('ERANGE');
  return dir + '/' + path;
}

/** The number of open files that may write vp (v_writecount: vn_open counts them, vn_close uncounts them). */
export function vnWritecount(k: Kernel, vp: Vnode): number {
  const seen = new Set<File>();
  for (const p of k.pidTable.values()) {
    for (const fd of p.fd.openFds()) {
      const f = p.fd.get(fd)!.file;
      if (f.vnode === vp && f.flag & FWRITE) seen.add(f);
    }
  }
  return seen.size;
}

/** vn_marktext: ETXTBSY while the file is open for writing, else mark it VI_TEXT. */
export function vnMarktext(k: Kernel, vp: Vnode): Err | undefined {
  if (vnWritecount(k, vp) !== 0) return err('ETXTBSY');
  vp.iflag |= VI_TEXT;
  return undefined;
}

/**
 * exec_makepathbuf, then check_exec: the absolute path is looked up with
 * FOLLOW and TRYEMULROOT; a regular file (EACCES), VOP_ACCESS(VEXEC), VOP_GETATTR, no
 * MNT_NOEXEC (EACCES), MNT_NOSUID masks the set-id bits, VOP_OPEN(FREAD),
 * then the exec switch: the ELF probe (ENOEXEC for anything else) marks the
 * text (vn_marktext: ETXTBSY while open for writing).
 */
export function checkExec(ctx: Ctx, path: string): ExecImage | Err {
  const pb = execMakepathbuf(ctx, path);
  if (isErr(pb)) return pb;
  const vp = namei(ctx, pb, true);
  if (isErr(vp)) return vp;
  if (vp.type !== 'VREG') return releasing(vp, err('EACCES'));
  const e = vp.ops.access(ctx, vp, VEXEC);
  if (e !== undefined) return releasing(vp, e);
  const attr = vp.ops.getattr(ctx, vp);
  if (isErr(attr)) return releasing(vp, attr);
  if (vp.mount.flag & MNT_NOEXEC) return releasing(vp, err('EACCES'));
  if (vp.mount.flag & MNT_NOSUID) attr.mode &= ~(S_ISUID | S_ISGID);
  const oe = vp.ops.open(ctx, vp, FREAD);
  if (oe !== undefined) return releasing(vp, oe);
  if (vp.ops !== rootfsVnodeops) return closing(ctx, vp, err('ENOEXEC'));
  const ino = vp.data as Inode;
  if (!ino.content.startsWith('\x7fELF')) return closing(ctx, vp, err('ENOEXEC'));
  const te = vnMarktext(ctx.k, vp);
  if (te !== undefined) return closing(ctx, vp, te);
  return { vp, attr, emul: ino.emul, path: pb };
}

/** Drop the lookup's reference on a failure path (a module-level function: no closure per call). */
function releasing(vp: Vnode, e: Err): Err {
  vrele(vp);
  return e;
}

/** check_exec's `bad2`: VOP_CLOSE(FREAD) of the opened program, then drop it. */
function closing(ctx: Ctx, vp: Vnode, e: Err): Err {
  vp.ops.close(ctx, vp, FREAD);
  return releasing(vp, e);
}

/** execve_dovmcmds + pathexec: the checked image becomes p_textvp (the reference check_exec took) and p_path. */
export function procSetText(p: Proc, img: ExecImage, argv: string[]): void {
  const old = p.textvp;
  p.textvp = img.vp;
  if (old !== null) vrele(old);
  p.path = img.path;
  p.pkExec = true; // execve sets PK_EXEC
  p.argv = argv;
  // elf_copyargs: AT_EUID/AT_EGID name the file's ids for a set-id image, even where tracing kept the old ones.
  const c = p.cred;
  const a = img.attr;
  p.auxIds = {
    euid: p.tracer !== null && (a.mode & S_ISUID) !== 0 ? a.uid : c.euid, ruid: c.ruid,
    egid: p.tracer !== null && (a.mode & S_ISGID) !== 0 ? a.gid : c.egid, rgid: c.rgid,
  };
}

/**
 * emulexec: p_emul and p_execsw become the new program's, and the
 * emulation root (cwdi_edir) is what emul_find_root finds for it: its
 * e_path looked up with FOLLOW and without TRYEMULROOT, or none. The
 * fixture keeps the vnode without a reference of its own (NetBSD holds
 * one): the root file system never recycles its vnodes, and the checker
 * counts only the holders it knows.
 */
export function emulexec(k: Kernel, p: Proc, emul: EmulName): void {
  const path = EMUL_PATH[emul];
  if (path !== null) {
    const vp = nameiFlags(k.ctx(p), path, { follow: true, emulroot: false });
    if (!isErr(vp)) {
      p.edir = vp;
      vrele(vp);
    }
  }
  p.emul = emul;
  p.execsw = true;
}

/**
 * cwdexec (vfs_cwd.c): the old emulation root is released (NetBSD leaves the
 * stale pointer until emulexec replaces it; nothing looks up through it in
 * between: fd_checkstd does not pass TRYEMULROOT).
 */
function cwdexec(p: Proc): void {
  p.edir = null;
}

/**
 * uvmspace_exec (uvm_map.c): the old image's mappings all go (the vmspace
 * is recycled when p alone uses it, replaced when shared); either way
 * nothing written before the exec is there after it, and the new image's
 * pages are new.
 */
export function uvmspaceExec(k: Kernel, p: Proc): void {
  p.vmspace = { id: ++k.vmspaceSeq, writes: new Map() };
}

/** Install a checked image without execve (boot's init and the fixture's spawn): address space, text, path, emulation. */
export function procSetImage(p: Proc, img: ExecImage, argv: string[]): void {
  const k = img.vp.mount.k;
  uvmspaceExec(k, p);
  procSetText(p, img, argv);
  img.vp.ops.close(k.ctx(p), img.vp, FREAD); // check_exec's VOP_OPEN(FREAD), closed as execve_dovmcmds does
  cwdexec(p);
  emulexec(k, p, img.emul);
}

/** SIGABRT: how exec_abort ends a process it cannot finish (exit1(l, error, SIGABRT)). */
export const SIGABRT = 6;

/**
 * fd_checkstd (subr_exec_fd.c): descriptors 0, 1 and 2 that are closed are
 * opened on /dev/null, read and write, as the process (its root, its
 * credential; FOLLOW, no TRYEMULROOT). An open that fails is returned:
 * the exec cannot go on.
 */
export function fdCheckstd(k: Kernel, p: Proc): Err | undefined {
  for (let fd = 0; fd < 3; fd++) {
    if (p.fd.get(fd) !== undefined) continue;
    const vp = vnOpenFlags(k.ctx(p), '/dev/null', FREAD | FWRITE, { follow: true, emulroot: false });
    if (isErr(vp)) return vp;
    p.fd.install(fd, new File('DTYPE_VNODE', FREAD | FWRITE, p.cred, vp), false);
  }
  return undefined;
}

/**
 * credexec: a set-id program run by an untraced process marks it PK_SUGID
 * (proc_crmod_leave), makes sure 0-2 are open (fd_checkstd) and takes the
 * file's ids; otherwise equal real and effective ids clear PK_SUGID.
 * Either way the saved ids become the effective ones.
 */
export function credexec(k: Kernel, p: Proc, attr: Vattr): Err | undefined {
  const c = p.cred;
  const setuid = (attr.mode & S_ISUID) !== 0 && c.euid !== attr.uid;
  const setgid = (attr.mode & S_ISGID) !== 0 && c.egid !== attr.gid;
  let cred = c;
  if (p.tracer === null && (setuid || setgid)) {
    p.sugid = true;
    const e = fdCheckstd(k, p);
    if (e !== undefined) return e;
    cred = credWith(cred, {
      euid: attr.mode & S_ISUID ? attr.uid : cred.euid,
      egid: attr.mode & S_ISGID ? attr.gid : cred.egid,
    });
  } else if (c.ruid === c.euid && c.rgid === c.egid) {
    p.sugid = false;
  }
  p.cred = credWith(cred, { svuid: cred.euid, svgid: cred.egid });
  return undefined;
}

/**
 * execve_loadvm's process limit, before anything else (p_reflock, the path):
 * only a PK_SUGID process is checked (a root daemon that setuid to a user
 * and now execs); it gets EAGAIN when KAUTH_PROCESS_RLIMIT BYPASS is refused
 * (the superuser has it) and chgproccnt(real uid, 0), the processes of the
 * credential's real uid, is above the soft RLIMIT_NPROC.
 */
function execNprocLimit(k: Kernel, p: Proc): Err | undefined {
  if (!p.sugid) return undefined;
  const bypass = { scope: 'process', action: 'RLIMIT', p, req: 'BYPASS', which: RLIMIT.NPROC } as const;
  if (k.kauth.authorize(k, p.cred, bypass) === undefined) return undefined;
  if (procCountByUid(k, p.cred.ruid) > rlimit(p.limit, RLIMIT.NPROC).cur) return err('EAGAIN');
  return undefined;
}

/**
 * execve_loadvm: the process limit (execNprocLimit); then p_reflock as
 * writer, so a lookup of the caller's own /proc/N during the exec meets
 * procfs_proc_lock's EBUSY (which procfs lookup in /proc turns into
 * ENOENT); then exec_makepathbuf and check_exec. A failure releases the
 * lock (clrflg) and changes nothing.
 */
function execveLoadvm(k: Kernel, p: Proc, path: string): ExecImage | Err {
  const le = execNprocLimit(k, p);
  if (le !== undefined) return le;
  p.reflockWriter = true; // rw_enter(&p->p_reflock, RW_WRITER)
  const img = checkExec(k.ctx(p), path);
  if (isErr(img)) p.reflockWriter = false; // clrflg: rw_exit(&p->p_reflock)
  return img;
}

/**
 * execve(2): execve_loadvm, then execve_runproc: a new address space
 * (uvmspace_exec), cwdexec, fd_closeexec, credexec, the image, the hooks,
 * emulexec.
 */
export function execve(k: Kernel, p: Proc, path: string): Err | undefined {
  const img = execveLoadvm(k, p, path);
  if (isErr(img)) return img;
  k.emit({ kind: 'exec-begin', pid: p.pid });
  uvmspaceExec(k, p);
  cwdexec(p);
  fdCloseexec(k, p);
  const ce = credexec(k, p, img.attr);
  if (ce !== undefined) {
    // exec_abort: past the point of no return the process cannot go back to its old image.
    img.vp.ops.close(k.ctx(p), img.vp, FREAD);
    vrele(img.vp);
    p.reflockWriter = false;
    exit1(k, p, SIGABRT);
    return ce;
  }
  procSetText(p, img, [path]); // execve_dovmcmds (p_textvp), pathexec (p_path)
  img.vp.ops.close(k.ctx(p), img.vp, FREAD); // execve_dovmcmds: VOP_CLOSE(FREAD)
  k.exechooks.run(p); // doexechooks: sees the new credentials and PK_SUGID
  emulexec(k, p, img.emul);
  p.reflockWriter = false; // rw_exit(&p->p_reflock)
  k.emit({ kind: 'exec', pid: p.pid, sugid: p.sugid, emul: img.emul });
  return undefined;
}
