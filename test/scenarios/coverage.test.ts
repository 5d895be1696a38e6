/**
 * Every declared coverage mark is hit by the regression corpus or by the
 * standard campaign (seed 1, 2 000 runs of 50 steps, no bugs), unless it is
 * declared unreachable with a reason, and no mark declared unreachable is
 * hit. The counts do not depend on the number of workers.
 */
import { describe, expect, it } from 'vitest';
import { marksEnabled } from '../../emulator/marks.ts';
import { COVERAGE_CAMPAIGN, coverageTable, formatCoverage, measureCoverage } from '../../scenarios/coverage.ts';
import type { CampaignOptions } from '../../scenarios/fuzz/campaign.ts';
import { runCampaignCounting } from '../../scenarios/fuzz/marks.ts';
import { emu, inproc, tmp } from '../fuzz/emu.ts';

describe('coverage marks of the corpus and the standard campaign', () => {
  it('hit every reachable mark, and none declared unreachable', async () => {
    const r = await measureCoverage();
    expect(r.corpus.failed).toEqual([]);
    expect(r.campaign).toEqual({ seed: '1', runs: COVERAGE_CAMPAIGN.runs, steps: 50, failures: 0 });
    expect(r.summary.marks).toBeGreaterThan(150);
    expect(r.summary.missed, 'reachable marks neither the corpus nor the campaign hit').toEqual([]);
    expect(r.summary.unreachableHit, 'marks declared unreachable that were hit').toEqual([]);
    for (const m of r.marks) if (m.unreachable !== null) expect(m.unreachable.length, m.name).toBeGreaterThan(20);
    expect(r.marks.find((m) => m.name === 'procfs_lookup: /proc/<pid> EBUSY -> ENOENT')?.corpus).toBeGreaterThan(0);
    expect(marksEnabled()).toBe(false);
    const text = formatCoverage(r);
    expect(text.split('\n')[0]).toMatch(/^mark +corpus +campaign +unreachable$/);
    expect(text).toContain(`coverage: ${r.summary.marks} marks;`);
  });

  it('count the same with 1 and 2 workers, for the runs the campaign reports', async () => {
    const o: CampaignOptions = { ...COVERAGE_CAMPAIGN, runs: 40, steps: 30 };
    const one = await runCampaignCounting(o, 1);
    const two = await runCampaignCounting(o, 2);
    expect(Object.keys(one.marks).length).toBeGreaterThan(50);
    expect(JSON.stringify(two.marks)).toBe(JSON.stringify(one.marks));
    expect(Object.keys(one.marks)).toEqual(Object.keys(one.marks).sort());
    const off = await runCampaignCounting(o, 1, {}, false);
    expect(off.marks).toEqual({});
    expect(off.result).toEqual(one.result);
    // A failure stops the report: the marks of later runs a worker already did are left out.
    const bugged: CampaignOptions = { ...o, bugs: ['inactive-never-recycles'], maxFailures: 1 };
    const b1 = await runCampaignCounting(bugged, 1);
    const b2 = await runCampaignCounting(bugged, 2);
    expect(b1.result.runs).toBeLessThan(o.runs);
    expect(b2.result.runs).toBe(b1.result.runs);
    expect(JSON.stringify(b2.marks)).toBe(JSON.stringify(b1.marks));
  });

  it('fuzz --marks --json carries the marks, byte-identical with 1 and 2 workers even where failures are shrunk', async () => {
    const args = ['fuzz', '--seed', '3', '--runs', '40', '--steps', '30', '--bugs', 'inactive-never-recycles', '--max-failures', '0', '--marks', '--json'];
    const dir = tmp();
    const one = await inproc([...args, '--workers', '1', '--out', `${dir}/ff`]);
    const two = await inproc([...args, '--workers', '2', '--out', `${dir}/ff`]);
    expect(one.code).toBe(1);
    expect(two.out).toBe(one.out);
    const doc = JSON.parse(one.out) as { runsDone: number; scenarios: unknown[]; marks: Record<string, number> };
    expect(doc.scenarios.length).toBeGreaterThan(0);
    expect(Object.keys(doc.marks)).toEqual(Object.keys(doc.marks).sort());
    expect(doc.marks['vcache_get: loaded']).toBeGreaterThan(0);
    expect(one.err).toMatch(/fuzz: [0-9]+ coverage marks hit/);
    const plain = await inproc(['fuzz', '--seed', '3', '--runs', '4', '--json', '--out', tmp()]);
    expect(Object.keys(JSON.parse(plain.out) as object)).not.toContain('marks');
  });

  it('procfs-emu coverage --json prints the table as one document (a small corpus)', () => {
    const r = emu(['coverage', '--json', '--corpus', 'scenarios/corpus/mount', '--runs', '24', '--workers', '2']);
    const doc = JSON.parse(r.out) as { corpus: { scenarios: number }; campaign: { runs: number }; marks: { name: string }[]; summary: { missed: string[] } };
    expect(doc.corpus.scenarios).toBeGreaterThan(10);
    expect(doc.campaign.runs).toBe(24);
    expect(doc.marks.map((m) => m.name)).toEqual(doc.marks.map((m) => m.name).sort());
    // The mount scenarios and 24 runs miss marks: the status says so.
    expect(doc.summary.missed.length).toBeGreaterThan(0);
    expect(r.code, r.err).toBe(1);
    const text = emu(['coverage', '--corpus', 'scenarios/corpus/mount', '--runs', '0']);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/^procfs_lookup: \/proc\/curproc +[0-9]+ +0 *$/m);
    expect(text.out).toMatch(/MISSED$/m);
    expect(text.out).toMatch(/^coverage: [0-9]+ marks; the corpus \([0-9]+ scenarios\) hit [0-9]+, the campaign \(seed 1, 0 runs of 50 steps\) 0/m);
  });

  it('table a mark as missed, or as hit though declared unreachable', () => {
    const t = coverageTable({ 'procfs_lookup: /proc/self': 2 }, { 'vflush: not loaded, skipped': 1 });
    expect(t.summary.missed).toContain('procfs_lookup: /proc/curproc');
    expect(t.summary.missed).not.toContain('procfs_lookup: /proc/self');
    expect(t.summary.unreachableHit).toEqual(['vflush: not loaded, skipped']);
    expect(t.marks.find((m) => m.name === 'procfs_lookup: /proc/self')).toMatchObject({ corpus: 2, campaign: 0, unreachable: null });
  });
});
