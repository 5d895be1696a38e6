/**
 * A profiling target: runs one mix, or fuzz runs, for a few seconds, nothing else.
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts [full|shared] [on|off] [ms]
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts fuzz [steps] [ms]
 * and then `node --import tsx bench/profile_top.ts /tmp/prof/<file>.cpuprofile` for the table.
 * Compiled, as npm run bench measures: `node bench/run.mjs profile.ts ARGS` makes
 * bench/profile.bundle.mjs (and runs it once), then
 * `node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile.bundle.mjs ARGS`.
 */
import { measureRuns } from './fuzz.ts';
import { measureMix } from './mix.ts';
import type { MixKind } from './mix.ts';

const what = process.argv[2] ?? 'full';
if (what === 'fuzz') {
  const steps = Number(process.argv[3] ?? 50);
  const ms = Number(process.argv[4] ?? 4000);
  const r = measureRuns(steps, 1, ms / 5, 5);
  console.log(`fuzz ${steps} steps: ${Math.round(r.runsPerSec)} runs/s (median of 5 windows: ${r.windows.map((w) => Math.round(w)).join(', ')})`);
} else {
  const oracle = process.argv[3] === 'on';
  const ms = Number(process.argv[4] ?? 4000);
  const r = measureMix(what as MixKind, oracle, ms / 5, 5);
  console.log(`${what} oracle=${oracle ? 'on' : 'off'}: ${Math.round(r.eventsPerSec)} events/s (median of 5 windows: ${r.windows.map((w) => Math.round(w)).join(', ')})`);
}
