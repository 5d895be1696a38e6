/**
 * `procfs-emu coverage`: which coverage marks (emulator/marks.ts) the
 * regression corpus and a standard fuzz campaign hit. Every declared mark is
 * listed with its hits from each and, for one declared unreachable, the
 * reason; a reachable mark neither hits, or an unreachable one that is hit
 * after all, makes the exit status 1. (TigerBeetle's marks, FoundationDB's
 * CODE_PROBE: a test names the branches it expects to run.)
 */
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, InvalidArgumentError } from 'commander';
import type { MarkCounts } from '../emulator/marks.ts';
import { marksDeclared, withMarks } from '../emulator/marks.ts';
import { collectScenarioFiles } from './collect.ts';
import type { CampaignOptions } from './fuzz/campaign.ts';
import { runCampaignCounting } from './fuzz/marks.ts';
import { seedText } from './fuzz/prng.ts';
import { runFile } from './report.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The standard campaign: seed 1, 2 000 runs of 50 steps, no bugs, every run reported. */
export const COVERAGE_CAMPAIGN: CampaignOptions = {
  seed: 1, runs: 2000, steps: 50, bugs: [], shard: { index: 1, count: 1 }, checkDeterminism: false, maxFailures: 0,
};

export interface MarkRow {
  name: string;
  file: string;
  corpus: number;
  campaign: number;
  unreachable: string | null;
}

export interface CoverageReport {
  corpus: { dir: string; scenarios: number; failed: string[] };
  campaign: { seed: string; runs: number; steps: number; failures: number };
  marks: MarkRow[];
  summary: {
    marks: number;
    corpus: number;
    campaign: number;
    either: number;
    unreachable: number;
    /** Reachable marks neither hit. */
    missed: string[];
    /** Marks declared unreachable that were hit: the reason is wrong. */
    unreachableHit: string[];
  };
}

/** The corpus with marks on: its counts, and the files that did not pass. */
export function corpusMarks(dir: string): { scenarios: number; failed: string[]; marks: MarkCounts } {
  const found = collectScenarioFiles([dir]);
  if (!found.ok) throw new Error(found.message);
  const { value: failed, marks } = withMarks(() => found.files.filter((f) => runFile(f).status !== 'pass'));
  return { scenarios: found.files.length, failed, marks };
}

/** The table from the two sets of counts, in the declared marks' (sorted) order. */
export function coverageTable(corpus: MarkCounts, campaign: MarkCounts): { marks: MarkRow[]; summary: CoverageReport['summary'] } {
  const marks = marksDeclared().map((d) => ({
    name: d.name, file: d.file, corpus: corpus[d.name] ?? 0, campaign: campaign[d.name] ?? 0, unreachable: d.unreachable,
  }));
  const hit = (r: MarkRow) => r.corpus + r.campaign > 0;
  return {
    marks,
    summary: {
      marks: marks.length,
      corpus: marks.filter((r) => r.corpus > 0).length,
      campaign: marks.filter((r) => r.campaign > 0).length,
      either: marks.filter(hit).length,
      unreachable: marks.filter((r) => r.unreachable !== null).length,
      missed: marks.filter((r) => !hit(r) && r.unreachable === null).map((r) => r.name),
      unreachableHit: marks.filter((r) => hit(r) && r.unreachable !== null).map((r) => r.name),
    },
  };
}

/** Run the corpus and the campaign (on `workers` threads) and build the report. */
export async function measureCoverage(opts: { corpusDir?: string; workers?: number; campaign?: CampaignOptions } = {}): Promise<CoverageReport> {
  const dir = opts.corpusDir ?? (relative(process.cwd(), join(ROOT, 'scenarios', 'corpus')) || '.');
  const o = opts.campaign ?? COVERAGE_CAMPAIGN;
  const c = corpusMarks(dir);
  const f = await runCampaignCounting(o, opts.workers ?? 1);
  return {
    corpus: { dir, scenarios: c.scenarios, failed: c.failed },
    campaign: { seed: seedText(o.seed), runs: f.result.runs, steps: o.steps, failures: f.result.failures.length },
    ...coverageTable(c.marks, f.marks),
  };
}

/** The human table: mark, corpus hits, campaign hits, why unreachable. */
export function formatCoverage(r: CoverageReport): string {
  const width = Math.max(4, ...r.marks.map((m) => m.name.length));
  const lines = [`${'mark'.padEnd(width)}  ${'corpus'.padStart(8)}  ${'campaign'.padStart(8)}  unreachable`];
  for (const m of r.marks) {
    const flag = m.corpus + m.campaign === 0 ? (m.unreachable === null ? '  MISSED' : '') : m.unreachable !== null ? '  HIT, BUT DECLARED UNREACHABLE' : '';
    lines.push(`${m.name.padEnd(width)}  ${String(m.corpus).padStart(8)}  ${String(m.campaign).padStart(8)}  ${m.unreachable ?? ''}${flag}`.trimEnd());
  }
  const s = r.summary;
  lines.push(
    `coverage: ${s.marks} marks; the corpus (${r.corpus.scenarios} scenarios) hit ${s.corpus}, ` +
      `the campaign (seed ${r.campaign.seed}, ${r.campaign.runs} runs of ${r.campaign.steps} steps) ${s.campaign}, either ${s.either}; ` +
      `${s.unreachable} declared unreachable; ${s.missed.length} missed; ${s.unreachableHit.length} hit though declared unreachable`,
  );
  return `${lines.join('\n')}\n`;
}

function intArg(name: string, min: number, max: number): (v: string) => number {
  return (v) => {
    if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max) throw new InvalidArgumentError(`${name} takes an integer from ${min} to ${max}, found "${v}".`);
    return Number(v);
  };
}

/** Add `coverage` to the program; `exit` receives its status (0: every reachable mark hit, none unreachable hit). */
export function registerCoverageCommand(program: Command, exit: (code: number) => void): void {
  program
    .command('coverage')
    .description('run the corpus and a standard fuzz campaign (seed 1, 2000 runs, 50 steps) with coverage marks on; print each mark\'s hits')
    .option('--json', 'print one JSON document on stdout: {corpus, campaign, marks, summary}')
    .option('--workers <N>', 'worker threads for the campaign (the counts are the same for any number)', intArg('--workers', 1, 256), 1)
    .option('--runs <N>', 'runs of the campaign (a shorter look; the standard is 2000)', intArg('--runs', 0, 10_000_000), COVERAGE_CAMPAIGN.runs)
    .option('--corpus <DIR>', 'the scenario directory to run (default: scenarios/corpus)')
    .action(async (o: { json?: boolean; workers: number; runs: number; corpus?: string }) => {
      let code: number;
      try {
        const campaign = { ...COVERAGE_CAMPAIGN, runs: o.runs };
        const r = await measureCoverage({ workers: o.workers, campaign, ...(o.corpus === undefined ? {} : { corpusDir: o.corpus }) });
        process.stdout.write(o.json === true ? `${JSON.stringify(r, null, 2)}\n` : formatCoverage(r));
        code = r.summary.missed.length > 0 || r.summary.unreachableHit.length > 0 ? 1 : 0;
      } catch (e) {
        process.stderr.write(`procfs-emu: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}\n`);
        code = 2;
      }
      process.exitCode = code;
      exit(code);
    });
}
