/**
 * Expectations a generated step pins from what it did, so that every key of
 * the contract's `expect` (scenario-format.md §5) is written by the writer,
 * read back by the loader and judged by the runner: an exact errno, result
 * fields, `entries`, `types`, `entriesInclude`, `entryTypes` (numeric names
 * and `{h}` names among them), `dataMatches`, `evicts` and `revokes`.
 *
 * They hold by construction on the engine that made them, and are pinned
 * only in runs without injected bugs (what a buggy kernel did is not what
 * NetBSD does). The fuzzer's own judges stay the oracle and the invariants.
 */
import type { DtypeName, Expect, Step } from '../types.ts';
import type { PRNG } from './prng.ts';
import type { Played } from './session.ts';

/** `{` and `}` stand for themselves in a step string only when doubled (scenario-format.md §2). */
export function literal(s: string): string {
  return s.replace(/[{}]/g, (c) => c + c);
}

/**
 * One character of `data` as a pattern that matches exactly it: letters,
 * digits and plain punctuation as they are, regular-expression syntax
 * behind a backslash, braces as a class (a doubled brace in a pattern is a
 * literal brace, which would read as a quantifier after a digit), and the
 * rest (controls, NUL, Latin-1) as \xNN.
 */
function patternChar(ch: string): string {
  if (/[A-Za-z0-9 _:,;=<>@#%&'"!~`-]/.test(ch)) return ch;
  if (ch === '{' || ch === '}') return `[${ch}${ch}]`;
  if ('\\^$.*+?()[]|/'.includes(ch)) return `\\${ch}`;
  return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/**
 * A pattern that matches somewhere in `data`: a piece of one of its lines,
 * with runs of digits loosened (`[0-9]+`, or a `{1,N}` quantifier), anchored
 * to the line's start when the piece starts it.
 */
export function patternFor(prng: PRNG, data: string): string {
  if (data === '') return '^$';
  const lines = data.split('\n').filter((l) => l !== '');
  if (lines.length === 0) return '\\n';
  const line = prng.pick(lines);
  const from = prng.chance(2, 3) ? 0 : prng.int(line.length);
  const piece = line.slice(from, from + 1 + prng.int(32));
  let out = from === 0 ? '^' : '';
  for (const run of piece.match(/[0-9]+|[^0-9]+/g) ?? []) {
    if (!/^[0-9]/.test(run) || prng.chance(1, 4)) out += [...run].map(patternChar).join('');
    else out += prng.chance(1, 2) ? '[0-9]+' : `[0-9]{1,${run.length}}`;
  }
  return out;
}

/** `n` distinct items of `xs`, in a random order, numeric names ahead (they are what the YAML writer must quote). */
function somePicks(prng: PRNG, xs: readonly string[], n: number): string[] {
  const numeric = prng.shuffle(xs.filter((x) => /^[0-9]+$/.test(x)));
  const rest = prng.shuffle(xs.filter((x) => !/^[0-9]+$/.test(x)));
  return [...new Set([...numeric, ...rest])].slice(0, n);
}

/** An entry name as a key: `{h}` when a live process handle has that pid (now and then), else the name, braces doubled. */
function entryKey(prng: PRNG, name: string, pids: () => ReadonlyMap<number, string>): string {
  const h = /^[0-9]+$/.test(name) ? pids().get(Number(name)) : undefined;
  return h !== undefined && prng.chance(1, 2) ? `{${h}}` : literal(name);
}

function readdirExpect(prng: PRNG, r: Record<string, unknown>, pids: () => ReadonlyMap<number, string>): Expect {
  const entries = r.entries as string[];
  const types = r.types as DtypeName[];
  switch (prng.int(5)) {
    case 0: return { types };
    case 1: return { entries: entries.map(literal), types };
    case 2: return { entriesInclude: somePicks(prng, entries, 1 + prng.int(3)).map((e) => entryKey(prng, e, pids)) };
    default: {
      const entryTypes: Record<string, DtypeName> = {};
      for (const e of somePicks(prng, entries, 1 + prng.int(3))) entryTypes[entryKey(prng, e, pids)] = types[entries.indexOf(e)]!;
      return { entryTypes };
    }
  }
}

const STAT_FIELDS = ['vtype', 'mode', 'uid', 'gid', 'nlink', 'size', 'fileno'] as const;
const STATVFS_FIELDS = ['bsize', 'frsize', 'iosize', 'blocks', 'files', 'ffree', 'favail', 'namemax', 'fstype'] as const;

/** Some of the named result fields, as they came. */
function fields(prng: PRNG, r: Record<string, unknown>, names: readonly string[]): Expect {
  const out: Record<string, unknown> = {};
  for (const k of prng.shuffle(names).slice(0, 1 + prng.int(3))) {
    const v = r[k];
    out[k] = typeof v === 'string' ? literal(v) : v;
  }
  return out as Expect;
}

/** The result part of a successful step's pin, or null when nothing is pinned this time. */
function resultExpect(prng: PRNG, step: Step, r: Record<string, unknown>, pids: () => ReadonlyMap<number, string>): Expect | null {
  switch (step.kind) {
    case 'readdir': return prng.chance(1, 3) ? readdirExpect(prng, r, pids) : null;
    case 'read': {
      if (!prng.chance(1, 3)) return null;
      const data = String(r.data);
      return prng.chance(1, 4) ? { data: literal(data) } : { dataMatches: patternFor(prng, data) };
    }
    case 'lstat': case 'stat': case 'fstat': return prng.chance(1, 8) ? fields(prng, r, STAT_FIELDS) : null;
    case 'statvfs': return prng.chance(1, 4) ? fields(prng, r, STATVFS_FIELDS) : null;
    case 'getargs': return prng.chance(1, 4) ? fields(prng, r, ['version', 'flags']) : null;
    case 'spawn': case 'fork': case 'wait': return prng.chance(1, 10) ? fields(prng, r, ['pid']) : null;
    case 'open': case 'dup2': case 'socket': case 'kqueue': case 'newfd': return prng.chance(1, 10) ? fields(prng, r, ['fd']) : null;
    case 'pipe': return prng.chance(1, 6) ? fields(prng, r, ['fds']) : null;
    case 'write': return prng.chance(1, 6) ? fields(prng, r, ['count']) : null;
    case 'readlink': return prng.chance(1, 6) ? fields(prng, r, ['target']) : null;
    default: return null;
  }
}

/** evicts and revokes as they happened: where a step ran hooks, or now and then as []. */
function setsExpect(prng: PRNG, rec: Played): Expect {
  const busy = rec.evicted.length > 0 || rec.revoked.length > 0;
  if (!(busy ? prng.chance(1, 3) : prng.chance(1, 40))) return {};
  const out: Expect = { evicts: rec.evicted.map(literal) };
  if (prng.chance(2, 3)) out.revokes = rec.revoked.map(literal);
  return out;
}

/**
 * What `step` expects, given what it did (`rec`): `errno: any` and nothing
 * more mostly; sometimes the exact errno, some of its results, or the
 * vnodes it evicted and revoked. `pids` names live process handles by pid
 * (asked only when an entry name is a number).
 */
export function pinExpect(prng: PRNG, step: Step, rec: Played, pids: () => ReadonlyMap<number, string>): Expect {
  const sets = setsExpect(prng, rec);
  const out = rec.outcome;
  if ('errno' in out) return prng.chance(1, 8) ? { errno: out.errno, ...sets } : { errno: 'any', ...sets };
  const results = resultExpect(prng, step, out.ok, pids);
  if (results === null) return { errno: 'any', ...sets };
  // A step that succeeded may say so (no errno) or keep errno: any beside its results.
  return prng.chance(1, 2) ? { ...results, ...sets } : { errno: 'any', ...results, ...sets };
}
