/**
 * What used to be the fuzz-only invariants is now part of the one judge:
 * `run` (runScenario) and `replay`/`fuzz` (playScenario) give the same
 * verdict, named by the same rule, on the same scenario.
 */
import { describe, expect, it } from 'vitest';
import { credCreate, credWith } from '../../emulator/cred.ts';
import type { BugName } from '../../emulator/bugs.ts';
import { kauthProcfs } from '../../scenarios/fuzz/invariants.ts';
import { playScenario } from '../../scenarios/fuzz/session.ts';
import { failureClass } from '../../scenarios/fuzz/failure.ts';
import { formatInvalid, loadScenarioText } from '../../scenarios/load.ts';
import { runScenario } from '../../scenarios/runner.ts';

const root = credCreate(0, 0);
const alice = credCreate(1000, 100);
const bob = credCreate(1001, 100);
const plain = (cred = alice, pid = 5) => ({ pid, cred, sugid: false });

describe('the kauth model (netbsd-procfs.md §5.4)', () => {
  it.each([
    // caller, node, target, req, securelevel, allowed
    ['root writes init at securelevel 0', root, 'status', plain(root, 1), 'WRITE', 0, false],
    ['root writes init at securelevel -1', root, 'mem', plain(root, 1), 'RW', -1, true],
    ['anyone reads init', alice, 'status', plain(root, 1), 'READ', 2, true],
    ['root reads anything', root, 'mem', { ...plain(alice), sugid: true }, 'READ', 0, true],
    ['same real uid, not set-id: mem', alice, 'mem', plain(), 'RW', 0, true],
    ['same real uid, set-id target: mem', alice, 'mem', { ...plain(), sugid: true }, 'READ', 0, false],
    ['same real uid, set-id target: status', alice, 'status', { ...plain(), sugid: true }, 'READ', 0, true],
    ['another user: regs', bob, 'regs', plain(), 'READ', 0, false],
    ['another user: fpregs', bob, 'fpregs', plain(), 'WRITE', 0, false],
    ['another user: cmdline', bob, 'cmdline', plain(), 'READ', 0, true],
    ['same effective, other real uid', credWith(root, { euid: 1000 }), 'mem', plain(), 'READ', 0, false],
    ['same real, other effective uid', credWith(alice, { euid: 1001 }), 'mem', plain(), 'READ', 0, true],
  ] as const)('%s', (_name, caller, node, target, req, level, allowed) => {
    expect(kauthProcfs(caller, node, target, req, level) === null).toBe(allowed);
  });
});

function scenario(text: string) {
  const r = loadScenarioText(text, 't.yaml');
  if (!r.ok) throw new Error(formatInvalid(r.error));
  return r.scenario;
}

/** The verdict of `run` and of `replay` on `text` with `bug`, and whether both pass without it. */
function both(text: string, bug: BugName) {
  const s = scenario(text);
  const replay = playScenario(s, [bug]);
  const run = runScenario(s, { bugs: [bug] });
  return {
    replay: replay.failure, run: run.failure,
    cls: replay.failure === null ? null : failureClass(replay.failure.message),
    clean: playScenario(s).failure === null && runScenario(s).failure === null,
  };
}

describe('one judge for run, replay and fuzz', () => {
  it.each([
    ['kauth both ways: a handle kept across seteuid reads a set-id process', 'listener-ignores-sugid', `name: x
steps:
  - open: { path: /proc/1/mem, as: m }
  - seteuid: { id: 1000 }
  - read: { fd: m }
    expect: { errno: any }
`, 2, 'oracle [procfs_listener_cb]'],
    ['kauth both ways: an open by a caller with the same effective but another real uid', 'listener-compares-euid', `name: x
steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - seteuid: { id: 1000 }
  - open: { path: "/proc/{a}/mem", as: m }
    expect: { errno: any }
`, 2, 'oracle [procfs_listener_cb]'],
    ['getattr: mem of a set-id process shows 0000', 'getattr-no-sugid-mask', `name: x
steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - exec: { by: a, path: /usr/bin/passwd }
  - lstat: { path: "/proc/{a}/mem" }
    expect: { errno: any }
`, 2, 'oracle [procfs_getattr]'],
    ['revocation: a set-id exec that revokes nothing is caught at the exec itself', 'exechook-ignores-sugid-never', `name: x
steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: /proc/self/status, as: h }
  - exec: { by: a, path: /usr/bin/passwd }
  - read: { by: a, fd: h }
    expect: { errno: any }
`, 2, 'oracle [procfs_exechook_cb]'],
    ['revocation: an exit that only recycles leaves a live handle, caught at the exit', 'hook-revokes-unused-only', `name: x
steps:
  - spawn: { as: a }
  - open: { path: "/proc/{a}/status", as: h }
  - exit: { by: a }
  - fstat: { fd: h }
    expect: { errno: any }
`, 2, 'oracle [procfs_exechook_cb]'],
  ] as const)('%s (%s)', (_name, bug, text, step, cls) => {
    const r = both(text, bug);
    expect(r.replay?.step).toBe(step);
    expect(r.run?.step).toBe(step);
    expect(r.run?.message).toBe(r.replay?.message);
    expect(r.cls).toBe(cls);
    expect(r.clean).toBe(true);
  });

  it('a revoked current directory answers ENOENT to a relative lookup, `.` included (ruleDeadfs)', () => {
    const s = scenario(`name: x
steps:
  - spawn: { as: a }
  - spawn: { as: b }
  - chdir: { by: b, path: "/proc/{a}" }
  - exit: { by: a }
  - lstat: { by: b, path: status }
    expect: { errno: ENOENT }
  - lstat: { by: b, path: . }
    expect: { errno: ENOENT }
`);
    expect(playScenario(s).failure).toBeNull();
    expect(runScenario(s).failure).toBeNull();
    const f = playScenario(s, ['hook-revokes-unused-only']).failure;
    expect(f?.step).toBe(3);
    expect(f?.message).toMatch(/^oracle: ruleExitRevokeSet: the exit of pid 2 left \/proc\/2 in the cache/);
  });
});
