/**
 * The oracle is the judge (scenarios/judge/): this name stays for the
 * package's public API and the benchmark.
 */
export { Judge as Oracle, judgeMessage } from './judge/index.ts';
export type { JudgeSpec, Violation } from './judge/index.ts';
