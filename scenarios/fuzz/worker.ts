/**
 * A campaign worker thread: runs the chunks of runs it is sent and posts
 * their outcomes back. It holds no state between chunks besides the options.
 */
import { parentPort } from 'node:worker_threads';
import type { CampaignOptions, RunOutcome } from './campaign.ts';
import { runOne } from './campaign.ts';

export type ToWorker = { kind: 'chunk'; id: number; runs: number[]; options: CampaignOptions };
export type FromWorker = { kind: 'done'; id: number; outcomes: RunOutcome[] } | { kind: 'error'; message: string };

const port = parentPort;
if (port !== null) {
  port.on('message', (m: ToWorker) => {
    try {
      const outcomes = m.runs.map((run) => runOne(m.options, run));
      port.postMessage({ kind: 'done', id: m.id, outcomes } satisfies FromWorker);
    } catch (e) {
      port.postMessage({ kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies FromWorker);
    }
  });
}
