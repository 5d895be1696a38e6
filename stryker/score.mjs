// @ts-check
// The figures of a mutation run, from its JSON report: `node stryker/score.mjs REPORT.json
// [--survivors]`. Per file: killed, timeouts, survived, no coverage, ignored (stryker/ignorers.mjs)
// and equivalent (survivors stryker/equivalents.mjs names, each with its reason); then the score
// over all tested mutants and over the non-equivalent ones (killed and timeouts over the tested
// less the equivalent). --survivors lists the survivors that are not equivalent.
import { readFileSync } from 'node:fs';
import { equivalentReason } from './equivalents.mjs';

const [reportPath, ...flags] = process.argv.slice(2);
if (reportPath === undefined) { console.error('usage: node stryker/score.mjs REPORT.json [--survivors]'); process.exit(2); }
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const rows = [];
const survivors = [];
const killedEquivalents = [];
for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const lines = source.split('\n');
  const r = { file, killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, equivalent: 0, other: 0 };
  for (const m of mutants) {
    const line = lines[m.location.start.line - 1] ?? '';
    const reason = equivalentReason(file, lines, m);
    if (m.status === 'Ignored') r.ignored++;
    else if (m.status === 'Killed' || m.status === 'Timeout') {
      if (m.status === 'Killed') r.killed++; else r.timeout++;
      if (reason !== undefined) killedEquivalents.push(`${file}:${m.location.start.line} ${m.mutatorName} -> ${m.replacement}`);
    } else if (m.status === 'Survived' || m.status === 'NoCoverage') {
      if (reason !== undefined) r.equivalent++;
      else {
        if (m.status === 'Survived') r.survived++; else r.noCoverage++;
        survivors.push(`${file}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName} -> ${JSON.stringify(m.replacement)}   | ${line.trim()}`);
      }
    } else r.other++;
  }
  rows.push(r);
}
const total = rows.reduce((t, r) => { for (const k of Object.keys(r)) if (k !== 'file') t[k] = (t[k] ?? 0) + r[k]; return t; }, /** @type {Record<string, number>} */ ({}));
const cols = ['killed', 'timeout', 'survived', 'noCoverage', 'equivalent', 'ignored', 'other'];
console.log(`${'file'.padEnd(28)}${cols.map((c) => c.padStart(11)).join('')}`);
for (const r of [...rows, { file: 'total', ...total }]) console.log(`${r.file.padEnd(28)}${cols.map((c) => String(r[c] ?? 0).padStart(11)).join('')}`);
const detected = total.killed + total.timeout;
const tested = detected + total.survived + total.noCoverage + total.equivalent;
const pct = (a, b) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);
console.log(`tested ${tested} (after ${total.ignored} ignored by rule), detected ${detected}: raw score ${pct(detected, tested)}`);
console.log(`non-equivalent ${tested - total.equivalent} (${total.equivalent} equivalent by reading): score ${pct(detected, tested - total.equivalent)}`);
if (killedEquivalents.length > 0) console.log(`WARNING: listed as equivalent but killed (the list is wrong):\n  ${killedEquivalents.join('\n  ')}`);
if (flags.includes('--survivors')) console.log(survivors.join('\n'));
