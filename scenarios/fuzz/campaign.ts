/**
 * A fuzz campaign in this thread, with everything a failing run needs: the
 * runs themselves, their settling and the stop flag are runs.ts (what a
 * worker thread loads, re-exported here); this module adds the shrinker and
 * the loader as CampaignTools, the shrunk repro, and the inline campaign.
 */
import type { BugName } from '../../emulator/bugs.ts';
import { formatInvalid, loadScenarioText } from '../load.ts';
import type { Scenario } from '../types.ts';
import { signatureText } from './failure.ts';
import { type ReproInfo, reproScenario } from './repro.ts';
import type { CampaignHooks, CampaignOptions, CampaignResult, CampaignTools, Repro, RunOutcome } from './runs.ts';
import { CampaignRunner, Settler, shardRun, shardSize } from './runs.ts';
import { pinExpectations, shrink } from './shrink.ts';

export type { CampaignHooks, CampaignOptions, CampaignResult, CampaignTools, Repro, RunFailure, RunOutcome, StopReason } from './runs.ts';
export { CampaignRunner, Settler, StopFlag, flagRaised, shardRun, shardRuns, shardSize } from './runs.ts';

/**
 * Shrink a failing scenario, switch the bugs on in it, pin its expectations
 * (shrink.ts pinExpectations) and describe it: the repro of a campaign run
 * or of a file given to `shrink`.
 */
export function shrunkRepro(s: Scenario, bugs: readonly BugName[], origin: ReproInfo['origin']): Repro {
  const r = shrink(s, { bugs });
  const withBugs: Scenario = { ...r.scenario, bugs: [...new Set([...r.scenario.bugs, ...bugs])] };
  const p = pinExpectations(withBugs, [], r.failure.step);
  const info: ReproInfo = {
    origin, bugs: withBugs.bugs, cls: signatureText(r.signature), rule: r.signature.rule, failure: r.failure,
    originalSteps: s.steps.length, pinned: p.pinned, reference: p.reference,
  };
  return { message: `steps[${r.failure.step}]: ${r.failure.message}`, scenario: reproScenario(p.scenario, info), info };
}

/** The tools a failing run needs (runs.ts CampaignTools). */
export const CAMPAIGN_TOOLS: CampaignTools = {
  shrunkRepro,
  loadBack(text, file) {
    const l = loadScenarioText(text, file);
    return l.ok ? { ok: true, scenario: l.scenario } : { ok: false, message: formatInvalid(l.error) };
  },
};

/** One run with its failure shrunk whatever came before it (benchmarks, tests). */
export function runOne(o: CampaignOptions, run: number): RunOutcome {
  return new CampaignRunner({ ...o, keepAll: true }, CAMPAIGN_TOOLS).run(run);
}

/** The campaign in this thread, yielding to the event loop after every run (signals, timers, progress). */
export async function runCampaignInline(o: CampaignOptions, hooks: CampaignHooks = {}): Promise<CampaignResult> {
  const total = shardSize(o);
  const runner = new CampaignRunner(o, CAMPAIGN_TOOLS);
  const settler = new Settler(total, o.maxFailures, hooks.onOutcome, o.keepAll === true);
  for (let pos = 0; pos < total && !settler.cut; pos++) {
    if (hooks.stop?.stopped === true) break;
    settler.put(pos, runner.run(shardRun(o, pos)));
    hooks.onProgress?.(pos + 1, total);
    await new Promise<void>((r) => setImmediate(r));
  }
  return settler.finish(hooks.stop?.reason ?? null);
}
