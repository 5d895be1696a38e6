/**
 * The fuzzing commands as a user runs them: `fuzz`, `shrink`, `replay`,
 * `bugs`; exit statuses, the --json document, repro files, usage errors.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUGS } from '../../emulator/bugs.ts';
import { runFile } from '../../scenarios/report.ts';
import { CLI, emu, inproc, tmp } from './emu.ts';

describe('emu bugs', () => {
  it('--json prints every injected bug with its description', async () => {
    const r = await inproc(['bugs', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(BUGS.map((b) => ({ name: b.name, description: b.description })));
  });
});

type Report = {
  reportFormat: number; passed: number; failed: number; invalid: number;
  campaign: Record<string, unknown>; shard: string; runsDone: number; stopped: string; interrupted: boolean; failingRuns: number;
  scenarios: {
    file: string; name: string; status: string; failures: { step: number; message: string; line?: number; column?: number }[];
    repro: { file: string; steps: number }; signature: { rule: string; kind: string; node: string }; count: number; runs: number[];
  }[];
};

describe('emu fuzz', () => {
  it('gives byte-identical --json and repro files with 1 and 2 workers: one repro per class; exit 1 when it finds something', () => {
    const args = ['fuzz', '--seed', '3', '--runs', '40', '--steps', '30', '--bugs', 'inactive-never-recycles', '--max-failures', '0', '--json', '--out', 'ff'];
    const [a, b] = [tmp(), tmp()];
    const one = emu([...args, '--workers', '1'], a);
    const two = emu([...args, '--workers', '2'], b);
    expect(one.code).toBe(1);
    expect(two.code).toBe(1);
    expect(two.out).toBe(one.out);
    const doc = JSON.parse(one.out) as Report;
    expect(Object.keys(doc)).toEqual([
      'reportFormat', 'scenarios', 'passed', 'failed', 'invalid', 'campaign', 'shard', 'runsDone', 'stopped', 'interrupted', 'failingRuns',
    ]);
    expect([doc.reportFormat, doc.passed, doc.failed, doc.invalid]).toEqual([2, 0, doc.scenarios.length, 0]);
    expect(doc.campaign).toEqual({
      seed: 3, runs: 40, steps: 30, bugs: ['inactive-never-recycles'], checkDeterminism: false, maxFailures: 0, keepAll: false,
      engine: 'procfs-emu 0.1.0',
    });
    expect([doc.shard, doc.runsDone, doc.stopped, doc.interrupted]).toEqual(['1/1', 40, 'done', false]);
    expect(doc.scenarios.length).toBeGreaterThan(0);
    expect(doc.failingRuns).toBe(doc.scenarios.reduce((n, c) => n + c.count, 0));
    expect(doc.failingRuns).toBeGreaterThan(doc.scenarios.length);
    for (const c of doc.scenarios) {
      expect(Object.keys(c)).toEqual(['file', 'name', 'status', 'failures', 'repro', 'signature', 'count', 'runs']);
      const s = c.signature;
      expect(c.name).toBe(`${s.rule} on ${s.kind}${s.node === '-' ? '' : ` ${s.node}`}`);
      expect(c.status).toBe('fail');
      expect(c.runs).toHaveLength(c.count);
      expect(c.repro.file).toBe(c.file);
      expect(c.file).toMatch(new RegExp(`^ff/seed-3-run-${c.runs[0]}-oracle-procfs_inactive\\.yaml$`));
      const text = readFileSync(join(a, c.repro.file), 'utf8');
      // The failing step, located in the repro file: its line starts the step (`  - kind: ...`).
      const [f] = c.failures;
      expect(text).toContain(`failure: steps[${f!.step}]: ${f!.message}`);
      expect(text.split('\n')[f!.line! - 1]!.slice(f!.column! - 3)).toMatch(/^- [a-z]+: /);
      expect(text.split('\n').filter((l) => l.startsWith('  - ')).indexOf(text.split('\n')[f!.line! - 1]!)).toBe(f!.step);
      expect(readFileSync(join(b, c.repro.file), 'utf8')).toBe(text);
      expect(text).toContain(`replay: npx procfs-emu replay ${c.repro.file} (in the procfs-emu repository: npm run -s emu -- replay ${c.repro.file})`);
      expect(text).toContain(`failure class: ${c.name}`);
      expect(text.match(/^ {2}- /gm)?.length).toBe(c.repro.steps);
      expect(one.err).toContain(`npx procfs-emu replay ${c.repro.file}`); // run outside the checkout
    }
    // One file per class, nothing else (no temp files).
    expect(readdirSync(join(a, 'ff')).sort()).toEqual(doc.scenarios.map((c) => c.repro.file.slice(3)).sort());
    expect(one.err).not.toMatch(/\r|fuzz \[/); // no progress bar without a TTY
  });

  it('stops at the time limit on a run boundary and exits 0 when nothing was found', () => {
    const r = emu(['fuzz', '--seed', '5', '--runs', '100000000', '--time-limit', '0.5', '--json', '--out', join(tmp(), 'ff')]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as Report;
    expect(doc.scenarios).toEqual([]);
    expect([doc.passed, doc.failed, doc.invalid]).toEqual([0, 0, 0]);
    expect(doc.stopped).toBe('time');
    expect(doc.interrupted).toBe(false);
    expect(doc.runsDone).toBeGreaterThan(0);
    expect(doc.runsDone).toBeLessThan(100000000);
  });

  it('hook-matches-bucket over 2000 runs: the few classes the bug causes, counted; each repro fails with the bug, passes without', async () => {
    const dir = tmp();
    const out = join(dir, 'ff');
    const r = await inproc(['fuzz', '--bugs', 'hook-matches-bucket', '--max-failures', '0', '--runs', '2000', '--json', '--out', out]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as Report;
    expect(doc.runsDone).toBe(2000);
    // The bucket neighbour's vnodes go when a process exits or makes a set-id exec: two classes, not one per run.
    expect(doc.scenarios.map((c) => c.name)).toEqual([
      'oracle [procfs_exechook_cb] on exit',
      'oracle [procfs_exechook_cb] on exec',
    ]);
    expect(doc.failingRuns).toBeGreaterThan(100);
    expect(readdirSync(out)).toHaveLength(2);
    for (const c of doc.scenarios) {
      expect(c.count).toBeGreaterThan(10);
      expect((await inproc(['replay', c.repro.file])).code).toBe(1);
      expect((await inproc(['replay', c.repro.file, '--without-bugs'])).code).toBe(0);
      expect(runFile(c.repro.file).status, '`run` (expectations and oracle) fails with the bug').toBe('fail');
      const clean = join(dir, 'clean.yaml');
      writeFileSync(clean, readFileSync(c.repro.file, 'utf8').replace(/^bugs: .*\n/m, ''));
      expect(runFile(clean).status).toBe('pass');
      expect((await inproc(['replay', clean])).code).toBe(0);
    }
    expect(r.err.match(/^fuzz: run [0-9]+ failed/gm)).toHaveLength(doc.failingRuns);
  }, 120_000);

  it('--seed S --run N plays run N alone with the lines the campaign printed for it', async () => {
    const args = ['fuzz', '--seed', '3', '--steps', '30', '--bugs', 'inactive-never-recycles', '--out', join(tmp(), 'ff')];
    const whole = await inproc([...args, '--runs', '40', '--max-failures', '0', '--json']);
    const doc = JSON.parse(whole.out) as Report;
    const run = doc.scenarios[0]!.runs[0]!;
    const alone = await inproc([...args, '--run', String(run), '--json']);
    expect(alone.code).toBe(1);
    const one = JSON.parse(alone.out) as Report;
    expect(one.campaign.run).toBe(run);
    expect(one.runsDone).toBe(1);
    const first = doc.scenarios[0]!;
    expect(one.scenarios.map((c) => [c.name, c.runs, c.repro, c.failures])).toEqual([[first.name, [run], first.repro, first.failures]]);
    const lines = (err: string) => err.split('\n').filter((l) => l.startsWith(`fuzz: run ${run} `) || l.includes(`run-${run}-`) || l.includes(`--run ${run} `));
    expect(lines(alone.err).length).toBeGreaterThanOrEqual(3);
    expect(lines(alone.err)).toEqual(lines(whole.err));
  });

  it('usage errors: one line on stderr, nothing on stdout, exit 2', async () => {
    const r = emu(['fuzz', '--seed', 'abc']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    const cases = [['fuzz', '--shard', '3/2'], ['fuzz', '--bugs', 'no-such-bug'], ['fuzz', '--runs', '-4'], ['fuzz', '--workers', '0'],
      ['fuzz', '--time-limit', 'soon'], ['fuzz', '--frobnicate'], ['fuzz', '--run', 'last'], ['replay'], ['replay', '/no/such/dir'],
      ['shrink', '/no/such/file.yaml'], ['fuzz', '--out', CLI], ['merge'], ['merge', '/no/such/report.json'], ['merge', CLI]];
    for (const args of cases) {
      const x = await inproc(args);
      expect(x.code, args.join(' ')).toBe(2);
      expect(x.out, args.join(' ')).toBe('');
      expect(x.err.trim().split('\n').filter((l) => !l.startsWith('(Did you mean')), args.join(' ')).toHaveLength(1);
      expect(x.err).not.toMatch(/\n\s+at /);
    }
  });
});

describe('emu shrink and replay', () => {
  it('shrink writes a repro that replay fails with the bug and passes without it', async () => {
    const dir = tmp();
    const file = join(dir, 'sugid.yaml');
    writeFileSync(file, `name: a kept mem handle read after seteuid
steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - spawn: { as: b, uid: 1001, gid: 100 }
  - open: { path: /proc/1/mem, as: m }
  - lstat: { by: b, path: "/proc/{a}/status" }
  - seteuid: { id: 1000 }
  - readdir: { by: a, path: /proc }
  - read: { fd: m }
    expect: { errno: any }
`);
    const s = emu(['shrink', file, '--bugs', 'listener-ignores-sugid', '--out', join(dir, 'out'), '--json']);
    expect(s.code).toBe(1);
    const doc = JSON.parse(s.out).scenarios[0];
    expect(doc.status).toBe('fail');
    expect(doc.repro.steps).toBe(3);
    expect(existsSync(doc.repro.file)).toBe(true);
    const repro = readFileSync(doc.repro.file, 'utf8');
    expect(repro).toContain('bugs: [listener-ignores-sugid]');

    const failing = await inproc(['replay', doc.repro.file, '--json']);
    expect(failing.code).toBe(1);
    expect(JSON.parse(failing.out).scenarios[0].failures[0].message).toMatch(/\[procfs_listener_cb\]$/);
    const clean = join(dir, 'clean.yaml');
    writeFileSync(clean, repro.replace(/^bugs: .*\n/m, ''));
    expect((await inproc(['replay', clean])).code).toBe(0);
    expect((await inproc(['replay', clean, '--bugs', 'listener-ignores-sugid'])).code).toBe(1);
    expect((await inproc(['replay', doc.repro.file, '--without-bugs'])).code).toBe(0);
    // The shrunk steps expect what the engine without the bug does: the read is refused.
    expect(repro).toMatch(/- read: .*\n {4}expect: \{ errno: EPERM, evicts: \[\], revokes: \[\] \}/);
    expect(runFile(doc.repro.file).status).toBe('fail');
    expect(runFile(clean).status).toBe('pass');
  });

  it('replay takes several files and directories: one line each and a count, or one JSON document; the worst status', async () => {
    const dir = tmp();
    const pass = join(dir, 'a', 'pass.yaml');
    const fail = join(dir, 'b', 'fail.yaml');
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    writeFileSync(pass, 'name: passes\nsteps:\n  - check: {}\n');
    writeFileSync(fail, 'name: fails\nsteps:\n  - lstat: { path: /proc/1/nosuch }\n    expect: { errno: EPERM }\n');
    const text = await inproc(['replay', join(dir, 'a'), fail]);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(new RegExp(`^PASS ${pass}: passes\nFAIL ${fail}: fails\n1 passed, 1 failed, 0 invalid in [0-9]+ ms\n$`));
    const json = await inproc(['replay', dir, '--json']);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.out) as { scenarios: { file: string; status: string }[]; passed: number; failed: number };
    expect(doc.scenarios.map((x) => [x.file, x.status])).toEqual([[pass, 'pass'], [fail, 'fail']]);
    expect([doc.passed, doc.failed]).toEqual([1, 1]);
    expect((await inproc(['replay', join(dir, 'a')])).code).toBe(0);
  });
});
