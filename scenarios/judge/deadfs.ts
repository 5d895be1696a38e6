/**
 * ruleDeadfs (dead_vnops.c 1.59): what the holder of a revoked vnode gets.
 * vgone leaves the descriptor open on a vnode whose operations are deadfs's:
 * read and write EIO (dead_read, dead_write; EOF only for a tty), fstat
 * EBADF (dead_default_error through VOP_GETATTR), close 0 (dead_close), and
 * a lookup relative to a revoked directory ENOENT (dead_lookup), `.`
 * included, since namei hands `.` to VOP_LOOKUP too; but an exec of a
 * relative path EBADF, from exec_makepathbuf's getcwd_common.
 */
import type { StepView } from './state.ts';
import type { RuleResult } from './vfs.ts';
import { fromDeadCwd, judge } from './vfs.ts';
import { nodeOf } from './walk.ts';

const FREAD = 0x1;
const FWRITE = 0x2;

export function ruleDeadfs(v: StepView): RuleResult {
  const s = v.step;
  if (s.kind === 'read' || s.kind === 'write' || s.kind === 'fstat' || s.kind === 'close') {
    const fd = v.args.fd;
    const slot = fd === null ? undefined : v.before.slots[fd];
    const vp = slot?.file.vnode ?? null;
    if (slot === undefined || vp === null || nodeOf(v.k, vp)?.fs !== 'dead') return null;
    const what = `${s.kind} of descriptor ${fd} (a revoked vnode) by pid ${v.before.pid}`;
    switch (s.kind) {
      case 'close': return judge(v, what, { kind: 'ok', by: 'dead_close: genfs_nullop' });
      case 'fstat': return judge(v, what, { kind: 'errno', errno: 'EBADF', by: 'dead_default_error: VOP_GETATTR' });
      case 'read':
      case 'write': {
        if ((slot.file.flag & (s.kind === 'read' ? FREAD : FWRITE)) === 0 || vp.type === 'VFIFO') return null;
        if ((v.args.offset ?? 0) < 0) return null;
        return judge(v, what, { kind: 'errno', errno: 'EIO', by: `dead_${s.kind}: the vnode was revoked` });
      }
    }
  }
  if (!fromDeadCwd(v)) return null;
  if (s.kind === 'chroot' && v.before.cred.euid !== 0) return null; // KAUTH_SYSTEM_CHROOT comes first (ruleChdir)
  if (s.kind === 'exec') {
    // exec_makepathbuf (kern_exec.c 1.518.4.2) names a relative program by getcwd_common(cwd, GETCWD_CHECK_ACCESS)
    // before any lookup: its VOP_ACCESS on the revoked directory is dead_default_error (EBADF). The RLIMIT_NPROC
    // check of a set-id process comes first and is left to ruleExecLookup's callers (unjudged here).
    if (v.before.sugid) return null;
    return judge(v, `exec of relative path ${JSON.stringify(v.args.path)} by pid ${v.before.pid} from a revoked current directory`,
      { kind: 'errno', errno: 'EBADF', by: 'exec_makepathbuf: getcwd_common VOP_ACCESS on the revoked directory (dead_default_error)' });
  }
  return judge(v, `${s.kind} of relative path ${JSON.stringify(v.args.path)} by pid ${v.before.pid} from a revoked current directory`,
    { kind: 'errno', errno: 'ENOENT', by: 'dead_lookup: the current directory was revoked' });
}
