/**
 * A campaign worker thread: runs the chunks of runs it is sent and posts
 * their outcomes back, stopping early at a run boundary when the campaign's
 * stop flag goes up. Between chunks it keeps only the campaign's runner.
 * With `marks`, each run's coverage marks come back beside its outcome.
 *
 * It starts on runs.ts alone; the shrinker and the loader (campaign.ts
 * CAMPAIGN_TOOLS, which bring zod and yaml) are imported when a run first
 * needs them, and that run is played again with them.
 */
import { parentPort } from 'node:worker_threads';
import type { MarkCounts } from '../../emulator/marks.ts';
import { marksArm, marksReset, marksTake } from '../../emulator/marks.ts';
import type { CampaignOptions, CampaignTools, RunOutcome } from './runs.ts';
import { CampaignRunner, flagRaised } from './runs.ts';

/** A chunk of runs of campaign `campaign`; `stop` is the campaign's StopFlag, read between runs. */
export type ToWorker = { kind: 'chunk'; campaign: number; id: number; runs: number[]; options: CampaignOptions; stop: SharedArrayBuffer; marks?: boolean };
/** `marks[j]`, when asked for, are the marks of `outcomes[j]`'s run. */
export type FromWorker = { kind: 'done'; id: number; outcomes: RunOutcome[]; marks?: MarkCounts[] } | { kind: 'error'; message: string };

/** The tools, loaded once per thread at the first run that needs them. */
let tools: Promise<CampaignTools> | null = null;

/** One run; one that needs the tools is played again once they are loaded (runs.ts CampaignRunner.play). */
async function playRun(runner: CampaignRunner, run: number, counting: boolean): Promise<RunOutcome> {
  const first = runner.play(run);
  if (first !== null) return first;
  tools ??= import('./campaign.ts').then((m) => m.CAMPAIGN_TOOLS);
  runner.tools = await tools;
  if (counting) marksTake(); // the unfinished play's marks: the replay counts the run once
  return runner.run(run);
}

/** A chunk's runs in order until the stop flag goes up, each run's marks taken as it ends when `counting` (marks.ts marksDuring counts its generation). */
async function chunk(runner: CampaignRunner, runs: readonly number[], stopped: () => boolean, counting: boolean): Promise<{ outcomes: RunOutcome[]; marks?: MarkCounts[] }> {
  const outcomes: RunOutcome[] = [];
  const marks: MarkCounts[] = [];
  if (counting) {
    marksReset();
    marksArm(true);
  }
  try {
    for (const run of runs) {
      if (stopped()) break;
      outcomes.push(await playRun(runner, run, counting));
      if (counting) marks.push(marksTake());
    }
  } finally {
    if (counting) {
      marksArm(false);
      marksReset();
    }
  }
  return counting ? { outcomes, marks } : { outcomes };
}

const port = parentPort;
/** The runner of the current campaign: it remembers which signatures it has shrunk. */
let current: { campaign: number; runner: CampaignRunner } | null = null;
if (port !== null) {
  // Chunks are played one after another, in the order they came.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    queue = queue.then(async () => {
      try {
        if (current?.campaign !== m.campaign) current = { campaign: m.campaign, runner: new CampaignRunner(m.options, await tools) };
        const done = await chunk(current.runner, m.runs, () => flagRaised(m.stop), m.marks === true);
        port.postMessage({ kind: 'done', id: m.id, ...done } satisfies FromWorker);
      } catch (e) {
        port.postMessage({ kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies FromWorker);
      }
    });
  });
}
