/**
 * `merge`: the reports of the shards of one campaign give, byte for byte,
 * the report of the unsharded campaign (JSON and text, 1, 3 and 4 shards,
 * with --max-failures 0, with a cut at N failures, with --keep-all);
 * reports of different campaigns or an incomplete split are refused with
 * exit 2; the JUnit report has one testcase per failure class.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { inproc, tmp } from './emu.ts';

const CAMPAIGN = ['--seed', '11', '--runs', '90', '--steps', '30', '--bugs', 'hook-matches-bucket,inactive-never-recycles'];

/** Run the campaign (or one shard) in this process: its --json report and its text report. */
async function campaign(out: string, extra: string[], dir: string, name: string): Promise<{ file: string; json: string; text: string }> {
  const json = await inproc(['fuzz', ...CAMPAIGN, '--out', out, '--json', ...extra]);
  expect(json.code, json.err).toBeLessThan(2);
  const text = await inproc(['fuzz', ...CAMPAIGN, '--out', out, ...extra]);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, json.out);
  return { file, json: json.out, text: text.out };
}

describe('emu merge', () => {
  it('merges 1, 3 and 4 shards (--max-failures 0) into the unsharded report, byte for byte', async () => {
    const dir = tmp();
    const out = join(dir, 'ff');
    const whole = await campaign(out, ['--max-failures', '0'], dir, 'whole');
    const doc = JSON.parse(whole.json) as { scenarios: unknown[]; failingRuns: number };
    expect(doc.scenarios.length).toBeGreaterThan(1);
    for (const n of [1, 3, 4]) {
      const shards = [];
      for (let i = 1; i <= n; i++) shards.push(await campaign(out, ['--max-failures', '0', '--shard', `${i}/${n}`], dir, `s${i}of${n}`));
      // Any order of the files.
      const files = shards.map((s) => s.file).reverse();
      const json = await inproc(['merge', ...files, '--json']);
      expect(json.code).toBe(1);
      expect(json.out, `${n} shards`).toBe(whole.json);
      const text = await inproc(['merge', ...files]);
      expect(text.out, `${n} shards, text`).toBe(whole.text);
    }
  }, 180_000);

  it('with --max-failures N the merge cuts at the N-th failing run of the whole; --keep-all merges every repro', async () => {
    const dir = tmp();
    const out = join(dir, 'ff');
    for (const extra of [['--max-failures', '3'], ['--max-failures', '0', '--keep-all']]) {
      const whole = await campaign(out, extra, dir, 'whole');
      const shards = [];
      for (let i = 1; i <= 3; i++) shards.push(await campaign(out, [...extra, '--shard', `${i}/3`], dir, `s${i}`));
      const merged = await inproc(['merge', ...shards.map((s) => s.file), '--json']);
      expect(merged.out, extra.join(' ')).toBe(whole.json);
    }
    const cut = JSON.parse((await campaign(out, ['--max-failures', '3'], dir, 'w')).json) as { stopped: string; failingRuns: number };
    expect([cut.stopped, cut.failingRuns]).toEqual(['failures', 3]);
  }, 180_000);

  it('refuses reports of different campaigns, an incomplete split and files that are not reports: one line, exit 2', async () => {
    const dir = tmp();
    const out = join(dir, 'ff');
    const a = await campaign(out, ['--max-failures', '0', '--shard', '1/2', '--runs', '20'], dir, 'a');
    const b = await campaign(out, ['--max-failures', '0', '--shard', '2/2', '--runs', '20'], dir, 'b');
    expect((await inproc(['merge', a.file, b.file])).code).toBeLessThan(2);
    const variant = (name: string, edit: (doc: Record<string, any>) => void) => {
      const doc = JSON.parse(b.json) as Record<string, any>;
      edit(doc);
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(doc));
      return file;
    };
    const cases: [string[], RegExp][] = [
      [[a.file, variant('seed', (d) => (d.campaign.seed = 12))], /different campaigns \(seed: 11 and 12\)/],
      [[a.file, variant('steps', (d) => (d.campaign.steps = 31))], /different campaigns \(steps: 30 and 31\)/],
      [[a.file, variant('runs', (d) => (d.campaign.runs = 21))], /different campaigns \(runs: 20 and 21\)/],
      [[a.file, variant('bugs', (d) => (d.campaign.bugs = ['no-exithook']))], /different campaigns \(bugs: /],
      [[a.file, variant('engine', (d) => (d.campaign.engine = 'procfs-emu 9.9.9'))], /different campaigns \(engine: "procfs-emu 0\.1\.0" and "procfs-emu 9\.9\.9"\)/],
      [[a.file], /shard 2\/2 is missing/],
      [[a.file, a.file], /both shard 1\/2/],
      [[a.file, variant('split', (d) => (d.shard = '2/3'))], /not one split/],
      [[a.file, variant('shape', (d) => delete d.scenarios)], /not a fuzz report: scenarios/],
      [[a.file, variant('strict', (d) => (d.durationMs = 5))], /not a fuzz report: .*durationMs/],
      [[a.file, variant('format', (d) => (d.reportFormat = 1))], /format\.json: a report of format 1; this procfs-emu reads format 2/],
      [[a.file, join(dir, 'nothing.json')], /no such file/],
    ];
    writeFileSync(join(dir, 'garbage.json'), '{ nope');
    cases.push([[a.file, join(dir, 'garbage.json')], /garbage\.json: not JSON/]);
    for (const [files, message] of cases) {
      const r = await inproc(['merge', ...files, '--json']);
      expect(r.code, message.source).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(message);
    }
  }, 120_000);

  it('writes JUnit XML: one testcase per failure class with its failure, one passing testcase for a clean campaign', async () => {
    const dir = tmp();
    const out = join(dir, 'ff');
    const whole = await campaign(out, ['--max-failures', '0', '--runs', '40'], dir, 'whole');
    const junit = join(dir, 'junit.xml');
    expect((await inproc(['merge', whole.file, '--junit', junit])).code).toBe(1);
    const doc = JSON.parse(whole.json) as { scenarios: { name: string; file: string; failures: [{ step: number; message: string }] }[] };
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(junit, 'utf8'));
    const suite = xml.testsuites.testsuite;
    const cases = [suite.testcase].flat() as { name: string; failure: { type: string; message: string; '#text': string } }[];
    expect(cases.map((c) => c.name)).toEqual(doc.scenarios.map((c) => c.name));
    expect(Number(suite.failures)).toBe(doc.scenarios.length);
    for (const [i, c] of cases.entries()) {
      const [f] = doc.scenarios[i]!.failures;
      expect(c.failure.message).toBe(`steps[${f.step}]: ${f.message}`);
      expect(c.failure['#text']).toContain(`repro: ${doc.scenarios[i]!.file}`);
    }

    const clean = await inproc(['fuzz', '--runs', '5', '--out', out, '--json', '--junit', join(dir, 'clean.xml')]);
    expect(clean.code).toBe(0);
    const x = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(join(dir, 'clean.xml'), 'utf8'));
    expect(x.testsuites.testsuite.testcase.name).toBe('5 runs, no failure class');
    expect(x.testsuites.testsuite.failures).toBe('0');
  }, 120_000);
});
