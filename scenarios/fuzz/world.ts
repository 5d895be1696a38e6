/**
 * The cast of a generated scenario: users, programs and files added to the
 * root file system (kernel.files), named by Faker so that a repro reads like
 * a story ("alice runs /usr/bin/reboot, bob holds /proc/{alice}/mem").
 *
 * Faker is seeded from the run's PRNG with a fixed reference date, and its
 * version is pinned exactly in package.json: the same seed gives the same
 * names on every machine.
 */
import type { Faker } from '@faker-js/faker';
import { faker as fakerEn } from '@faker-js/faker/locale/en';
import type { FileEntry } from '../types.ts';
import type { PRNG } from './prng.ts';

/** Faker's clock for anything date-related: the 1.114 baseline of procfs_vfsops.c. */
export const FAKER_REF_DATE = '2024-01-17T00:00:00.000Z';

export interface User {
  /** Also the base of the handles of its processes. */
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export type ProgramKind = 'plain' | 'setuid' | 'setgid' | 'linux';

export interface Program {
  path: string;
  kind: ProgramKind;
}

export interface World {
  root: User;
  users: User[];
  programs: Program[];
  /** Regular files a process may open (besides the default ones). */
  files: string[];
  /** Extra directories (mount points for extra procfs mounts). */
  dirs: string[];
  /**
   * The Linux emulation's procfs mount point (/emul/linux/proc, added to
   * kernel.files), or null: where NetBSD's usual set-up mounts procfs with
   * `-o linux`, so that a Linux program's /proc reaches it (namei_tryemulroot).
   */
  emulProc: string | null;
  /** Symbolic links in /tmp that point into /proc (trailing-slash and nofollow lookups through them). */
  links: string[];
  /** What goes into kernel.files, parents first. */
  entries: FileEntry[];
}

/** The programs of the default root file system (scenario-format.md §3). */
export const DEFAULT_PROGRAMS: readonly Program[] = [
  { path: '/bin/sh', kind: 'plain' }, { path: '/bin/cat', kind: 'plain' }, { path: '/usr/bin/id', kind: 'plain' },
  { path: '/usr/bin/passwd', kind: 'setuid' }, { path: '/usr/bin/su', kind: 'setuid' },
  { path: '/usr/bin/wall', kind: 'setgid' }, { path: '/emul/linux/bin/sh', kind: 'linux' },
];

/**
 * Names never given to a generated user, program or file: handles that
 * exist, and the procfs node names the fuzz invariants recognise by name.
 */
const RESERVED = new Set([
  'init', 'root', 'user', 'self', 'curproc', 'proc', 'mem', 'regs', 'fpregs', 'sh', 'cat', 'id', 'passwd', 'su',
  'wall', 'null', 'fifo', 'sock', 'tmp', 'home', 'bin', 'sbin', 'usr', 'dev', 'etc', 'var', 'emul', 'linux',
]);

/**
 * The English Faker of this thread (the per-locale entry point: importing
 * every locale costs a third of a second per worker), re-seeded for every run.
 */
function seededFaker(seed: number): Faker {
  fakerEn.setDefaultRefDate(FAKER_REF_DATE);
  fakerEn.seed(seed);
  return fakerEn;
}

/** A lowercase identifier usable as a handle and a file name: [a-z][a-z0-9]{0,9}. */
function sanitize(raw: string): string {
  const s = raw.toLowerCase().replace(/[^a-z0-9]/g, '').replace(/^[0-9]+/, '');
  return s.slice(0, 10);
}

/** Unique names: a second "alice" becomes "alice2". */
class NamePool {
  private readonly used = new Set<string>(RESERVED);

  take(raw: string, fallback: string): string {
    const base = sanitize(raw) || fallback;
    let name = base;
    for (let n = 2; this.used.has(name); n++) name = `${base}${n}`;
    this.used.add(name);
    return name;
  }
}

/** Draw the cast of one run from `prng` (its own child stream). */
export function drawWorld(prng: PRNG): World {
  const faker = seededFaker(prng.u32());
  const names = new NamePool();
  const root: User = { name: 'root', uid: 0, gid: 0, home: '/' };
  const entries: FileEntry[] = [];
  const users: User[] = [];
  const nUsers = prng.range(1, 3);
  for (let i = 0; i < nUsers; i++) {
    const name = names.take(faker.person.firstName(), `u${i}`);
    const uid = 1000 + i;
    const gid = prng.chance(1, 3) ? uid : 100;
    const home = `/home/${name}`;
    users.push({ name, uid, gid, home });
    entries.push({ path: home, type: 'dir', mode: '0755', uid, gid });
  }
  const dirs: string[] = [];
  if (prng.chance(1, 2)) {
    const dir = `/var/${names.take(faker.word.noun(), 'mnt')}`;
    dirs.push(dir);
    entries.push({ path: dir, type: 'dir', mode: '0755', uid: 0, gid: 0 });
  }
  const programs: Program[] = [];
  const nPrograms = prng.range(0, 3);
  for (let i = 0; i < nPrograms; i++) {
    const name = names.take(faker.hacker.verb(), `prog${i}`);
    const owner = prng.pick(users);
    const kind = prng.pick<ProgramKind>(['plain', 'setuid', 'setuid', 'setgid', 'linux']);
    const p = programEntry(prng, kind, name, owner);
    programs.push({ path: p.path, kind });
    entries.push(p);
  }
  const files: string[] = [];
  const nFiles = prng.range(0, 2);
  for (let i = 0; i < nFiles; i++) {
    const owner = prng.pick(users);
    const path = `${owner.home}/${names.take(faker.word.noun(), `file${i}`)}.txt`;
    files.push(path);
    entries.push({ path, type: 'file', mode: prng.pick(['0644', '0600', '0666']), uid: owner.uid, gid: owner.gid, emul: 'netbsd' });
  }
  const emulProc = prng.chance(1, 4) ? '/emul/linux/proc' : null;
  if (emulProc !== null) entries.push({ path: emulProc, type: 'dir', mode: '0755', uid: 0, gid: 0 });
  const links: string[] = [];
  if (prng.chance(1, 3)) {
    const path = `/tmp/${names.take(faker.word.noun(), 'link')}`;
    links.push(path);
    entries.push({ path, type: 'link', mode: '0755', uid: 0, gid: 0, target: prng.pick(LINK_TARGETS) });
  }
  return { root, users, programs, files, dirs, emulProc, links, entries };
}

/** Where the generated links point: procfs directories, a descriptor directory, a link node. */
const LINK_TARGETS = ['/proc/self', '/proc/curproc', '/proc/1', '/proc/self/fd', '/proc/self/exe', '/proc'];

/** A program's kernel.files entry: where it lives, its set-id bits and owner follow its kind. */
function programEntry(prng: PRNG, kind: ProgramKind, name: string, owner: User): FileEntry {
  switch (kind) {
    case 'plain':
      return { path: `${owner.home}/${name}`, type: 'file', mode: '0755', uid: owner.uid, gid: owner.gid, emul: 'netbsd' };
    case 'setuid': // set-uid root, or set-uid to its (non-root) owner
      return prng.chance(1, 2)
        ? { path: `/usr/bin/${name}`, type: 'file', mode: '4555', uid: 0, gid: 0, emul: 'netbsd' }
        : { path: `${owner.home}/${name}`, type: 'file', mode: '4755', uid: owner.uid, gid: owner.gid, emul: 'netbsd' };
    case 'setgid':
      return { path: `/usr/bin/${name}`, type: 'file', mode: '2555', uid: 0, gid: prng.pick([4, 5, owner.gid]), emul: 'netbsd' };
    case 'linux':
      return { path: `/emul/linux/bin/${name}`, type: 'file', mode: prng.pick(['0555', '4555']), uid: 0, gid: 0, emul: 'linux' };
  }
}
