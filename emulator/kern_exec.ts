/**
 * execve (sys/kern/kern_exec.c) in its order: check_exec, p_reflock taken as
 * writer (execve_loadvm), fd_closeexec, credexec, doexechooks, emulexec,
 * p_reflock released (end of execve_runproc).
 */
import { credWith } from './cred.ts';
import type { Err } from './errno.ts';
import { err, isErr } from './errno.ts';
import { File } from './file.ts';
import { fdCloseexec } from './sys_descrip.ts';
import { vnOpen } from './vfs_syscalls.ts';
import { exit1 } from './kern_exit.ts';
import type { Kernel } from './kernel.ts';
import { MNT_NOEXEC, MNT_NOSUID } from './mount.ts';
import { namei } from './namei.ts';
import type { EmulName, Proc } from './proc.ts';
import type { Inode } from './rootfs.ts';
import { rootfsVnodeops } from './rootfs.ts';
import type { Ctx, Vattr, Vnode } from './vnode.ts';
import { FREAD, FWRITE, VEXEC, vrele } from './vnode.ts';

export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;

/** What check_exec found: the program's vnode (held), attributes, emulation and resolved path. */
export interface ExecImage {
  vp: Vnode;
  attr: Vattr;
  emul: EmulName;
  path: string;
}

/** check_exec: a regular file the caller may execute, on a mount without MNT_NOEXEC, in a known format. */
export function checkExec(ctx: Ctx, path: string): ExecImage | Err {
  const vp = namei(ctx, path, true);
  if (isErr(vp)) return vp;
  if (vp.type !== 'VREG') return releasing(vp, err('EACCES'));
  const attr = vp.ops.getattr(ctx, vp);
  if (isErr(attr)) return releasing(vp, attr);
  const e = vp.ops.access(ctx, vp, VEXEC);
  if (e !== undefined) return releasing(vp, e);
  if (vp.mount.flag & MNT_NOEXEC) return releasing(vp, err('EACCES'));
  if (vp.ops !== rootfsVnodeops) return releasing(vp, err('ENOEXEC'));
  const ino = vp.data as Inode;
  if (!ino.content.startsWith('\x7fELF')) return releasing(vp, err('ENOEXEC'));
  if (vp.mount.flag & MNT_NOSUID) attr.mode &= ~(S_ISUID | S_ISGID);
  return { vp, attr, emul: ino.emul, path: ctx.k.rootfs.pathOf(ino) };
}

/** Drop the lookup's reference on a failure path (a module-level function: no closure per call). */
function releasing(vp: Vnode, e: Err): Err {
  vrele(vp);
  return e;
}

/** Install a checked image as the process's program (the emulexec part: p_emul, p_path, text vnode). */
export function procSetImage(p: Proc, img: ExecImage, argv: string[]): void {
  const old = p.textvp;
  p.textvp = img.vp; // the reference check_exec took
  if (old !== null) vrele(old);
  p.emul = img.emul;
  p.path = img.path;
  p.execsw = true;
  p.pkExec = true;
  p.argv = argv;
  // elf_copyargs: AT_EUID/AT_EGID name the file's ids for a set-id image, even where tracing kept the old ones.
  const c = p.cred;
  const a = img.attr;
  p.auxIds = {
    euid: p.tracer !== null && (a.mode & S_ISUID) !== 0 ? a.uid : c.euid, ruid: c.ruid,
    egid: p.tracer !== null && (a.mode & S_ISGID) !== 0 ? a.gid : c.egid, rgid: c.rgid,
  };
}

/** SIGABRT: how exec_abort ends a process it cannot finish (exit1(l, error, SIGABRT)). */
export const SIGABRT = 6;

/**
 * fd_checkstd: descriptors 0, 1 and 2 that are closed are opened on
 * /dev/null, read and write, as the process (its root, its credential).
 * An open that fails is returned: the exec cannot go on.
 */
export function fdCheckstd(k: Kernel, p: Proc): Err | undefined {
  for (let fd = 0; fd < 3; fd++) {
    if (p.fd.get(fd) !== undefined) continue;
    const vp = vnOpen(k.ctx(p), '/dev/null', FREAD | FWRITE, false);
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

/** execve(2). */
export function execve(k: Kernel, p: Proc, path: string): Err | undefined {
  const img = checkExec(k.ctx(p), path);
  if (isErr(img)) return img;
  p.reflockWriter = true; // execve_loadvm: rw_enter(&p->p_reflock, RW_WRITER)
  k.emit({ kind: 'exec-begin', pid: p.pid });
  fdCloseexec(k, p);
  const ce = credexec(k, p, img.attr);
  if (ce !== undefined) {
    // exec_abort: past the point of no return the process cannot go back to its old image.
    vrele(img.vp);
    exit1(k, p, SIGABRT);
    return ce;
  }
  k.exechooks.run(p); // doexechooks: sees the new credentials and PK_SUGID
  procSetImage(p, img, [img.path]);
  p.reflockWriter = false; // rw_exit(&p->p_reflock)
  k.emit({ kind: 'exec', pid: p.pid, sugid: p.sugid, emul: img.emul });
  return undefined;
}
