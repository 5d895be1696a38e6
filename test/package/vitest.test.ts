/**
 * procfs-emu/vitest from the sources: in this file, scenario files and a
 * clean campaign as passing tests; in a vitest run of fixtures/helper.fixture.ts,
 * the names and failure messages of failing ones (file:line and the step;
 * the seed, the repro file and the replay command).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzzTest, scenarioTests } from '../../scenarios/vitest.ts';
import { SETUID_MEM } from '../helpers/examples.ts';

describe('scenarioTests on the deadfs corpus (each a passing test here)', () => {
  scenarioTests('scenarios/corpus/deadfs');
});

describe('fuzzTest without bugs', () => {
  fuzzTest({ seed: 3, runs: 12, steps: 20, out: mkdtempSync(join(tmpdir(), 'procfs-emu-fuzztest-')) });
});

const PASSING = SETUID_MEM;

interface JsonReport {
  testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

describe('failing tests made by procfs-emu/vitest', () => {
  it('are named after the scenario and fail with file:line and the step, or with the seed, repro file and replay command', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procfs-emu-vitest-'));
    mkdirSync(join(dir, 'scenarios'));
    writeFileSync(join(dir, 'scenarios', 'pass.yaml'), PASSING);
    writeFileSync(join(dir, 'scenarios', 'fail.yaml'), PASSING.replace('name: a set-uid', 'name: a wrong errno after a set-uid').replace('errno: EIO', 'errno: EPERM'));
    writeFileSync(join(dir, 'scenarios', 'invalid.yaml'), 'name: bad\nsteps:\n  - open: { path: /proc, flags: x }\n');
    const out = join(dir, 'report.json');
    const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
    const r = spawnSync(process.execPath, [vitest, 'run', '--config', 'test/package/fixtures/vitest.config.ts', '--reporter=json', `--outputFile=${out}`], {
      encoding: 'utf8', env: { ...process.env, PROCFS_EMU_FIXTURE_DIR: dir, NO_COLOR: '1' },
    });
    expect(r.status, r.stderr).toBe(1);
    const results = (JSON.parse(readFileSync(out, 'utf8')) as JsonReport).testResults[0]!.assertionResults;
    const by = new Map(results.map((t) => [t.title, t]));
    expect(results.map((t) => `${t.status} ${t.title}`)).toEqual([
      'failed a wrong errno after a set-uid exec revokes a mem handle opened before it',
      `failed ${join(dir, 'scenarios', 'invalid.yaml')}`,
      'passed a set-uid exec revokes a mem handle opened before it',
      `failed scenarioTests(${join(dir, 'missing.yaml')})`,
      'failed a campaign with an injected bug',
    ]);

    const failed = by.get('a wrong errno after a set-uid exec revokes a mem handle opened before it')!.failureMessages[0]!;
    expect(failed.split('\n').slice(0, 2)).toEqual([
      `Error: ${join(dir, 'scenarios', 'fail.yaml')}:9:5: steps[3]: expected EPERM, got EIO`,
      '  expect: {"errno":"EPERM"}',
    ]);
    expect(failed).toContain('| #3 pid=2 write(fd=0 data="x") -> EIO');
    expect(by.get(join(dir, 'scenarios', 'invalid.yaml'))!.failureMessages[0]!.split('\n')[0])
      .toBe(`Error: ${join(dir, 'scenarios', 'invalid.yaml')}:3:33: steps[0].open.flags: expected one of r, w, rw, found string "x"`);
    expect(by.get(`scenarioTests(${join(dir, 'missing.yaml')})`)!.failureMessages[0]!.split('\n')[0])
      .toBe(`Error: ${join(dir, 'missing.yaml')}: no such file or directory`);

    const fuzz = by.get('a campaign with an injected bug')!.failureMessages[0]!.split('\n');
    const m = /^Error: fuzz campaign failed after ([0-9]+) runs: \{ seed: 9, run: ([0-9]+), steps: 30, bugs: inactive-never-recycles \}$/.exec(fuzz[0]!);
    expect(m, fuzz[0]).not.toBeNull();
    expect(Number(m![1])).toBe(Number(m![2]) + 1);
    expect(fuzz[1]).toMatch(/^oracle \[procfs_inactive\] on exit: steps\[[0-9]+\]: oracle: /);
    const repro = join(dir, 'failures', `seed-9-run-${m![2]}-oracle-procfs_inactive.yaml`);
    expect(fuzz[2]).toMatch(new RegExp(`^shrunk from [0-9]+ to [0-9]+ steps: ${repro.replace(/[.]/g, '\\.')}$`));
    expect(fuzz[3]).toBe(`replay: npx procfs-emu replay ${repro}`);
    expect(existsSync(repro)).toBe(true);
  });
});
