/**
 * The wall clock, for the command line's summaries, time limits and progress
 * bars only. Nothing under emulator/, procfs/ or scenarios/ may read the clock
 * for anything that changes results: they import it from here.
 */
import { performance } from 'node:perf_hooks';

export function nowMs(): number {
  return performance.now();
}
