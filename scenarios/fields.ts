/**
 * The scenario format's plain tables (docs/scenario-format.md): its version
 * and limits, the handle and `{h}` syntax, and each step kind's fields in
 * their order with their defaults. Everything here is data and string
 * handling without zod, so that the runner, the writer and a fuzz worker
 * thread load none of the schema machinery; format.ts builds the zod schemas
 * beside this table, and test/scenarios/fields.test.ts holds the two to the
 * same fields, order, optionality and defaults.
 */
import type { StepKind } from './types.ts';

export const FORMAT_VERSION = 1;
/** The revision of the format's contract this engine implements (revision 2: readdir types, entryTypes, dataMatches). */
export const CONTRACT_REVISION = 2;
/** Engine limits (the contract lets each engine set its own). */
export const FILE_BYTES_MAX = 1 << 20;
export const STEPS_MAX = 10_000;
export const NESTING_MAX = 32;

export const HANDLE_RE = /^[a-z][a-z0-9_]*$/;
/** A string that is exactly `{h}`: stands for the integer of handle h. */
export const REF_RE = /^\{[a-z][a-z0-9_]*\}$/;
export const MODE_RE = /^[0-7]{3,4}$/;

// ---- {h} templates -------------------------------------------------------

export type TemplatePart = { text: string } | { ref: string };

/** `{2}`, `{8,}`, `{8,16}` at the start: a regular-expression quantifier. */
const QUANTIFIER_RE = /\{[0-9]+(,[0-9]*)?\}/y;

/**
 * A step string cut into literal text and `{h}` references (section 2), or why
 * it is malformed: `{{` and `}}` are literal braces; any other `{` or `}` must
 * form `{name}`. In a pattern (`dataMatches`) a `{` followed by a digit is
 * literal too, with the rest of a quantifier such as `{2}` or `{8,16}`.
 */
export function templateParts(s: string, pattern = false): { parts: TemplatePart[] } | { error: string } {
  const parts: TemplatePart[] = [];
  let text = '';
  const ref = /\{([a-z][a-z0-9_]*)\}/y;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    const next = s[i + 1] ?? '';
    if ((c === '{' || c === '}') && next === c) {
      text += c;
      i += 2;
    } else if (c === '}') {
      return { error: `a lone "}" at index ${i} (write }} for a literal brace)` };
    } else if (c !== '{') {
      text += c;
      i += 1;
    } else if (pattern && /[0-9]/.test(next)) {
      QUANTIFIER_RE.lastIndex = i;
      const q = QUANTIFIER_RE.exec(s)?.[0] ?? '{';
      text += q;
      i += q.length;
    } else {
      ref.lastIndex = i;
      const m = ref.exec(s);
      if (m === null) return { error: `a "{" at index ${i} that does not start a {handle} (write {{ for a literal brace)` };
      if (text !== '') parts.push({ text });
      text = '';
      parts.push({ ref: m[1]! });
      i = ref.lastIndex;
    }
  }
  if (text !== '') parts.push({ text });
  return { parts };
}

/** The handles a step string names with `{h}`, or why it is malformed (see templateParts). */
export function templateRefs(s: string, pattern = false): { refs: string[] } | { error: string } {
  const t = templateParts(s, pattern);
  if ('error' in t) return t;
  return { refs: t.parts.flatMap((p) => ('ref' in p ? [p.ref] : [])) };
}

/** A template with each `{h}` replaced by `value(h)`. */
export function fillTemplate(parts: readonly TemplatePart[], value: (handle: string) => string): string {
  return parts.map((p) => ('ref' in p ? value(p.ref) : p.text)).join('');
}

// ---- step fields ---------------------------------------------------------

export const FILE_TYPES = ['file', 'dir', 'chr', 'blk', 'fifo', 'sock', 'link'] as const;
export const NEWFD_TYPES = ['misc', 'sem', 'crypto', 'mqueue', 'eventfd', 'timerfd', 'memfd'] as const;

/** A step field: it must be given, it may be left out, or it has this default. */
export type FieldRule = 'required' | 'optional' | { readonly default: unknown };

const R = 'required';
const O = 'optional';
const d = (value: unknown): FieldRule => ({ default: value });
const BY = d('init');

/** The fields of each step kind (inside `- kind: { ... }`) in the contract's order, section 4. */
export const STEP_FIELDS: { readonly [K in StepKind]: Readonly<Record<string, FieldRule>> } = {
  spawn: { as: R, uid: d(0), gid: d(0), path: d('/bin/sh'), pid: O },
  fork: { by: BY, as: R, pid: O },
  exec: { by: BY, path: R },
  exit: { by: BY, status: d(0) },
  wait: { by: BY, child: O },
  setuid: { by: BY, id: R },
  seteuid: { by: BY, id: R },
  setgid: { by: BY, id: R },
  setegid: { by: BY, id: R },
  ptrace: { by: BY, target: R, detach: d(false) },
  chdir: { by: BY, path: R },
  chroot: { by: BY, path: R },
  open: { by: BY, path: R, flags: d('r'), excl: d(false), nofollow: d(false), cloexec: d(false), as: O },
  close: { by: BY, fd: R },
  dup2: { by: BY, fd: R, to: R },
  pipe: { by: BY, as: O },
  socket: { by: BY, as: O },
  kqueue: { by: BY, as: O },
  newfd: { by: BY, type: R, as: O },
  lstat: { by: BY, path: R },
  stat: { by: BY, path: R },
  fstat: { by: BY, fd: R },
  read: { by: BY, fd: R, size: d(64), offset: d(0) },
  write: { by: BY, fd: R, data: d(''), offset: d(0) },
  readlink: { by: BY, path: R },
  readdir: { by: BY, path: R },
  mount: { by: BY, path: R, args: R, update: d(false) },
  getargs: { by: BY, path: R },
  unmount: { by: BY, path: R, force: d(false) },
  statvfs: { by: BY, path: R },
  modunload: { by: BY, name: d('procfs') },
  modload: { by: BY, name: d('procfs') },
  check: { by: BY },
};

export const STEP_KINDS = Object.keys(STEP_FIELDS) as StepKind[];

/** Each kind's fields that have a default, with it. */
export const STEP_DEFAULTS = {} as Record<StepKind, ReadonlyMap<string, unknown>>;
for (const kind of STEP_KINDS) {
  const defaults = new Map<string, unknown>();
  for (const [name, rule] of Object.entries(STEP_FIELDS[kind])) if (typeof rule === 'object') defaults.set(name, rule.default);
  STEP_DEFAULTS[kind] = defaults;
}

/** Kinds whose `as` binds a process handle; every other `as` binds descriptors. */
export const PROCESS_BINDERS: readonly StepKind[] = ['spawn', 'fork'];
/** Body fields that name a process (by handle) or a descriptor (by handle). */
export const PROCESS_FIELDS = ['by', 'child', 'target'] as const;
export const DESCRIPTOR_FIELDS = ['fd', 'to'] as const;
