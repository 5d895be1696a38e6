/**
 * The command line contract (scenario-format.md §6): exit statuses, the
 * --json document, located messages for invalid files, no stack traces.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'procfs-emu-cli-'));

function emu(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scenarios/cli.ts', ...args], {
    encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const CONTRACT_EXAMPLE = `name: a set-uid exec revokes a mem handle opened before it
steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: /proc/self/mem, flags: rw, as: m }
  - exec: { by: a, path: /usr/bin/passwd }
    expect:
      evicts: ["/proc/{a}", "/proc/{a}/mem"]
      revokes: ["/proc/{a}/mem"]
  - write: { by: a, fd: m, data: "x" }
    expect: { errno: EIO }
  - spawn: { as: b, uid: 1000, gid: 100 }
  - open: { by: b, path: "/proc/{a}/mem", flags: r }
    expect: { errno: EACCES }
`;

describe('emu run', () => {
  it('runs the contract example as written: exit 0 and the JSON document', () => {
    const f = file('example.yaml', CONTRACT_EXAMPLE);
    const r = emu('run', f, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      scenarios: [{ file: f, name: 'a set-uid exec revokes a mem handle opened before it', status: 'pass', failures: [] }],
      passed: 1, failed: 0, invalid: 0,
    });
  });

  it('fails a wrong expectation at the right step index with exit 1', () => {
    const f = file('wrong.yaml', CONTRACT_EXAMPLE.replace('expect: { errno: EIO }', 'expect: { errno: EPERM }'));
    const r = emu('run', f, '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    expect(doc.failed).toBe(1);
    expect(doc.scenarios[0].status).toBe('fail');
    expect(doc.scenarios[0].failures).toEqual([{ step: 3, message: 'expected EPERM, got EIO' }]);
  });

  it('fails a step expected to succeed that fails, and names evicts mismatches', () => {
    const f = file('evicts.yaml', CONTRACT_EXAMPLE.replace('evicts: ["/proc/{a}", "/proc/{a}/mem"]', 'evicts: []'));
    const r = emu('run', f, '--json');
    expect(r.code).toBe(1);
    const fail = JSON.parse(r.out).scenarios[0].failures[0];
    expect(fail.step).toBe(2);
    expect(fail.message).toMatch(/^evicts: expected \[\], got \[\/proc\/2, \/proc\/2\/mem\]/);
  });

  it('reports an invalid file with file:line:column and the value path, exit 2, no stack trace', () => {
    const f = file('bad.yaml', 'name: x\nsteps:\n  - open: { path: /proc/1/mem, flags: rwx }\n');
    const r = emu('run', f, '--json');
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.out);
    expect(doc.invalid).toBe(1);
    const fail = doc.scenarios[0].failures[0];
    expect(fail.path).toBe('steps[0].open.flags');
    expect(fail.line).toBe(3);
    expect(fail.column).toBeGreaterThan(1);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('prints the located message on stderr in human mode', () => {
    const f = file('bad2.yaml', 'name: x\nkernel:\n  files:\n    - { path: /tmp/x, type: file, mode: 0644 }\nsteps:\n  - check: {}\n');
    const r = emu('run', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}:4:`);
    expect(r.err).toContain('kernel.files[0].mode');
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('each kind of invalid file: exit 2, never run, located in the --json document, no stack trace', () => {
    const bad = mkdtempSync(join(tmpdir(), 'procfs-emu-invalid-'));
    const cases: [string, string, string, number][] = [
      // name, text, expected value path, expected line
      ['a-syntax.yaml', 'name: x\nsteps: [\n', 'steps', 3],
      ['b-duplicate.yaml', 'name: x\nname: y\nsteps:\n  - check: {}\n', 'name', 2],
      ['c-unknown-key.yaml', 'name: x\ncolour: red\nsteps:\n  - check: {}\n', 'colour', 2],
      ['d-unknown-kind.yaml', 'name: x\nsteps:\n  - frob: {}\n', 'steps[0].frob', 3],
      ['e-mode-number.yaml', 'name: x\nsteps:\n  - lstat: { path: /proc }\n    expect: { mode: 0555 }\n', 'steps[0].expect.mode', 4],
      ['f-errno.yaml', 'name: x\nsteps:\n  - check: {}\n    expect: { errno: ENOPE }\n', 'steps[0].expect.errno', 4],
      ['g-vtype.yaml', 'name: x\nsteps:\n  - lstat: { path: /proc }\n    expect: { vtype: VDOOR }\n', 'steps[0].expect.vtype', 4],
      ['h-unbound.yaml', 'name: x\nsteps:\n  - lstat: { path: "/proc/{a}" }\n', 'steps[0].lstat.path', 3],
      ['i-rebound.yaml', 'name: x\nsteps:\n  - spawn: { as: a }\n  - spawn: { as: a }\n', 'steps[1].spawn.as', 4],
      ['j-range.yaml', 'name: x\nkernel: { pidMax: 3 }\nsteps:\n  - check: {}\n', 'kernel.pidMax', 2],
      ['k-result-with-errno.yaml', 'name: x\nsteps:\n  - lstat: { path: /nope }\n    expect: { errno: ENOENT, mode: "0555" }\n', 'steps[0].expect.mode', 4],
    ];
    for (const [name, text] of cases) writeFileSync(join(bad, name), text);
    const r = emu('run', bad, '--json');
    expect(r.code).toBe(2);
    expect(r.err).not.toMatch(/\n\s+at /);
    const doc = JSON.parse(r.out);
    expect(doc.invalid).toBe(cases.length);
    cases.forEach(([name, , path, line], i) => {
      const s = doc.scenarios[i];
      expect(s.file).toBe(join(bad, name));
      expect(s.status).toBe('invalid');
      expect(s.failures).toHaveLength(1);
      expect(s.failures[0].step).toBeUndefined();
      expect(s.failures[0].path, name).toBe(path);
      expect(s.failures[0].line, name).toBe(line);
      expect(s.failures[0].column, name).toBeGreaterThanOrEqual(1);
    });
  });

  it('exits 2 with stdout empty for a path that does not exist', () => {
    const r = emu('run', join(dir, 'nope.yaml'), '--json');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/no such file or directory/);
  });

  it('exits 2 when a directory holds no scenario', () => {
    const empty = mkdtempSync(join(tmpdir(), 'procfs-emu-empty-'));
    const r = emu('run', empty);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no scenario found/);
  });

  it('exits 2 on an unknown option or command, stdout empty', () => {
    expect(emu('run', '--frobnicate', 'x').code).toBe(2);
    const r = emu('frobnicate');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
  });

  it('--trace prints one line per step; with --json they go to stderr', () => {
    const f = file('trace.yaml', CONTRACT_EXAMPLE);
    const r = emu('run', f, '--json', '--trace');
    expect(r.code).toBe(0);
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[2]).toContain('#2 pid=2 exec(path="/usr/bin/passwd") -> ok {} evicted=[/proc/2/mem /proc/2] revoked=[/proc/2/mem]');
    JSON.parse(r.out);
  });

  it('--help for each command and --version', async () => {
    const { readFileSync } = await import('node:fs');
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(emu('--version').out).toBe(`${version} (scenario format 1, contract revision 2)\n`);
    for (const c of ['run', 'schema', 'start']) {
      const r = emu(c, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Usage: procfs-emu ${c}`);
    }
  });

  it('schema prints the committed scenarios/schema.json', async () => {
    const { readFileSync } = await import('node:fs');
    expect(emu('schema').out).toBe(readFileSync('scenarios/schema.json', 'utf8'));
  });
});
