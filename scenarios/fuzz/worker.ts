/**
 * A campaign worker thread: runs the chunks of runs it is sent and posts
 * their outcomes back, stopping early at a run boundary when the campaign's
 * stop flag goes up. Between chunks it keeps only the campaign's runner.
 */
import { parentPort } from 'node:worker_threads';
import type { CampaignOptions, RunOutcome } from './campaign.ts';
import { CampaignRunner, flagRaised } from './campaign.ts';

/** A chunk of runs of campaign `campaign`; `stop` is the campaign's StopFlag, read between runs. */
export type ToWorker = { kind: 'chunk'; campaign: number; id: number; runs: number[]; options: CampaignOptions; stop: SharedArrayBuffer };
export type FromWorker = { kind: 'done'; id: number; outcomes: RunOutcome[] } | { kind: 'error'; message: string };

const port = parentPort;
/** The runner of the current campaign: it remembers which signatures it has shrunk. */
let current: { campaign: number; runner: CampaignRunner } | null = null;
if (port !== null) {
  port.on('message', (m: ToWorker) => {
    try {
      if (current?.campaign !== m.campaign) current = { campaign: m.campaign, runner: new CampaignRunner(m.options) };
      const outcomes = current.runner.chunk(m.runs, () => flagRaised(m.stop));
      port.postMessage({ kind: 'done', id: m.id, outcomes } satisfies FromWorker);
    } catch (e) {
      port.postMessage({ kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies FromWorker);
    }
  });
}
