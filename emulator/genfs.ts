/** Generic file system helpers (sys/miscfs/genfs/genfs_vnops.c). */
import type { Cred } from './cred.ts';
import { credGroupmember } from './cred.ts';
import type { Err } from './errno.ts';
import { err } from './errno.ts';
import type { Vtype } from './vnode.ts';
import { VEXEC, VREAD, VWRITE } from './vnode.ts';

/**
 * genfs_can_access: the Unix owner/group/other check, exactly one class: the
 * owner by euid, else the group by kauth_cred_groupmember (the effective gid
 * or a supplementary group of `groups`), else other. The superuser (euid 0,
 * as secmodel_suser decides) passes, except exec of a non-directory with no
 * execute bit at all.
 */
export function genfsCanAccess(
  cred: Cred, groups: readonly number[], type: Vtype, fileMode: number, uid: number, gid: number, accMode: number,
): Err | undefined {
  if (cred.euid === 0) {
    if ((accMode & VEXEC) && type !== 'VDIR' && (fileMode & 0o111) === 0) return err('EACCES');
    return undefined;
  }
  const shift = cred.euid === uid ? 6 : credGroupmember(cred, groups, gid) ? 3 : 0;
  let need = 0;
  if (accMode & VREAD) need |= 0o4;
  if (accMode & VWRITE) need |= 0o2;
  if (accMode & VEXEC) need |= 0o1;
  return ((fileMode >> shift) & need) === need ? undefined : err('EACCES');
}

/** fttodt-style map from a vnode type to its dirent type (vtype2dt, sys/dirent.h). */
export function vtypeToDt(t: Vtype) {
  switch (t) {
    case 'VREG': return 'DT_REG' as const;
    case 'VDIR': return 'DT_DIR' as const;
    case 'VBLK': return 'DT_BLK' as const;
    case 'VCHR': return 'DT_CHR' as const;
    case 'VLNK': return 'DT_LNK' as const;
    case 'VSOCK': return 'DT_SOCK' as const;
    case 'VFIFO': return 'DT_FIFO' as const;
    default: return 'DT_UNKNOWN' as const;
  }
}
