import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STEPS_MAX, templateRefs } from '../../scenarios/fields.ts';
import { formatInvalid, loadScenarioFile, loadScenarioText, type InvalidError } from '../../scenarios/load.ts';
import { SCHEMA_FILE, scenarioJsonSchema, scenarioJsonSchemaText } from '../../scenarios/schema.ts';
import type { Scenario } from '../../scenarios/types.ts';

/** Lines joined with newlines: line n of the file is argument n. */
const doc = (...lines: string[]) => `${lines.join('\n')}\n`;

function load(text: string): Scenario {
  const r = loadScenarioText(text, 't.yaml');
  if (!r.ok) throw new Error(formatInvalid(r.error));
  return r.scenario;
}

function invalid(text: string): InvalidError {
  const r = loadScenarioText(text, 't.yaml');
  if (r.ok) throw new Error('expected an invalid file');
  return r.error;
}

/**
 * The error's path, its position (line `line`, at the first `token` on that
 * line, or column `token` when it is a number) and a piece of its message.
 */
function expectInvalid(text: string, path: string, line: number, token: string | number, message: string | RegExp): void {
  const e = invalid(text);
  const column = typeof token === 'number' ? token : (text.split('\n')[line - 1] ?? '').indexOf(token) + 1;
  expect(column).toBeGreaterThan(0);
  expect({ path: e.path, line: e.line, column: e.column }).toEqual({ path, line, column });
  expect(e.message).toMatch(message);
}

/** As expectInvalid, with the whole message given exactly. */
function expectExact(text: string, path: string, line: number, token: string | number, message: string): void {
  expectInvalid(text, path, line, token, message);
  expect(invalid(text).message).toBe(message);
}

const CONTRACT_EXAMPLE = doc(
  'name: a set-uid exec revokes a mem handle opened before it',
  'steps:',
  '  - spawn: { as: a, uid: 1000, gid: 100 }',
  '  - open: { by: a, path: /proc/self/mem, flags: rw, as: m }',
  '  - exec: { by: a, path: /usr/bin/passwd }',
  '    expect:',
  '      evicts: ["/proc/{a}", "/proc/{a}/mem"]',
  '      revokes: ["/proc/{a}/mem"]',
  '  - write: { by: a, fd: m, data: "x" }',
  '    expect: { errno: EIO }',
  '  - spawn: { as: b, uid: 1000, gid: 100 }',
  '  - open: { by: b, path: "/proc/{a}/mem", flags: r }',
  '    expect: { errno: EACCES }',
);

describe('valid scenarios', () => {
  it('loads the complete example of the contract (section 5)', () => {
    const r = loadScenarioText(CONTRACT_EXAMPLE, 'example.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.name).toBe('a set-uid exec revokes a mem handle opened before it');
    expect(r.scenario.steps.map((s) => s.kind)).toEqual(['spawn', 'open', 'exec', 'write', 'spawn', 'open']);
    expect(r.scenario.steps[2]).toEqual({
      kind: 'exec', by: 'a', path: '/usr/bin/passwd',
      expect: { evicts: ['/proc/{a}', '/proc/{a}/mem'], revokes: ['/proc/{a}/mem'] },
    });
    expect(r.scenario.steps[3]).toEqual({ kind: 'write', by: 'a', fd: 'm', data: 'x', offset: 0, expect: { errno: 'EIO' } });
    expect(r.stepPos).toEqual([
      { line: 3, column: 5 }, { line: 4, column: 5 }, { line: 5, column: 5 },
      { line: 9, column: 5 }, { line: 11, column: 5 }, { line: 12, column: 5 },
    ]);
  });

  it('applies the defaults of the contract', () => {
    const s = load(doc(
      'name: defaults',
      'kernel:',
      '  files:',
      '    - { path: /tmp/prog, type: file, mode: "755" }',
      '    - { path: /tmp/d, type: dir, mode: "0700", uid: 1000 }',
      '    - { path: /tmp/d/l, type: link, mode: "0777", target: /bin/sh }',
      'steps:',
      '  - spawn: { as: a }',
      '  - open: { path: /etc/passwd, as: f }',
      '  - read: { fd: f }',
      '  - write: { fd: f }',
      '  - modload: {}',
      '  - mount: { path: /proc, args: null }',
      '  - stat: { path: /tmp }',
      '    expect: { mode: "777", vtype: VDIR }',
      '  - check: {}',
    ));
    expect(s.format).toBe(1);
    expect(s.bugs).toEqual([]);
    expect(s.kernel).toEqual({
      pidMax: 30000, maxproc: 1044, pageSize: 4096, pfsLast: 33, securelevel: 0, curtain: false,
      files: [
        { path: '/tmp/prog', type: 'file', mode: '0755', uid: 0, gid: 0, emul: 'netbsd' },
        { path: '/tmp/d', type: 'dir', mode: '0700', uid: 1000, gid: 0 },
        { path: '/tmp/d/l', type: 'link', mode: '0777', uid: 0, gid: 0, target: '/bin/sh' },
      ],
      procfs: [{ path: '/proc', linux: true }],
    });
    expect(s.steps).toEqual([
      { kind: 'spawn', as: 'a', uid: 0, gid: 0, path: '/bin/sh' },
      { kind: 'open', by: 'init', path: '/etc/passwd', flags: 'r', excl: false, nofollow: false, cloexec: false, as: 'f' },
      { kind: 'read', by: 'init', fd: 'f', size: 64, offset: 0 },
      { kind: 'write', by: 'init', fd: 'f', data: '', offset: 0 },
      { kind: 'modload', by: 'init', name: 'procfs' },
      { kind: 'mount', by: 'init', path: '/proc', args: null, update: false },
      { kind: 'stat', by: 'init', path: '/tmp', expect: { mode: '0777', vtype: 'VDIR' } },
      { kind: 'check', by: 'init' },
    ]);
  });

  it('gives each procfs mount linux: true unless told, and keeps an empty list empty', () => {
    expect(load(doc('name: m', 'kernel: { procfs: [{ path: /proc }, { path: /tmp, linux: false }] }', 'steps: [check: {}]')).kernel.procfs)
      .toEqual([{ path: '/proc', linux: true }, { path: '/tmp', linux: false }]);
    expect(load(doc('name: m', 'kernel: { procfs: [] }', 'steps: [check: {}]')).kernel.procfs).toEqual([]);
  });

  it('accepts {h} where an integer goes, {{ }} as literal braces, and the step\'s own as', () => {
    const s = load(doc(
      'name: refs',
      'steps:',
      '  - spawn: { as: a }',
      '  - open: { by: a, path: "/proc/{a}/status", as: st }',
      '    expect: { fd: "{st}" }',
      '  - write: { by: a, fd: "{st}", data: "{{literal}} {a}" }',
      '  - ptrace: { target: a }',
      '  - wait: { child: 7 }',
      '  - pipe: { as: [r, w] }',
      '    expect: { fds: ["{r}", "{w}"] }',
      '  - dup2: { fd: r, to: 9 }',
      '  - mount: { path: /proc, args: { version: 1, flags: "{w}" } }',
    ));
    expect(s.steps[4]).toMatchObject({ kind: 'wait', child: 7 });
    expect(s.steps[5]).toMatchObject({ kind: 'pipe', as: ['r', 'w'] });
  });

  it('allows result fields beside errno: any, and evicts/revokes beside any errno', () => {
    load(doc('name: x', 'steps:', '  - open: { path: /x }', '    expect: { errno: any, fd: 0 }'));
    load(doc('name: x', 'steps:', '  - open: { path: /x }', '    expect: { errno: ENOENT, evicts: [], revokes: [] }'));
  });

  it('parses a .json file the same way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procfs-emu-load-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'a.json');
    writeFileSync(file, JSON.stringify({ name: 'json', steps: [{ check: {} }] }));
    const r = loadScenarioFile(file);
    expect(r.ok && r.scenario.steps).toEqual([{ kind: 'check', by: 'init' }]);
    const missing = loadScenarioFile(join(dir, 'nope.yaml'));
    expect(!missing.ok && missing.error).toMatchObject({ path: '', message: expect.stringMatching(/ENOENT/) });
  });
});

describe('invalid scenarios: YAML and limits', () => {
  it('reports a YAML syntax error with its position', () => {
    const e = invalid(doc('name: x', 'steps: [check: {}', 'bugs: []'));
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/^YAML: /);
  });

  it('reports a duplicate key at the second occurrence', () => {
    expectInvalid(doc('name: x', 'kernel:', '  pidMax: 100', '  pidMax: 200', 'steps: [check: {}]'),
      'kernel.pidMax', 4, 'pidMax', 'duplicate key "pidMax"');
  });

  it('rejects several documents in one file, and an empty file', () => {
    expectInvalid(doc('name: x', 'steps: [check: {}]', '---', 'name: y'), '', 3, '---', 'expected one YAML document, found 2');
    expect(invalid('').message).toMatch(/empty file/);
  });

  it('rejects a file larger than 1 MiB', () => {
    const text = doc('name: big', 'description: "' + 'x'.repeat(1 << 20) + '"', 'steps: [check: {}]');
    expect(invalid(text)).toMatchObject({ path: '', message: expect.stringMatching(/limit is 1048576 bytes/) });
  });

  it(`rejects more than ${STEPS_MAX} steps`, () => {
    const steps = Array.from({ length: STEPS_MAX + 1 }, () => '  - check: {}');
    expectInvalid(doc('name: many', 'steps:', ...steps), 'steps', 3, '- check', /expected at most 10000 steps, found a list of 10001 items/);
  });

  it('rejects deep nesting without parsing for long', () => {
    expect(invalid(doc('name: deep', `description: ${'['.repeat(100000)}`, 'steps: [check: {}]')).message).toMatch(/nested deeper/);
    expect(invalid(doc('name: deep', `description: ${'['.repeat(40)}${']'.repeat(40)}`, 'steps: [check: {}]')))
      .toMatchObject({ path: 'description[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]', message: 'nested deeper than 32 levels' });
    load(doc('name: braces', 'steps:', `  - write: { fd: 0, data: "${'{{'.repeat(400)}" }`));
    const block = Array.from({ length: 40 }, (_, i) => `${' '.repeat(2 * i)}- `).join('\n');
    expect(invalid(doc('name: deep', 'steps:', block + 'x')).message).toMatch(/nested deeper/);
  });

  it('rejects an alias that contains itself', () => {
    expect(invalid(doc('name: x', 'steps: &s [check: {}, *s]')).message).toMatch(/alias/);
  });

  it('never throws, whatever the input', () => {
    const inputs = ['- a', '42', '~', '"x"', '[]', '{}', '!!binary x', 'name: x\nsteps: [1, null, [], "check"]',
      'name: x\nsteps: [{}]', '? [a]\n: b', '\t', 'name: x\nsteps:\n  - open: {path: /x}\n    check: {}', '\u0000'];
    for (const text of inputs) expect(loadScenarioText(text, 't.yaml').ok).toBe(false);
  });
});

describe('invalid scenarios: top level and types', () => {
  it('rejects an unknown top-level key at the key', () => {
    expectInvalid(doc('name: x', 'step: []', 'steps: [check: {}]'), 'step', 2, 'step', /unknown key "step" \(did you mean steps\?\)/);
  });

  it('requires a name and at least one step', () => {
    expectInvalid(doc('steps: [check: {}]'), 'name', 1, 1, 'missing required field "name"');
    expectInvalid(doc('name: x', 'steps: []'), 'steps', 2, '[]', 'expected at least one step, found an empty list');
    expectInvalid(doc('name: x'), 'steps', 1, 1, 'missing required field "steps"');
  });

  it('rejects an unknown step kind at its key', () => {
    expectInvalid(doc('name: x', 'steps:', '  - check: {}', '  - opn: { path: /x }'),
      'steps[1].opn', 4, 'opn', /unknown step kind "opn" \(did you mean open\?\)/);
  });

  it('rejects a step with two kinds or none', () => {
    expectInvalid(doc('name: x', 'steps:', '  - open: { path: /x }', '    close: { fd: 0 }'),
      'steps[0].close', 4, 'close', 'a step has one kind, found both "open" and "close"');
    expectInvalid(doc('name: x', 'steps:', '  - expect: {}'), 'steps[0]', 3, 'expect', 'missing the step kind');
  });

  it('rejects an unknown field in a step at its key', () => {
    expectInvalid(doc('name: x', 'steps:', '  - open: { path: /x, flag: rw }'),
      'steps[0].open.flag', 3, 'flag', /unknown key "flag" \(did you mean flags\?\); expected one of by, path/);
    expectInvalid(doc('name: x', 'steps:', '  - spawn: { as: a, by: init }'), 'steps[0].spawn.by', 3, 'by', 'unknown key "by"');
  });

  it('rejects a mode written as a YAML number', () => {
    expectExact(doc('name: x', 'kernel:', '  files:', '    - { path: /tmp/a, type: file, mode: 0600 }', 'steps: [check: {}]'),
      'kernel.files[0].mode', 4, '0600', 'expected a string of 3 or 4 octal digits, found number 600 (YAML reads 0600 as a number: write "0600" in quotes)');
    expectExact(doc('name: x', 'steps:', '  - check: {}', '  - stat: { path: /tmp }', '    expect: { mode: 0o644 }'),
      'steps[1].expect.mode', 5, '0o644', 'expected a string of 3 or 4 octal digits, found number 420 (YAML reads 0o644 as a number: write "0644" in quotes)');
  });

  it('rejects wrong types and values out of range', () => {
    expectInvalid(doc('name: x', 'kernel: { pidMax: 3 }', 'steps: [check: {}]'),
      'kernel.pidMax', 2, '3', 'expected an integer from 4 to 30000, found number 3');
    expectInvalid(doc('name: x', 'kernel: { pageSize: 1000 }', 'steps: [check: {}]'),
      'kernel.pageSize', 2, '1000', 'expected a power of two from 512 to 65536, found number 1000');
    expectInvalid(doc('name: x', 'steps:', '  - open: { path: /x, flags: rw+ }'),
      'steps[0].open.flags', 3, 'rw+', 'expected one of r, w, rw, found string "rw+"');
    expectInvalid(doc('name: x', 'steps:', '  - exec: { path: 5 }'), 'steps[0].exec.path', 3, '5', 'expected a string, found number 5');
    expectInvalid(doc('name: x', 'steps:', '  - check:'), 'steps[0].check', 3, 'check', 'expected a map of fields ({} when there are none), found null');
    expectInvalid(doc('name: "two\\nlines"', 'steps: [check: {}]'), 'name', 1, '"two', /one-line/);
  });

  it('reports the inner problem of mount args', () => {
    expectInvalid(doc('name: x', 'steps:', '  - mount: { path: /proc, args: { version: 1 } }'),
      'steps[0].mount.args.flags', 3, '{ version', 'missing required field "flags"');
    expectInvalid(doc('name: x', 'steps:', '  - mount: { path: /proc, args: long }'),
      'steps[0].mount.args', 3, 'long', 'expected a map {version, flags}, null, or "short", found string "long"');
  });

  it('rejects an unknown errno or vtype', () => {
    expectInvalid(doc('name: x', 'steps:', '  - open: { path: /x }', '    expect: { errno: EFOO }'),
      'steps[0].expect.errno', 4, 'EFOO', /expected a NetBSD errno name .* found string "EFOO"/);
    expectInvalid(doc('name: x', 'steps:', '  - stat: { path: /x }', '    expect: { vtype: VDIRECTORY }'),
      'steps[0].expect.vtype', 4, 'VDIRECTORY', 'expected one of VNON, VREG, VDIR, VBLK, VCHR, VLNK, VSOCK, VFIFO, VBAD, found string "VDIRECTORY"');
  });

  it('rejects an expect field the step kind does not produce', () => {
    expectInvalid(doc('name: x', 'steps:', '  - open: { path: /x }', '    expect: { vtype: VREG }'),
      'steps[0].expect.vtype', 4, 'vtype',
      'unknown key "vtype": open has no vtype result (lstat, stat, fstat have one); expected one of errno, evicts, revokes, fd');
  });

  it('rejects an unknown bug, or one listed twice', () => {
    expectInvalid(doc('name: x', 'bugs: [no-exithook, no-such-bug]', 'steps: [check: {}]'),
      'bugs[1]', 2, 'no-such-bug', /expected a bug name .* found string "no-such-bug"/);
    expectInvalid(doc('name: x', 'bugs: [no-exithook, no-exithook]', 'steps: [check: {}]'),
      'bugs[1]', 2, 'no-exithook]', 'bug "no-exithook" is listed twice');
  });
});

describe('invalid scenarios: handles and expectations', () => {
  it('rejects a {h} that no earlier step binds', () => {
    expectInvalid(doc('name: x', 'steps:', '  - open: { path: "/proc/{a}/mem" }', '  - spawn: { as: a }'),
      'steps[0].open.path', 3, '"/proc/{a}', '"{a}" names no handle bound by an earlier step or by this step\'s as');
    expectInvalid(doc('name: x', 'steps:', '  - exec: { path: /bin/sh }', '    expect: { evicts: ["/proc/{zz}"] }'),
      'steps[0].expect.evicts[0]', 4, '"/proc/{zz}', '"{zz}" names no handle');
  });

  it('rejects a lone brace', () => {
    expectInvalid(doc('name: x', 'steps:', '  - write: { fd: 0, data: "a}b" }'), 'steps[0].write.data', 3, '"a}b', /lone "}"/);
    expectInvalid(doc('name: x', 'steps:', '  - open: { path: "/proc/{A}" }'), 'steps[0].open.path', 3, '"/proc/{A}', /does not start a \{handle\}/);
  });

  it('rejects an unknown handle in by, fd, child or target', () => {
    expectInvalid(doc('name: x', 'steps:', '  - exec: { by: a, path: /bin/sh }'),
      'steps[0].exec.by', 3, 'a,', 'unknown handle "a": no earlier step binds it with as');
    expectInvalid(doc('name: x', 'steps:', '  - close: { fd: m }'), 'steps[0].close.fd', 3, 'm }', 'unknown handle "m"');
  });

  it('rejects a handle bound twice', () => {
    expectInvalid(doc('name: x', 'steps:', '  - spawn: { as: a }', '  - fork: { as: a }'),
      'steps[1].fork.as', 4, 'a }', 'handle "a" is already bound by steps[0]');
    expectInvalid(doc('name: x', 'steps:', '  - spawn: { as: init }'), 'steps[0].spawn.as', 3, 'init', 'handle "init" is predefined');
    expectInvalid(doc('name: x', 'steps:', '  - pipe: { as: [p, p] }'), 'steps[0].pipe.as[1]', 3, 'p]', /named twice/);
  });

  it('rejects a handle of the wrong kind', () => {
    expectInvalid(doc('name: x', 'steps:', '  - open: { path: /x, as: m }', '  - exec: { by: m, path: /bin/sh }'),
      'steps[1].exec.by', 4, 'm,', '"m" is a descriptor handle (bound by steps[0]), but by takes a process handle');
    expectInvalid(doc('name: x', 'steps:', '  - spawn: { as: a }', '  - close: { fd: a }'),
      'steps[1].close.fd', 4, 'a }', '"a" is a process handle (bound by steps[0]), but fd takes a descriptor handle');
    expectInvalid(doc('name: x', 'steps:', '  - socket: { as: s }', '  - ptrace: { target: s }'),
      'steps[1].ptrace.target', 4, 's }', /but target takes a process handle/);
  });

  it('rejects a result field beside an errno', () => {
    expectInvalid(doc('name: x', 'steps:', '  - open: { path: /x }', '    expect: { errno: EACCES, fd: 3 }'),
      'steps[0].expect.fd', 4, 'fd', 'result field "fd" cannot stand beside errno EACCES');
  });

  it('rejects a pid at or past pidMax', () => {
    expectInvalid(doc('name: x', 'kernel: { pidMax: 100 }', 'steps:', '  - spawn: { as: a, pid: 100 }'),
      'steps[0].spawn.pid', 4, '100', 'expected a pid from 2 to 99 (kernel.pidMax is 100), found number 100');
  });
});

describe('invalid scenarios: kernel.files and mounts', () => {
  const files = (...entries: string[]) => doc('name: x', 'kernel:', '  files:', ...entries.map((e) => `    - ${e}`), 'steps: [check: {}]');

  it('rejects an entry whose parent directory does not exist', () => {
    expectInvalid(files('{ path: /opt/x, type: file, mode: "0644" }'),
      'kernel.files[0].path', 4, '/opt/x', 'parent directory /opt does not exist');
    load(files('{ path: /opt, type: dir, mode: "0755" }', '{ path: /opt/x, type: file, mode: "0644" }'));
  });

  it('requires target for links, and only for them; emul only for files', () => {
    expectInvalid(files('{ path: /tmp/l, type: link, mode: "0777" }'),
      'kernel.files[0].target', 4, '{', 'missing required field "target"; a link needs a target');
    expectInvalid(files('{ path: /tmp/f, type: file, mode: "0644", target: /x }'),
      'kernel.files[0].target', 4, 'target', 'target is only for links; this entry is a file');
    expectInvalid(files('{ path: /tmp/d, type: dir, mode: "0755", emul: linux }'),
      'kernel.files[0].emul', 4, 'emul', 'emul is only for files; this entry is a dir');
  });

  it('rejects a path that is not absolute and normalized, a default directory, or a repeat', () => {
    expectInvalid(files('{ path: tmp/a, type: file, mode: "0644" }'), 'kernel.files[0].path', 4, 'tmp/a', /absolute, normalized/);
    expectInvalid(files('{ path: /tmp/../a, type: file, mode: "0644" }'), 'kernel.files[0].path', 4, '/tmp/../a', /absolute, normalized/);
    expectInvalid(files('{ path: /tmp, type: dir, mode: "0700" }'), 'kernel.files[0].path', 4, '/tmp', 'cannot replace /tmp');
    expectInvalid(files('{ path: /tmp/a, type: file, mode: "0644" }', '{ path: /tmp/a, type: fifo, mode: "0644" }'),
      'kernel.files[1].path', 5, '/tmp/a', '/tmp/a is already given by kernel.files[0]');
    load(files('{ path: /etc/passwd, type: file, mode: "0600" }'));
  });

  it('requires boot mounts on existing directories', () => {
    expectInvalid(doc('name: x', 'kernel: { procfs: [{ path: /nope }] }', 'steps: [check: {}]'),
      'kernel.procfs[0].path', 2, '/nope', 'mount point /nope is not a directory of the root file system');
  });
});

describe('revision 2 keys: readdir types, entryTypes, dataMatches', () => {
  it('loads types and entryTypes on readdir, and dataMatches on read, as written', () => {
    const s = load(doc(
      'name: rev2',
      'steps:',
      '  - spawn: { as: a }',
      '  - readdir: { path: "/proc/{a}" }',
      '    expect: { types: [DIR, DIR], entryTypes: { "0": LNK, status: REG, "{a}": DIR } }',
      '  - open: { path: /etc/passwd, as: f }',
      '  - read: { fd: f }',
      "    expect: { dataMatches: '^{a} [0-9]{2}[a-z]{{8,16}} x{1,}$' }",
    ));
    expect(s.steps[1]!.expect).toEqual({ types: ['DIR', 'DIR'], entryTypes: { 0: 'LNK', status: 'REG', '{a}': 'DIR' } });
    expect(s.steps[3]!.expect).toEqual({ dataMatches: '^{a} [0-9]{2}[a-z]{{8,16}} x{1,}$' });
  });

  it('rejects a d_type name that does not exist, in types and in entryTypes', () => {
    expectExact(doc('name: x', 'steps:', '  - readdir: { path: /proc }', '    expect: { types: [DIR, DT_LNK] }'),
      'steps[0].expect.types[1]', 4, 'DT_LNK',
      'expected a d_type name without DT_ (UNKNOWN, FIFO, CHR, DIR, BLK, REG, LNK, SOCK, WHT), found string "DT_LNK" (d_type names are written without DT_: LNK)');
    expectExact(doc('name: x', 'steps:', '  - readdir: { path: /proc }', '    expect: { entryTypes: { self: LINK } }'),
      'steps[0].expect.entryTypes.self', 4, 'LINK',
      'expected a d_type name without DT_ (UNKNOWN, FIFO, CHR, DIR, BLK, REG, LNK, SOCK, WHT), found string "LINK" (did you mean LNK?)');
  });

  it('rejects entryTypes that is not a map', () => {
    expectExact(doc('name: x', 'steps:', '  - readdir: { path: /proc }', '    expect: { entryTypes: [self] }'),
      'steps[0].expect.entryTypes', 4, '[self]', 'expected a map from entry name to d_type name, found a list of 1 item');
  });

  it('checks the {h} in an entryTypes name, at the name', () => {
    expectExact(doc('name: x', 'steps:', '  - readdir: { path: /proc }', '    expect: { entryTypes: { "{b}": DIR } }'),
      'steps[0].expect.entryTypes["{b}"]', 4, '"{b}"', '"{b}" names no handle bound by an earlier step or by this step\'s as');
  });

  it('rejects a dataMatches pattern that does not compile', () => {
    expectExact(doc('name: x', 'steps:', '  - read: { fd: 0 }', "    expect: { dataMatches: '^(sh' }"),
      'steps[0].expect.dataMatches', 4, "'^(sh'", 'expected a regular expression that compiles with flag m, found string "^(sh" (Unterminated group)');
    expectExact(doc('name: x', 'steps:', '  - read: { fd: 0 }', "    expect: { dataMatches: 'a**' }"),
      'steps[0].expect.dataMatches', 4, "'a**'", 'expected a regular expression that compiles with flag m, found string "a**" (Nothing to repeat)');
  });

  it('rejects dataMatches on a step kind that has no data result', () => {
    expectExact(doc('name: x', 'steps:', '  - readlink: { path: /proc/self }', "    expect: { dataMatches: '^[0-9]+$' }"),
      'steps[0].expect.dataMatches', 4, 'dataMatches',
      'unknown key "dataMatches": readlink has no data result for dataMatches to check (read has one); expected one of errno, evicts, revokes, target');
  });

  it('checks the {h} of a pattern: unknown handles and lone braces are invalid, { + digit is not', () => {
    expectExact(doc('name: x', 'steps:', '  - read: { fd: 0 }', "    expect: { dataMatches: '^{p} ' }"),
      'steps[0].expect.dataMatches', 4, "'^{p}", '"{p}" names no handle bound by an earlier step or by this step\'s as');
    expectExact(doc('name: x', 'steps:', '  - read: { fd: 0 }', "    expect: { dataMatches: 'a{,2}' }"),
      'steps[0].expect.dataMatches', 4, "'a{,2}'", 'a "{" at index 1 that does not start a {handle} (write {{ for a literal brace) in string "a{,2}"');
    expectExact(doc('name: x', 'steps:', '  - read: { fd: 0 }', "    expect: { dataMatches: '\\}' }"),
      'steps[0].expect.dataMatches', 4, "'\\}'", 'a lone "}" at index 1 (write }} for a literal brace) in string "\\\\}"');
    // Outside dataMatches a { followed by a digit is still an error.
    expectExact(doc('name: x', 'steps:', '  - open: { path: "/tmp/{2}" }'),
      'steps[0].open.path', 3, '"/tmp', 'a "{" at index 5 that does not start a {handle} (write {{ for a literal brace) in string "/tmp/{2}"');
  });

  it('rejects entriesInclude, entryTypes and dataMatches beside an errno, as result fields', () => {
    expectExact(doc('name: x', 'steps:', '  - readdir: { path: /nope }', '    expect: { errno: ENOENT, entryTypes: { a: DIR } }'),
      'steps[0].expect.entryTypes', 4, 'entryTypes',
      '"entryTypes" (a check on the entries result) cannot stand beside errno ENOENT: a failing step has no results (drop it, or use errno: any)');
    expectExact(doc('name: x', 'steps:', '  - read: { fd: 9 }', "    expect: { errno: EBADF, dataMatches: 'x' }"),
      'steps[0].expect.dataMatches', 4, 'dataMatches',
      '"dataMatches" (a check on the data result) cannot stand beside errno EBADF: a failing step has no results (drop it, or use errno: any)');
    load(doc('name: x', 'steps:', '  - read: { fd: 9 }', "    expect: { errno: any, dataMatches: 'x' }"));
  });

  it('takes any int as an expected getargs version or flags (procfs_mount stores flags unchecked)', () => {
    load(doc('name: x', 'steps:', '  - getargs: { path: /proc }', '    expect: { version: 1, flags: -1 }'));
    expectExact(doc('name: x', 'steps:', '  - getargs: { path: /proc }', '    expect: { flags: 2147483648 }'),
      'steps[0].expect.flags', 4, '2147483648',
      'expected an integer from -2147483648 to 2147483647 or a "{handle}" string, found number 2147483648');
  });
});

describe('messages for people: did you mean, and the YAML traps', () => {
  it('suggests the nearest errno, case aside', () => {
    expectExact(doc('name: x', 'steps:', '  - open: { path: /x }', '    expect: { errno: ENOENTT }'),
      'steps[0].expect.errno', 4, 'ENOENTT', 'expected a NetBSD errno name (EPERM, ENOENT, ...) or any, found string "ENOENTT" (did you mean ENOENT?)');
    expectExact(doc('name: x', 'steps:', '  - open: { path: /x }', '    expect: { errno: eacces }'),
      'steps[0].expect.errno', 4, 'eacces', 'expected a NetBSD errno name (EPERM, ENOENT, ...) or any, found string "eacces" (did you mean EACCES?)');
    expectExact(doc('name: x', 'steps:', '  - open: { path: /x }', '    expect: { errno: EACCESS }'),
      'steps[0].expect.errno', 4, 'EACCESS', 'expected a NetBSD errno name (EPERM, ENOENT, ...) or any, found string "EACCESS" (did you mean EACCES?)');
    expectExact(doc('name: x', 'steps:', '  - open: { path: /x }', '    expect: { errno: EXYZZY }'),
      'steps[0].expect.errno', 4, 'EXYZZY', 'expected a NetBSD errno name (EPERM, ENOENT, ...) or any, found string "EXYZZY"');
  });

  it('suggests the nearest vtype', () => {
    expectExact(doc('name: x', 'steps:', '  - stat: { path: /x }', '    expect: { vtype: DIR }'),
      'steps[0].expect.vtype', 4, 'DIR', 'expected one of VNON, VREG, VDIR, VBLK, VCHR, VLNK, VSOCK, VFIFO, VBAD, found string "DIR" (did you mean VDIR?)');
    expectExact(doc('name: x', 'steps:', '  - stat: { path: /x }', '    expect: { vtype: vlnk }'),
      'steps[0].expect.vtype', 4, 'vlnk', 'expected one of VNON, VREG, VDIR, VBLK, VCHR, VLNK, VSOCK, VFIFO, VBAD, found string "vlnk" (did you mean VLNK?)');
  });

  it('suggests the nearest expect key, and says which kinds have a result this kind lacks', () => {
    expectExact(doc('name: x', 'steps:', '  - readdir: { path: /proc }', '    expect: { entriesIncludes: [self] }'),
      'steps[0].expect.entriesIncludes', 4, 'entriesIncludes',
      'unknown key "entriesIncludes" (did you mean entriesInclude?); expected one of errno, evicts, revokes, entries, types, entriesInclude, entryTypes');
    expectExact(doc('name: x', 'steps:', '  - open: { path: /x }', '    expect: { evict: [] }'),
      'steps[0].expect.evict', 4, 'evict', 'unknown key "evict" (did you mean evicts?); expected one of errno, evicts, revokes, fd');
    expectExact(doc('name: x', 'steps:', '  - readlink: { path: /x }', '    expect: { entries: [] }'),
      'steps[0].expect.entries', 4, 'entries',
      'unknown key "entries": readlink has no entries result (readdir has one); expected one of errno, evicts, revokes, target');
  });

  it('hints at quoting a {h} that YAML read as the start of a flow map', () => {
    expectExact(doc('name: x', 'steps:', '  - spawn: { as: a }', '  - open: { path: /proc/{a}/mem }'),
      'steps[1].open.path', 4, '{a}',
      'YAML: Unexpected flow-map-start at node end (a {handle} in a flow map or list must be quoted, or YAML reads its { as the start of a map: write "/proc/{a}/mem")');
    expectExact(doc('name: x', 'steps:', '  - spawn: { as: a }', '  - readdir: { path: "/proc/{a}" }', '    expect: { entries: [., .., {a}x] }'),
      'steps[1].expect.entries[2]', 5, 'x]',
      'YAML: Unexpected scalar at node end (a {handle} in a flow map or list must be quoted, or YAML reads its { as the start of a map: write "{a}x")');
  });

  it('hints at quoting a {h} that YAML read as a map, as a value or as a key', () => {
    expectExact(doc('name: x', 'steps:', '  - open: { path: /x, as: m }', '  - close: { fd: {m} }'),
      'steps[1].close.fd', 4, '{m}',
      'expected a descriptor handle, an integer or a "{handle}" string, found a map (YAML reads an unquoted {m} as a map: write "{m}" in quotes)');
    expectExact(doc('name: x', 'steps:', '  - spawn: { as: a }', '  - stat:', '      path: {a}'),
      'steps[1].stat.path', 5, '{a}', 'expected a string, found a map (YAML reads an unquoted {a} as a map: write "{a}" in quotes)');
    expectExact(doc('name: x', 'steps:', '  - spawn: { as: a }', '  - readdir: { path: /proc }', '    expect: { entryTypes: { {a}: DIR } }'),
      'steps[1].expect.entryTypes', 5, '{a}',
      'expected a key name (a string), found a collection (YAML reads an unquoted {a} as a map: write "{a}" in quotes)');
  });

  it('hints at quoting an entry name that YAML read as a number', () => {
    expectExact(doc('name: x', 'steps:', '  - readdir: { path: /proc/self/fd }', '    expect: { entryTypes: { 0: REG } }'),
      'steps[0].expect.entryTypes["0"]', 4, '0:',
      'expected a key name (a string), found number 0 (YAML reads 0 as number 0: write "0" in quotes)');
  });

  it('hints at quoting a mode that YAML read as a number', () => {
    const file = (mode: string) => doc('name: x', 'kernel:', '  files:', `    - { path: /tmp/a, type: file, mode: ${mode} }`, 'steps: [check: {}]');
    expectExact(file('0755'), 'kernel.files[0].mode', 4, '0755',
      'expected a string of 3 or 4 octal digits, found number 755 (YAML reads 0755 as a number: write "0755" in quotes)');
    expectExact(file('644'), 'kernel.files[0].mode', 4, '644',
      'expected a string of 3 or 4 octal digits, found number 644 (YAML reads 644 as a number: write "0644" in quotes)');
    expectExact(file('0o4755'), 'kernel.files[0].mode', 4, '0o4755',
      'expected a string of 3 or 4 octal digits, found number 2541 (YAML reads 0o4755 as a number: write "4755" in quotes)');
    expectExact(file('999'), 'kernel.files[0].mode', 4, '999',
      'expected a string of 3 or 4 octal digits, found number 999 (write the mode as a quoted string of octal digits, such as "0755")');
    expectExact(doc('name: x', 'steps:', '  - stat: { path: /tmp }', '    expect: { mode: 1777 }'),
      'steps[0].expect.mode', 4, '1777',
      'expected a string of 3 or 4 octal digits, found number 1777 (YAML reads 1777 as a number: write "1777" in quotes)');
  });
});

describe('helpers', () => {
  it('formats an invalid file as file:line:column: path: message', () => {
    expect(formatInvalid({ file: 'a.yaml', line: 3, column: 7, path: 'steps[0].open.flags', message: 'bad' }))
      .toBe('a.yaml:3:7: steps[0].open.flags: bad');
    expect(formatInvalid({ file: 'a.yaml', path: '', message: 'too big' })).toBe('a.yaml: too big');
  });

  it('parses {h} templates', () => {
    expect(templateRefs('/proc/{a}/fd/{m_2}')).toEqual({ refs: ['a', 'm_2'] });
    expect(templateRefs('{{a}} }}{{')).toEqual({ refs: [] });
    expect(templateRefs('{a')).toHaveProperty('error');
    expect(templateRefs('a}')).toHaveProperty('error');
  });
});

describe('JSON Schema', () => {
  it('scenarios/schema.json is the committed output of scenarioJsonSchema()', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(scenarioJsonSchemaText());
    expect(scenarioJsonSchemaText()).toBe(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  });

  it('is draft 2020-12 with an $id and a title, defaults optional', () => {
    const s = scenarioJsonSchema() as { $schema: string; $id: string; title: string; required: string[] };
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(s.$id).toBe('urn:procfs-emu:scenario-format:1');
    expect(s.title).toMatch(/scenario/);
    expect(s.required).toEqual(['name', 'steps']);
  });
});
