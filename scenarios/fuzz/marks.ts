/**
 * A campaign with its coverage marks (emulator/marks.ts): how often each
 * marked branch ran over the runs the campaign reports, including the
 * replays that confirm and shrink a failure. The sum is by name over runs,
 * so it is the same for any number of workers.
 */
import type { MarkCounts } from '../../emulator/marks.ts';
import { marksEnable, marksEnabled, marksReset, marksTake } from '../../emulator/marks.ts';
import type { CampaignHooks, CampaignOptions, CampaignResult } from './campaign.ts';
import { runCampaignInline } from './campaign.ts';
import { runCampaignWorkers, runCampaignWorkersCounting } from './pool.ts';

export interface CountedCampaign {
  result: CampaignResult;
  /** Hits by mark name, sorted; empty when not counting. */
  marks: MarkCounts;
}

/**
 * The campaign on `workers` threads (1: this thread), counting marks when
 * `counting`. In this thread every run done is a run reported (the loop
 * stops before a run, never after it), so one count over the whole campaign
 * is exact; marks are off again afterwards.
 */
export async function runCampaignCounting(
  o: CampaignOptions, workers: number, hooks: CampaignHooks = {}, counting = true,
): Promise<CountedCampaign> {
  if (workers > 1) {
    if (counting) return runCampaignWorkersCounting(o, workers, hooks);
    return { result: await runCampaignWorkers(o, workers, hooks), marks: {} };
  }
  if (!counting) return { result: await runCampaignInline(o, hooks), marks: {} };
  if (marksEnabled()) throw new Error('runCampaignCounting: marks are already counting');
  marksReset();
  marksEnable(true);
  try {
    const result = await runCampaignInline(o, hooks);
    return { result, marks: marksTake() };
  } finally {
    marksEnable(false);
    marksReset();
  }
}
