/**
 * The campaign on worker threads. The main thread hands out chunks of
 * consecutive runs in order and settles outcomes by position in run order
 * (campaign.ts Settler) exactly as in one thread, so the report, the repro
 * files and the order they are reported in do not depend on the number of
 * workers or on which finished first. A stop (time limit, signal, or the
 * campaign has its failures) is a flag in shared memory that every worker
 * reads between runs: each ends its chunk at the next run boundary and
 * sends what it did. Coverage marks, when asked for, come back per run.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { MarkCounts } from '../../emulator/marks.ts';
import type { CampaignHooks, CampaignOptions, CampaignResult, RunOutcome } from './runs.ts';
import { Settler, StopFlag, shardRun, shardSize } from './runs.ts';
import type { FromWorker, ToWorker } from './worker.ts';

/** Runs per message: enough to make messages cheap, few enough to stop soon at a failure or time limit. */
const CHUNK_RUNS = 8;

/**
 * What a worker thread loads, chosen by the pool's own module URL: beside a
 * compiled pool.js (dist/, plain node) the worker bundle that the build makes
 * (bundle/worker.js: one file loads far faster than the seventy it is made
 * of), or worker.js where a build made none; beside pool.ts (the repository,
 * under tsx or vitest) worker.ts, with tsx registered in the thread first,
 * since worker threads do not inherit the main thread's loader.
 */
export function workerEntry(poolUrl: string, exists: (url: URL) => boolean = existsSync): { url: string; tsx: boolean } {
  const tsx = new URL(poolUrl).pathname.endsWith('.ts');
  if (tsx) return { url: new URL('./worker.ts', poolUrl).href, tsx };
  const bundle = new URL('./bundle/worker.js', poolUrl);
  return { url: exists(bundle) ? bundle.href : new URL('./worker.js', poolUrl).href, tsx };
}

function startWorker(): Worker {
  const w = workerEntry(import.meta.url);
  if (!w.tsx) return new Worker(new URL(w.url));
  const req = createRequire(import.meta.url);
  const tsx = pathToFileURL(req.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(w.url)}); });`;
  return new Worker(code, { eval: true });
}

/** Worker threads that run campaigns, one campaign at a time. */
export class WorkerPool {
  private readonly workers: Worker[];
  /** Tells a worker when a chunk belongs to a new campaign (it keeps one runner per campaign). */
  private campaigns = 0;

  constructor(size: number) {
    this.workers = Array.from({ length: Math.max(1, size) }, startWorker);
  }

  close(): Promise<unknown> {
    return Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** `onRunMarks`, when given, receives each run's coverage marks as its worker reports it (settled or not). */
  run(o: CampaignOptions, hooks: CampaignHooks = {}, onRunMarks?: (run: number, marks: MarkCounts) => void): Promise<CampaignResult> {
    const campaign = ++this.campaigns;
    const stop = hooks.stop ?? new StopFlag();
    return new Promise<CampaignResult>((resolve, reject) => {
      const c = new Chunks(o, hooks, stop);
      let busy = 0;
      let failed = false;
      let settled = false;
      const listeners: [Worker, (m: FromWorker) => void, (e: Error) => void][] = [];
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        for (const [w, onMessage, onError] of listeners) {
          w.off('message', onMessage);
          w.off('error', onError);
        }
        if (err !== undefined) reject(err);
        else resolve(c.result());
      };
      const feed = (w: Worker): void => {
        const next = c.take();
        if (next === null) {
          if (busy === 0 && !failed) finish();
          return;
        }
        busy++;
        w.postMessage({ kind: 'chunk', campaign, id: next.id, runs: next.runs, options: o, stop: stop.buffer, marks: onRunMarks !== undefined } satisfies ToWorker);
      };
      for (const w of this.workers) {
        const onMessage = (m: FromWorker) => {
          if (failed) return;
          if (m.kind === 'error') {
            failed = true;
            stop.halt();
            return finish(new Error(`fuzz worker: ${m.message}`));
          }
          busy--;
          if (onRunMarks !== undefined) m.outcomes.forEach((out, j) => onRunMarks(out.run, m.marks?.[j] ?? {}));
          try {
            c.put(m.id, m.outcomes); // runs the caller's onOutcome (repro files): its errors end the campaign
          } catch (e) {
            failed = true;
            stop.halt();
            return finish(e instanceof Error ? e : new Error(String(e)));
          }
          feed(w);
        };
        const onError = (e: Error) => {
          if (!failed) {
            failed = true;
            stop.halt();
            finish(e);
          }
        };
        listeners.push([w, onMessage, onError]);
        w.on('message', onMessage);
        w.on('error', onError);
      }
      for (const w of this.workers) feed(w);
    });
  }
}

/** The chunks of one campaign: which to hand out next, and the outcomes settled in run order. */
class Chunks {
  private readonly total: number;
  private readonly count: number;
  private readonly settler: Settler;
  private readonly failurePositions: number[] = [];
  private next = 0;
  private done = 0;

  constructor(private readonly o: CampaignOptions, private readonly hooks: CampaignHooks, private readonly stop: StopFlag) {
    this.total = shardSize(o);
    this.count = Math.ceil(this.total / CHUNK_RUNS);
    this.settler = new Settler(this.total, o.maxFailures, hooks.onOutcome, o.keepAll === true);
  }

  /** Past the maxFailures-th failure seen so far nothing can be reported: no need to run it. */
  private cutoff(): number {
    const m = this.o.maxFailures;
    if (m === 0 || this.failurePositions.length < m) return Infinity;
    return [...this.failurePositions].sort((a, b) => a - b)[m - 1]!;
  }

  take(): { id: number; runs: number[] } | null {
    if (this.stop.stopped || this.settler.cut || this.next >= this.count || this.next * CHUNK_RUNS > this.cutoff()) return null;
    const id = this.next++;
    const runs: number[] = [];
    for (let pos = id * CHUNK_RUNS; pos < Math.min(this.total, (id + 1) * CHUNK_RUNS); pos++) runs.push(shardRun(this.o, pos));
    return { id, runs };
  }

  /** A chunk's outcomes: all of its runs, or the first few when a stop came in between. */
  put(id: number, outcomes: readonly RunOutcome[]): void {
    outcomes.forEach((out, j) => {
      const pos = id * CHUNK_RUNS + j;
      if (out.failure !== null) this.failurePositions.push(pos);
      this.settler.put(pos, out);
    });
    // The campaign has its failures: the other workers stop at their next run boundary.
    if (this.settler.cut) this.stop.halt();
    this.done += outcomes.length;
    this.hooks.onProgress?.(this.done, this.total);
  }

  result(): CampaignResult {
    return this.settler.finish(this.stop.reason);
  }
}

/** One campaign on `workers` threads started for it. */
export async function runCampaignWorkers(
  o: CampaignOptions, workers: number, hooks: CampaignHooks = {}, onRunMarks?: (run: number, marks: MarkCounts) => void,
): Promise<CampaignResult> {
  const pool = new WorkerPool(Math.min(workers, Math.max(1, Math.ceil(shardSize(o) / CHUNK_RUNS))));
  try {
    return await pool.run(o, hooks, onRunMarks);
  } finally {
    await pool.close();
  }
}
