/**
 * Each injected bug (emulator/bugs.ts) is caught by the judge: the repro a
 * campaign shrank it to (seed 1) fails with the bug, under `run` and under
 * `replay` alike, and passes without it. (The campaign itself, in
 * test/fuzz/bugs.test.ts, is skipped on this branch; see there.)
 */
import { describe, expect, it } from 'vitest';
import type { BugName } from '../../../emulator/bugs.ts';
import { BUG_NAMES } from '../../../emulator/bugs.ts';
import { failureClass } from '../../../scenarios/fuzz/failure.ts';
import { playScenario } from '../../../scenarios/fuzz/session.ts';
import { formatInvalid, loadScenarioText } from '../../../scenarios/load.ts';
import { runScenario } from '../../../scenarios/runner.ts';

const REPROS: Readonly<Record<BugName, readonly [string, string]>> = {
  'exechook-ignores-sugid-never': ['oracle [procfs_exechook_cb]', `steps:
  - open: { path: "/proc/{init}/file", as: f }
  - exec: { path: /usr/bin/wall }
`],
  'exechook-ignores-sugid-always': ['oracle [procfs_exechook_cb]', `steps:
  - open: { path: /proc/self/mem, as: m }
  - exec: { path: /bin/sh }
`],
  'no-exithook': ['oracle [procfs_exechook_cb]', `steps:
  - fork: { as: c }
  - chroot: { by: c, path: /proc/self/fd }
  - exit: { by: c }
`],
  'hook-revokes-unused-only': ['oracle [procfs_exechook_cb]', `steps:
  - open: { path: /proc/1/mem, as: m }
  - exec: { path: /usr/bin/wall }
`],
  'hook-revokes-used-only': ['oracle [procfs_exechook_cb]', `steps:
  - open: { path: "/proc/{init}/file", as: f }
  - exec: { path: /usr/bin/wall }
`],
  'hook-matches-bucket': ['oracle [procfs_exechook_cb]', `kernel: { pidMax: 600 }
steps:
  - spawn: { as: a, pid: 6 }
  - spawn: { as: b, pid: 262 }
  - open: { path: "/proc/{a}", as: d }
  - exit: { by: b }
`],
  'fd-dir-not-symlink': ['oracle [procfs_loadvnode]', `steps:
  - open: { path: "/proc/{init}/fd", as: d }
  - open: { path: "/proc/{init}/fd/{d}", flags: rw, as: e }
    expect: { errno: any }
`],
  'listener-ignores-sugid': ['oracle [procfs_listener_cb]', `steps:
  - open: { path: "/proc/{init}/mem", as: m }
  - seteuid: { id: 1000 }
  - read: { fd: m }
    expect: { errno: any }
`],
  'listener-compares-euid': ['oracle [procfs_listener_cb]', `kernel:
  files:
    - { path: /home/keanu, type: dir, mode: "0755", uid: 1000, gid: 1000 }
    - { path: /home/keanu/copy, type: file, mode: "4755", uid: 1000, gid: 1000 }
steps:
  - exec: { path: /home/keanu/copy }
  - spawn: { as: keanu, uid: 1000 }
  - open: { path: "/proc/{keanu}/regs", as: r }
    expect: { errno: any }
`],
  'getattr-no-sugid-mask': ['oracle [procfs_getattr]', `steps:
  - setuid: { id: 1000 }
  - stat: { path: /proc/1/mem }
    expect: { errno: any }
`],
  'fork-drops-sugid': ['oracle [fork1]', `steps:
  - setuid: { id: 1000 }
  - fork: { as: c }
`],
  'inactive-never-recycles': ['oracle [procfs_inactive]', `steps:
  - fork: { as: c }
  - chroot: { by: c, path: /proc/self/fd }
  - exit: { by: c }
`],
};

describe('every injected bug is caught by the judge', () => {
  it('has a repro for each bug', () => {
    expect(Object.keys(REPROS).sort()).toEqual([...BUG_NAMES].sort());
  });

  it.each(BUG_NAMES)('%s', (bug) => {
    const [cls, text] = REPROS[bug];
    const l = loadScenarioText(`name: ${bug}\n${text}`, `${bug}.yaml`);
    if (!l.ok) throw new Error(formatInvalid(l.error));
    const s = l.scenario;
    const replay = playScenario(s, [bug]).failure;
    expect(replay, 'replay fails with the bug').not.toBeNull();
    expect(failureClass(replay!.message)).toBe(cls);
    const run = runScenario(s, { bugs: [bug] }).failure;
    expect(run?.message).toBe(replay!.message);
    expect(playScenario(s).failure, 'replay passes without').toBeNull();
    expect(runScenario(s).failure, 'run passes without').toBeNull();
  });
});
