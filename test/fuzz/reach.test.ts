/**
 * Reach: over a fixed campaign (seed 1, 2 000 runs of 50 steps, generated
 * only) the generator writes every step kind, field, flag and expect key of
 * the contract (scenario-format.md §4, §5, revision 2) and reaches each
 * corner below at least once. Counted from the generated scenarios and the
 * outcomes their steps had (test/fuzz/reach.ts), never from the generator's
 * bookkeeping.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { STEP_KINDS } from '../../scenarios/fields.ts';
import { EXPECT_NON_RESULTS, STEP_RESULT_KEYS } from '../../scenarios/format.ts';
import { generate } from '../../scenarios/fuzz/generate.ts';
import { runPrng } from '../../scenarios/fuzz/prng.ts';
import { loadScenarioText } from '../../scenarios/load.ts';
import type { Outcome } from '../../scenarios/steps.ts';
import { tally } from './reach.ts';

const RUNS = 2000;
const STEPS = 50;

const FIELDS = [
  'field: by other than init',
  'field: spawn uid', 'field: spawn gid', 'field: spawn path', 'field: spawn pid',
  'field: fork pid', 'field: fork pid as {h}', 'field: exit status',
  'field: wait without child', 'field: wait child', 'field: wait child as an integer', 'field: wait child as {h}',
  'field: ptrace detach', 'field: ptrace target as an integer', 'field: ptrace target as {h}',
  'field: open flags r', 'field: open flags w', 'field: open flags rw',
  'field: open excl', 'field: open nofollow', 'field: open cloexec', 'field: open without as', 'field: pipe without as',
  'field: fd as a handle', 'field: fd as an integer', 'field: fd as {h}',
  'field: dup2 to a handle', 'field: dup2 to an integer',
  'field: read size', 'field: read offset', 'field: write data', 'field: write offset',
  'field: mount args {version, flags}', 'field: mount args null', 'field: mount args short', 'field: mount update',
  'field: unmount force', 'field: unmount without force',
  'field: modload name other than procfs', 'field: modunload name other than procfs',
  ...['misc', 'sem', 'crypto', 'mqueue', 'eventfd', 'timerfd', 'memfd'].map((t) => `field: newfd type ${t}`),
];

/** Every key `expect` may hold, from the format's own tables: a key added there is asked for here. */
const EXPECT_KEYS = [...new Set([...EXPECT_NON_RESULTS, ...Object.values(STEP_RESULT_KEYS).flat()])].filter((k) => k !== 'errno');

const EXPECTS = [
  'expect: errno any', 'expect: an exact errno', 'expect: success (no errno)',
  ...EXPECT_KEYS.map((k) => `expect: ${k}`),
  'expect: entryTypes with a numeric name', 'expect: entryTypes with a {h} name', 'expect: dataMatches with a {n,m} quantifier',
];

const KERNEL = [
  'kernel: small maxproc', 'kernel: small pidMax', 'kernel: pageSize other than 4096', 'kernel: no procfs mount',
  'kernel: procfs mount without linux', 'kernel: procfs on /emul/linux/proc', 'kernel: files with a link',
  'kernel: files with a Linux program',
];

/** The corners issue 9 names, and a few more that NetBSD's source makes matter (netbsd-procfs.md §13). */
const CORNERS = [
  'corner: exec /proc/self/exe',
  'corner: exec /proc/N/file',
  'corner: exec a relative path from a cwd inside /proc/N',
  'corner: chroot /proc',
  'corner: chroot /proc/N',
  'corner: chroot /',
  'corner: chroot /proc with a cwd inside /proc/N',
  'corner: ptrace then set-id exec',
  'corner: kqueue then fork',
  'corner: dup2 to 18', 'corner: dup2 to 19', 'corner: dup2 to 48', 'corner: dup2 to 49',
  'corner: 19 or more descriptors in one table',
  'corner: open past 20',
  'corner: open past 50',
  'corner: a Linux program looks at /proc with procfs on /emul/linux/proc',
  'trailing slash: lstat', 'trailing slash: stat', 'trailing slash: readlink', 'trailing slash: open',
  'trailing slash: chdir', 'trailing slash: chroot', 'trailing slash: readdir', 'trailing slash: exec',
  'corner: unmount while handles are held',
  'corner: forced unmount while handles are held',
  'corner: modunload succeeds',
  'corner: modload succeeds',
  'corner: fork at maxproc (EAGAIN)',
  'corner: fork by non-root near maxproc (EAGAIN)',
  'corner: setuid by non-root', 'corner: seteuid by non-root', 'corner: setgid by non-root', 'corner: setegid by non-root',
  'corner: setgid or setegid then plain exec',
  'corner: exec a set-uid program',
  'corner: exec a set-gid program',
  'corner: exec a Linux program',
  'corner: open a program for writing',
  'corner: open a file at the top of procfs',
];

describe(`reach over seed 1, ${RUNS} runs of ${STEPS} steps`, () => {
  const counts = new Map<string, number>();
  beforeAll(() => {
    for (let run = 0; run < RUNS; run++) {
      const g = generate(runPrng(1, run), { steps: STEPS, bugs: [] });
      tally(g.scenario, g.result.played.map((p) => p.outcome), (c) => counts.set(c, (counts.get(c) ?? 0) + 1));
    }
  }, 600_000);

  it.each(STEP_KINDS.map((k) => `kind: ${k}`))('%s', (name) => {
    expect(counts.get(name) ?? 0, name).toBeGreaterThan(0);
  });
  it.each(FIELDS)('%s', (name) => {
    expect(counts.get(name) ?? 0, name).toBeGreaterThan(0);
  });
  it.each(EXPECTS)('%s', (name) => {
    expect(counts.get(name) ?? 0, name).toBeGreaterThan(0);
  });
  it.each(KERNEL)('%s', (name) => {
    expect(counts.get(name) ?? 0, name).toBeGreaterThan(0);
  });
  it.each(CORNERS)('%s', (name) => {
    expect(counts.get(name) ?? 0, name).toBeGreaterThan(0);
  });
  it('asks for every name the model counts (none is counted without being listed here)', () => {
    const named = new Set([...STEP_KINDS.map((k) => `kind: ${k}`), ...FIELDS, ...EXPECTS, ...KERNEL, ...CORNERS]);
    const unnamed = [...counts.keys()].filter((k) => !named.has(k));
    expect(unnamed).toEqual([]);
  });
});

describe('the reach model', () => {
  it('counts corners from steps and outcomes, and not their near misses', () => {
    const text = `name: model
steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - chdir: { by: a, path: "/proc/{a}" }
  - exec: { by: a, path: file }
  - exec: { by: a, path: /proc/self/exe }
  - ptrace: { target: a }
  - exec: { by: a, path: /usr/bin/passwd }
  - kqueue: { by: a, as: kq }
  - fork: { by: a, as: c }
  - exec: { by: c, path: ./file }
  - spawn: { as: b, uid: 1000, gid: 100 }
  - exec: { by: b, path: file }
  - exec: { by: b, path: /usr/bin/passwd }
  - open: { by: b, path: /proc/self/status, as: st }
  - unmount: { path: /proc }
  - dup2: { by: b, fd: st, to: 19 }
  - dup2: { by: b, fd: st, to: 21 }
`;
    const l = loadScenarioText(text, 'model.yaml');
    if (!l.ok) throw new Error(l.error.message);
    const ok: Outcome = { ok: {} };
    const outcomes: Outcome[] = l.scenario.steps.map((st) => (st.kind === 'open' ? { ok: { fd: 19 } } : st.kind === 'unmount' ? { errno: 'EBUSY' } : ok));
    const got = new Map<string, number>();
    tally(l.scenario, outcomes, (c) => got.set(c, (got.get(c) ?? 0) + 1));
    expect(got.get('corner: exec a relative path from a cwd inside /proc/N')).toBe(2);
    expect(got.get('corner: exec /proc/self/exe')).toBe(1);
    expect(got.get('corner: ptrace then set-id exec')).toBe(1);
    expect(got.get('corner: exec a set-uid program')).toBe(2);
    expect(got.get('corner: kqueue then fork')).toBe(1);
    expect(got.get('corner: 19 or more descriptors in one table')).toBe(1);
    expect(got.get('corner: open past 20')).toBeUndefined();
    expect(got.get('corner: unmount while handles are held')).toBe(1);
    expect(got.get('corner: forced unmount while handles are held')).toBeUndefined();
    expect(got.get('corner: dup2 to 19')).toBe(1);
    expect(got.get('corner: dup2 to 18')).toBeUndefined();
  });
});
