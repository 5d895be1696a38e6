/**
 * A campaign with its coverage marks (emulator/marks.ts): how often each
 * marked branch ran while the runs the campaign reports were generated.
 * Confirming replays and shrinking are not counted (a worker shrinks only
 * the first failure of a class it sees, so they depend on the worker
 * count); each run's marks are taken as it ends and summed by name over the
 * settled runs, so the counts are the same for any number of workers.
 */
import type { MarkCounts } from '../../emulator/marks.ts';
import { marksArm, marksEnabled, marksMerge, marksReset, marksTake } from '../../emulator/marks.ts';
import type { CampaignHooks, CampaignOptions, CampaignResult, RunOutcome } from './campaign.ts';
import { runCampaignInline } from './campaign.ts';
import { runCampaignWorkers } from './pool.ts';

export interface CountedCampaign {
  result: CampaignResult;
  /** Hits by mark name, sorted; empty when not counting. */
  marks: MarkCounts;
}

/**
 * The campaign on `workers` threads (1: this thread), counting marks when
 * `counting`. In this thread a run settles (onOutcome) as soon as it ends,
 * before the next begins, so the marks taken there are that run's.
 */
export async function runCampaignCounting(
  o: CampaignOptions, workers: number, hooks: CampaignHooks = {}, counting = true,
): Promise<CountedCampaign> {
  if (!counting) {
    const result = workers > 1 ? await runCampaignWorkers(o, workers, hooks) : await runCampaignInline(o, hooks);
    return { result, marks: {} };
  }
  if (marksEnabled()) throw new Error('runCampaignCounting: marks are already counting');
  const byRun = new Map<number, MarkCounts>();
  const settled: number[] = [];
  const inline = workers <= 1;
  const counted: CampaignHooks = {
    ...hooks,
    onOutcome: (out: RunOutcome) => {
      if (inline) byRun.set(out.run, marksTake());
      settled.push(out.run);
      hooks.onOutcome?.(out);
    },
  };
  let result: CampaignResult;
  if (inline) {
    marksReset();
    marksArm(true);
    try {
      result = await runCampaignInline(o, counted);
    } finally {
      marksArm(false);
      marksReset();
    }
  } else {
    result = await runCampaignWorkers(o, workers, counted, (run, m) => byRun.set(run, m));
  }
  return { result, marks: marksMerge(settled.map((run) => byRun.get(run) ?? {})) };
}
