/**
 * Determinism is the product: no wall clock or ambient randomness in the
 * deterministic core, and the same scenario gives the same bytes twice.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../scenarios/load.ts';
import { runScenario } from '../scenarios/runner.ts';
import { tsSources } from './helpers/files.ts';


const FORBIDDEN = /Math\.random|Date\.now|performance\.now|getRandomValues|new Date\(\)|process\.hrtime/;

describe('determinism', () => {
  it.each(['emulator', 'procfs', 'scenarios'])('%s/ reads no clock and no ambient randomness', (dir) => {
    const hits = tsSources(dir).flatMap((f) =>
      readFileSync(f, 'utf8').split('\n').map((l, i) => ({ f, i, l })).filter((x) => FORBIDDEN.test(x.l) && !/^\s*(\/\/|\*)/.test(x.l)));
    expect(hits.map((h) => `${h.f}:${h.i + 1}: ${h.l.trim()}`)).toEqual([]);
  });

  it('a scenario run twice gives the same trace bytes', () => {
    const l = loadScenarioFile('scenarios/corpus/evict/setuid-exec-revokes-mem-handle.yaml');
    if (!l.ok) throw new Error(l.error.message);
    const a = runScenario(l.scenario, { trace: true });
    const b = runScenario(l.scenario, { trace: true });
    expect(a.trace.length).toBeGreaterThan(3);
    expect(a.trace.join('\n')).toBe(b.trace.join('\n'));
  });
});
