import { describe, expect, it } from 'vitest';
import { credCreate, credWith } from '../../emulator/cred.ts';
import type { BugName } from '../../emulator/bugs.ts';
import { kauthProcfs } from '../../scenarios/fuzz/invariants.ts';
import { playScenario } from '../../scenarios/fuzz/session.ts';
import { failureClass } from '../../scenarios/fuzz/failure.ts';
import { formatInvalid, loadScenarioText } from '../../scenarios/load.ts';

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

/** The class of the failure of `text` with `bug`, and whether it passes without. */
function judge(text: string, bug: BugName) {
  const s = scenario(text);
  const withBug = playScenario(s, [bug]);
  const without = playScenario(s);
  return { cls: withBug.failure === null ? null : failureClass(withBug.failure.message), clean: without.failure === null, withBug };
}

describe('the fuzz invariants catch what the oracle does not', () => {
  it('kauth: a handle kept across seteuid reads a set-id process (listener-ignores-sugid)', () => {
    const r = judge(`name: x
steps:
  - open: { path: /proc/1/mem, as: m }
  - seteuid: { id: 1000 }
  - read: { fd: m }
    expect: { errno: any }
`, 'listener-ignores-sugid');
    expect(r).toMatchObject({ cls: 'invariant [procfs_listener_cb]', clean: true });
    expect(r.withBug.failure?.step).toBe(2);
  });

  it('kauth: an open by a caller with the same effective but another real uid (listener-compares-euid)', () => {
    const r = judge(`name: x
steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - seteuid: { id: 1000 }
  - open: { path: "/proc/{a}/mem", as: m }
    expect: { errno: any }
`, 'listener-compares-euid');
    expect(r).toMatchObject({ cls: 'invariant [procfs_listener_cb]', clean: true });
  });

  it('getattr: mem of a set-id process shows 0000 (getattr-no-sugid-mask)', () => {
    const r = judge(`name: x
steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - exec: { by: a, path: /usr/bin/passwd }
  - lstat: { path: "/proc/{a}/mem" }
    expect: { errno: any }
`, 'getattr-no-sugid-mask');
    expect(r).toMatchObject({ cls: 'invariant [procfs_getattr]', clean: true });
  });

  it('revocation: a handle from before a set-id exec or an exit never reaches the target again', () => {
    const cases: [BugName, string, number][] = [
      ['exechook-ignores-sugid-never', `name: x
steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: /proc/self/status, as: h }
  - exec: { by: a, path: /usr/bin/passwd }
  - read: { by: a, fd: h }
`, 3],
      ['hook-revokes-unused-only', `name: x
steps:
  - spawn: { as: a }
  - open: { path: "/proc/{a}/status", as: h }
  - exit: { by: a }
  - wait: {}
  - spawn: { as: b, pid: 2 }
  - fstat: { fd: h }
`, 5],
    ];
    for (const [bug, text, step] of cases) {
      const s = scenario(text);
      // The oracle would fire first (right after the exec or exit); without it the invariant sees the use.
      const alone = playScenario(s, [bug], false, false);
      expect(alone.failure?.step, bug).toBe(step);
      expect(failureClass(alone.failure!.message)).toBe('invariant [procfs_exechook_cb]');
      expect(playScenario(s, [], false, false).failure).toBeNull();
      expect(playScenario(s).failure).toBeNull();
    }
  });

  it('revocation: a current directory inside /proc/N of an exited N looks nothing up there again', () => {
    const s = scenario(`name: x
steps:
  - spawn: { as: a }
  - spawn: { as: b }
  - chdir: { by: b, path: "/proc/{a}" }
  - exit: { by: a }
  - wait: { child: a }
  - spawn: { as: c, pid: 2 }
  - lstat: { by: b, path: status }
`);
    const alone = playScenario(s, ['hook-revokes-unused-only'], false, false);
    expect(alone.failure?.step).toBe(6);
    expect(alone.failure?.message).toMatch(/relative path "status" through the current directory/);
    expect(playScenario(s, ['hook-revokes-unused-only']).failure?.message).toMatch(/^oracle: .*\[procfs_exechook_cb\]$/);
    expect(playScenario(s).failure).toBeNull();
  });
});
