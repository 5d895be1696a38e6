/**
 * Every injected bug is found by a small campaign (seed 1, steps 30), and
 * its shrunk repro has at most 12 steps, fails with the bug and passes
 * without it, both under `replay` (oracle + fuzz invariants) and under the
 * contract's `run`; its steps expect what the engine without the bug
 * observes, so the expectations alone (no oracle: another engine with the
 * same defect) fail it too, for every bug whose effect a step can report.
 */
import { describe, expect, it } from 'vitest';
import { BUG_NAMES } from '../../emulator/bugs.ts';
import { runCampaignInline } from '../../scenarios/fuzz/campaign.ts';
import { signatureText } from '../../scenarios/fuzz/failure.ts';
import { reproText } from '../../scenarios/fuzz/repro.ts';
import { check, failureSignature, playScenario } from '../../scenarios/fuzz/session.ts';
import { formatInvalid, loadScenarioText } from '../../scenarios/load.ts';
import { runScenario } from '../../scenarios/runner.ts';

const RUNS = 400;

/** Bugs no step result shows (only the oracle sees them): inactive-never-recycles leaves a flag inside the vnode cache. */
const ORACLE_ONLY = new Set(['inactive-never-recycles']);

describe('injected bugs', () => {
  it.each(BUG_NAMES)('%s: found, shrunk to at most 12 steps, fails with it and passes without', async (bug) => {
    const r = await runCampaignInline({
      seed: 1, runs: RUNS, steps: 30, bugs: [bug], shard: { index: 1, count: 1 }, checkDeterminism: false, maxFailures: 1,
    });
    expect(r.failures, `${bug} not found in ${RUNS} runs`).toHaveLength(1);
    const f = r.failures[0]!;
    expect(f.cls).not.toMatch(/^(nondeterminism|step cannot run|exception|kernel panic)/);
    const text = reproText(f.repro!.scenario, `fuzz-failures/${bug}.yaml`);
    const l = loadScenarioText(text, `${bug}.yaml`);
    if (!l.ok) throw new Error(formatInvalid(l.error));
    const repro = l.scenario;
    expect(repro.steps.length).toBeLessThanOrEqual(12);
    expect(repro.bugs).toEqual([bug]);
    expect(repro.description).toContain('seed: 1');
    expect(repro.description).toContain(`run: ${f.run}`);
    expect(repro.description).toContain(`bugs: ${bug}`);
    expect(repro.description).toContain('replay: npx procfs-emu replay fuzz-failures/');

    const judged = playScenario(repro);
    expect(signatureText(failureSignature(repro, judged))).toBe(f.cls);
    expect(check(repro).failure).not.toBeNull();
    expect(check({ ...repro, bugs: [] }).failure).toBeNull();

    expect(runScenario(repro, { trace: false }).failure, 'run fails with the bug').not.toBeNull();
    expect(runScenario({ ...repro, bugs: [] }, { trace: false }).failure, 'run passes without').toBeNull();
    // Pinned: every step up to the failing one expects what the engine without the bug does there.
    const failStep = f.repro!.info.failure.step;
    expect(f.repro!.info.pinned).toBe(failStep + 1);
    for (const st of repro.steps.slice(0, failStep + 1)) expect(st.expect?.errno, JSON.stringify(st)).not.toBe('any');
    const alone = runScenario(repro, { trace: false, oracle: false }).failure;
    if (ORACLE_ONLY.has(bug)) expect(alone).toBeNull();
    else expect(alone, 'the expectations alone fail it').not.toBeNull();
  });
});

describe('no bugs', () => {
  it('300 runs of 50 steps find nothing', async () => {
    const r = await runCampaignInline({
      seed: 2024, runs: 300, steps: 50, bugs: [], shard: { index: 1, count: 1 }, checkDeterminism: false, maxFailures: 0,
    });
    expect(r.failures.map((f) => `${f.run}: ${f.found}`)).toEqual([]);
    expect(r.runs).toBe(300);
  });
});
