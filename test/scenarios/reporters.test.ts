/**
 * The reporters for CI: JUnit XML (the whole corpus parses, one testcase per
 * file), GitHub workflow commands and TAP 14 line by line on a small set with
 * one pass, one failure and one invalid file, the --reporter / --output
 * syntax and its usage errors, and atomic writes of report files.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { runDocument, runFile } from '../../scenarios/report.ts';
import { escapeData, escapeProperty, renderGithub } from '../../scenarios/reporters/github.ts';
import { REPORTERS, type ReporterFlags, ReporterUsageError, reporterSpecs, writeFileAtomic } from '../../scenarios/reporters/index.ts';
import { classnameOf, renderJunit, xmlSafe } from '../../scenarios/reporters/junit.ts';
import { renderTap, tapDescription } from '../../scenarios/reporters/tap.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'scenarios', 'cli.ts');
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

function emu(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', TSX, CLI, ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const d = mkdtempSync(join(tmpdir(), 'procfs-emu-reporters-'));
const PASS = join(d, 'pass.yaml');
const FAIL = join(d, 'fail.yaml');
const INVALID = join(d, 'invalid.yaml');
writeFileSync(PASS, 'name: init is pid 1\nsteps:\n  - lstat: { path: /proc/1 }\n    expect: { vtype: VDIR }\n');
writeFileSync(FAIL, `name: "a wrong errno, 100% sure: fails"
steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: "/proc/{a}/mem", flags: rw }
    expect: { errno: EPERM }
`);
writeFileSync(INVALID, 'name: bad flags, here\nsteps:\n  - open: { path: /proc/1/mem, flags: rwx }\n');
const SMALL = [PASS, FAIL, INVALID];

/** The small set run in this process without a clock: every duration is 0, so the output is exact. */
function smallRun() {
  const files = SMALL.map((f) => runFile(f));
  return { doc: runDocument(files), files };
}

const TRACE0 = '#0 pid=1 spawn(as="a" uid=1000 gid=100) -> ok {"pid":2}';
const TRACE1 = '#1 pid=2 open(path="/proc/2/mem" flags="rw") -> ok {"fd":0} loaded=[/proc /proc/2 /proc/2/mem]';
const FLAGS_MESSAGE = 'expected one of r, w, rw, found string "rwx" (did you mean rw?)';

describe('github', () => {
  it('escapes %, CR and LF in messages, and : and , too in properties', () => {
    expect(escapeData('100% a\r\nb: c, d')).toBe('100%25 a%0D%0Ab: c, d');
    expect(escapeProperty('100% a\r\nb: c, d')).toBe('100%25 a%0D%0Ab%3A c%2C d');
  });

  it('one ::error per failing or invalid file, at its line and column; nothing for a pass', () => {
    expect(renderGithub(smallRun()).split('\n')).toEqual([
      `::error file=${FAIL},line=4,col=5,title=procfs-emu%3A a wrong errno%2C 100%25 sure%3A fails::` +
        `steps[1]: expected EPERM, got success {"fd":0}%0Aexpect: {"errno":"EPERM"}%0A| ${TRACE0}%0A| ${TRACE1}`,
      `::error file=${INVALID},line=3,col=39,title=procfs-emu%3A invalid scenario%3A bad flags%2C here::steps[0].open.flags: ${FLAGS_MESSAGE}`,
      '',
    ]);
  });

  it('is a default reporter beside text under GITHUB_ACTIONS=true, and not otherwise', () => {
    expect(reporterSpecs({}, { GITHUB_ACTIONS: 'true' })).toEqual([{ name: 'text', file: null }, { name: 'github', file: null }]);
    expect(reporterSpecs({}, {})).toEqual([{ name: 'text', file: null }]);
    expect(reporterSpecs({ json: true }, { GITHUB_ACTIONS: 'true' })).toEqual([{ name: 'json', file: null }]);
    const r = emu(['run', PASS, FAIL], { GITHUB_ACTIONS: 'true' });
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe(`PASS ${PASS}: init is pid 1`);
    expect(lines[1]).toBe(`FAIL ${FAIL}: a wrong errno, 100% sure: fails`);
    expect(lines[2]).toMatch(/^1 passed, 1 failed, 0 invalid in \d+ ms$/);
    expect(lines[3]).toMatch(new RegExp(`^::error file=${FAIL},line=4,col=5,title=`));
    expect(lines).toHaveLength(4);
  });
});

describe('tap', () => {
  it('TAP version 14: the plan, ok / not ok, a YAML block for each failure', () => {
    expect(renderTap(smallRun()).split('\n')).toEqual([
      'TAP version 14',
      '1..3',
      `ok 1 - ${PASS}: init is pid 1`,
      `not ok 2 - ${FAIL}: a wrong errno, 100% sure: fails`,
      '  ---',
      '  message: expected EPERM, got success {"fd":0}',
      '  severity: fail',
      '  at:',
      `    file: ${FAIL}`,
      '    line: 4',
      '    column: 5',
      '  step: 1',
      '  expect:',
      '    errno: EPERM',
      '  trace:',
      `    - '${TRACE0}'`,
      `    - '${TRACE1}'`,
      '  duration_ms: 0',
      '  ...',
      `not ok 3 - ${INVALID}: bad flags, here`,
      '  ---',
      `  message: ${FLAGS_MESSAGE}`,
      '  severity: invalid',
      '  at:',
      `    file: ${INVALID}`,
      '    line: 3',
      '    column: 39',
      '  path: steps[0].open.flags',
      '  ...',
      '# passed 1, failed 1, invalid 1',
      '',
    ]);
  });

  it('escapes # and \\ in descriptions', () => {
    expect(tapDescription('a # b \\ c\nd')).toBe('a \\# b \\\\ c d');
  });

  it('the CLI writes the same stream to a file (timings aside)', () => {
    const out = join(d, 'run.tap');
    const r = emu(['run', ...SMALL, '--reporter', `tap:${out}`, '--reporter', 'github']);
    expect(r.code).toBe(2);
    const untimed = (s: string) => s.replace(/duration_ms: [0-9.]+/g, 'duration_ms: 0');
    expect(untimed(readFileSync(out, 'utf8'))).toBe(renderTap(smallRun()));
    expect(r.out).toBe(renderGithub(smallRun()));
  });
});

describe('junit', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' });

  it('the whole corpus: well-formed XML, one testsuite, one testcase per scenario file, named after the scenario', () => {
    const out = join(d, 'junit.xml');
    const r = emu(['run', 'scenarios/corpus', '--reporter', 'json', '--reporter', `junit:${out}`]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { scenarios: { file: string; name: string }[] };
    const xml = readFileSync(out, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const suites = parser.parse(xml).testsuites;
    expect(Array.isArray(suites.testsuite)).toBe(false);
    const cases = suites.testsuite.testcase as { classname: string; name: string; file: string; time: string }[];
    expect(cases.length).toBe(doc.scenarios.length);
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(suites.testsuite.tests).toBe(String(cases.length));
    expect(suites.testsuite.failures).toBe('0');
    cases.forEach((c, i) => {
      const s = doc.scenarios[i]!;
      expect(c.file).toBe(s.file);
      expect(c.name).toBe(s.name);
      expect(c.classname).toBe(dirname(s.file));
      expect(c.time).toMatch(/^\d+\.\d{3}$/);
    });
    expect(new Set(cases.map((c) => c.classname))).toContain('scenarios/corpus/evict');
  });

  it('a failure carries file:line and the message; an invalid file is an error', () => {
    const xml = renderJunit(smallRun());
    expect(XMLValidator.validate(xml)).toBe(true);
    const suite = parser.parse(xml).testsuites.testsuite;
    expect([suite.tests, suite.failures, suite.errors, suite.skipped]).toEqual(['3', '1', '1', '0']);
    const [pass, fail, invalid] = suite.testcase;
    expect(pass).toEqual({ classname: d, name: 'init is pid 1', file: PASS, time: '0.000' });
    expect(fail.name).toBe('a wrong errno, 100% sure: fails');
    expect(fail.failure.type).toBe('fail');
    expect(fail.failure.message).toBe('steps[1]: expected EPERM, got success {"fd":0}');
    expect(fail.failure['#text'].split('\n')[0]).toBe(`${FAIL}:4:5: steps[1]: expected EPERM, got success {"fd":0}`);
    expect(invalid.name).toBe('bad flags, here');
    expect(invalid.error.type).toBe('invalid');
    expect(invalid.error.message).toBe(`steps[0].open.flags: ${FLAGS_MESSAGE}`);
    expect(invalid.error['#text']).toBe(`${INVALID}:3:39: steps[0].open.flags: ${FLAGS_MESSAGE}`);
  });

  it('keeps characters XML cannot hold out of the document', () => {
    expect(xmlSafe('a\u0000b\u001bc\td')).toBe('a\\u0000b\\u001bc\td');
    const files = [{ ...runFile(FAIL), name: 'nul \u0000 and esc \u001b' }];
    const xml = renderJunit({ doc: runDocument(files), files });
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(parser.parse(xml).testsuites.testsuite.testcase[0].name).toBe('nul \\u0000 and esc \\u001b');
  });

  it('classname is the directory of the file', () => {
    expect(classnameOf('scenarios/corpus/evict/x.yaml')).toBe('scenarios/corpus/evict');
    expect(classnameOf('x.yaml')).toBe('.');
  });
});

describe('--reporter and --output', () => {
  it('several reporters at once, each to its file or stdout; --json is --reporter json', () => {
    const junit = join(d, 'several.xml');
    const tap = join(d, 'several.tap');
    const r = emu(['run', PASS, FAIL, '--reporter', `junit:${junit},tap:${tap}`, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).failed).toBe(1);
    expect(XMLValidator.validate(readFileSync(junit, 'utf8'))).toBe(true);
    expect(readFileSync(tap, 'utf8').split('\n').slice(0, 2)).toEqual(['TAP version 14', '1..2']);
    const text = join(d, 'several.txt');
    expect(emu(['run', PASS, '--reporter', 'text', '--output', text]).out).toBe('');
    expect(readFileSync(text, 'utf8')).toMatch(new RegExp(`^PASS ${PASS}: init is pid 1\\n1 passed, 0 failed, 0 invalid in \\d+ ms\\n$`));
  });

  it('usage errors name the problem; on the command line: exit 2, one line on stderr, nothing run, nothing on stdout', () => {
    const cases: [ReporterFlags, RegExp][] = [
      [{ reporter: ['xml'] }, /unknown reporter "xml" \(known: text, json, junit, github, tap\)/],
      [{ reporter: ['json', 'tap'] }, /--reporter json writes one document to standard output and must be alone there/],
      [{ json: true, reporter: ['text'] }, /must be alone there/],
      [{ reporter: ['junit,tap'], output: join(d, 'x') }, /--output FILE goes with exactly one reporter named without a file/],
      [{ output: join(d, 'x') }, /--output FILE goes with exactly one reporter/],
      [{ reporter: [`junit:${join(d, 'same')},tap:${join(d, 'same')}`] }, /two reporters write to/],
      [{ reporter: [`junit:${join(d, 'no-such-dir', 'j.xml')}`] }, /cannot write .*no-such-dir\/j\.xml/],
      [{ reporter: [`junit:${d}`] }, /cannot write/],
      [{ reporter: ['junit:'] }, /an empty file name/],
    ];
    for (const [flags, message] of cases) {
      expect(() => reporterSpecs(flags, {}), JSON.stringify(flags)).toThrow(ReporterUsageError);
      expect(() => reporterSpecs(flags, {}), JSON.stringify(flags)).toThrow(message);
    }
    for (const args of [['--reporter', 'xml'], ['--reporter', 'json', '--reporter', 'tap'], ['--reporter', `tap:${join(d, 'nope', 'x.tap')}`]]) {
      for (const command of ['run', 'replay']) {
        const r = emu([command, PASS, ...args]);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.out, args.join(' ')).toBe('');
        expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      }
    }
  });
});

describe('atomic writes', () => {
  const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.tmp'));

  it('--output replaces a report by renaming a whole new file over it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procfs-emu-atomic-'));
    const out = join(dir, 'junit.xml');
    writeFileSync(out, 'an old report');
    const before = statSync(out).ino;
    const r = emu(['run', PASS, FAIL, '--reporter', 'junit', '--output', out]);
    expect(r.code).toBe(1);
    expect(statSync(out).ino).not.toBe(before); // a new file, not the old one rewritten in place
    const xml = readFileSync(out, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml.trimEnd().endsWith('</testsuites>')).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });

  it('a write that cannot complete leaves the target as it was and no temp file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procfs-emu-atomic-'));
    const target = join(dir, 'busy');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'x'); // rename(2) over a non-empty directory fails
    expect(() => writeFileAtomic(target, 'report')).toThrow();
    expect(readdirSync(target)).toEqual(['inside']);
    expect(leftovers(dir)).toEqual([]);
    const file = join(dir, 'ok.txt');
    writeFileAtomic(file, 'whole');
    expect(readFileSync(file, 'utf8')).toBe('whole');
    expect(leftovers(dir)).toEqual([]);
  });

  it('every reporter renders the run', () => {
    const run = smallRun();
    for (const render of Object.values(REPORTERS)) expect(render(run).length).toBeGreaterThan(0);
  });
});
