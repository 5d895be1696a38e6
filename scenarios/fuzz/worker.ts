/**
 * A campaign worker thread: runs the chunks of runs it is sent and posts
 * their outcomes back, stopping early at a run boundary when the campaign's
 * stop flag goes up. Between chunks it keeps only the campaign's runner.
 * With `marks`, each run's coverage marks come back beside its outcome.
 */
import { parentPort } from 'node:worker_threads';
import type { MarkCounts } from '../../emulator/marks.ts';
import { marksArm, marksReset, marksTake } from '../../emulator/marks.ts';
import type { CampaignOptions, RunOutcome } from './campaign.ts';
import { CampaignRunner, flagRaised } from './campaign.ts';

/** A chunk of runs of campaign `campaign`; `stop` is the campaign's StopFlag, read between runs. */
export type ToWorker = { kind: 'chunk'; campaign: number; id: number; runs: number[]; options: CampaignOptions; stop: SharedArrayBuffer; marks?: boolean };
/** `marks[j]`, when asked for, are the marks of `outcomes[j]`'s run. */
export type FromWorker = { kind: 'done'; id: number; outcomes: RunOutcome[]; marks?: MarkCounts[] } | { kind: 'error'; message: string };

/** CampaignRunner.chunk, taking each run's marks as it ends (marks.ts marksDuring counts its generation). */
function countedChunk(runner: CampaignRunner, runs: readonly number[], stopped: () => boolean): { outcomes: RunOutcome[]; marks: MarkCounts[] } {
  const outcomes: RunOutcome[] = [];
  const marks: MarkCounts[] = [];
  marksReset();
  marksArm(true);
  try {
    for (const run of runs) {
      if (stopped()) break;
      outcomes.push(runner.run(run));
      marks.push(marksTake());
    }
  } finally {
    marksArm(false);
    marksReset();
  }
  return { outcomes, marks };
}

const port = parentPort;
/** The runner of the current campaign: it remembers which signatures it has shrunk. */
let current: { campaign: number; runner: CampaignRunner } | null = null;
if (port !== null) {
  port.on('message', (m: ToWorker) => {
    try {
      if (current?.campaign !== m.campaign) current = { campaign: m.campaign, runner: new CampaignRunner(m.options) };
      const stopped = () => flagRaised(m.stop);
      const done = m.marks === true ? countedChunk(current.runner, m.runs, stopped) : { outcomes: current.runner.chunk(m.runs, stopped) };
      port.postMessage({ kind: 'done', id: m.id, ...done } satisfies FromWorker);
    } catch (e) {
      port.postMessage({ kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies FromWorker);
    }
  });
}
