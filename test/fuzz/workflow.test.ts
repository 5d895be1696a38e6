/**
 * The CI workflows: ci.yml runs the README's install and test commands on
 * Node 20; fuzz.yml shards one campaign seeded by the commit over a matrix
 * and merges the shards. The fuzz workflow's own shard and merge commands
 * run here as the runner would run them (each shard in a directory of its
 * own, the artifacts then downloaded into one, `npm run -s emu --` played
 * by a stand-in for npm), and the merged report must be byte for byte the
 * report of the unsharded campaign.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLI, ROOT, TSX, tmp } from './emu.ts';

interface WfStep {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface WfJob {
  needs?: string | string[];
  if?: string;
  strategy?: { matrix: { shard: number[] } };
  steps: WfStep[];
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string | number>;
  jobs: Record<string, WfJob>;
}

const load = (name: string) => parse(readFileSync(join(ROOT, '.github', 'workflows', name), 'utf8')) as Workflow;
const SHA = '0123456789abcdef0123456789abcdef01234567';

/** A stand-in for npm that plays `npm run -s emu -- ARGS` as package.json's emu script does. */
function npmShim(): string {
  const bin = join(tmp(), 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'npm'), [
    '#!/bin/sh',
    'if [ "$1 $2 $3 $4" != "run -s emu --" ]; then echo "npm stand-in: unexpected: npm $*" >&2; exit 99; fi',
    'shift 4',
    `exec "${process.execPath}" --import "${TSX}" "${CLI}" "$@"`,
    '',
  ].join('\n'));
  chmodSync(join(bin, 'npm'), 0o755);
  return bin;
}

/** `${{ github.sha }}` and `${{ matrix.shard }}` as the runner substitutes them; any other expression is an error here. */
function substitute(text: string, shard: number): string {
  const out = text.replace(/\$\{\{\s*github\.sha\s*\}\}/g, SHA).replace(/\$\{\{\s*matrix\.shard\s*\}\}/g, String(shard));
  if (out.includes('${{')) throw new Error(`unexpected expression in ${JSON.stringify(text)}`);
  return out;
}

/** Run a step's script as the runner does (bash -e, with pipefail), in `cwd`. */
function runStep(step: WfStep, env: Record<string, string>, shard: number, cwd: string) {
  const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(String(v), shard)]));
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', substitute(step.run!, shard)], {
    cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env, ...stepEnv },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('.github/workflows', () => {
  it('ci.yml: npm ci, then npm test, on Node 20, on pushes and pull requests', () => {
    const wf = load('ci.yml');
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push']);
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
    const node = steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(node?.with?.['node-version']).toBe(20);
    expect(steps.filter((s) => s.run !== undefined).map((s) => s.run!.trim())).toEqual(['npm ci', 'npm test']);
  });

  it('fuzz.yml: its shard and merge commands, run here, give the unsharded campaign\'s report; the workflow fails on a class', () => {
    const wf = load('fuzz.yml');
    const shardJob = wf.jobs.shard!;
    const mergeJob = wf.jobs.merge!;
    const shards = Number(wf.env!.FUZZ_SHARDS);
    expect(shardJob.strategy!.matrix.shard).toEqual(Array.from({ length: shards }, (_, i) => i + 1));
    expect(mergeJob.needs).toBe('shard');
    const fuzzStep = shardJob.steps.find((s) => s.run?.includes(' fuzz '))!;
    expect(fuzzStep.env!.FUZZ_SEED).toMatch(/github\.sha/);
    // The reporters write the report files themselves (whole or not at all), not a shell redirection.
    expect(fuzzStep.run).toContain('--reporter "text,json:fuzz-report-$FUZZ_SHARD.json"');
    const upload = shardJob.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.if).toBe('always()');
    const download = mergeJob.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    expect(download.with).toMatchObject({ 'merge-multiple': true });
    const mergeStep = mergeJob.steps.find((s) => s.run?.includes(' merge '))!;
    const failStep = mergeJob.steps.at(-1)!;
    expect(failStep.if).toBe(`steps.${mergeStep.id}.outputs.status != '0'`);
    for (const s of [...shardJob.steps, ...mergeJob.steps]) for (const v of Object.values(s.with ?? {})) expect(String(v)).not.toContain('${{ env.');
    expect(mergeJob.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@')).map((s) => s.with!.path)).toEqual([
      'fuzz-report.json\nfuzz-junit.xml\nfuzz-failures/\n',
    ]);

    // The workflow's env, made small enough for a test, with a bug to find.
    const env = {
      ...Object.fromEntries(Object.entries(wf.env!).map(([k, v]) => [k, String(v)])),
      FUZZ_RUNS: '120', FUZZ_STEPS: '30', FUZZ_BUGS: 'hook-matches-bucket', PATH: `${npmShim()}:${process.env.PATH}`,
    };
    const mergeDir = tmp();
    for (const shard of shardJob.strategy!.matrix.shard) {
      const dir = tmp();
      const r = runStep(fuzzStep, env, shard, dir);
      expect(r.code, r.err).toBe(0);
      // upload-artifact, then download-artifact with merge-multiple: every shard's files in one directory.
      for (const p of String(upload.with!.path).split('\n').map((l) => substitute(l.trim(), shard)).filter((l) => l !== '')) {
        if (existsSync(join(dir, p))) cpSync(join(dir, p), join(mergeDir, p), { recursive: true });
      }
    }
    const outputs = join(tmp(), 'github-output');
    writeFileSync(outputs, '');
    const m = runStep(mergeStep, { ...env, GITHUB_OUTPUT: outputs }, 0, mergeDir);
    expect(m.code, m.err).toBe(0);
    expect(readFileSync(outputs, 'utf8')).toBe('status=1\n'); // a class found: the last step fails the workflow
    const annotations = m.out.split('\n').filter((l) => l.startsWith('::error file=fuzz-failures/'));

    // The unsharded campaign: the same command as one shard of one.
    const wholeDir = tmp();
    const w = runStep(fuzzStep, { ...env, FUZZ_SHARDS: '1' }, 1, wholeDir);
    expect(w.code, w.err).toBe(0);
    const whole = readFileSync(join(wholeDir, 'fuzz-report-1.json'), 'utf8');
    expect(readFileSync(join(mergeDir, 'fuzz-report.json'), 'utf8')).toBe(whole);
    const doc = JSON.parse(whole) as { campaign: { seed: string }; runsDone: number; scenarios: { name: string; file: string }[] };
    expect(doc.campaign.seed).toBe(SHA);
    expect(doc.runsDone).toBe(120);
    expect(doc.scenarios.length).toBeGreaterThan(0);
    for (const c of doc.scenarios) expect(readFileSync(join(mergeDir, c.file), 'utf8')).toBe(readFileSync(join(wholeDir, c.file), 'utf8'));
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(join(mergeDir, 'fuzz-junit.xml'), 'utf8'));
    expect([junit.testsuites.testsuite.testcase].flat().map((t: { name: string }) => t.name)).toEqual(doc.scenarios.map((c) => c.name));
    // The merge's log: the class listing, and one annotation per class at its repro's failing step.
    expect(m.out).toMatch(new RegExp(`^fuzz: seed ${SHA}: 120 runs, [0-9]+ failing runs? in ${doc.scenarios.length} class`));
    expect(annotations.map((l) => l.slice('::error file='.length).split(',')[0])).toEqual(doc.scenarios.map((c) => c.file));
  }, 300_000);
});
