/**
 * The in-memory form of a scenario (format version 1, contract revision 2;
 * docs/scenario-format.md).
 * The loader (load.ts) produces it from YAML/JSON with every default applied;
 * the runner (runner.ts) plays it; the fuzzer (fuzz/) generates it; the
 * writer (write.ts) prints it back as YAML. Strings keep their `{h}`
 * placeholders: the runner expands them.
 */
import type { BugName } from '../emulator/bugs.ts';

/** A handle name, an integer, or a string that is exactly `{h}`. */
export type Ref = string | number;
/** A field that takes an integer, where a string that is exactly `{h}` stands for it. */
export type IntOrRef = number | string;

export type FileType = 'file' | 'dir' | 'chr' | 'blk' | 'fifo' | 'sock' | 'link';
export interface FileEntry {
  path: string;
  type: FileType;
  mode: string; // octal string, e.g. "4755"
  uid: number;
  gid: number;
  target?: string; // links only
  emul?: 'netbsd' | 'linux'; // files only
}

export interface ProcfsMountSpec {
  path: string;
  linux: boolean;
}

export interface KernelSpec {
  pidMax: number;
  maxproc: number;
  pageSize: number;
  pfsLast: number;
  securelevel: number;
  curtain: boolean;
  files: FileEntry[];
  procfs: ProcfsMountSpec[];
}

export const VTYPES = ['VNON', 'VREG', 'VDIR', 'VBLK', 'VCHR', 'VLNK', 'VSOCK', 'VFIFO', 'VBAD'] as const;
export type VtypeName = (typeof VTYPES)[number];

/** d_type names as the `types` result and `entryTypes` write them (<sys/dirent.h> without DT_). */
export const DTYPES = ['UNKNOWN', 'FIFO', 'CHR', 'DIR', 'BLK', 'REG', 'LNK', 'SOCK', 'WHT'] as const;
export type DtypeName = (typeof DTYPES)[number];

/** `expect:` of a step. Result fields are compared exactly; absent = not checked. */
export interface Expect {
  errno?: string; // a NetBSD errno name or 'any'
  pid?: IntOrRef;
  fd?: IntOrRef;
  fds?: IntOrRef[];
  count?: IntOrRef;
  vtype?: VtypeName;
  mode?: string; // 3 or 4 octal digits
  uid?: IntOrRef;
  gid?: IntOrRef;
  nlink?: IntOrRef;
  size?: IntOrRef;
  fileno?: IntOrRef;
  data?: string;
  target?: string;
  entries?: string[];
  types?: DtypeName[];
  entriesInclude?: string[];
  /** Entry name (may hold `{h}`) -> its d_type name; each must be listed with that type. */
  entryTypes?: Record<string, DtypeName>;
  /** An ECMAScript pattern (flag m) that must match somewhere in `data`; `{h}` expanded, `{` + digit literal. */
  dataMatches?: string;
  version?: IntOrRef;
  flags?: IntOrRef;
  bsize?: IntOrRef;
  frsize?: IntOrRef;
  iosize?: IntOrRef;
  blocks?: IntOrRef;
  files?: IntOrRef;
  ffree?: IntOrRef;
  favail?: IntOrRef;
  namemax?: IntOrRef;
  fstype?: string;
  evicts?: string[];
  revokes?: string[];
}

export type MountArgs = { version: IntOrRef; flags: IntOrRef } | null | 'short';
export type NewfdType = 'misc' | 'sem' | 'crypto' | 'mqueue' | 'eventfd' | 'timerfd' | 'memfd';

/** One step: `kind` plus its fields with defaults applied. `by` defaults to 'init'. */
export type StepBody =
  | { kind: 'spawn'; as: string; uid: IntOrRef; gid: IntOrRef; path: string; pid?: IntOrRef }
  | { kind: 'fork'; by: string; as: string; pid?: IntOrRef }
  | { kind: 'exec'; by: string; path: string }
  | { kind: 'exit'; by: string; status: IntOrRef }
  | { kind: 'wait'; by: string; child?: Ref }
  | { kind: 'setuid' | 'seteuid' | 'setgid' | 'setegid'; by: string; id: IntOrRef }
  | { kind: 'ptrace'; by: string; target: Ref; detach: boolean }
  | { kind: 'chdir' | 'chroot'; by: string; path: string }
  | { kind: 'open'; by: string; path: string; flags: 'r' | 'w' | 'rw'; excl: boolean; nofollow: boolean; cloexec: boolean; as?: string }
  | { kind: 'close'; by: string; fd: Ref }
  | { kind: 'dup2'; by: string; fd: Ref; to: Ref }
  | { kind: 'pipe'; by: string; as?: [string, string] }
  | { kind: 'socket' | 'kqueue'; by: string; as?: string }
  | { kind: 'newfd'; by: string; type: NewfdType; as?: string }
  | { kind: 'lstat' | 'stat' | 'readlink' | 'readdir' | 'getargs' | 'statvfs'; by: string; path: string }
  | { kind: 'fstat'; by: string; fd: Ref }
  | { kind: 'read'; by: string; fd: Ref; size: IntOrRef; offset: IntOrRef }
  | { kind: 'write'; by: string; fd: Ref; data: string; offset: IntOrRef }
  | { kind: 'mount'; by: string; path: string; args: MountArgs; update: boolean }
  | { kind: 'unmount'; by: string; path: string; force: boolean }
  | { kind: 'modload' | 'modunload'; by: string; name: string }
  | { kind: 'check'; by: string };

export type StepKind = StepBody['kind'];
export type Step = StepBody & { expect?: Expect };

export interface Scenario {
  format: 1;
  name: string;
  description?: string;
  kernel: KernelSpec;
  bugs: BugName[];
  steps: Step[];
}

/** Where a step sits in its source file, for messages (1-based; absent for generated scenarios). */
export interface SourcePos {
  line: number;
  column: number;
}
