import { describe, expect, it } from 'vitest';
import { fillTemplate, templateParts } from '../../scenarios/fields.ts';
import { literal, patternFor } from '../../scenarios/fuzz/expectations.ts';
import { PRNG } from '../../scenarios/fuzz/prng.ts';
import { compilePattern } from '../../scenarios/pattern.ts';

/** The pattern as the runner compiles it: `{h}` expanded (none here), `{` + digit kept, flag m. */
function compiled(p: string): RegExp {
  const t = templateParts(p, true);
  if ('error' in t) throw new Error(`${p}: ${t.error}`);
  const re = compilePattern(fillTemplate(t.parts, () => '0'));
  if (!(re instanceof RegExp)) throw new Error(`${p}: ${re.error}`);
  return re;
}

/** Text shaped like procfs's: words, numbers, braces, NUL-separated arguments, tabs, Latin-1. */
function text(prng: PRNG): string {
  const bits = ['sh', '123', ' ', '\n', '\0', '\t', '{a}', '}', '{2}', '(x)', '[y]', 'a.b*c+d?', '^$|\\/', '\xe9\xff', ':', '0x7f7f'];
  let s = '';
  for (let i = prng.int(12); i > 0; i--) s += prng.pick(bits);
  return s;
}

describe('dataMatches patterns pinned from data', () => {
  it('compile as the runner compiles them and match the data they came from', () => {
    const prng = new PRNG('patterns');
    for (let i = 0; i < 3000; i++) {
      const data = text(prng);
      const p = patternFor(prng, data);
      expect(compiled(p).test(data), `${JSON.stringify(p)} on ${JSON.stringify(data)}`).toBe(true);
    }
  });

  it('loosen numbers, anchor at the start of a line, and write braces as classes', () => {
    const seen = new Set<string>();
    const prng = new PRNG('shapes');
    for (let i = 0; i < 400; i++) seen.add(patternFor(prng, 'pid {a} 4711\n'));
    const all = [...seen].join(' ');
    expect(all).toContain('[0-9]+');
    expect(all).toMatch(/\[0-9\]\{1,4\}/);
    expect(all).toContain('^pid');
    expect(all).toContain('[{{]');
    expect(patternFor(prng, '')).toBe('^$');
  });
});

describe('literal', () => {
  it('doubles braces, so that a step string stands for itself', () => {
    expect(literal('/proc/{a}/x}')).toBe('/proc/{{a}}/x}}');
    const t = templateParts(literal('a{b}c{{'));
    expect('error' in t ? t.error : fillTemplate(t.parts, () => '?')).toBe('a{b}c{{');
  });
});
