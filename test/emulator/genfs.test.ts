/** genfs_can_access and the vtype to dirent type map (genfs.ts), directly and through open(2). */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { genfsCanAccess, vtypeToDt } from '../../emulator/genfs.ts';
import { RD, RDWR, WR, bootKernel, outcome, spawnAs } from '../helpers/boot.ts';

const ROOT = E.credCreate(0, 0);
const USER = E.credCreate(1000, 100);
const R = E.VREAD, W = E.VWRITE, X = E.VEXEC;

const access = (cred: E.Cred, type: E.Vtype, mode: number, uid: number, gid: number, acc: number, groups: number[] = []) =>
  outcome(genfsCanAccess(cred, groups, type, mode, uid, gid, acc));

describe('genfs_can_access', () => {
  it('root passes read and write whatever the mode', () => {
    for (const mode of [0o000, 0o400, 0o200]) {
      expect([R, W, R | W].map((acc) => access(ROOT, 'VREG', mode, 1000, 100, acc))).toEqual(['ok', 'ok', 'ok']);
    }
  });

  it('root may exec only with some x bit; directories are always searchable', () => {
    expect(access(ROOT, 'VREG', 0o644, 0, 0, X)).toBe('EACCES');
    expect(access(ROOT, 'VREG', 0o000, 0, 0, X)).toBe('EACCES');
    expect(access(ROOT, 'VREG', 0o001, 1000, 100, X)).toBe('ok');
    expect(access(ROOT, 'VREG', 0o010, 1000, 100, X)).toBe('ok');
    expect(access(ROOT, 'VDIR', 0o000, 1000, 100, X)).toBe('ok');
  });

  it('owner, group, other: exactly one class applies, picked by euid then egid', () => {
    const table: [number, number, number, number, string][] = [
      // mode, uid, gid, acc, result for USER (euid 1000, egid 100)
      [0o600, 1000, 0, R | W, 'ok'],
      [0o400, 1000, 0, W, 'EACCES'],
      [0o070, 1000, 100, R, 'EACCES'], // owner class, no owner bits
      [0o040, 0, 100, R, 'ok'],
      [0o040, 0, 100, W, 'EACCES'],
      [0o404, 0, 100, R, 'EACCES'], // group class, no group bits
      [0o004, 0, 0, R, 'ok'],
      [0o001, 0, 0, X, 'ok'],
      [0o006, 0, 0, R | W | X, 'EACCES'],
      [0o000, 1000, 100, R, 'EACCES'],
    ];
    expect(table.map(([m, u, g, a]) => access(USER, 'VREG', m, u, g, a))).toEqual(table.map((t) => t[4]));
  });

  it('looks at the effective ids, not the real ones', () => {
    const setuidRoot = E.credWith(USER, { euid: 0 });
    const lowered = E.credWith(ROOT, { euid: 1000, egid: 100 });
    expect(access(setuidRoot, 'VREG', 0o000, 0, 0, R)).toBe('ok');
    expect(access(lowered, 'VREG', 0o600, 0, 0, R)).toBe('EACCES');
    expect(access(lowered, 'VREG', 0o600, 1000, 0, R)).toBe('ok');
  });

  it('a supplementary group puts the caller in the group class (kauth_cred_groupmember)', () => {
    const setgid = E.credWith(USER, { egid: 4, svgid: 4 }); // after exec of a set-gid 4 program
    expect(access(setgid, 'VBLK', 0o640, 0, 100, R, [100])).toBe('ok');
    expect(access(setgid, 'VBLK', 0o640, 0, 100, R, [])).toBe('EACCES');
    expect(access(setgid, 'VBLK', 0o640, 0, 100, W, [100])).toBe('EACCES');
    expect(access(setgid, 'VREG', 0o604, 0, 100, R, [100])).toBe('EACCES'); // group class, no group bits
    expect(access(setgid, 'VREG', 0o040, 0, 4, R, [100])).toBe('ok'); // the effective gid still counts
  });
});

describe('through open(2) on the root file system', () => {
  const FILES: E.RootfsEntry[] = [
    { path: '/tmp/secret', type: 'file', mode: 0o000, uid: 0, gid: 0 },
    { path: '/tmp/mine', type: 'file', mode: 0o600, uid: 1000, gid: 100 },
  ];

  it('root opens a 0000 file; the owner its 0600 file; others get EACCES', () => {
    const k = bootKernel({ files: FILES });
    const r = spawnAs(k, 0, 0);
    const u = spawnAs(k, 1000, 100);
    const o = spawnAs(k, 2000, 100);
    expect([RD, WR, RDWR].map((f) => outcome(E.sysOpen(k, r, '/tmp/secret', f)))).toEqual(['ok', 'ok', 'ok']);
    expect(outcome(E.sysOpen(k, u, '/tmp/secret', RD))).toBe('EACCES');
    expect(outcome(E.sysOpen(k, u, '/tmp/mine', RDWR))).toBe('ok');
    expect(outcome(E.sysOpen(k, o, '/tmp/mine', RD))).toBe('EACCES');
    expect(outcome(E.sysOpen(k, u, '/dev/wd0', RD))).toBe('EACCES'); // 0640 root:5
    expect(outcome(E.sysOpen(k, spawnAs(k, 1000, 5), '/dev/wd0', RD))).toBe('ok');
    expect(outcome(E.sysOpen(k, spawnAs(k, 1000, 5), '/dev/wd0', WR))).toBe('EACCES');
  });

  it('a set-gid exec keeps the login group as a supplementary group', () => {
    const k = bootKernel({ files: FILES });
    const w = spawnAs(k, 1000, 5);
    expect(E.isErr(E.execve(k, w, '/usr/bin/wall'))).toBe(false);
    expect([w.cred.egid, w.groups]).toEqual([4, [5]]);
    expect(outcome(E.sysOpen(k, w, '/dev/wd0', RD))).toBe('ok');
  });
});

describe('vtype to dirent type', () => {
  it('maps every vtype', () => {
    const vtypes: E.Vtype[] = ['VNON', 'VREG', 'VDIR', 'VBLK', 'VCHR', 'VLNK', 'VSOCK', 'VFIFO', 'VBAD'];
    expect(vtypes.map(vtypeToDt)).toEqual(
      ['DT_UNKNOWN', 'DT_REG', 'DT_DIR', 'DT_BLK', 'DT_CHR', 'DT_LNK', 'DT_SOCK', 'DT_FIFO', 'DT_UNKNOWN']);
  });
});
