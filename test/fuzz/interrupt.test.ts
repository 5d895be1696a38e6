/**
 * A real campaign process stopped by a signal: it stops at a run boundary,
 * every repro found so far is on disk (whole, one per class), the report of
 * what ran is printed (marked interrupted), and the exit status is 130 for
 * SIGINT and 143 for SIGTERM, in one thread and on worker threads.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../scenarios/fuzz/session.ts';
import { loadScenarioFile } from '../../scenarios/load.ts';
import { emuSpawn, tmp } from './emu.ts';

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** Start a campaign that would run for hours, send `signal` once `ready` matches its stderr, and wait for the end. */
function interrupt(args: string[], cwd: string, signal: NodeJS.Signals, ready: RegExp): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = emuSpawn(args, cwd);
    let out = '';
    let err = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (!sent && ready.test(err)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({ code, signal: sig, out, err }));
  });
}

type Report = {
  runsDone: number; stopped: string; interrupted: boolean; failingRuns: number;
  scenarios: { name: string; file: string; count: number; runs: number[]; repro: { file: string; steps: number } }[];
};

const HOURS = ['fuzz', '--bugs', 'hook-matches-bucket', '--max-failures', '0', '--runs', '100000000', '--steps', '30', '--out', 'ff'];

describe('a campaign stopped by a signal', () => {
  it.each([
    { signal: 'SIGINT' as const, status: 130, workers: '1' },
    { signal: 'SIGTERM' as const, status: 143, workers: '2' },
  ])('$signal with $workers worker(s): stops at a run boundary, keeps every repro, prints the report, exits $status', async ({ signal, status, workers }) => {
    const dir = tmp();
    // Send the signal once the second class has its repro on disk.
    const r = await interrupt([...HOURS, '--workers', workers, '--json'], dir, signal, /\[new class 2\]/);
    expect(r.signal, r.err).toBeNull();
    expect(r.code, r.err).toBe(status);
    expect(r.err).toContain(`fuzz: ${signal}: stopping at the next run boundary`);
    const doc = JSON.parse(r.out) as Report;
    expect(doc.interrupted).toBe(true);
    expect(doc.stopped).toBe('interrupted');
    expect(doc.runsDone).toBeGreaterThan(0);
    expect(doc.runsDone).toBeLessThan(100000000);
    expect(doc.scenarios.length).toBeGreaterThanOrEqual(2);
    expect(doc.failingRuns).toBe(doc.scenarios.reduce((n, c) => n + c.count, 0));
    // On disk: exactly one whole repro per class, no temp file; each fails with the bug and passes without.
    expect(readdirSync(join(dir, 'ff')).sort()).toEqual(doc.scenarios.map((c) => c.repro.file.replace(/^ff\//, '')).sort());
    for (const c of doc.scenarios) {
      const l = loadScenarioFile(join(dir, c.repro.file));
      if (!l.ok) throw new Error(l.error.message);
      expect(check(l.scenario).failure).not.toBeNull();
      expect(check({ ...l.scenario, bugs: [] }).failure).toBeNull();
    }
    // Every failing run reported was reported on stderr as it was found.
    const found = [...r.err.matchAll(/^fuzz: run ([0-9]+) failed/gm)].map((m) => Number(m[1]));
    expect(found).toEqual(doc.scenarios.flatMap((c) => c.runs).sort((a, b) => a - b));
  }, 120_000);

  it('prints the text report marked interrupted', async () => {
    const dir = tmp();
    const r = await interrupt(HOURS, dir, 'SIGINT', /\[new class 1\]/);
    expect(r.code, r.err).toBe(130);
    expect(r.out).toMatch(/^fuzz: seed 0: [0-9]+ runs, [0-9]+ failing runs? in [0-9]+ class(es)? \(interrupted\)\n/);
  }, 120_000);
});
