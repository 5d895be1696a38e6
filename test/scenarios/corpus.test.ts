/**
 * Every corpus file is its own test, named after the scenario; a failure
 * shows the step, the expectation, the result and the tail of the trace.
 */
import { describe, expect, it } from 'vitest';
import { collectScenarioFiles } from '../../scenarios/collect.ts';
import { runFile } from '../../scenarios/report.ts';

const found = collectScenarioFiles(['scenarios/corpus']);
const files = found.ok ? found.files : [];

/**
 * Corpus files the judge fails because the engine diverges from NetBSD
 * there (not because the file is wrong about the engine): `it.fails` until
 * the emulator fix named is merged, then back to `it`.
 */
const DIVERGENT: Readonly<Record<string, string>> = {
  'scenarios/corpus/lifecycle/maxproc-limit-gives-eagain.yaml':
    'fork1 (kern_fork.c 1.194): EAGAIN once tnprocs = nprocs + 1 reaches maxproc; the engine compares nprocs (w-fd fixes it)',
  'scenarios/corpus/lifecycle/zombies-count-against-maxproc.yaml':
    'fork1 (kern_fork.c 1.194): EAGAIN once tnprocs = nprocs + 1 reaches maxproc; the engine compares nprocs (w-fd fixes it)',
  'scenarios/corpus/lifecycle/maxproc-keeps-five-slots-for-root.yaml':
    'proc_listener_cb (kern_proc.c 1.263) reads KAUTH_PROCESS_FORK\'s arg2, but fork1 passes tnprocs as arg1 (arg2 is NULL): no slots are kept for root',
};

describe('regression corpus', () => {
  it('has at least 60 scenarios', () => {
    expect(found.ok).toBe(true);
    expect(files.length).toBeGreaterThanOrEqual(60);
  });

  for (const file of files) {
    const r = runFile(file);
    (DIVERGENT[file] === undefined ? it : it.fails)(`${r.name || file} (${file})`, () => {
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
