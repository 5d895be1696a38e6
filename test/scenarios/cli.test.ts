/**
 * The command line contract (scenario-format.md §6): exit statuses, the
 * --json document (extended: durations, locations, the report format),
 * located messages for invalid files, no stack traces, exit status 3 for an
 * internal error, the --trace format and the replay command.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ReportSchema, replayCommandLine } from '../../scenarios/report.ts';
import { CONTRACT_EXAMPLE } from '../helpers/examples.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'scenarios', 'cli.ts');
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const dir = mkdtempSync(join(tmpdir(), 'procfs-emu-cli-'));

/** The program as a user runs it; GITHUB_ACTIONS is cleared so the default reporter is text everywhere. */
function emuIn(cwd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', TSX, CLI, ...args], {
    cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function emu(...args: string[]) {
  return emuIn(ROOT, args);
}

/** The report without its timings (they come from the clock), which must be there. */
function untimed(doc: { durationMs: number; scenarios: { durationMs: number }[] }) {
  const { durationMs, ...rest } = doc;
  expect(durationMs).toBeGreaterThanOrEqual(0);
  const scenarios = doc.scenarios.map(({ durationMs: d, ...s }) => {
    expect(d).toBeGreaterThanOrEqual(0);
    return s;
  });
  return { ...rest, scenarios };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}


describe('emu run', () => {
  it('runs the contract example as written: exit 0 and the JSON document', () => {
    const f = file('example.yaml', CONTRACT_EXAMPLE);
    const r = emu('run', f, '--json');
    expect(r.code).toBe(0);
    expect(untimed(JSON.parse(r.out))).toEqual({
      reportFormat: 2,
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
    // The line and column of the failing step (`  - write: ...` is line 9, its map at column 5).
    expect(doc.scenarios[0].failures).toEqual([{ step: 3, message: 'expected EPERM, got EIO', line: 9, column: 5 }]);
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
    expect(doc.scenarios[0].name).toBe('x'); // read although the file is invalid
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

  it('run --help documents the reporter syntax and exit status 3; report has --help', () => {
    expect(emu('report', '--help').out).toContain('Usage: procfs-emu report');
    const r = emu('run', '--help');
    expect(r.out).toContain('--reporter <name[:file]>');
    expect(r.out).toContain('--reporter junit --output junit.xml');
    expect(r.out).toMatch(/3 an internal\s+error/);
  });

  it('schema prints the committed scenarios/schema.json', () => {
    expect(emu('schema').out).toBe(readFileSync(join(ROOT, 'scenarios/schema.json'), 'utf8'));
  });
});

describe('the report document', () => {
  it('schema --report prints the JSON Schema of the report, and real reports validate against it', () => {
    const printed = JSON.parse(emu('schema', '--report').out);
    expect(printed).toEqual(z.toJSONSchema(ReportSchema));
    // Two documents, one shape: a run's (run, replay, shrink) and a campaign's (fuzz, merge), both with format 2.
    expect(printed.anyOf.map((d: { title: string }) => d.title)).toEqual(['run report', 'fuzz campaign report']);
    for (const d of printed.anyOf) expect(d.properties.reportFormat).toEqual({ type: 'number', const: 2 });
    expect(printed.anyOf[0].required).toContain('durationMs');
    expect(Object.keys(printed.anyOf[1].properties)).not.toContain('durationMs');
    const fail = file('schema-fail.yaml', CONTRACT_EXAMPLE.replace('expect: { errno: EIO }', 'expect: { errno: EPERM }'));
    const bad = file('schema-bad.yaml', 'name: bad one\nsteps:\n  - open: { path: /proc/1/mem, flags: rwx }\n');
    const docs = [
      JSON.parse(emu('run', 'scenarios/corpus', '--json').out),
      JSON.parse(emu('run', fail, bad, 'scenarios/corpus/evict', '--reporter', 'json').out),
      JSON.parse(emu('replay', fail, '--json').out),
      JSON.parse(emu('shrink', 'scenarios/corpus/evict/setuid-exec-revokes-mem-handle.yaml', '--bugs', 'hook-revokes-unused-only',
        '--out', join(dir, 'shrunk'), '--json').out),
    ];
    for (const d of docs) expect(ReportSchema.safeParse(d).error).toBeUndefined();
    expect(docs[0].scenarios.length).toBeGreaterThanOrEqual(60);
    expect(docs[1].scenarios.map((s: { status: string }) => s.status).slice(0, 2)).toEqual(['fail', 'invalid']);
    expect(docs[3].scenarios[0].repro.file).toMatch(/shrunk\/setuid-exec-revokes-mem-handle-shrunk-.*\.yaml$/);
    // The schema is strict: a field it does not know is refused.
    expect(ReportSchema.safeParse({ ...docs[0], extra: 1 }).success).toBe(false);
  });
});

describe('exit status 3: an internal error', () => {
  it('prints one line on stderr, still reports what ran before it, and exits 3', () => {
    const ok = file('ie-ok.yaml', CONTRACT_EXAMPLE);
    const boom = file('ie-boom.yaml', CONTRACT_EXAMPLE.replace('name: a set-uid', 'name: crashes, a set-uid'));
    const after = file('ie-after.yaml', CONTRACT_EXAMPLE);
    const junit = join(dir, 'ie-junit.xml');
    const env = { PROCFS_EMU_TEST_INTERNAL_ERROR: boom };
    const r = emuIn(ROOT, ['run', ok, boom, after, '--json', '--reporter', `junit:${junit}`], env);
    expect(r.code).toBe(3);
    expect(r.err).toBe(`procfs-emu: internal error while running ${boom}: Error: injected internal error (PROCFS_EMU_TEST_INTERNAL_ERROR)\n`);
    const doc = JSON.parse(r.out);
    expect(doc.scenarios.map((s: { file: string }) => s.file)).toEqual([ok]);
    expect(doc.internalError).toEqual({ file: boom, message: 'Error: injected internal error (PROCFS_EMU_TEST_INTERNAL_ERROR)' });
    expect(ReportSchema.safeParse(doc).success).toBe(true);
    expect(readFileSync(junit, 'utf8')).toContain('type="internal"');
    // Human mode: the passing file's line, the one stderr line, the summary naming the error.
    const h = emuIn(ROOT, ['run', ok, boom], env);
    expect(h.code).toBe(3);
    expect(h.out.split('\n')[0]).toBe(`PASS ${ok}: a set-uid exec revokes a mem handle opened before it`);
    expect(h.out).toContain(`internal error while running ${boom}`);
    expect(h.err.trim().split('\n')).toHaveLength(1);
    // replay goes through the same path.
    expect(emuIn(ROOT, ['replay', boom], env).code).toBe(3);
    // Without the variable the same files pass.
    expect(emu('run', ok, boom).code).toBe(0);
  });
});

describe('--trace', () => {
  it('shows values expanded, leaves out fields at their defaults, and marks a step that did not run', () => {
    const f = file('trace-format.yaml', `name: trace format
steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: "/proc/{a}/status", flags: r, as: s }
  - read: { by: a, fd: s, size: 4, offset: 0 }
  - dup2: { by: a, fd: s, to: 7 }
  - exit: { by: a }
  - lstat: { by: a, path: /proc }
`);
    const r = emu('run', f, '--trace');
    expect(r.code).toBe(1);
    const lines = r.out.split('\n').filter((l) => l.startsWith(`${f}: #`)).map((l) => l.slice(f.length + 2));
    expect(lines).toEqual([
      '#0 pid=1 spawn(as="a" uid=1000 gid=100) -> ok {"pid":2}',
      '#1 pid=2 open(path="/proc/2/status" as="s") -> ok {"fd":0} loaded=[/proc /proc/2 /proc/2/status]',
      '#2 pid=2 read(fd=0 size=4) -> ok {"data":"sh 2"}',
      '#3 pid=2 dup2(fd=0 to=7) -> ok {"fd":7}',
      '#4 pid=2 exit() -> ok {} evicted=[/proc/2/status /proc/2]',
      '#5 pid=- lstat(path="/proc") -> not run: actor a (pid 2) has exited',
    ]);
    // replay prints the same lines, with the failing step marked.
    const rp = emu('replay', f, '--trace');
    expect(rp.out).toContain(`${f}: #2 pid=2 read(fd=0 size=4) -> ok {"data":"sh 2"}\n`);
    expect(rp.out).toContain(`${f}: #5 pid=- lstat(path="/proc") -> not run: actor a (pid 2) has exited\n`);
  });
});

describe('the replay command printed after a failure', () => {
  const shrinkArgs = (out: string) => ['shrink', join(ROOT, 'scenarios/corpus/evict/setuid-exec-revokes-mem-handle.yaml'),
    '--bugs', 'hook-revokes-unused-only', '--out', out, '--json'];

  it('is `npx procfs-emu replay` outside this repository', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'procfs-emu-outside-'));
    const r = emuIn(cwd, shrinkArgs('ff'));
    expect(r.code).toBe(1);
    const repro = JSON.parse(r.out).scenarios[0].repro.file;
    expect(repro).toMatch(/^ff\//);
    expect(r.err.trim().split('\n').pop()).toBe(`npx procfs-emu replay ${repro}`);
    expect(emuIn(cwd, ['replay', repro]).code).toBe(1);
  });

  it('is `npm run -s emu -- replay` inside it, with the path from the package root', () => {
    const sub = join(ROOT, 'scenarios');
    const out = join('fuzz-failures', `cli-test-${process.pid}`); // fuzz-failures/ is git-ignored
    try {
      const r = emuIn(sub, shrinkArgs(out));
      expect(r.code).toBe(1);
      const repro: string = JSON.parse(r.out).scenarios[0].repro.file;
      expect(repro.startsWith(`${out}/`)).toBe(true);
      expect(r.err.trim().split('\n').pop()).toBe(`npm run -s emu -- replay scenarios/${repro}`);
    } finally {
      rmSync(join(sub, 'fuzz-failures'), { recursive: true, force: true });
    }
  });

  it('decides by the nearest package.json', () => {
    expect(replayCommandLine('x.yaml', ROOT)).toBe('npm run -s emu -- replay x.yaml');
    expect(replayCommandLine('x.yaml', join(ROOT, 'scenarios', 'corpus'))).toBe('npm run -s emu -- replay scenarios/corpus/x.yaml');
    expect(replayCommandLine('/tmp/x y.yaml', ROOT)).toBe(`npm run -s emu -- replay '/tmp/x y.yaml'`);
    const other = mkdtempSync(join(tmpdir(), 'procfs-emu-other-'));
    writeFileSync(join(other, 'package.json'), '{"name":"procfs-emu"}'); // named so, but not this checkout
    mkdirSync(join(other, 'sub'));
    expect(replayCommandLine('x.yaml', join(other, 'sub'))).toBe('npx procfs-emu replay x.yaml');
    expect(replayCommandLine('x.yaml', tmpdir())).toBe('npx procfs-emu replay x.yaml');
  });
});
