/**
 * A profiling target: runs one mix for a few seconds, nothing else.
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile.ts [full|shared] [on|off] [ms]
 */
import { measureMix } from './mix.ts';
import type { MixKind } from './mix.ts';

const kind = (process.argv[2] ?? 'full') as MixKind;
const oracle = process.argv[3] === 'on';
const ms = Number(process.argv[4] ?? 4000);
const r = measureMix(kind, oracle, ms / 5, 5);
console.log(`${kind} oracle=${oracle ? 'on' : 'off'}: ${Math.round(r.eventsPerSec)} events/s (median of 5 windows: ${r.windows.map((w) => Math.round(w)).join(", ")})`);
