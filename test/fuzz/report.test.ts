/**
 * A campaign's report is the run document (report format 2): `fuzz` and
 * `merge` reports validate against the schema `schema --report` prints
 * (whole, sharded and merged, clean, keep-all, one run alone, stopped by a
 * time limit), one entry of scenarios per failure class located at the
 * repro's failing step; and every reporter, on a campaign with two classes
 * and on a clean one, through --reporter, --output, --json and --junit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadScenarioFile } from '../../scenarios/load.ts';
import { CampaignReportSchema, REPORT_FORMAT, ReportSchema } from '../../scenarios/report.ts';
import { inproc, tmp } from './emu.ts';

/** Two classes in 80 runs: `oracle [procfs_inactive] on exit` (first at run 9), `oracle [procfs_exechook_cb] on exit` (run 32). */
const TWO = ['--seed', '11', '--runs', '80', '--steps', '30', '--bugs', 'hook-matches-bucket,inactive-never-recycles', '--max-failures', '0'];

interface Entry {
  file: string; name: string; status: string; count: number; runs: number[];
  failures: [{ step: number; message: string; line?: number; column?: number }];
  repro: { file: string; steps: number }; signature: { rule: string; kind: string; node: string };
}
interface Doc { scenarios: Entry[]; passed: number; failed: number; invalid: number; runsDone: number; failingRuns: number; stopped: string }

function valid(text: string): Doc {
  const doc: unknown = JSON.parse(text);
  expect(ReportSchema.safeParse(doc).error).toBeUndefined();
  expect(CampaignReportSchema.safeParse(doc).error).toBeUndefined();
  return doc as Doc;
}

async function ok(args: string[], code = 1) {
  const r = await inproc(args);
  expect(r.code, r.err).toBe(code);
  return r;
}

describe('the campaign document', () => {
  it('fuzz and merge reports validate against the report schema: whole, shards, merged, clean, keep-all, --run, time limit', async () => {
    const dir = tmp();
    const out = join(dir, 'ff');
    const whole = valid((await ok(['fuzz', ...TWO, '--out', out, '--json'])).out);
    expect([whole.passed, whole.failed, whole.invalid, whole.runsDone, whole.failingRuns]).toEqual([0, 2, 0, 80, 11]);
    const shards: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const s = await inproc(['fuzz', ...TWO, '--out', out, '--shard', `${i}/3`, '--reporter', `json:${join(dir, `s${i}.json`)}`]);
      expect(s.code).toBeLessThan(2);
      expect(s.out).toBe('');
      valid(readFileSync(join(dir, `s${i}.json`), 'utf8'));
      shards.push(join(dir, `s${i}.json`));
    }
    expect(valid((await ok(['merge', ...shards, '--json'])).out)).toEqual(whole);
    const keep = valid((await ok(['fuzz', ...TWO, '--out', out, '--keep-all', '--json'])).out);
    for (const k of keep.scenarios) expect((k as Entry & { repros: unknown[] }).repros).toHaveLength(k.count);
    valid((await ok(['fuzz', ...TWO, '--out', out, '--run', String((whole.scenarios[1] as Entry).runs[0]), '--json'])).out);
    const clean = valid((await ok(['fuzz', '--runs', '4', '--out', out, '--json'], 0)).out);
    expect([clean.scenarios, clean.passed, clean.failed, clean.invalid]).toEqual([[], 0, 0, 0]);
    const timed = valid((await ok(['fuzz', '--runs', '100000000', '--time-limit', '0.3', '--out', out, '--json'], 0)).out);
    expect(timed.stopped).toBe('time');

    // The schema is strict, and a campaign has no durations.
    expect(ReportSchema.safeParse({ ...whole, durationMs: 1 }).success).toBe(false);
    expect(ReportSchema.safeParse({ ...whole, classes: [] }).success).toBe(false);
    expect(ReportSchema.safeParse({ ...whole, reportFormat: 1 }).success).toBe(false);
    expect(REPORT_FORMAT).toBe(2);
  }, 180_000);

  it('one entry per class: the repro file, the signature as name, the failing step located in the repro, count and runs', async () => {
    const out = join(tmp(), 'ff');
    const doc = valid((await ok(['fuzz', ...TWO, '--out', out, '--json'])).out);
    expect(doc.scenarios.map((k) => [k.name, k.status, k.count, k.runs[0]])).toEqual([
      ['oracle [procfs_inactive] on exit', 'fail', 10, 9],
      ['oracle [procfs_exechook_cb] on exit', 'fail', 1, 32],
    ]);
    for (const k of doc.scenarios) {
      expect(k.file).toBe(join(out, `seed-11-run-${k.runs[0]}-${k.signature.rule.replace(/[^A-Za-z0-9_]+/g, '-').replace(/^-|-$/g, '')}.yaml`));
      expect(k.repro).toEqual({ file: k.file, steps: expect.any(Number) });
      expect(k.signature).toMatchObject({ kind: 'exit', node: '-' });
      const l = loadScenarioFile(k.file);
      if (!l.ok) throw new Error(l.error.message);
      const [f] = k.failures;
      expect(l.scenario.steps).toHaveLength(k.repro.steps);
      expect(l.stepPos[f.step]).toEqual({ line: f.line, column: f.column });
      expect(l.scenario.description).toContain(`failure: steps[${f.step}]: ${f.message}\n`);
    }
  }, 60_000);
});

describe('the reporters on a campaign', () => {
  it('text, json, junit, github and tap at once, each to its file; --output; --junit is --reporter junit:FILE', async () => {
    const dir = tmp();
    const out = join(dir, 'ff');
    const f = (name: string) => join(dir, name);
    const r = await ok(['fuzz', ...TWO, '--out', out,
      '--reporter', `text,json:${f('r.json')},junit:${f('r.xml')}`, '--reporter', `github:${f('r.gh')}`, '--reporter', `tap:${f('r.tap')}`]);
    const doc = valid(readFileSync(f('r.json'), 'utf8'));
    const [a, b] = doc.scenarios as [Entry, Entry];

    // text: on stdout, the campaign's line and two lines per class.
    const runs = (k: Entry) => `${k.count} ${k.count === 1 ? 'run' : 'runs'} (${k.runs.slice(0, 8).join(', ')}${k.runs.length > 8 ? `, +${k.runs.length - 8}` : ''})`;
    expect(a.count).toBeGreaterThan(8); // the list is cut after eight runs
    expect(r.out).toBe([
      `fuzz: seed 11: 80 runs, ${doc.failingRuns} failing runs in 2 classes`,
      `  1. ${a.name}: ${runs(a)}`,
      `     repro (run ${a.runs[0]}, ${a.repro.steps} steps): ${a.file}`,
      `  2. ${b.name}: ${runs(b)}`,
      `     repro (run ${b.runs[0]}, ${b.repro.steps} steps): ${b.file}`,
      '',
    ].join('\n'));

    // junit: one testcase per class, a failure each, the campaign as properties.
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(f('r.xml'), 'utf8'));
    const suite = xml.testsuites.testsuite;
    expect([suite.tests, suite.failures, suite.errors]).toEqual(['2', '2', '0']);
    const props = Object.fromEntries((suite.properties.property as { name: string; value: string }[]).map((p) => [p.name, p.value]));
    expect(props).toMatchObject({ seed: '11', runs: '80', runsDone: '80', failingRuns: String(doc.failingRuns), stopped: 'done', shard: '1/1' });
    const cases = suite.testcase as { name: string; file: string; classname: string; failure: { message: string; type: string; '#text': string } }[];
    expect(cases.map((c) => [c.classname, c.name, c.file, c.failure.type])).toEqual([
      ['procfs-emu.fuzz', a.name, a.file, a.signature.rule], ['procfs-emu.fuzz', b.name, b.file, b.signature.rule],
    ]);
    for (const [i, k] of [a, b].entries()) {
      const x = k.failures[0];
      expect(cases[i]!.failure.message).toBe(`steps[${x.step}]: ${x.message}`);
      expect(cases[i]!.failure['#text'].split('\n')[0]).toBe(`${k.file}:${x.line}:${x.column}: steps[${x.step}]: ${x.message}`);
      expect(cases[i]!.failure['#text']).toContain(`\n${k.count} failing ${k.count === 1 ? 'run' : 'runs'}: ${k.runs.join(', ')}\n`);
    }

    // github: one ::error per class at the repro's failing step.
    const gh = readFileSync(f('r.gh'), 'utf8').split('\n');
    expect(gh).toHaveLength(3);
    expect(gh[2]).toBe('');
    for (const [i, k] of [a, b].entries()) {
      const x = k.failures[0];
      const title = `procfs-emu fuzz%3A ${k.name.replace(/,/g, '%2C')}`;
      expect(gh[i]).toMatch(new RegExp(`^::error file=${k.file.replace(/[.]/g, '\\.')},line=${x.line},col=${x.column},title=`));
      expect(gh[i]!.startsWith(`::error file=${k.file},line=${x.line},col=${x.column},title=${title}::steps[${x.step}]: `)).toBe(true);
      expect(gh[i]).toContain(`%0A${k.count} failing ${k.count === 1 ? 'run' : 'runs'} (`);
      expect(gh[i]).toContain(`%0Areplay: npx procfs-emu replay ${k.file} (in the procfs-emu repository: npm run -s emu -- replay ${k.file})`);
    }

    // tap: a test point per class with its diagnostics, then the campaign's line.
    const tap = readFileSync(f('r.tap'), 'utf8');
    const lines = tap.split('\n');
    expect(lines.slice(0, 2)).toEqual(['TAP version 14', '1..2']);
    expect(lines.filter((l) => /^(not )?ok /.test(l))).toEqual([`not ok 1 - ${a.file}: ${a.name}`, `not ok 2 - ${b.file}: ${b.name}`]);
    const blocks = [...tap.matchAll(/\n {2}---\n([\s\S]*?)\n {2}\.\.\.\n/g)].map((m) => parse(m[1]!.replace(/^ {2}/gm, '')));
    expect(blocks).toEqual([a, b].map((k) => ({
      message: k.failures[0].message, severity: 'fail', at: { file: k.file, line: k.failures[0].line, column: k.failures[0].column },
      step: k.failures[0].step, rule: k.signature.rule, count: k.count, runs: k.runs,
    })));
    expect(lines.at(-2)).toBe('# fuzz: seed 11: 80 runs, 11 failing runs in 2 classes');

    // --output gives its file to the one reporter without one; --junit FILE writes the same bytes as --reporter junit:FILE.
    await ok(['fuzz', ...TWO, '--out', out, '--reporter', 'tap', '--output', f('o.tap')]);
    expect(readFileSync(f('o.tap'), 'utf8')).toBe(tap);
    const j = await ok(['merge', f('r.json'), '--junit', f('m.xml')]);
    expect(j.out).toBe('');
    expect(readFileSync(f('m.xml'), 'utf8')).toBe(readFileSync(f('r.xml'), 'utf8'));
    const both = await ok(['fuzz', ...TWO, '--out', out, '--json', '--junit', f('j.xml')]);
    expect(both.out).toBe(readFileSync(f('r.json'), 'utf8'));
    expect(readFileSync(f('j.xml'), 'utf8')).toBe(readFileSync(f('r.xml'), 'utf8'));
  }, 120_000);

  it('a clean campaign: 0 failures in text, one passing testcase and test point, no annotation', async () => {
    const dir = tmp();
    const f = (name: string) => join(dir, name);
    const r = await ok(['fuzz', '--runs', '4', '--out', f('ff'), '--reporter', `text,junit:${f('c.xml')},github:${f('c.gh')},tap:${f('c.tap')}`], 0);
    expect(r.out).toBe('fuzz: seed 0: 4 runs, 0 failures\n');
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(f('c.xml'), 'utf8'));
    expect(xml.testsuites.testsuite.testcase.name).toBe('4 runs, no failure class');
    expect([xml.testsuites.testsuite.tests, xml.testsuites.testsuite.failures]).toEqual(['1', '0']);
    expect(readFileSync(f('c.gh'), 'utf8')).toBe('');
    expect(readFileSync(f('c.tap'), 'utf8')).toBe('TAP version 14\n1..1\nok 1 - 4 runs, no failure class\n# fuzz: seed 0: 4 runs, 0 failures\n');
  }, 60_000);

  it('under GITHUB_ACTIONS=true merge prints the text and an annotation per class; reporter usage errors exit 2 before any run', async () => {
    const dir = tmp();
    const out = join(dir, 'ff');
    await ok(['fuzz', ...TWO, '--out', out, '--reporter', `json:${join(dir, 'w.json')}`]);
    const saved = process.env.GITHUB_ACTIONS;
    process.env.GITHUB_ACTIONS = 'true';
    let m;
    try {
      m = await ok(['merge', join(dir, 'w.json')]);
    } finally {
      if (saved === undefined) delete process.env.GITHUB_ACTIONS;
      else process.env.GITHUB_ACTIONS = saved;
    }
    expect(m.out.split('\n').filter((l) => l.startsWith('::error file='))).toHaveLength(2);
    expect(m.out).toMatch(/^fuzz: seed 11: 80 runs, 11 failing runs in 2 classes\n/);

    const usage = [
      ['fuzz', '--runs', '4', '--out', out, '--reporter', 'nope'],
      ['fuzz', '--runs', '4', '--out', out, '--json', '--reporter', 'tap'],
      ['fuzz', '--runs', '4', '--out', out, '--junit', join(dir, 'no', 'such', 'x.xml')],
      ['fuzz', '--runs', '4', '--out', out, '--output', join(dir, 'o.txt')],
      ['merge', join(dir, 'w.json'), '--reporter', 'junit:'],
    ];
    for (const args of usage) {
      const r = await inproc(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).not.toContain('fuzz: seed'); // refused before the campaign started
    }
    expect(existsSync(join(dir, 'o.txt'))).toBe(false);
  }, 60_000);
});
