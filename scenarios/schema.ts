/**
 * The JSON Schema (draft 2020-12) of the scenario format, made from the zod
 * schemas in format.ts, for editors and other projects' CI. It checks shape,
 * types and ranges; what needs the whole file (handles bound before use, parent
 * directories, result fields beside an errno) only the loader checks.
 * scenarios/schema.json is a committed copy: `npx tsx scenarios/schema.ts` rewrites it.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CONTRACT_REVISION, FORMAT_VERSION, STEP_KINDS } from './fields.ts';
import {
  ByField, DataMatchesSchema, DescriptorRefSchema, DtypeSchema, EntryTypesSchema, ErrnoSchema,
  FileEntrySchema, HandleSchema, IdSchema, KernelSchema, ModeSchema, MountArgsSchema, ProcessRefSchema,
  ProcfsMountSchema, STEP_BODIES, STEP_EXPECTS, UintOrRefSchema, VtypeSchema, scenarioSchema,
} from './format.ts';
import type { StepKind } from './types.ts';

export const SCHEMA_ID = 'urn:procfs-emu:scenario-format:1';
export const SCHEMA_FILE = fileURLToPath(new URL('./schema.json', import.meta.url));

/** One line per kind, from the table of section 4. */
const KIND_DOCS: { [K in StepKind]: string } = {
  spawn: 'a new child of init executing path, as login leaves it (no `by`)',
  fork: 'fork(2) of by',
  exec: 'execve(2) by by; runs the exec hooks',
  exit: 'exit(2): closes descriptors, runs the exit hooks, leaves a zombie',
  wait: 'waitpid(2) with WNOHANG',
  setuid: 'setuid(2)',
  seteuid: 'seteuid(2)',
  setgid: 'setgid(2)',
  setegid: 'setegid(2)',
  ptrace: 'PT_ATTACH, or PT_DETACH with detach: true',
  chdir: 'chdir(2)',
  chroot: 'chroot(2)',
  open: 'open(2)',
  close: 'close(2)',
  dup2: 'dup2(2)',
  pipe: 'pipe(2): two DTYPE_PIPE descriptors',
  socket: 'a DTYPE_SOCKET descriptor',
  kqueue: 'a DTYPE_KQUEUE descriptor',
  newfd: 'a descriptor of the given DTYPE',
  lstat: 'lstat(2): links not followed',
  stat: 'stat(2): links followed',
  fstat: 'fstat(2)',
  read: 'pread(2)',
  write: 'pwrite(2)',
  readlink: 'readlink(2)',
  readdir: 'getdents(2) of the whole directory',
  mount: 'mount(2) of procfs',
  getargs: 'mount(2) with MNT_GETARGS',
  unmount: 'unmount(2)',
  statvfs: 'statvfs(2)',
  modunload: 'procfs_modcmd FINI',
  modload: 'procfs_modcmd INIT',
  check: 'does nothing; a place to hang an expect',
};

/** Names for the $defs, so the schema reads like the contract. */
function registry() {
  const reg = z.registry<{ id?: string; description?: string }>();
  const named: [z.ZodType, string, string][] = [
    [HandleSchema, 'handle', 'a handle name'],
    [ByField, 'by', 'the acting process handle (default init)'],
    [ModeSchema, 'mode', 'permission bits as 3 or 4 octal digits, quoted'],
    [ErrnoSchema, 'errno', 'a NetBSD <sys/errno.h> name, or any'],
    [VtypeSchema, 'vtype', 'a vnode type'],
    [DtypeSchema, 'dtype', 'a directory entry type (d_type) without DT_'],
    [EntryTypesSchema, 'entryTypes', 'entry name -> d_type name; each named entry must be listed with that type'],
    [DataMatchesSchema, 'dataMatches', 'an ECMAScript regular expression (flag m) that must match somewhere in data; {h} expanded, { followed by a digit literal'],
    [UintOrRefSchema, 'uintOrRef', 'a non-negative integer, or a string that is exactly {handle}'],
    [IdSchema, 'id', 'a uid or gid, or a string that is exactly {handle}'],
    [DescriptorRefSchema, 'descriptorRef', 'a descriptor handle, an integer, or {handle}'],
    [ProcessRefSchema, 'processRef', 'a process handle, an integer, or {handle}'],
    [MountArgsSchema, 'mountArgs', 'struct procfs_args, null for no data, or short'],
    [KernelSchema, 'kernel', 'the kernel booted for the scenario'],
    [FileEntrySchema, 'fileEntry', 'an extra root file system entry'],
    [ProcfsMountSchema, 'procfsMount', 'a procfs mount made at boot'],
  ];
  for (const [schema, id, description] of named) reg.add(schema, { id, description });
  for (const k of STEP_KINDS) {
    reg.add(STEP_BODIES[k], { id: `${k}Fields`, description: KIND_DOCS[k] });
    reg.add(STEP_EXPECTS[k], { id: `${k}Expect`, description: `what ${k} must produce` });
  }
  return reg;
}

function stepUnion(): z.ZodType {
  const options = STEP_KINDS.map((k) =>
    z.strictObject({ [k]: STEP_BODIES[k], expect: STEP_EXPECTS[k].optional() }),
  );
  return z.union(options as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
}

export function scenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(scenarioSchema(stepUnion()), {
    io: 'input',
    target: 'draft-2020-12',
    metadata: registry(),
    reused: 'inline',
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: SCHEMA_ID,
    title: `procfs-emu scenario, format ${FORMAT_VERSION}, contract revision ${CONTRACT_REVISION}`,
    description: 'A scenario: boots an emulated NetBSD kernel, plays steps, checks what comes out. See docs/scenario-format.md.',
    ...rest,
  };
}

/** The exact text of scenarios/schema.json. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_FILE, scenarioJsonSchemaText());
}
