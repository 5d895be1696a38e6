/**
 * Resident memory against the number of events: the FULL mix (oracle off) on
 * one kernel for TOTAL events, with a forced GC and a memory sample after
 * every million. Run by bench.ts in a child process:
 *   node --expose-gc --import tsx bench/rss.ts [totalMillions=10]
 * Prints one line of JSON: the samples (MiB) and the growth between 1M and the end.
 */
import { MixDriver } from './mix.ts';

const MiB = 1024 * 1024;
const totalMillions = Number(process.argv[2] ?? 10);
const gc = (globalThis as { gc?: () => void }).gc;

function settle(): void {
  if (gc === undefined) return;
  gc();
  gc();
}

function sample(events: number) {
  settle();
  const m = process.memoryUsage();
  return { events, rssMiB: m.rss / MiB, heapUsedMiB: m.heapUsed / MiB };
}

const d = new MixDriver('full', false);
const rounds = Math.ceil(1_000_000 / d.eventsPerRound);
const samples: ReturnType<typeof sample>[] = [];
let events = 0;
const t0 = performance.now();
for (let m = 1; m <= totalMillions; m++) {
  while (events < m * 1_000_000) events += d.run(Math.min(rounds, Math.ceil((m * 1_000_000 - events) / d.eventsPerRound)));
  samples.push(sample(events));
}
const seconds = (performance.now() - t0) / 1000;
const first = samples[0]!;
const last = samples[samples.length - 1]!;
console.log(JSON.stringify({
  gcExposed: gc !== undefined,
  events,
  seconds,
  eventsPerSec: events / seconds,
  rssGrowthMiB: last.rssMiB - first.rssMiB,
  heapGrowthMiB: last.heapUsedMiB - first.heapUsedMiB,
  // State that would grow with the number of events if anything leaked.
  state: {
    pids: d.k.pidTable.size,
    allproc: d.k.allproc.length,
    zombproc: d.k.zombproc.length,
    vnodes: d.k.cachedVnodes().length,
    initChildren: d.k.initproc.children.length,
  },
  samples,
}));
