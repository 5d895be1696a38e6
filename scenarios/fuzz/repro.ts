/**
 * Repro files: a shrunk failing scenario in the contract's format whose
 * description tells where it came from (seed, run, bug switches, swarm) and
 * how it fails, written atomically (temp file + link) into the output
 * directory without ever replacing another file.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BugName } from '../../emulator/bugs.ts';
import type { Scenario } from '../types.ts';
import { classSlug } from './failure.ts';
import type { SeedSpec } from './prng.ts';
import { seedText } from './prng.ts';
import { writeScenario } from './write.ts';

export interface ReproInfo {
  /** Where it came from: a campaign run, or a file given to `shrink`. */
  origin: { seed: SeedSpec; run: number; steps: number; swarm: string } | { file: string };
  bugs: readonly BugName[];
  /** The failure's signature (failure.ts signatureText); its rule names the file. */
  cls: string;
  rule: string;
  failure: { step: number; message: string };
  originalSteps: number;
  /** Steps 0 .. pinned-1 expect what `reference` observed there (shrink.ts pinExpectations). */
  pinned: number;
  reference: 'without-bugs' | 'engine' | null;
}

/** The arguments that play the run alone (fuzz --seed S --run N), with what shaped it. */
export function rerunArgs(o: { seed: SeedSpec; run: number; steps: number }, bugs: readonly BugName[]): string {
  return `fuzz --seed ${seedText(o.seed)} --run ${o.run} --steps ${o.steps}${bugs.length === 0 ? '' : ` --bugs ${bugs.join(',')}`}`;
}

/**
 * A command as a repro file states it: the same bytes wherever the campaign
 * ran, so both forms (the package's bin, and this repository's npm script).
 */
export function commandForms(args: string): string {
  return `npx procfs-emu ${args} (in the procfs-emu repository: npm run -s emu -- ${args})`;
}

function pinnedLine(info: ReproInfo): string[] {
  if (info.pinned === 0) return [];
  const which = info.pinned === 1 ? 'step 0 expects' : `steps 0 to ${info.pinned - 1} expect`;
  return [`expectations: ${which} what ${info.reference === 'without-bugs' ? 'the engine without the bugs' : 'the engine'} observed there`];
}

/** The repro scenario (its description lacks only the replay line, which needs the file's path). */
export function reproScenario(shrunk: Scenario, info: ReproInfo): Scenario {
  const o = info.origin;
  const where = 'file' in o ? `shrink of ${o.file}` : `seed ${seedText(o.seed)} run ${o.run}`;
  const bugs = [...new Set([...shrunk.bugs, ...info.bugs])];
  const lines = [
    'file' in o ? `Shrunk by procfs-emu from ${o.file}.` : 'Found by procfs-emu fuzz, then shrunk.',
    ...('file' in o ? [] : [`seed: ${seedText(o.seed)}`, `run: ${o.run}`, `steps per run: ${o.steps}`]),
    `bugs: ${bugs.length === 0 ? 'none' : bugs.join(', ')}`,
    ...('file' in o ? [] : [`swarm: ${o.swarm}`]),
    `shrunk: ${info.originalSteps} steps to ${shrunk.steps.length}`,
    `failure class: ${info.cls}`,
    `failure: steps[${info.failure.step}]: ${info.failure.message}`,
    ...pinnedLine(info),
    ...(bugs.length === 0 ? [] : ['Without the bugs (delete the bugs: line, or replay --without-bugs) it passes.']),
    ...('file' in o ? [] : [`rerun: ${commandForms(rerunArgs(o, info.bugs))}`]),
  ];
  return { ...shrunk, name: `fuzz: ${info.cls} (${where})`, description: `${lines.join('\n')}\n`, bugs };
}

/** The repro's text for a file at `path`: the replay command goes last in the description. */
export function reproText(repro: Scenario, path: string): string {
  const replay = `replay: ${commandForms(`replay ${path}`)}`;
  return writeScenario({ ...repro, description: `${repro.description ?? ''}${replay}\n` });
}

/** `seed-1-run-17-oracle-procfs_exechook_cb`: seed, run and class; for a shrunk file, its name. */
export function reproBaseName(info: ReproInfo): string {
  const o = info.origin;
  const tail = classSlug(info.rule);
  if ('file' in o) {
    const base = o.file.split('/').pop()!.replace(/\.(ya?ml|json)$/, '').replace(/[^A-Za-z0-9_-]+/g, '-');
    return `${base}-shrunk-${tail}`;
  }
  return `seed-${seedText(o.seed)}-run-${o.run}-${tail}`;
}

/**
 * Write `render(path)` to a new file `dir/base.yaml` (or `base-2.yaml`, ...):
 * a temp file linked into place, so the file appears whole and an existing
 * one is never replaced. A file that already holds exactly these bytes is
 * taken as is (the same campaign run again). Returns the path.
 */
export function writeReproFile(dir: string, base: string, render: (path: string) => string): string {
  mkdirSync(dir, { recursive: true });
  for (let n = 1; n < 10_000; n++) {
    const name = n === 1 ? `${base}.yaml` : `${base}-${n}.yaml`;
    const path = join(dir, name);
    const text = render(path);
    if (existsSync(path)) {
      if (sameBytes(path, text)) return path;
      continue;
    }
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, text, { flag: 'w' });
    try {
      linkSync(tmp, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (sameBytes(path, text)) return path;
      continue;
    } finally {
      unlinkSync(tmp);
    }
    return path;
  }
  throw new Error(`no free file name for ${base} in ${dir}`);
}

function sameBytes(path: string, text: string): boolean {
  try {
    return readFileSync(path, 'utf8') === text;
  } catch {
    return false;
  }
}
