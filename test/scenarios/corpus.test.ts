/**
 * Every corpus file is its own test, named after the scenario; a failure
 * shows the step, the expectation, the result and the tail of the trace.
 */
import { describe, expect, it } from 'vitest';
import { collectScenarioFiles } from '../../scenarios/collect.ts';
import { runFile } from '../../scenarios/report.ts';

const found = collectScenarioFiles(['scenarios/corpus']);
const files = found.ok ? found.files : [];

describe('regression corpus', () => {
  it('has at least 60 scenarios', () => {
    expect(found.ok).toBe(true);
    expect(files.length).toBeGreaterThanOrEqual(60);
  });

  for (const file of files) {
    const r = runFile(file);
    it(`${r.name || file} (${file})`, () => {
      expect(r.status, r.detail.join('\n')).toBe('pass');
    });
  }
});

describe('corpus files', () => {
  it.each(files)('%s starts with the yaml-language-server schema comment and has a description', async (file) => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=(\.\.\/)+schema\.json$/);
    expect(text).toMatch(/^description:/m);
  });
});
