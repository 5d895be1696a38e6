/**
 * How the bench's code is running: bundled by bench/run.mjs (npm run bench,
 * bench/NAME.bundle.mjs) or from its sources under tsx; and so how to start
 * one of the programs it runs in another thread or process.
 */
export const BUNDLED = import.meta.url.endsWith('.bundle.mjs');

/** The bench program `name` (fuzz_worker, rss) as this code runs: its bundle under plain node, or its source under tsx. */
export function sibling(name: string): { url: URL; tsx: boolean } {
  return BUNDLED ? { url: new URL(`./${name}.bundle.mjs`, import.meta.url), tsx: false } : { url: new URL(`./${name}.ts`, import.meta.url), tsx: true };
}
