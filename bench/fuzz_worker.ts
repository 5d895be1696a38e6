/**
 * One fuzz worker thread for the scaling figure (started by bench/fuzz.ts).
 * It warms up, says `ready`, then on each `run` message plays runs (campaign
 * seed 100 + its index, no bug) for the given milliseconds and answers
 * `done` with the count.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runOne } from '../scenarios/fuzz/campaign.ts';
import { campaignOptions } from './fuzz.ts';

interface Data {
  index: number;
  steps: number;
  warmupMs: number;
}

const port = parentPort;
if (port === null) throw new Error('fuzz_worker: not a worker thread');
const data = workerData as Data;
const o = campaignOptions(100 + data.index, Number.MAX_SAFE_INTEGER, data.steps);
let index = 0;
const one = () => runOne(o, index++);
const t0 = performance.now();
while (performance.now() - t0 < data.warmupMs) one();
port.on('message', (m: { type: 'run'; ms: number }) => {
  let runs = 0;
  const s0 = performance.now();
  let t = s0;
  while (t - s0 < m.ms) {
    one();
    runs++;
    t = performance.now();
  }
  port.postMessage({ type: 'done', runs, seconds: (t - s0) / 1000 });
});
port.postMessage({ type: 'ready' });
