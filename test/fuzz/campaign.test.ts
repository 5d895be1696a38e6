/**
 * Same seed, same bytes: across runs, worker counts and shard splits; one
 * repro per failure class; outcomes settled in run order; stops at run
 * boundaries that report every run done; --check-determinism; --run N.
 */
import { describe, expect, it } from 'vitest';
import type { CampaignOptions, CampaignResult, RunOutcome } from '../../scenarios/fuzz/campaign.ts';
import { CAMPAIGN_TOOLS, CampaignRunner, Settler, StopFlag, runCampaignInline, shardRuns } from '../../scenarios/fuzz/campaign.ts';
import { Tally, campaignIdentity, mergeReports, reportJson } from '../../scenarios/fuzz/merge.ts';
import { WorkerPool } from '../../scenarios/fuzz/pool.ts';
import { writeScenario } from '../../scenarios/fuzz/write.ts';

const base: CampaignOptions = {
  seed: 9, runs: 48, steps: 30, bugs: ['inactive-never-recycles'], shard: { index: 1, count: 1 }, checkDeterminism: false, maxFailures: 0,
};

/** What a campaign reports, as bytes: runs, and each failure with its class and repro text (when it has one). */
function bytes(r: CampaignResult): string {
  return JSON.stringify({
    runs: r.runs, stopped: r.stopped,
    failures: r.failures.map((f) => ({ run: f.run, cls: f.cls, found: f.found, repro: f.repro === null ? null : writeScenario(f.repro.scenario) })),
  });
}

/** The --json report of a result, with repro files named by run (as the command line does). */
function report(o: CampaignOptions, r: CampaignResult): string {
  const t = new Tally(o.keepAll === true);
  for (const f of r.failures) t.add(f, t.isNew(f) || o.keepAll === true ? `ff/run-${f.run}.yaml` : null);
  return reportJson(t.report(campaignIdentity(o, 'procfs-emu test'), `${o.shard.index}/${o.shard.count}`, r));
}

describe('campaigns', () => {
  it('shards split the runs disjointly and together cover them all; --run N is that run alone', () => {
    const parts = [1, 2, 3].map((index) => shardRuns({ runs: 10, shard: { index, count: 3 } }));
    expect(parts).toEqual([[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]);
    expect(shardRuns({ runs: 10, shard: { index: 2, count: 3 }, only: 7 })).toEqual([7]);
  });

  it('give the same report twice, with 1 or 2 workers, and as shards merged; stop at the first failure in run order', async () => {
    const one = await runCampaignInline(base);
    expect(one.failures.length).toBeGreaterThan(1);
    expect(bytes(await runCampaignInline(base))).toBe(bytes(one));
    const pool = new WorkerPool(2);
    try {
      const settledOrder: number[] = [];
      expect(bytes(await pool.run(base, { onOutcome: (o) => settledOrder.push(o.run) }))).toBe(bytes(one));
      expect(settledOrder).toEqual(shardRuns(base));
      const first = await pool.run({ ...base, maxFailures: 1 });
      expect(first.failures).toHaveLength(1);
      expect(first.failures[0]!.run).toBe(one.failures[0]!.run);
      expect(first.runs).toBe(one.failures[0]!.run + 1);
      expect(first.stopped).toBe('failures');
      expect(bytes(first)).toBe(bytes(await runCampaignInline({ ...base, maxFailures: 1 })));
    } finally {
      await pool.close();
    }

    const whole = report(base, one);
    for (const count of [2, 3]) {
      const shards = [];
      for (let index = 1; index <= count; index++) {
        const o = { ...base, shard: { index, count } };
        shards.push({ file: `s${index}.json`, report: JSON.parse(report(o, await runCampaignInline(o))) });
      }
      expect(reportJson(mergeReports(shards)), `${count} shards`).toBe(whole);
    }
  });

  it('shrink only the first failure of each class (every one with keepAll); the class repro is the same either way', async () => {
    const one = await runCampaignInline(base);
    const classes = new Set(one.failures.map((f) => f.cls));
    const firsts = one.failures.filter((f) => f.repro !== null);
    expect(firsts.map((f) => f.cls)).toEqual([...classes]);
    expect(one.failures.length).toBeGreaterThan(classes.size);
    const all = await runCampaignInline({ ...base, keepAll: true });
    expect(all.failures.every((f) => f.repro !== null)).toBe(true);
    for (const f of firsts) expect(writeScenario(all.failures.find((g) => g.run === f.run)!.repro!.scenario)).toBe(writeScenario(f.repro!.scenario));
  });

  it('--run N plays run N as the campaign does: same class, same repro', async () => {
    const one = await runCampaignInline(base);
    const f = one.failures[one.failures.length - 1]!;
    const alone = await runCampaignInline({ ...base, only: f.run });
    expect(alone.runs).toBe(1);
    expect(alone.failures.map((x) => [x.run, x.cls, x.found])).toEqual([[f.run, f.cls, f.found]]);
    const keep = await runCampaignInline({ ...base, keepAll: true });
    expect(writeScenario(alone.failures[0]!.repro!.scenario)).toBe(writeScenario(keep.failures.find((x) => x.run === f.run)!.repro!.scenario));
  });

  it('--check-determinism finds nothing to complain about', async () => {
    const r = await runCampaignInline({ ...base, bugs: [], runs: 20, checkDeterminism: true });
    expect(r.failures).toEqual([]);
  });

  it('a runner without the tools stops short of a run that needs them, changes nothing, and plays it in full once given them', async () => {
    const one = await runCampaignInline(base);
    const failing = one.failures[0]!.run;
    const bare = new CampaignRunner(base);
    for (let run = 0; run < failing; run++) expect(bare.play(run), `run ${run}`).toEqual({ run, failure: null });
    expect(bare.play(failing)).toBeNull();
    expect(() => bare.run(failing)).toThrow(`campaign: run ${failing} needs the shrinker and the loader (campaign.ts CAMPAIGN_TOOLS), and this runner has none`);
    expect(new CampaignRunner({ ...base, bugs: [], checkDeterminism: true }).play(0)).toBeNull();
    bare.tools = CAMPAIGN_TOOLS;
    const full = bare.play(failing)!;
    expect(full.failure!.repro).not.toBeNull();
    expect(writeScenario(full.failure!.repro!.scenario)).toBe(writeScenario(one.failures[0]!.repro!.scenario));
  });

  it('shrink: false reports the same failing runs and classes, each with its whole generated scenario, and needs no tools', async () => {
    const shrunk = await runCampaignInline({ ...base, runs: 24 });
    const bare = new CampaignRunner({ ...base, runs: 24, shrink: false });
    const failures = shardRuns({ ...base, runs: 24 }).map((run) => bare.run(run).failure).filter((f) => f !== null);
    expect(failures.map((f) => [f.run, f.cls, f.found])).toEqual(shrunk.failures.map((f) => [f.run, f.cls, f.found]));
    expect(failures.length).toBeGreaterThan(1);
    for (const f of failures) {
      expect(f.repro!.info.pinned).toBe(0);
      expect(f.repro!.scenario.steps.length).toBe(f.repro!.info.originalSteps);
    }
    expect(shrunk.failures[0]!.repro!.scenario.steps.length).toBeLessThan(failures[0]!.repro!.scenario.steps.length);
  });

  it('workers load the tools at their first failure or --check-determinism run and report what one thread does', async () => {
    const o = { ...base, runs: 16, checkDeterminism: true };
    const inline = await runCampaignInline(o);
    expect(inline.failures.length).toBeGreaterThan(0);
    const pool = new WorkerPool(2);
    try {
      expect(bytes(await pool.run(o))).toBe(bytes(inline));
      expect(bytes(await pool.run(base))).toBe(bytes(await runCampaignInline(base)));
    } finally {
      await pool.close();
    }
  });

  it('settle in run order; a stop reports every run done, past a gap too; nothing after the cut', () => {
    const ok = (run: number): RunOutcome => ({ run, failure: null });
    const seen: number[] = [];
    const s = new Settler(5, 0, (o) => seen.push(o.run));
    s.put(1, ok(1));
    expect(seen).toEqual([]);
    s.put(0, ok(0));
    s.put(3, ok(3));
    expect(seen).toEqual([0, 1]);
    expect(s.finish('interrupted')).toEqual({ runs: 3, failures: [], stopped: 'interrupted' });
    expect(seen).toEqual([0, 1, 3]);
    const done = new Settler(2, 0);
    done.put(1, ok(1));
    done.put(0, ok(0));
    expect(done.finish(null)).toEqual({ runs: 2, failures: [], stopped: 'done' });
  });

  it('a stop flag ends an inline campaign at the next run boundary, with the reason', async () => {
    const stop = new StopFlag();
    const r = await runCampaignInline({ ...base, bugs: [], runs: 100 }, { stop, onProgress: (done) => done === 7 && stop.stop('time') });
    expect(r).toEqual({ runs: 7, failures: [], stopped: 'time' });
  });
});
