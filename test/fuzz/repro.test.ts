import { readdirSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReproFile } from '../../scenarios/fuzz/repro.ts';

describe('repro files', () => {
  it('are written whole under a fresh name, never over another file; identical bytes are taken as they are', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'procfs-emu-repro-')), 'out');
    const render = (tag: string) => (path: string) => `name: x\ndescription: |\n  ${tag} at ${path}\nsteps:\n  - check: {}\n`;
    const a = writeReproFile(dir, 'seed-1-run-2', render('a'));
    expect(a).toBe(join(dir, 'seed-1-run-2.yaml'));
    expect(writeReproFile(dir, 'seed-1-run-2', render('a'))).toBe(a);
    const b = writeReproFile(dir, 'seed-1-run-2', render('b'));
    expect(b).toBe(join(dir, 'seed-1-run-2-2.yaml'));
    expect(readFileSync(a, 'utf8')).toBe(render('a')(a));
    expect(readFileSync(b, 'utf8')).toBe(render('b')(b));
    writeFileSync(join(dir, 'seed-1-run-3.yaml'), 'someone else\n');
    expect(writeReproFile(dir, 'seed-1-run-3', render('c'))).toBe(join(dir, 'seed-1-run-3-2.yaml'));
    expect(readFileSync(join(dir, 'seed-1-run-3.yaml'), 'utf8')).toBe('someone else\n');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});
