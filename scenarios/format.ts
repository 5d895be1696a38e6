/**
 * The scenario format, version 1, contract revision 2 (docs/scenario-format.md),
 * as zod schemas, built beside the plain tables of fields.ts. They check shape, types, ranges and defaults; what needs the
 * whole file (handles, parent directories, pid against pidMax, patterns) is
 * load.ts's job.
 *
 * Every leaf carries an "expected ..." phrase as its error, so the loader can
 * say "expected <phrase>, found <what was there>".
 */
import { z } from 'zod';
import { ERRNO_NAMES } from '../emulator/errno.ts';
import { BUG_NAMES } from '../emulator/bugs.ts';
import { DTYPES, VTYPES, type StepBody, type StepKind } from './types.ts';
import { FILE_TYPES, FORMAT_VERSION, HANDLE_RE, MODE_RE, NEWFD_TYPES, REF_RE, STEPS_MAX, STEP_KINDS } from './fields.ts';

const LATIN1_RE = /^[\u0000-\u00ff]*$/;

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const UINT32_MAX = 4_294_967_295;
const SAFE_MAX = Number.MAX_SAFE_INTEGER;
const READ_SIZE_MAX = 1 << 20;

// ---- leaves -------------------------------------------------------------

function intIn(lo: number, hi: number, phrase = rangePhrase(lo, hi)) {
  return z.int({ error: phrase }).min(lo, { error: phrase }).max(hi, { error: phrase });
}

function rangePhrase(lo: number, hi: number): string {
  if (lo === 0 && hi === SAFE_MAX) return 'a non-negative integer';
  return `an integer from ${lo} to ${hi}`;
}

function refString(phrase: string) {
  return z.string({ error: phrase }).regex(REF_RE, { error: phrase });
}

/** An integer field where a string that is exactly `{h}` stands for the integer. */
function intOrRef(lo: number, hi: number) {
  const phrase = `${rangePhrase(lo, hi)} or a "{handle}" string`;
  return z.union([intIn(lo, hi, phrase), refString(phrase)], { error: phrase });
}

const handlePhrase = 'a handle name (a lowercase letter, then lowercase letters, digits or _)';
export const HandleSchema = z.string({ error: handlePhrase }).regex(HANDLE_RE, { error: handlePhrase });

/** `fd`/`to` (descriptor) and `child`/`target` (process): a handle, an integer or "{h}". */
function refField(role: 'descriptor' | 'process') {
  const phrase = `a ${role} handle, an integer or a "{handle}" string`;
  const name = z.string({ error: phrase }).regex(HANDLE_RE, { error: phrase });
  return z.union([intIn(INT32_MIN, INT32_MAX, phrase), name, refString(phrase)], { error: phrase });
}

const str = () => z.string({ error: 'a string' });
const bool = () => z.boolean({ error: 'true or false' });
const latin1 = () => {
  const phrase = 'a string of Latin-1 characters (one per byte)';
  return z.string({ error: phrase }).regex(LATIN1_RE, { error: phrase });
};
const stringList = () => z.array(str(), { error: 'a list of strings' });

function oneOf<const T extends readonly [string, ...string[]]>(values: T, phrase?: string) {
  return z.enum(values, { error: phrase ?? `one of ${values.join(', ')}` });
}

const modePhrase = 'a string of 3 or 4 octal digits';
export const ModeSchema = z.string({ error: modePhrase }).regex(MODE_RE, { error: modePhrase });

export const ErrnoSchema = z.enum(['any', ...ERRNO_NAMES], {
  error: 'a NetBSD errno name (EPERM, ENOENT, ...) or any',
});
export const VtypeSchema = oneOf(VTYPES);
export const DtypeSchema = oneOf(DTYPES, `a d_type name without DT_ (${DTYPES.join(', ')})`);
export const BugNameSchema = z.enum(BUG_NAMES, { error: `a bug name (${BUG_NAMES.join(', ')})` });

// ---- kernel -------------------------------------------------------------

export const FileEntrySchema = z.strictObject({
  path: str(),
  type: oneOf(FILE_TYPES),
  mode: ModeSchema,
  uid: intIn(0, UINT32_MAX).default(0),
  gid: intIn(0, UINT32_MAX).default(0),
  target: z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' }).optional(),
  emul: oneOf(['netbsd', 'linux']).optional(),
});

export const ProcfsMountSchema = z.strictObject({
  path: str(),
  linux: bool().default(true),
});

const PAGE_SIZES = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536] as const;

export const KernelSchema = z.strictObject({
  pidMax: intIn(4, 30000).default(30000),
  maxproc: intIn(1, 1_000_000).default(1044),
  pageSize: z.literal(PAGE_SIZES, { error: 'a power of two from 512 to 65536' }).default(4096),
  pfsLast: intIn(33, 64).default(33),
  securelevel: intIn(-1, 2).default(0),
  curtain: bool().default(false),
  files: z.array(FileEntrySchema, { error: 'a list of file entries' }).default(() => []),
  procfs: z
    .array(ProcfsMountSchema, { error: 'a list of procfs mounts' })
    .default(() => [{ path: '/proc', linux: true }]),
});

// ---- steps --------------------------------------------------------------

/** Shared instances, so the JSON Schema can name them once in $defs. */
export const ByField = HandleSchema.default('init');
export const UintOrRefSchema = intOrRef(0, SAFE_MAX);
export const IdSchema = intOrRef(0, UINT32_MAX);
export const DescriptorRefSchema = refField('descriptor');
export const ProcessRefSchema = refField('process');
const PidSchema = intOrRef(2, 29999);
const PathSchema = str();

const by = () => ByField;
const pid = () => PidSchema;
const uint = () => UintOrRefSchema;
const id = () => IdSchema;
const path = () => PathSchema;
const fd = () => DescriptorRefSchema;
const proc = () => ProcessRefSchema;
const offset = () => UintOrRefSchema;

const mountArgsPhrase = 'a map {version, flags}, null, or "short"';
export const MountArgsSchema = z.union(
  [
    z.strictObject({ version: intOrRef(INT32_MIN, INT32_MAX), flags: intOrRef(INT32_MIN, INT32_MAX) }),
    z.null({ error: mountArgsPhrase }),
    z.literal('short', { error: mountArgsPhrase }),
  ],
  { error: mountArgsPhrase },
);

/** The fields of each step kind (inside `- kind: { ... }`), defaults applied: fields.ts STEP_FIELDS, as schemas. */
export const STEP_BODIES = {
  spawn: z.strictObject({ as: HandleSchema, uid: id().default(0), gid: id().default(0), path: path().default('/bin/sh'), pid: pid().optional() }),
  fork: z.strictObject({ by: by(), as: HandleSchema, pid: pid().optional() }),
  exec: z.strictObject({ by: by(), path: path() }),
  exit: z.strictObject({ by: by(), status: intOrRef(INT32_MIN, INT32_MAX).default(0) }),
  wait: z.strictObject({ by: by(), child: proc().optional() }),
  setuid: z.strictObject({ by: by(), id: id() }),
  seteuid: z.strictObject({ by: by(), id: id() }),
  setgid: z.strictObject({ by: by(), id: id() }),
  setegid: z.strictObject({ by: by(), id: id() }),
  ptrace: z.strictObject({ by: by(), target: proc(), detach: bool().default(false) }),
  chdir: z.strictObject({ by: by(), path: path() }),
  chroot: z.strictObject({ by: by(), path: path() }),
  open: z.strictObject({
    by: by(),
    path: path(),
    flags: oneOf(['r', 'w', 'rw']).default('r'),
    excl: bool().default(false),
    nofollow: bool().default(false),
    cloexec: bool().default(false),
    as: HandleSchema.optional(),
  }),
  close: z.strictObject({ by: by(), fd: fd() }),
  dup2: z.strictObject({ by: by(), fd: fd(), to: fd() }),
  pipe: z.strictObject({
    by: by(),
    as: z.tuple([HandleSchema, HandleSchema], { error: 'a list of two handle names [read, write]' }).optional(),
  }),
  socket: z.strictObject({ by: by(), as: HandleSchema.optional() }),
  kqueue: z.strictObject({ by: by(), as: HandleSchema.optional() }),
  newfd: z.strictObject({ by: by(), type: oneOf(NEWFD_TYPES), as: HandleSchema.optional() }),
  lstat: z.strictObject({ by: by(), path: path() }),
  stat: z.strictObject({ by: by(), path: path() }),
  fstat: z.strictObject({ by: by(), fd: fd() }),
  read: z.strictObject({ by: by(), fd: fd(), size: intOrRef(0, READ_SIZE_MAX).default(64), offset: offset().default(0) }),
  write: z.strictObject({ by: by(), fd: fd(), data: latin1().default(''), offset: offset().default(0) }),
  readlink: z.strictObject({ by: by(), path: path() }),
  readdir: z.strictObject({ by: by(), path: path() }),
  mount: z.strictObject({ by: by(), path: path(), args: MountArgsSchema, update: bool().default(false) }),
  getargs: z.strictObject({ by: by(), path: path() }),
  unmount: z.strictObject({ by: by(), path: path(), force: bool().default(false) }),
  statvfs: z.strictObject({ by: by(), path: path() }),
  modunload: z.strictObject({ by: by(), name: str().default('procfs') }),
  modload: z.strictObject({ by: by(), name: str().default('procfs') }),
  check: z.strictObject({ by: by() }),
};

// ---- expect -------------------------------------------------------------

const STAT_RESULTS = { vtype: VtypeSchema, mode: ModeSchema, uid: uint(), gid: uint(), nlink: uint(), size: uint(), fileno: uint() };
const PID_RESULT = { pid: uint() };
const FD_RESULT = { fd: uint() };
const STATVFS_RESULTS = {
  bsize: uint(), frsize: uint(), iosize: uint(), blocks: uint(), files: uint(),
  ffree: uint(), favail: uint(), namemax: uint(), fstype: str(),
};
/** procfs_mount's MNT_GETARGS copies pmnt_flags back as stored: any int (vfsops 1.114). */
const GETARGS_RESULTS = { version: intOrRef(INT32_MIN, INT32_MAX), flags: intOrRef(INT32_MIN, INT32_MAX) };

export const DataMatchesSchema = z.string({ error: 'a regular expression (a string)' });
export const EntryTypesSchema = z.record(str(), DtypeSchema, { error: 'a map from entry name to d_type name' });

type Results = Record<string, z.ZodType>;

/** The result fields each kind may expect (section 4's last column), and the checks on them. */
const STEP_RESULTS: { [K in StepKind]: Results } = {
  spawn: PID_RESULT, fork: PID_RESULT, exec: {}, exit: {}, wait: PID_RESULT,
  setuid: {}, seteuid: {}, setgid: {}, setegid: {}, ptrace: {}, chdir: {}, chroot: {},
  open: FD_RESULT, close: {}, dup2: FD_RESULT,
  pipe: { fds: z.tuple([uint(), uint()], { error: 'a list of two integers [read, write]' }) },
  socket: FD_RESULT, kqueue: FD_RESULT, newfd: FD_RESULT,
  lstat: STAT_RESULTS, stat: STAT_RESULTS, fstat: STAT_RESULTS,
  read: { data: latin1(), dataMatches: DataMatchesSchema }, write: { count: uint() }, readlink: { target: str() },
  readdir: {
    entries: stringList(),
    types: z.array(DtypeSchema, { error: 'a list of d_type names' }),
    entriesInclude: stringList(),
    entryTypes: EntryTypesSchema,
  },
  mount: {}, getargs: GETARGS_RESULTS, unmount: {}, statvfs: STATVFS_RESULTS,
  modunload: {}, modload: {}, check: {},
};

/** Expect keys that are not result fields: they may stand beside any errno. */
export const EXPECT_NON_RESULTS = ['errno', 'evicts', 'revokes'] as const;

/** Expect keys that check a result field rather than being one: key -> the result they read. */
export const RESULT_CHECKS: Readonly<Record<string, string>> = {
  entriesInclude: 'entries', entryTypes: 'entries', dataMatches: 'data',
};

/** Each kind's result fields and checks (`expect` keys beside errno, evicts, revokes). */
export const STEP_RESULT_KEYS = Object.fromEntries(
  Object.entries(STEP_RESULTS).map(([k, r]) => [k, Object.keys(r)]),
) as { [K in StepKind]: string[] };

function expectSchema(results: Results) {
  const optional = Object.fromEntries(Object.entries(results).map(([k, s]) => [k, s.optional()]));
  return z.strictObject({
    errno: ErrnoSchema.optional(),
    evicts: stringList().optional(),
    revokes: stringList().optional(),
    ...optional,
  });
}

export const STEP_EXPECTS = Object.fromEntries(
  STEP_KINDS.map((k) => [k, expectSchema(STEP_RESULTS[k])]),
) as { [K in StepKind]: ReturnType<typeof expectSchema> };

// ---- top level ----------------------------------------------------------

const namePhrase = 'a non-empty, one-line string';

/** The top level, with `step` as the schema of one step. */
export function scenarioSchema<S extends z.ZodType>(step: S) {
  return z.strictObject({
    format: z.literal(FORMAT_VERSION, { error: `${FORMAT_VERSION} (the only version so far)` }).default(FORMAT_VERSION),
    name: z.string({ error: namePhrase }).regex(/^[^\r\n]+$/, { error: namePhrase }),
    description: str().optional(),
    kernel: KernelSchema.prefault({}),
    bugs: z.array(BugNameSchema, { error: 'a list of bug names' }).default(() => []),
    steps: z
      .array(step, { error: 'a list of steps' })
      .min(1, { error: 'at least one step' })
      .max(STEPS_MAX, { error: `at most ${STEPS_MAX} steps` }),
  });
}

/** Top level with each step left unchecked: the loader checks steps one by one. */
export const ScenarioShellSchema = scenarioSchema(z.unknown());

// ---- compile-time agreement with types.ts -------------------------------

type StepOf<K extends StepKind> = StepBody extends infer S ? (S extends { kind: infer KK } ? (K extends KK ? S : never) : never) : never;
type BodiesOut = { [K in StepKind]: z.output<(typeof STEP_BODIES)[K]> };
type BodiesWant = { [K in StepKind]: Omit<StepOf<K>, 'kind'> };
/** Fails to compile when a schema's output drifts from types.ts. */
export type BodiesAgree = BodiesOut extends BodiesWant ? true : never;
const bodiesAgree: BodiesAgree = true;
void bodiesAgree;
