// @ts-check
// The deterministic sample of MUTATE_SAMPLE=K (docs/testing.md "Mutation testing"): of each
// in-scope file (sorted by path, index i), the 25-line windows that start at line
// 1 + o + j*25K (j = 0, 1, ...), with o = 25 * (i mod K): one line window in K, the offset
// rotating from file to file. A file shorter than its offset takes one window at
// o mod (its length rounded up to 25). The windows are printed and written to
// reports/mutation/sample.txt.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const windowLines = 25;

/** The files both mutation runs mutate (issue 9's scope), and those left out of it. */
export const SCOPE = 'procfs/*.ts,emulator/kern_*.ts,emulator/vnode.ts,emulator/mount.ts,emulator/kauth.ts';
export const EXCLUDED = ['procfs/index.ts'];

/** The files a comma list of `dir/prefix*.ts` or plain paths names, sorted, without `excluded`. */
export function scopeFiles(scope, excluded = []) {
  const files = [];
  for (const glob of scope.split(',').filter((g) => g !== '')) {
    if (!glob.includes('*')) { files.push(glob); continue; }
    const dir = dirname(glob);
    const [prefix, suffix] = glob.slice(dir.length + 1).split('*');
    for (const f of readdirSync(dir)) if (f.startsWith(prefix ?? '') && f.endsWith(suffix ?? '')) files.push(join(dir, f));
  }
  return [...new Set(files)].filter((f) => !excluded.includes(f)).sort();
}

/** The windows of one file: [from, to] line pairs, 1-based, inclusive. */
export function fileWindows(lines, index, k) {
  const period = windowLines * k;
  let offset = windowLines * (index % k);
  if (offset >= lines) offset %= Math.ceil(lines / windowLines) * windowLines;
  const windows = [];
  for (let from = 1 + offset; from <= lines; from += period) windows.push([from, Math.min(lines, from + windowLines - 1)]);
  return windows;
}

/** Stryker mutate entries (`file:from-to`) for MUTATE_SAMPLE=k. */
export function sampleWindows(scope, k, excluded = []) {
  if (!Number.isInteger(k) || k < 1) throw new Error(`MUTATE_SAMPLE: expected a positive integer, got ${k}`);
  const entries = [];
  scopeFiles(scope, excluded).forEach((file, i) => {
    const lines = readFileSync(file, 'utf8').split('\n').length;
    for (const [from, to] of fileWindows(lines, i, k)) entries.push(`${file}:${from}-${to}`);
  });
  const text = `MUTATE_SAMPLE=${k}: ${entries.length} windows of ${windowLines} lines\n${entries.join('\n')}\n`;
  mkdirSync('reports/mutation', { recursive: true });
  writeFileSync('reports/mutation/sample.txt', text);
  process.stderr.write(text);
  return entries;
}
