// @ts-check
// Counts the mutants MUTATE_SAMPLE=K would test, after stryker/ignorers.mjs, without running any
// test: `node stryker/count.mjs K` (K = 0: every in-scope file whole). Used to pick K.
import { readFileSync } from 'node:fs';
import { Instrumenter } from '@stryker-mutator/instrumenter';
import { EXCLUDED, SCOPE, scopeFiles, fileWindows } from './sample.mjs';
import { strykerPlugins } from './ignorers.mjs';

const k = Number(process.argv[2] ?? '0');
const quiet = { isTraceEnabled: () => false, isDebugEnabled: () => false, isInfoEnabled: () => false, trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
const instrumenter = new Instrumenter(quiet);
const files = scopeFiles(SCOPE, EXCLUDED).map((name, i) => {
  const content = readFileSync(name, 'utf8');
  const lines = content.split('\n').length;
  const mutate = k === 0 ? true : fileWindows(lines, i, k).map(([from, to]) => ({ start: { line: from - 1, column: 0 }, end: { line: to - 1, column: Number.MAX_SAFE_INTEGER } }));
  return { name, content, mutate };
});
const ignorer = strykerPlugins[0].value;
const { mutants } = await instrumenter.instrument(files, { ignorers: [ignorer], excludedMutations: [], plugins: null });
const byFile = new Map();
for (const m of mutants) {
  const row = byFile.get(m.fileName) ?? { tested: 0, ignored: 0 };
  if (m.status === 'Ignored') row.ignored++; else row.tested++;
  byFile.set(m.fileName, row);
}
let tested = 0, ignored = 0;
for (const [f, r] of [...byFile].sort()) { console.log(`${f.padEnd(28)} ${String(r.tested).padStart(5)} tested ${String(r.ignored).padStart(5)} ignored`); tested += r.tested; ignored += r.ignored; }
console.log(`K=${k}: ${tested} mutants tested, ${ignored} ignored`);
