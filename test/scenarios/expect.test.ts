/**
 * The expectations of contract revision 2 as the runner checks them: the
 * readdir `types` result, `entryTypes`, `dataMatches` (flag m, `{h}` expanded,
 * `{` + digit literal), each with a passing and a failing case and the exact
 * failure message; and a `{h}` in expect whose handle has no value.
 */
import { describe, expect, it } from 'vitest';
import { formatInvalid, loadScenarioText } from '../../scenarios/load.ts';
import { runScenario, type RunResult } from '../../scenarios/runner.ts';
import { compilePattern } from '../../scenarios/pattern.ts';

const doc = (...lines: string[]) => `${lines.join('\n')}\n`;

function run(...lines: string[]): RunResult {
  const r = loadScenarioText(doc('name: t', 'steps:', ...lines), 't.yaml');
  if (!r.ok) throw new Error(formatInvalid(r.error));
  return runScenario(r.scenario);
}

function passes(...lines: string[]): void {
  const r = run(...lines);
  expect(r.failure).toBeNull();
  expect(r.status).toBe('pass');
}

function failsAt(step: number, message: string, ...lines: string[]): void {
  expect(run(...lines).failure).toEqual({ step, message });
}

const PASSWD = 'root:*:0:0:Charlie &:/root:/bin/sh\\nuser:*:1000:100::/home/user:/bin/sh\\n';

describe('readdir types (revision 2)', () => {
  it('lists each entry\'s d_type without DT_, in the order of entries', () => {
    passes(
      '  - readdir: { path: /dev }',
      '    expect: { entries: [".", "..", "null", "wd0"], types: [DIR, DIR, CHR, BLK] }',
      '  - readdir: { path: /tmp }',
      '    expect: { types: [DIR, DIR, FIFO, SOCK] }',
    );
  });

  it('fails on a different list, naming both', () => {
    failsAt(0, 'types: expected ["DIR","DIR","BLK","CHR"], got ["DIR","DIR","CHR","BLK"]',
      '  - readdir: { path: /dev }',
      '    expect: { types: [DIR, DIR, BLK, CHR] }');
  });
});

describe('entryTypes (revision 2)', () => {
  it('passes when each named entry is listed with that type; names hold {h}', () => {
    passes(
      '  - spawn: { as: a }',
      '  - readdir: { path: /proc }',
      '    expect: { entryTypes: { "{a}": DIR, curproc: LNK, self: LNK, meminfo: REG } }',
      '  - readdir: { path: "/proc/{a}" }',
      '    expect: { entryTypes: { fd: DIR, cwd: LNK, status: REG } }',
    );
  });

  it('fails when a named entry is not listed', () => {
    failsAt(1, 'entryTypes: 0 not in [., .., fd, task, cwd, emul, root, auxv, cmdline, environ, exe, file, fpregs, limit, map, maps, mem, note, notepg, regs, stat, statm, status]',
      '  - spawn: { as: a }',
      '  - readdir: { path: "/proc/{a}" }',
      '    expect: { entryTypes: { cwd: LNK, "0": DIR } }');
  });

  it('fails when a named entry has another type', () => {
    failsAt(1, 'entryTypes: 2 is listed as DIR, expected LNK',
      '  - spawn: { as: a }',
      '  - readdir: { path: /proc }',
      '    expect: { entryTypes: { self: LNK, "{a}": LNK } }');
  });
});

describe('dataMatches (revision 2)', () => {
  it('matches somewhere in data, with flag m: ^ and $ hold at every line', () => {
    passes(
      '  - open: { path: /etc/passwd, as: f }',
      '  - read: { fd: f, size: 200 }',
      `    expect: { data: "${PASSWD}", dataMatches: '^user:\\*:1000:100:' }`,
      '  - read: { fd: f, size: 200 }',
      "    expect: { dataMatches: 'Charlie &:/root:/bin/sh$' }",
    );
  });

  it('expands {h}, and leaves { followed by a digit literal: {3} and {{3}} are the same quantifier', () => {
    passes(
      '  - spawn: { as: a, uid: 1000, gid: 100 }',
      '  - open: { by: a, path: "/proc/{a}/cmdline", as: c }',
      '  - read: { by: a, fd: c }',
      "    expect: { dataMatches: '^/bin/sh\\0$' }",
      '  - open: { path: /etc/passwd, as: f }',
      '  - read: { fd: f, size: 200 }',
      "    expect: { dataMatches: '^user:\\*:1[0-9]{3}:' }",
      '  - read: { fd: f, size: 200 }',
      "    expect: { dataMatches: '^user:\\*:1[0-9]{{3}}:' }",
      '  - open: { path: /etc/passwd, flags: rw, as: g }',
      '  - write: { fd: g, data: "{a}{a}{a}" }',
      '  - read: { fd: g, size: 200 }',
      "    expect: { dataMatches: '^{a}{3}t:' }",
    );
  });

  it('fails when the pattern matches nowhere, naming the expanded pattern and the data', () => {
    failsAt(2, 'dataMatches: /^\\/bin\\/cat\\0/m does not match "/bin/sh\\u0000"',
      '  - spawn: { as: a }',
      '  - open: { by: a, path: /proc/self/cmdline, as: c }',
      '  - read: { by: a, fd: c }',
      "    expect: { dataMatches: '^\\/bin\\/cat\\0' }");
    failsAt(1, 'dataMatches: /^user:\\*:1[0-9]{2}:/m does not match ' + JSON.stringify(PASSWD.replace(/\\n/g, '\n')),
      '  - open: { path: /etc/passwd, as: f }',
      '  - read: { fd: f, size: 200 }',
      "    expect: { dataMatches: '^user:\\*:1[0-9]{2}:' }");
  });

  it('fails, not throws, when the pattern compiles only with some pids', () => {
    failsAt(2, 'dataMatches: /[2-1]/m does not compile: Invalid regular expression: /[2-1]/m: Range out of order in character class',
      '  - spawn: { as: a }',
      '  - open: { path: /etc/passwd, as: f }',
      '  - read: { fd: f }',
      "    expect: { dataMatches: '[{a}-1]' }");
  });

  it('is not checked when the step fails under errno: any', () => {
    passes(
      '  - open: { path: /etc/passwd, as: f }',
      '  - close: { fd: f }',
      '  - read: { fd: f }',
      "    expect: { errno: any, dataMatches: 'never' }",
    );
  });
});

describe('getargs results take any int (procfs_mount copies pmnt_flags back as stored)', () => {
  it('passes with flags -1 and fails with another value', () => {
    passes('  - mount: { path: /home, args: { version: 1, flags: -1 } }', '  - getargs: { path: /home }', '    expect: { version: 1, flags: -1 }');
    failsAt(1, 'flags: expected -2, got -1',
      '  - mount: { path: /home, args: { version: 1, flags: -1 } }', '  - getargs: { path: /home }', '    expect: { flags: -2 }');
  });
});

describe('a {h} in expect whose handle has no value', () => {
  it('fails the step with a message instead of throwing', () => {
    failsAt(1, 'expect: handle a has no value (the step that binds it failed)',
      '  - spawn: { as: a, path: /nope }',
      '    expect: { errno: ENOENT }',
      '  - check: {}',
      '    expect: { evicts: ["/proc/{a}"] }');
    failsAt(1, 'expect: handle a has no value (the step that binds it failed)',
      '  - spawn: { as: a, path: /nope }',
      '    expect: { errno: ENOENT }',
      '  - readdir: { path: /proc }',
      '    expect: { entryTypes: { "{a}": DIR } }');
  });
});

describe('dataMatches stays bounded', () => {
  it('a catastrophic pattern ((a+)+b on 40 a) answers no match instead of backtracking for minutes', () => {
    const re = compilePattern('(a+)+b');
    expect(re).toBeInstanceOf(RegExp);
    expect((re as RegExp).test('a'.repeat(40))).toBe(false);
    expect((re as RegExp).test('a'.repeat(40) + 'b')).toBe(true);
  });
  it('reports what does not compile', () => {
    expect(compilePattern('(')).toEqual({ error: expect.stringContaining('Unterminated group') });
  });
});
