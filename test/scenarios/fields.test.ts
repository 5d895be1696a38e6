/**
 * fields.ts (the plain table the runner, the writer and fuzz workers read)
 * against format.ts's zod schemas (what the loader checks): the same fields
 * of each step kind in the same order, each required, optional or with the
 * same default in both.
 */
import { describe, expect, it } from 'vitest';
import { STEP_DEFAULTS, STEP_FIELDS, STEP_KINDS } from '../../scenarios/fields.ts';
import { STEP_BODIES } from '../../scenarios/format.ts';
import { loadScenarioText } from '../../scenarios/load.ts';

type ZodField = { def: { type: string; defaultValue?: unknown } };

function schemaRule(f: ZodField): string {
  if (f.def.type === 'default') return `default ${JSON.stringify(f.def.defaultValue)}`;
  return f.def.type === 'optional' ? 'optional' : 'required';
}

function tableRule(r: (typeof STEP_FIELDS)[keyof typeof STEP_FIELDS][string]): string {
  return typeof r === 'object' ? `default ${JSON.stringify(r.default)}` : r;
}

describe('fields.ts STEP_FIELDS against format.ts STEP_BODIES', () => {
  it('has the same step kinds in the same order', () => {
    expect(STEP_KINDS).toEqual(Object.keys(STEP_BODIES));
    expect(STEP_KINDS).toHaveLength(33);
  });

  it.each(STEP_KINDS)('%s: the same fields, order, optionality and defaults', (kind) => {
    const shape = STEP_BODIES[kind].shape as unknown as Record<string, ZodField>;
    const fromSchema = Object.entries(shape).map(([name, f]) => `${name}: ${schemaRule(f)}`);
    const fromTable = Object.entries(STEP_FIELDS[kind]).map(([name, r]) => `${name}: ${tableRule(r)}`);
    expect(fromTable).toEqual(fromSchema);
  });

  it('STEP_DEFAULTS holds exactly the defaulted fields', () => {
    expect([...STEP_DEFAULTS.spawn]).toEqual([['uid', 0], ['gid', 0], ['path', '/bin/sh']]);
    expect([...STEP_DEFAULTS.read]).toEqual([['by', 'init'], ['size', 64], ['offset', 0]]);
    expect([...STEP_DEFAULTS.close]).toEqual([['by', 'init']]);
  });

  it('a step written with only its required fields loads with the table\'s defaults filled in', () => {
    const l = loadScenarioText('name: d\nsteps:\n  - spawn: { as: p }\n  - open: { by: p, path: /proc/curproc/status }\n  - modload: {}\n', 'd.yaml');
    expect(l.ok).toBe(true);
    if (!l.ok) return;
    const [spawn, open, modload] = l.scenario.steps as unknown as Record<string, unknown>[];
    // open's `by` is given (p); every other defaulted field is left out and must come back at its default.
    for (const [step, kind, given] of [[spawn, 'spawn', []], [open, 'open', ['by']], [modload, 'modload', []]] as const) {
      for (const [name, value] of STEP_DEFAULTS[kind]) if (!(given as readonly string[]).includes(name)) expect(step![name], `${kind}.${name}`).toEqual(value);
    }
    expect(open!.by).toBe('p');
  });
});
