/** Credentials (kauth_cred_t): real, effective and saved ids (sys/kern/kern_auth.c). */
export interface Cred {
  readonly ruid: number;
  readonly euid: number;
  readonly svuid: number;
  readonly rgid: number;
  readonly egid: number;
  readonly svgid: number;
}

/** A credential with every uid = uid and every gid = gid (what login leaves behind). */
export function credCreate(uid: number, gid: number): Cred {
  return Object.freeze({ ruid: uid, euid: uid, svuid: uid, rgid: gid, egid: gid, svgid: gid });
}

/** kauth_cred_dup with changes: credentials are immutable values, shared until changed. */
export function credWith(c: Cred, change: Partial<Cred>): Cred {
  return Object.freeze({
    ruid: change.ruid ?? c.ruid, euid: change.euid ?? c.euid, svuid: change.svuid ?? c.svuid,
    rgid: change.rgid ?? c.rgid, egid: change.egid ?? c.egid, svgid: change.svgid ?? c.svgid,
  });
}

export function credEqual(a: Cred, b: Cred): boolean {
  return a.ruid === b.ruid && a.euid === b.euid && a.svuid === b.svuid &&
    a.rgid === b.rgid && a.egid === b.egid && a.svgid === b.svgid;
}

/**
 * kauth_cred_groupmember: the effective gid, or one of the supplementary
 * groups (cr_groups, kauth_cred_ismember_gid). The fixture keeps the groups
 * beside the credential (Proc.groups), so the caller passes them.
 */
export function credGroupmember(c: Cred, groups: readonly number[], gid: number): boolean {
  return c.egid === gid || groups.includes(gid);
}

export const NOCRED: Cred = credCreate(0, 0);
