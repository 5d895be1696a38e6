import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generate } from '../../scenarios/fuzz/generate.ts';
import { runPrng } from '../../scenarios/fuzz/prng.ts';
import { playScenario, fingerprint } from '../../scenarios/fuzz/session.ts';
import { drawWorld, FAKER_REF_DATE } from '../../scenarios/fuzz/world.ts';
import { scalar, writeScenario } from '../../scenarios/fuzz/write.ts';
import { formatInvalid, loadScenarioText } from '../../scenarios/load.ts';
import { runScenario } from '../../scenarios/runner.ts';
import type { Scenario } from '../../scenarios/types.ts';

function load(text: string): Scenario {
  const r = loadScenarioText(text, 'generated.yaml');
  if (!r.ok) throw new Error(`${formatInvalid(r.error)}\n${text}`);
  return r.scenario;
}

describe('generated scenarios', () => {
  it('always load: written by the writer and read back by the loader they are the same scenario', () => {
    for (let run = 0; run < 150; run++) {
      const g = generate(runPrng(3, run), { steps: 40, bugs: [] });
      const s = { ...g.scenario, description: `run ${run}\n\nwith: odd {braces} and "quotes"\n` };
      const back = load(writeScenario(s));
      expect(isDeepStrictEqual(back, s), `run ${run}`).toBe(true);
    }
  });

  it('replayed from their file, play exactly as they did while being generated', () => {
    for (let run = 0; run < 40; run++) {
      const g = generate(runPrng(5, run), { steps: 40, bugs: [] });
      const replay = playScenario(load(writeScenario(g.scenario)));
      expect(replay.played.map(fingerprint)).toEqual(g.result.played.map(fingerprint));
    }
  });

  it('are valid where it matters: no step fails for a dead actor or an unbound handle', () => {
    for (let run = 0; run < 100; run++) {
      const g = generate(runPrng(11, run), { steps: 50, bugs: [] });
      expect(g.result.failure, `run ${run}`).toBeNull();
    }
  });

  it('pin expectations only without injected bugs, and what they pin holds under the contract\'s runner', () => {
    let pinned = 0;
    for (let run = 0; run < 60; run++) {
      const withBug = generate(runPrng(13, run), { steps: 50, bugs: ['no-exithook'] });
      for (const st of withBug.scenario.steps) expect(st.expect).toEqual({ errno: 'any' });
      const g = generate(runPrng(13, run), { steps: 50, bugs: [] });
      pinned += g.scenario.steps.filter((st) => JSON.stringify(st.expect) !== '{"errno":"any"}').length;
      const r = runScenario(load(writeScenario(g.scenario)), { trace: false });
      expect(r.failure, `run ${run}`).toBeNull();
    }
    expect(pinned).toBeGreaterThan(100);
  });

  it('never let init chroot anywhere but / (a set-id exec without /dev/null in reach would kill init: exec_abort)', () => {
    let chroots = 0;
    for (let run = 0; run < 300; run++) {
      for (const st of generate(runPrng(17, run), { steps: 50, bugs: [] }).scenario.steps) {
        if (st.kind === 'chroot' && st.by === 'init') {
          chroots++;
          expect(st.path).toBe('/');
        }
      }
    }
    expect(chroots).toBeGreaterThan(0);
  });

  it('follow plans: a fill gets one table past 50 descriptors, and set-gid changes come before plain execs', () => {
    let past50 = 0;
    let setgidExec = 0;
    for (let run = 0; run < 400; run++) {
      const g = generate(runPrng(1, run), { steps: 50, bugs: [] });
      const played = g.result.played;
      g.scenario.steps.forEach((st, i) => {
        const out = played[i]!.outcome;
        if (st.kind === 'open' && 'ok' in out && (out.ok.fd as number) >= 50) past50++;
        if (st.kind === 'exec' && ['/bin/sh', '/bin/cat', '/usr/bin/id'].includes(st.path)) {
          const before = g.scenario.steps.slice(0, i);
          if (before.some((b, j) => (b.kind === 'setgid' || b.kind === 'setegid') && b.by === st.by && 'ok' in played[j]!.outcome)) setgidExec++;
        }
      });
    }
    expect(past50).toBeGreaterThan(0);
    expect(setgidExec).toBeGreaterThan(10);
  });

  it('cover what the issue asks for across a few runs', () => {
    const kinds = new Set<string>();
    const paths: string[] = [];
    let smallPidMax = false;
    let extraMount = false;
    for (let run = 0; run < 60; run++) {
      const g = generate(runPrng(1, run), { steps: 50, bugs: [] });
      for (const st of g.scenario.steps) {
        kinds.add(st.kind === 'newfd' ? `newfd:${st.type}` : st.kind);
        if ('path' in st && typeof st.path === 'string') paths.push(st.path);
      }
      if (g.scenario.kernel.pidMax < 30000) smallPidMax = true;
      if (g.scenario.kernel.procfs.length > 1 || g.scenario.steps.some((s) => s.kind === 'mount')) extraMount = true;
    }
    for (const k of ['spawn', 'fork', 'exec', 'setuid', 'seteuid', 'exit', 'wait', 'open', 'lstat', 'readdir', 'readlink',
      'read', 'write', 'chdir', 'mount', 'unmount', 'pipe', 'socket', 'kqueue', 'newfd:misc', 'newfd:eventfd']) {
      expect(kinds, k).toContain(k);
    }
    expect(paths.some((p) => /^\/proc\/\{[a-z0-9_]+\}\/mem$/.test(p))).toBe(true);
    expect(paths).toContain('/usr/bin/passwd');
    expect(paths).toContain('/usr/bin/wall');
    expect(paths).toContain('/emul/linux/bin/sh');
    expect(smallPidMax).toBe(true);
    expect(extraMount).toBe(true);
  });

  it('are a pure function of the seed: the same run gives the same text', () => {
    const a = writeScenario(generate(runPrng('a94a8fe5ccb19ba61c4c0873d391e987982fbbd3', 9), { steps: 30, bugs: [] }).scenario);
    const b = writeScenario(generate(runPrng('a94a8fe5ccb19ba61c4c0873d391e987982fbbd3', 9), { steps: 30, bugs: [] }).scenario);
    expect(a).toBe(b);
  });
});

describe('the cast (Faker, seeded, fixed reference date)', () => {
  it('names users, programs and files the same way every time, with parents before children', () => {
    const a = drawWorld(runPrng(1, 0).child('world'));
    const b = drawWorld(runPrng(1, 0).child('world'));
    expect(a).toEqual(b);
    expect(FAKER_REF_DATE).toBe('2024-01-17T00:00:00.000Z');
    for (const u of a.users) expect(u.name).toMatch(/^[a-z][a-z0-9]*$/);
    const dirs = new Set(['/home', '/usr/bin', '/emul/linux/bin', '/var']);
    for (const e of a.entries) {
      const parent = e.path.slice(0, e.path.lastIndexOf('/'));
      expect(dirs.has(parent), e.path).toBe(true);
      if (e.type === 'dir') dirs.add(e.path);
    }
  });
});

describe('the writer', () => {
  it('quotes what YAML would read as something else', () => {
    for (const v of ['0755', 'true', 'null', '~', '1e3', '{a}', 'a: b', '- x', '', ' x', '#x', '.inf', 'x,y', 'é', '\u0001']) {
      const r = loadScenarioText(`name: x\nsteps:\n  - write: { fd: 0, data: ${scalar(v)} }\n`, 'q.yaml');
      if (v === 'é' || v === '\u0001' || !/[{}]/.test(v)) {
        expect(r.ok, v).toBe(true);
        if (r.ok) expect((r.scenario.steps[0] as { data: string }).data).toBe(v);
      }
    }
    expect(scalar('/proc/self/mem')).toBe('/proc/self/mem');
    expect(scalar('0')).toBe('"0"');
    expect(scalar('"/proc/{a}/mem"'.slice(1, -1))).toBe('"/proc/{a}/mem"');
  });

  it('writes the revision-2 expectations so that they load back: numeric and {h} entry names quoted, patterns escaped', () => {
    const s: Scenario = {
      format: 1, name: 'rev2', kernel: load('name: k\nsteps: [ { check: {} } ]\n').kernel, bugs: [],
      steps: [
        { kind: 'spawn', as: 'a', uid: 1000, gid: 100, path: '/bin/sh', expect: { errno: 'any' } },
        { kind: 'readdir', by: 'a', path: '/proc/self/fd', expect: { types: ['DIR', 'DIR'], entryTypes: { '0': 'LNK', '{a}': 'DIR', '.': 'DIR', '..': 'DIR', '1e3': 'REG' } } },
        { kind: 'open', by: 'a', path: '/proc/self/status', flags: 'r', excl: false, nofollow: false, cloexec: false, as: 'st' },
        { kind: 'read', by: 'a', fd: 'st', size: 64, offset: 0, expect: { errno: 'any', dataMatches: '^sh [0-9]{1,5} \\x00[{{]x[}}]\\.$' } },
      ],
    };
    const text = writeScenario(s);
    expect(text).toContain('entryTypes: { "0": LNK, "{a}": DIR, .: DIR, ..: DIR, "1e3": REG }');
    expect(text).toContain('types: [DIR, DIR]');
    expect(text).toContain('dataMatches: "^sh [0-9]{1,5} \\\\x00[{{]x[}}]\\\\.$"');
    expect(isDeepStrictEqual(load(text), s)).toBe(true);
  });
});
