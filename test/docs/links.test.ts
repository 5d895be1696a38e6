/** The README and docs/ link only to files inside the repository, and every such link resolves. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { relativeLinks } from '../helpers/markdown.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('links', () => {
  it.each(PAGES)('%s: relative links resolve inside the repository; nothing points at ../shared', (page) => {
    const text = readFileSync(join(ROOT, page), 'utf8');
    expect(text).not.toMatch(/\.\.\/shared\//);
    const bad = relativeLinks(text).filter((t) => {
      const target = resolve(ROOT, dirname(page), t);
      return relative(ROOT, target).startsWith('..') || !existsSync(target);
    });
    expect(bad).toEqual([]);
  });

  it('the README links to each page of docs/', () => {
    const links = new Set(relativeLinks(readFileSync(join(ROOT, 'README.md'), 'utf8')));
    expect(PAGES.filter((p) => p.startsWith('docs/') && !links.has(p))).toEqual([]);
  });
});
