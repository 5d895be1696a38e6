/**
 * The typed scenario builder: a scenario written as a TypeScript object in the
 * shape of the YAML format (scenario-format.md), its types taken from the zod
 * schemas of format.ts, checked at run time by the loader itself, so a
 * scenario built in code passes exactly the checks a file does.
 */
import type { z } from 'zod';
import type { KernelSchema, STEP_BODIES } from './format.ts';
import type { InvalidError, LoadResult } from './load.ts';
import { loadScenarioText } from './load.ts';
import type { BugName } from '../emulator/bugs.ts';
import type { Expect, StepKind } from './types.ts';

/** The fields of one step kind as written (defaults may be left out). */
export type StepFields<K extends StepKind> = z.input<(typeof STEP_BODIES)[K]>;

/**
 * One step as written: exactly one kind key holding its fields, and an
 * optional `expect` (`{ open: { path: '/proc/1/mem' }, expect: { errno: 'EACCES' } }`).
 */
export type StepInput = {
  [K in StepKind]: { [P in K]: StepFields<K> } & { [Q in Exclude<StepKind, K>]?: never } & { expect?: Expect };
}[StepKind];

/** A scenario as written: every field the format defaults may be left out. */
export interface ScenarioInput {
  format?: 1;
  name: string;
  description?: string;
  kernel?: z.input<typeof KernelSchema>;
  bugs?: BugName[];
  steps: StepInput[];
}

/** What a built scenario is called in reports and messages when no label is given. */
export const BUILT_FILE = '<built>';

/**
 * buildScenario: check `input` against the format as the loader checks a file
 * and apply every default. A problem comes back as a value naming the value
 * path (`steps[1].open.flags`); line and column are left out, as there is no
 * file. Never throws for bad input.
 */
export function buildScenario(input: ScenarioInput, file: string = BUILT_FILE): LoadResult {
  let text: string;
  try {
    text = JSON.stringify(input);
  } catch (e) {
    return { ok: false, error: { file, path: '', message: `not plain data: ${(e as Error).message}` } };
  }
  if (text === undefined) return { ok: false, error: { file, path: '', message: 'expected a map, found nothing' } };
  // JSON is YAML: the loader's checks and messages apply unchanged.
  const l = loadScenarioText(text, file);
  if (!l.ok) return { ok: false, error: withoutPosition(l.error) };
  return { ok: true, scenario: l.scenario, stepPos: [] };
}

/** Positions in the generated text mean nothing to the caller. */
function withoutPosition(e: InvalidError): InvalidError {
  return { file: e.file, path: e.path, message: e.message };
}
