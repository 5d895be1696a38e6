/** fork1 (sys/kern/kern_fork.c) and spawn, the fixture's "what login leaves behind". */
import { credCreate } from './cred.ts';
import type { Err } from './errno.ts';
import { err, isErr } from './errno.ts';
import { checkExec, procSetImage } from './kern_exec.ts';
import type { Kernel } from './kernel.ts';
import { RLIMIT, procCountByUid, rlimit } from './kern_resource.ts';
import type { Proc } from './proc.ts';
import { uvmspaceFork } from './proc.ts';
import { vref, vrele } from './vnode.ts';

/**
 * fork1's limits (kern_fork.c 1.194): with tnprocs = nprocs + 1, EAGAIN when
 * tnprocs >= maxproc, or when KAUTH_PROCESS_FORK is refused (proc_listener_cb
 * keeps the last five slots, tnprocs >= maxproc - 5, for the superuser: an
 * effective uid of 0); then chgproccnt on the caller's real uid, and EAGAIN
 * when that count passes the soft RLIMIT_NPROC unless KAUTH_PROCESS_RLIMIT
 * BYPASS allows it (the superuser again).
 */
function forkLimit(k: Kernel, parent: Proc): Err | undefined {
  const tnprocs = k.nprocs + 1;
  if (tnprocs >= k.maxproc) return err('EAGAIN');
  if (k.kauth.authorize(k, parent.cred, { scope: 'process', action: 'FORK', p: parent, nprocs: tnprocs }) !== undefined) {
    return err('EAGAIN');
  }
  const count = procCountByUid(k, parent.cred.ruid) + 1;
  if (count > rlimit(parent.limit, RLIMIT.NPROC).cur) {
    const bypass = { scope: 'process', action: 'RLIMIT', p: parent, req: 'BYPASS', which: RLIMIT.NPROC } as const;
    if (k.kauth.authorize(k, parent.cred, bypass) !== undefined) return err('EAGAIN');
  }
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

/**
 * fork1 (kern_fork.c 1.194): the child gets PK_SUGID from p_flag, p_emul and
 * p_execsw, the credential (kauth_proc_fork), a reference on the text vnode,
 * a copy of the descriptor table (fd_copy: kqueues stay behind), the current
 * and root directories (cwdinit), the limits (procCreate: shared
 * copy-on-write), the program's path and arguments and a copy of the address
 * space (uvm_proc_fork, so what was written through /proc/N/mem is there
 * too). It is not traced: PSL_TRACED lives in p_slflag, which starts at 0
 * (tracefork, PSL_TRACEFORK, is not modelled).
 */
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
  c.sid = parent.sid; // same session (procCreate put it in the parent's group)
  c.textvp = parent.textvp;
  if (c.textvp !== null) vref(c.textvp);
  c.edir = parent.edir; // cwdinit (vfs_cwd.c 1.3.8.1) copies cwdi_edir with cdir and rdir
  c.cwd = parent.cwd;
  if (c.cwd !== null) vref(c.cwd);
  c.root = parent.root;
  if (c.root !== null) vref(c.root);
  c.fd = parent.fd.copy();
  c.vmspace = uvmspaceFork(parent.vmspace);
  c.stat = 'SACTIVE';
  k.emit({ kind: 'proc-created', pid, ppid: parent.pid, sugid: c.sugid, forked: true });
  return c;
}

/**
 * The fixture's spawn step: a new child of init with real = effective = saved ids, cwd `/`,
 * running `path` with no exec hooks, set-id bits ignored, PK_SUGID clear.
 * init forks (as root: only the maxproc limit applies) and the child takes
 * the ids afterwards, as login does; the limits are init's (limit0: login.conf
 * sets nothing by default).
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
