/**
 * The public API from the sources: the typed builder (same checks and
 * defaults as a file), runLoaded giving exactly runFile's reports, runFiles,
 * fuzz / shrinkScenario / replayScenario, and the fuzz pool's choice of
 * worker module.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildScenario, fuzz, loadScenarioFile, loadScenarioText, replayScenario, runFile, runFiles, runLoaded,
  shrinkScenario, type ScenarioInput,
} from '../../index.ts';
import { workerEntry } from '../../scenarios/fuzz/pool.ts';
import { SETUID_MEM } from '../helpers/examples.ts';

const dir = mkdtempSync(join(tmpdir(), 'procfs-emu-api-'));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const MEM_AFTER_SETUID_EXEC = SETUID_MEM.replace('\nsteps:', '\nkernel: { pidMax: 100 }\nsteps:');

const BUILT: ScenarioInput = {
  name: 'a set-uid exec revokes a mem handle opened before it',
  kernel: { pidMax: 100 },
  steps: [
    { spawn: { as: 'a', uid: 1000, gid: 100 } },
    { open: { by: 'a', path: '/proc/self/mem', flags: 'rw', as: 'm' } },
    { exec: { by: 'a', path: '/usr/bin/passwd' }, expect: { evicts: ['/proc/{a}', '/proc/{a}/mem'], revokes: ['/proc/{a}/mem'] } },
    { write: { by: 'a', fd: 'm', data: 'x' }, expect: { errno: 'EIO' } },
  ],
};

describe('buildScenario', () => {
  it('gives the scenario the loader gives for the same YAML, defaults applied', () => {
    const b = buildScenario(BUILT);
    const y = loadScenarioText(MEM_AFTER_SETUID_EXEC, 'x.yaml');
    if (!b.ok || !y.ok) throw new Error('does not load');
    expect(b.scenario).toEqual(y.scenario);
    expect(b.scenario.kernel.procfs).toEqual([{ path: '/proc', linux: true }]);
    expect(b.scenario.steps[1]).toEqual({ kind: 'open', by: 'a', path: '/proc/self/mem', flags: 'rw', excl: false, nofollow: false, cloexec: false, as: 'm' });
    expect(b.stepPos).toEqual([]);
  });

  it('returns a schema problem as a value with its value path and no line', () => {
    const bad = { ...BUILT, steps: [BUILT.steps[0]!, { open: { by: 'a', path: '/proc/self/mem', flags: 'x' } }] } as unknown as ScenarioInput;
    expect(buildScenario(bad)).toEqual({
      ok: false,
      error: { file: '<built>', path: 'steps[1].open.flags', message: 'expected one of r, w, rw, found string "x"' },
    });
  });

  it('applies the whole-file checks too: a handle used before it is bound', () => {
    const r = buildScenario({ name: 'unbound', steps: [{ close: { by: 'a', fd: 3 } }] }, 'mine.ts');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.file).toBe('mine.ts');
      expect(r.error.path).toBe('steps[0].close.by');
      expect(r.error.line).toBeUndefined();
    }
  });

  it('returns data JSON cannot carry as a value, not an exception', () => {
    const r = buildScenario({ name: 'big', steps: [{ exit: { status: 1n } }] } as unknown as ScenarioInput);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/^not plain data: /);
  });
});

describe('runLoaded', () => {
  const cases = {
    pass: MEM_AFTER_SETUID_EXEC,
    fail: MEM_AFTER_SETUID_EXEC.replace('errno: EIO', 'errno: EPERM'),
    invalid: MEM_AFTER_SETUID_EXEC.replace('flags: rw', 'flags: x'),
    semantic: MEM_AFTER_SETUID_EXEC.replace('fd: m', 'fd: q'),
  };
  it.each(Object.entries(cases))('gives runFile\'s report for the same file (%s)', (name, text) => {
    const f = file(`${name}.yaml`, text);
    const mine = runLoaded(loadScenarioFile(f), { file: f });
    expect(mine).toEqual(runFile(f));
    expect(mine.status).toBe(name === 'semantic' ? 'invalid' : name);
  });

  it('labels a built scenario <built>, with no line to point at', () => {
    const r = runLoaded(buildScenario({ ...BUILT, steps: BUILT.steps.map((s, i) => (i === 3 ? { ...s, expect: { errno: 'EPERM' } } : s)) }));
    expect(r.status).toBe('fail');
    expect(r.detail[0]).toBe('<built>: steps[3]: expected EPERM, got EIO');
    expect(r.failures).toEqual([{ step: 3, message: 'expected EPERM, got EIO' }]);
  });

  it('switches on injected bugs', () => {
    const text = `name: exit tears down procfs vnodes
steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: /proc/self/status, as: s }
  - exit: { by: a }
    expect: { evicts: ["/proc/{a}", "/proc/{a}/status"] }
`;
    const l = loadScenarioText(text, 'exit.yaml');
    expect(runLoaded(l).status).toBe('pass');
    expect(runLoaded(l, { bugs: ['no-exithook'] }).status).toBe('fail');
  });
});

describe('runFiles', () => {
  it('runs a directory as `run` does: reports, document and exit status', () => {
    const files = readdirSync('scenarios/corpus/deadfs').filter((f) => f.endsWith('.yaml')).sort();
    const r = runFiles('scenarios/corpus/deadfs');
    if (!r.ok) throw new Error(r.message);
    expect(r.reports.map((x) => x.file)).toEqual(files.map((f) => join('scenarios/corpus/deadfs', f)));
    expect(r.document).toMatchObject({ passed: files.length, failed: 0, invalid: 0 });
    expect(r.exitStatus).toBe(0);
  });

  it('gives 1 for a failure, 2 for an invalid file, and ok: false for a missing path', () => {
    const pass = file('p.yaml', MEM_AFTER_SETUID_EXEC);
    const fail = file('f.yaml', MEM_AFTER_SETUID_EXEC.replace('errno: EIO', 'errno: EPERM'));
    const inv = file('i.yaml', 'name: x\nsteps: []\n');
    expect(runFiles([pass, fail]).exitStatus).toBe(1);
    expect(runFiles([pass, fail, inv]).exitStatus).toBe(2);
    expect(runFiles([join(dir, 'nope')])).toEqual({ ok: false, message: `${join(dir, 'nope')}: no such file or directory`, exitStatus: 2 });
  });
});

describe('fuzz, shrinkScenario, replayScenario', () => {
  const o = { seed: 9, runs: 16, steps: 30, bugs: ['inactive-never-recycles'] as const };

  it('fuzz finds an injected bug, writes the repro and gives the replay command; the same on 2 workers', async () => {
    const out = join(dir, 'failures');
    const r = await fuzz({ ...o, out });
    expect(r.failures).toHaveLength(1);
    const f = r.failures[0]!;
    expect(r.runs).toBe(f.run + 1);
    expect(f.cls).toBe('oracle [procfs_inactive] on exit');
    expect(r.report.scenarios.map((c) => [c.name, c.file, c.runs, c.failures[0].message])).toEqual([[f.cls, f.file, f.runs, f.message.replace(/^steps\[[0-9]+\]: /, '')]]);
    expect(f.file).toBe(join(out, `seed-9-run-${f.run}-oracle-procfs_inactive.yaml`));
    expect(f.replay).toBe(`npx procfs-emu replay ${f.file}`);
    expect(readFileSync(f.file!, 'utf8')).toBe(f.text);
    const l = loadScenarioFile(f.file!);
    if (!l.ok) throw new Error(l.error.message);
    expect(replayScenario(l.scenario).status).toBe('fail');
    expect(replayScenario({ ...l.scenario, bugs: [] }).status).toBe('pass');

    const two = await fuzz({ ...o, workers: 2 });
    expect(two.failures.map((x) => [x.run, x.message, x.repro])).toEqual([[f.run, f.message, f.repro]]);
    expect(two.failures[0]!.file).toBeUndefined();
  });

  it('fuzz without bugs finds nothing', async () => {
    const r = await fuzz({ seed: 3, runs: 12, steps: 20 });
    expect(r).toMatchObject({ seed: 3, runs: 12, stopped: 'done', failures: [] });
    expect(r.report).toMatchObject({
      reportFormat: 2, scenarios: [], passed: 0, failed: 0, invalid: 0, shard: '1/1', runsDone: 12, stopped: 'done', interrupted: false, failingRuns: 0,
    });
  });

  it('shrinkScenario cuts a failing scenario down and leaves a passing one alone', () => {
    const long = buildScenario({
      name: 'exit with an open status file, among other steps',
      bugs: ['no-exithook'],
      steps: [
        { spawn: { as: 'b', uid: 1001, gid: 100 } },
        { spawn: { as: 'a', uid: 1000, gid: 100 } },
        { stat: { by: 'b', path: '/proc' } },
        { open: { by: 'a', path: '/proc/self/status', as: 's' } },
        { readdir: { by: 'b', path: '/proc' } },
        { exit: { by: 'a' }, expect: { evicts: ['/proc/{a}', '/proc/{a}/status'] } },
      ],
    });
    if (!long.ok) throw new Error(long.error.message);
    const r = shrinkScenario(long.scenario, { file: 'long.yaml' });
    if (r.status !== 'fail') throw new Error('passes');
    expect(r.originalSteps).toBe(6);
    expect(r.repro.steps.length).toBeLessThan(6);
    expect(r.repro.name).toContain('(shrink of long.yaml)');
    expect(replayScenario(r.repro).status).toBe('fail');
    expect(shrinkScenario({ ...long.scenario, bugs: [] })).toEqual({ status: 'pass' });
  });

  it('replayScenario gives --trace lines on request', () => {
    const l = buildScenario(BUILT);
    if (!l.ok) throw new Error(l.error.message);
    const r = replayScenario(l.scenario, { trace: true });
    expect(r.status).toBe('pass');
    expect(r.trace).toHaveLength(4);
    expect(r.trace[3]).toBe('#3 pid=2 write(fd=0 data="x") -> EIO');
  });
});

describe('workerEntry', () => {
  it('loads the build\'s worker bundle beside a compiled pool.js, with no tsx', () => {
    const seen: string[] = [];
    const entry = workerEntry('file:///pkg/dist/scenarios/fuzz/pool.js', (u) => (seen.push(u.href), true));
    expect(entry).toEqual({ url: 'file:///pkg/dist/scenarios/fuzz/bundle/worker.js', tsx: false });
    expect(seen).toEqual(['file:///pkg/dist/scenarios/fuzz/bundle/worker.js']);
  });

  it('falls back to the compiled worker.js where the build made no bundle', () => {
    expect(workerEntry('file:///pkg/dist/scenarios/fuzz/pool.js', () => false)).toEqual({ url: 'file:///pkg/dist/scenarios/fuzz/worker.js', tsx: false });
  });

  it('loads worker.ts through tsx beside pool.ts (the repository under tsx or vitest)', () => {
    expect(workerEntry('file:///repo/scenarios/fuzz/pool.ts')).toEqual({ url: 'file:///repo/scenarios/fuzz/worker.ts', tsx: true });
    const here = new URL('../../scenarios/fuzz/pool.ts', import.meta.url).href;
    expect(workerEntry(here).tsx).toBe(true);
  });
});

describe('docs/api.md', () => {
  it('has a section for every public name of procfs-emu and procfs-emu/vitest', async () => {
    const doc = readFileSync('docs/api.md', 'utf8');
    const names = [...Object.keys(await import('../../index.ts')), ...Object.keys(await import('../../scenarios/vitest.ts'))];
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !new RegExp(`^### .*\`${n}\\(`, 'm').test(doc))).toEqual([]);
  });
});
