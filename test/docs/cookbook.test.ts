/**
 * docs/cookbook.md against the engine: the worked example passes, fails
 * with the injected bug at the step and with the message the page shows,
 * the trace the page prints is the trace the engine gives, and the fuzz
 * report it shows is the one the command beside it prints.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../scenarios/load.ts';
import { ReportSchema } from '../../scenarios/report.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { splitMarkdown } from '../helpers/markdown.ts';

const DOC = 'docs/cookbook.md';
const { blocks } = splitMarkdown(readFileSync(DOC, 'utf8'));
const example = blocks.find((b) => b.mark === 'cookbook: report.yaml');

function load() {
  if (example === undefined) throw new Error(`${DOC} has no <!-- cookbook: report.yaml --> example`);
  const l = loadScenarioText(example.code, 'report.yaml');
  if (!l.ok) throw new Error(l.error.message);
  return l.scenario;
}

describe('docs/cookbook.md', () => {
  it('its worked example passes, and the trace it shows is the engine\'s', () => {
    const r = runScenario(load(), { trace: true });
    expect(r.failure).toBeNull();
    const shown = blocks.find((b) => b.code.startsWith('report.yaml: #0 '));
    expect(shown).toBeDefined();
    const lines = shown!.code.split('\n').filter((l) => l.startsWith('report.yaml: #')).map((l) => l.slice('report.yaml: '.length));
    expect(lines).toEqual(r.trace);
  });

  it('fails with hook-matches-bucket at the exec, with the message the page shows', () => {
    const r = runScenario(load(), { trace: true, bugs: ['hook-matches-bucket'] });
    expect(r.failure?.step).toBe(4);
    const shown = blocks.find((b) => b.code.startsWith('FAIL report.yaml'));
    expect(shown?.code).toContain(`steps[4]: ${r.failure!.message}`);
    expect(shown?.code).toContain(`  | ${r.trace[4]}`);
  });
});

describe('docs/cookbook.md section 2', () => {
  it('shows the report the fuzz command beside it prints (the engine\'s version aside), a document of the report schema', () => {
    const i = blocks.findIndex((b) => b.mark === 'cookbook: fuzz.json');
    expect(i).toBeGreaterThan(0);
    const command = blocks[i - 1]!.code.trim();
    expect(command).toMatch(/^npx procfs-emu fuzz .* --json$/);
    const root = resolve(import.meta.dirname, '../..');
    const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'scenarios', 'cli.ts'), ...command.split(' ').slice(2)], {
      cwd: mkdtempSync(join(tmpdir(), 'procfs-emu-cookbook-')), encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.status, r.stderr).toBe(1);
    const shown = JSON.parse(blocks[i]!.code) as { campaign: { engine: string } };
    const printed = JSON.parse(r.stdout) as { campaign: { engine: string } };
    expect(ReportSchema.safeParse(shown).success).toBe(true);
    expect({ ...printed, campaign: { ...printed.campaign, engine: shown.campaign.engine } }).toEqual(shown);
  });
});

describe('README.md', () => {
  it('its scenario passes with the trace it shows', () => {
    const { blocks: rb } = splitMarkdown(readFileSync('README.md', 'utf8'));
    const yaml = rb.find((b) => b.lang === 'yaml');
    const l = loadScenarioText(yaml!.code, 'mem.yaml');
    if (!l.ok) throw new Error(l.error.message);
    const r = runScenario(l.scenario, { trace: true });
    expect(r.failure).toBeNull();
    const shown = rb.find((b) => b.code.startsWith('$ npx procfs-emu run mem.yaml --trace'));
    const lines = shown!.code.split('\n').filter((x) => x.startsWith('mem.yaml: #')).map((x) => x.slice('mem.yaml: '.length));
    expect(lines).toEqual(r.trace);
  });
});
