/**
 * Coverage marks (TigerBeetle's testing/marks.zig, FoundationDB's
 * CODE_PROBE): a name at a branch, `mark('procfs_lookup: EBUSY -> ENOENT')`.
 *
 * Each file declares its marks in one table when the module loads
 * (`declareMarks`), so a mark that never runs is still known; a mark may be
 * declared unreachable, with the reason beside it. The returned `mark` takes
 * only the table's names (string literals, checked by the compiler), and
 * while marks are off it is one boolean test: nothing is built or stored.
 * While on, each call counts one hit for its name. Counts come out sorted by
 * name, so a report does not depend on the order the branches ran in.
 */

/** A file's marks: name to `null`, or to the reason the branch cannot be reached. */
export type MarkTable = Readonly<Record<string, string | null>>;

/** Hits by name, keys in sorted order. */
export type MarkCounts = Readonly<Record<string, number>>;

export interface DeclaredMark {
  readonly name: string;
  /** The file that declared it. */
  readonly file: string;
  /** Why the branch cannot be reached, or null. */
  readonly unreachable: string | null;
}

let on = false;
/** A counting campaign: marks count inside marksDuring (its generated runs), not elsewhere. */
let armed = false;
const counts = new Map<string, number>();
const declared = new Map<string, DeclaredMark>();

/** The one mark function every table hands out (one function: a monomorphic call everywhere). */
function markHit(name: string): void {
  if (!on) return;
  counts.set(name, (counts.get(name) ?? 0) + 1);
}

/**
 * Declare `file`'s marks and get the `mark` function for them. A name
 * belongs to one file (declaring it from another throws); the same file
 * declaring it again (a module loaded afresh) replaces its entry.
 */
export function declareMarks<const T extends MarkTable>(file: string, table: T): (name: keyof T & string) => void {
  for (const name of Object.keys(table)) {
    const old = declared.get(name);
    if (old !== undefined && old.file !== file) throw new Error(`marks: "${name}" declared by ${old.file} and ${file}`);
    declared.set(name, { name, file, unreachable: table[name] ?? null });
  }
  return markHit;
}

/** Whether marks count (for a caller that picks a mark from a table first). */
export function marksEnabled(): boolean {
  return on;
}

/** Arm or disarm counting inside marksDuring; counts so far stay. */
export function marksArm(value: boolean): void {
  armed = value;
}

/**
 * `fn`, counting marks while it runs if armed (a fuzz campaign wraps the
 * generation of a run in it: its replays and shrinking are not counted,
 * since which runs a worker shrinks depends on what else it ran).
 */
export function marksDuring<T>(fn: () => T): T {
  if (!armed) return fn();
  const was = on;
  on = true;
  try {
    return fn();
  } finally {
    on = was;
  }
}

/** Switch counting on or off; counts so far stay. */
export function marksEnable(value: boolean): void {
  on = value;
}

function sorted(m: ReadonlyMap<string, number>): MarkCounts {
  const out: Record<string, number> = {};
  for (const name of [...m.keys()].sort()) out[name] = m.get(name)!;
  return out;
}

/** The counts so far, sorted by name. */
export function marksSnapshot(): MarkCounts {
  return sorted(counts);
}

/** The counts so far, sorted by name, and start again from none. */
export function marksTake(): MarkCounts {
  const out = sorted(counts);
  counts.clear();
  return out;
}

export function marksReset(): void {
  counts.clear();
}

/** Sum counts by name (the shares of several workers or runs), sorted by name. */
export function marksMerge(parts: readonly MarkCounts[]): MarkCounts {
  const m = new Map<string, number>();
  for (const part of parts) for (const [name, n] of Object.entries(part)) m.set(name, (m.get(name) ?? 0) + n);
  return sorted(m);
}

/** Every mark the loaded modules declared, sorted by name. */
export function marksDeclared(): DeclaredMark[] {
  return [...declared.keys()].sort().map((name) => declared.get(name)!);
}

/** Run `fn` with marks on and counting from none: its value and its counts; marks then are as they were. */
export function withMarks<T>(fn: () => T): { value: T; marks: MarkCounts } {
  const was = on;
  const before = marksTake();
  on = true;
  try {
    const value = fn();
    return { value, marks: marksTake() };
  } finally {
    on = was;
    counts.clear();
    for (const [name, n] of Object.entries(before)) counts.set(name, n);
  }
}
