/**
 * procfs-emu as another project gets it: the packed tarball installed into a
 * scratch project (offline, from npm's cache), its bin run with plain node,
 * its entries imported with plain node and type-checked with tsc (nodenext).
 * The build runs once, in beforeAll, unchecked (npm test has type-checked
 * the sources just before); `npm pack` itself runs the checked build.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerFiles } from './lock.ts';
import { SETUID_MEM } from '../helpers/examples.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const TSC = require.resolve('typescript/bin/tsc');
const NPM_ENV = { ...process.env, NO_COLOR: '1', npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

const PASSING = SETUID_MEM;
const FAILING = PASSING.replace('a set-uid exec', 'a wrong errno after a set-uid exec').replace('errno: EIO', 'errno: EPERM');

function sh(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: NPM_ENV });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

let tmp = '';
let consumer = '';
let packed: { filename: string; files: { path: string }[] } = { filename: '', files: [] };

beforeAll(() => {
  ok(sh(process.execPath, [join(ROOT, 'bin', 'build.mjs'), '--no-check'], ROOT), 'build');
  tmp = mkdtempSync(join(tmpdir(), 'procfs-emu-consumer-'));
  const out = ok(sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], ROOT), 'npm pack');
  packed = (JSON.parse(out) as typeof packed[])[0]!;
  consumer = join(tmp, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, packed.filename), readFileSync(join(tmp, packed.filename)));
  const registry = ok(sh('npm', ['config', 'get', 'registry'], ROOT), 'npm config').trim();
  const f = consumerFiles(JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')), packed.filename, registry);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify(f.packageJson, null, 2));
  writeFileSync(join(consumer, 'package-lock.json'), JSON.stringify(f.lock, null, 2));
  ok(sh('npm', ['install', '--offline', '--no-audit', '--no-fund', `./${packed.filename}`], consumer), 'npm install');
  writeFileSync(join(consumer, 'pass.yaml'), PASSING);
  writeFileSync(join(consumer, 'fail.yaml'), FAILING);
}, 120_000);

afterAll(() => {
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('ships dist/ (.js and .d.ts), the bin, docs, README, LICENSE and the schema; no sources, tests or benchmarks', () => {
    const paths = packed.files.map((f) => f.path);
    for (const p of ['package.json', 'README.md', 'LICENSE', 'bin/procfs-emu.js', 'docs/api.md', 'scenarios/schema.json',
      'dist/index.js', 'dist/index.d.ts', 'dist/scenarios/cli.js', 'dist/scenarios/vitest.js', 'dist/scenarios/vitest.d.ts',
      'dist/scenarios/fuzz/worker.js', 'dist/emulator/index.js', 'dist/procfs/index.d.ts', 'dist/package.json']) {
      expect(paths, p).toContain(p);
    }
    expect(paths.filter((p) => /^(test|bench)\//.test(p) || (p.endsWith('.ts') && !p.endsWith('.d.ts')))).toEqual([]);
    expect(paths.filter((p) => p.startsWith('bin/'))).toEqual(['bin/procfs-emu.js']);
  });

  it('ships the fuzz worker as a bundle that loads neither zod nor yaml until a run needs the shrinker (its campaign chunk)', () => {
    const bundle = packed.files.map((f) => f.path).filter((p) => p.startsWith('dist/scenarios/fuzz/bundle/')).sort();
    expect(bundle).toHaveLength(3);
    expect(bundle).toContain('dist/scenarios/fuzz/bundle/worker.js');
    const dir = join(consumer, 'node_modules', 'procfs-emu', 'dist', 'scenarios', 'fuzz', 'bundle');
    const text = (name: string) => readFileSync(join(dir, name), 'utf8');
    const chunk = bundle.map((p) => p.slice(p.lastIndexOf('/') + 1)).find((n) => n.startsWith('campaign-'));
    expect(chunk).toMatch(/^campaign-[A-Z0-9]+\.js$/);
    const shared = readdirSync(dir).find((n) => n.startsWith('chunk-'))!;
    for (const name of ['worker.js', shared]) expect(text(name), name).not.toMatch(/from ["'](zod|yaml)["']/);
    expect(text('worker.js')).toContain(`import("./${chunk}")`);
    expect(text(chunk!)).toMatch(/from ["']zod["']/);
  });

  it('installs without tsx or vitest: they stay the repository\'s tools', () => {
    const installed = readdirSync(join(consumer, 'node_modules'));
    expect(installed).toContain('procfs-emu');
    expect(installed).not.toContain('tsx');
    expect(installed).not.toContain('vitest');
    expect(installed).not.toContain('typescript');
  });
});

describe('npx procfs-emu', () => {
  it('run: a passing scenario exits 0 with its PASS line', () => {
    const r = sh('npx', ['procfs-emu', 'run', 'pass.yaml'], consumer);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^PASS pass\.yaml: a set-uid exec revokes a mem handle opened before it\n1 passed, 0 failed, 0 invalid in [0-9]+ ms\n$/);
    expect(r.status).toBe(0);
  });

  it('run: a failing scenario exits 1 and names file:line and the step', () => {
    const r = sh('npx', ['procfs-emu', 'run', 'fail.yaml'], consumer);
    expect(r.stdout).toContain('FAIL fail.yaml: a wrong errno after a set-uid exec revokes a mem handle opened before it\n');
    expect(r.stderr).toMatch(/^fail\.yaml:9:[0-9]+: steps\[3\]: expected EPERM, got EIO$/m);
    expect(r.status).toBe(1);
  });

  it('fuzz on 2 worker threads loads the compiled worker, finds an injected bug, and replay reproduces it', () => {
    const r = sh('npx', ['procfs-emu', 'fuzz', '--seed', '9', '--runs', '16', '--steps', '30', '--workers', '2',
      '--bugs', 'inactive-never-recycles', '--out', 'failures', '--json'], consumer);
    expect(r.status, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as { reportFormat: number; scenarios: { count: number; file: string }[] };
    expect(doc.reportFormat).toBe(2);
    expect(doc.scenarios).toHaveLength(1);
    const repro = doc.scenarios[0]!.file;
    expect(existsSync(join(consumer, repro))).toBe(true);
    expect(sh('npx', ['procfs-emu', 'replay', repro], consumer).status).toBe(1);
  });
});

describe('the entries under plain node', () => {
  it('procfs-emu loads, builds and runs scenarios with vitest absent; procfs-emu/vitest loads once vitest is there', () => {
    writeFileSync(join(consumer, 'api.mjs'), API_SCRIPT);
    const first = JSON.parse(ok(sh(process.execPath, ['api.mjs'], consumer), 'api.mjs')) as Record<string, unknown>;
    expect(first).toEqual({
      vitest: 'absent',
      loaded: true,
      report: { file: 'pass.yaml', status: 'pass', failures: [] },
      invalid: 'bad.yaml:3:33: steps[0].open.flags: expected one of r, w, rw, found string "x"',
      document: { passed: 1, failed: 1, invalid: 0 },
      exit: 1,
      built: { file: '<built>', status: 'pass' },
      replay: 'fail',
    });
    symlinkSync(dirname(require.resolve('vitest/package.json')), join(consumer, 'node_modules', 'vitest'), 'dir');
    writeFileSync(join(consumer, 'entries.mjs'), ENTRIES_SCRIPT);
    expect(JSON.parse(ok(sh(process.execPath, ['entries.mjs'], consumer), 'entries.mjs'))).toEqual({
      vitest: ['fuzzTest', 'scenarioTests'],
      scenarios: ['Oracle', 'loadScenarioText', 'runScenario', 'shrink'],
      emulator: 'function',
      procfs: 'function',
      schema: 'urn:procfs-emu:scenario-format:1',
    });
  });

  it('tsc (module nodenext) type-checks a consumer of procfs-emu, procfs-emu/scenarios and procfs-emu/vitest', () => {
    writeFileSync(join(consumer, 'consumer.ts'), CONSUMER_TS);
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true,
        skipLibCheck: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')],
      },
      files: ['consumer.ts'],
    }));
    const r = sh(process.execPath, [TSC, '-p', 'tsconfig.json'], consumer);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

const API_SCRIPT = `import { readFileSync } from 'node:fs';
const out = {};
try { import.meta.resolve('vitest'); out.vitest = 'present'; } catch { out.vitest = 'absent'; }
const api = await import('procfs-emu');
const l = api.loadScenarioText(readFileSync('pass.yaml', 'utf8'), 'pass.yaml');
out.loaded = l.ok;
const r = api.runLoaded(l, { file: 'pass.yaml' });
out.report = { file: r.file, status: r.status, failures: r.failures };
const bad = api.loadScenarioText('name: bad\\nsteps:\\n  - open: { path: /proc, flags: x }\\n', 'bad.yaml');
out.invalid = bad.ok ? null : api.formatInvalid(bad.error);
const all = api.runFiles(['pass.yaml', 'fail.yaml']);
out.document = all.ok ? { passed: all.document.passed, failed: all.document.failed, invalid: all.document.invalid } : all.message;
out.exit = all.exitStatus;
const b = api.buildScenario({ name: 'built', steps: [{ spawn: { as: 'a', uid: 1000, gid: 100 } }, { open: { by: 'a', path: '/proc/1/mem' }, expect: { errno: 'EACCES' } }] });
const br = api.runLoaded(b);
out.built = { file: br.file, status: br.status };
const f = api.loadScenarioFile('fail.yaml');
out.replay = f.ok ? api.replayScenario(f.scenario).status : null;
console.log(JSON.stringify(out));
`;

const ENTRIES_SCRIPT = `const v = await import('procfs-emu/vitest');
const s = await import('procfs-emu/scenarios');
const e = await import('procfs-emu/emulator');
const p = await import('procfs-emu/procfs');
const { readFileSync } = await import('node:fs');
const schema = JSON.parse(readFileSync(new URL(import.meta.resolve('procfs-emu/schema.json')), 'utf8'));
console.log(JSON.stringify({
  vitest: Object.keys(v).sort(),
  scenarios: ['Oracle', 'loadScenarioText', 'runScenario', 'shrink'].filter((n) => typeof s[n] === 'function'),
  emulator: typeof e.boot,
  procfs: typeof p.procfsModule,
  schema: schema.$id,
}));
`;

const CONSUMER_TS = `import { buildScenario, fuzz, runLoaded, type FileReport, type LoadResult, type ScenarioInput } from 'procfs-emu';
import { runScenario, type RunResult, type Scenario } from 'procfs-emu/scenarios';
import type { Kernel } from 'procfs-emu/emulator';
import { procfsModule } from 'procfs-emu/procfs';
import { fuzzTest, scenarioTests } from 'procfs-emu/vitest';

const input: ScenarioInput = {
  name: 'typed',
  kernel: { pidMax: 100 },
  steps: [
    { spawn: { as: 'a', uid: 1000, gid: 100 } },
    { open: { by: 'a', path: '/proc/1/mem', flags: 'rw' }, expect: { errno: 'EACCES' } },
  ],
};
const l: LoadResult = buildScenario(input);
if (l.ok) {
  const s: Scenario = l.scenario;
  const r: RunResult = runScenario(s);
  const report: FileReport = runLoaded(l, { bugs: ['no-exithook'] });
  const status: 'pass' | 'fail' | 'invalid' = report.status;
  void r; void status;
}
// @ts-expect-error open's flags are r, w or rw
buildScenario({ name: 'bad flags', steps: [{ open: { path: '/proc', flags: 'x' } }] });
// @ts-expect-error a step has exactly one kind key
buildScenario({ name: 'two kinds', steps: [{ open: { path: '/proc' }, stat: { path: '/proc' } }] });
// @ts-expect-error not a bug name
void fuzz({ bugs: ['no-such-bug'] });
export function declareTests(k: Kernel): void {
  void k; void procfsModule;
  scenarioTests(['pass.yaml'], { bugs: [] });
  fuzzTest({ seed: 1, runs: 10, steps: 20 });
  // @ts-expect-error runs is a number
  fuzzTest({ runs: '10' });
}
`;
