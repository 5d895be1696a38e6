/** fork1 (sys/kern/kern_fork.c) and spawn, the fixture's "what login leaves behind". */
import { credCreate } from './cred.ts';
import type { Err } from './errno.ts';
import { err, isErr } from './errno.ts';
import { checkExec, procSetImage } from './kern_exec.ts';
import type { Kernel } from './kernel.ts';
import type { Proc } from './proc.ts';
import { vref, vrele } from './vnode.ts';

/** The fork limits: EAGAIN at maxproc, or 5 below it for a parent whose real uid is not 0. */
function forkLimit(k: Kernel, parent: Proc): Err | undefined {
  if (k.nprocs >= k.maxproc) return err('EAGAIN');
  if (k.nprocs >= k.maxproc - 5 && parent.cred.ruid !== 0) return err('EAGAIN');
  return undefined;
}

/** A requested pid must be free (a fixture convenience); otherwise the allocator picks. */
function pickPid(k: Kernel, pid: number | undefined): number | Err {
  if (pid === undefined) {
    const got = k.pidAlloc();
    return got === 0 ? err('EAGAIN') : got;
  }
  if (!Number.isInteger(pid) || pid < 2 || pid >= k.pidMax) return err('EINVAL');
  return k.pidTable.has(pid) ? err('EAGAIN') : pid;
}

/** fork1: the child shares the parent's files, directories, program and PK_SUGID. */
export function fork1(k: Kernel, parent: Proc, pidReq?: number): Proc | Err {
  const lim = forkLimit(k, parent);
  if (lim !== undefined) return lim;
  const pid = pickPid(k, pidReq);
  if (isErr(pid)) return pid;
  const c = k.procCreate(pid, parent.cred, parent, false);
  // kern_fork.c: p2->p_flag = p1->p_flag & (PK_SUGID | ...)
  c.sugid = parent.sugid && !k.bugs.has('fork-drops-sugid');
  c.emul = parent.emul;
  c.execsw = parent.execsw;
  c.path = parent.path;
  c.argv = parent.argv;
  c.env = parent.env; // the copied vmspace holds the same strings
  c.auxIds = parent.auxIds;
  c.groups = parent.groups; // the shared credential
  c.pgid = parent.pgid; // same process group and session
  c.sid = parent.sid;
  c.textvp = parent.textvp;
  if (c.textvp !== null) vref(c.textvp);
  c.cwd = parent.cwd;
  if (c.cwd !== null) vref(c.cwd);
  c.root = parent.root;
  if (c.root !== null) vref(c.root);
  c.fd = parent.fd.copy();
  c.stat = 'SACTIVE';
  k.emit({ kind: 'proc-created', pid, ppid: parent.pid, sugid: c.sugid, forked: true });
  return c;
}

/**
 * spawn: a new child of init with real = effective = saved ids, cwd `/`,
 * running `path` with no exec hooks, set-id bits ignored, PK_SUGID clear.
 */
export function spawn(k: Kernel, uid: number, gid: number, path: string, pidReq?: number): Proc | Err {
  const init = k.initproc;
  const cred = credCreate(uid, gid);
  const img = checkExec({ k, p: init, cred }, path);
  if (isErr(img)) return img;
  const lim = forkLimit(k, init);
  const pid = lim ?? pickPid(k, pidReq);
  if (isErr(pid)) {
    vrele(img.vp);
    return pid;
  }
  const c = k.procCreate(pid, cred, init, false);
  // What login leaves behind: its own session (setsid), the user's group (initgroups), a login environment.
  c.pgid = pid;
  c.sid = pid;
  c.groups = [gid];
  c.env = ['HOME=/', 'PATH=/bin:/usr/bin', `USER=${uid === 0 ? 'root' : 'user'}`];
  procSetImage(c, img, [img.path]);
  c.cwd = k.rootvnode;
  vref(c.cwd);
  c.stat = 'SACTIVE';
  k.emit({ kind: 'proc-created', pid, ppid: init.pid, sugid: false, forked: false });
  return c;
}
