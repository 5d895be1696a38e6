import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The .ts files under dir, recursively, in code-point order of their paths. */
export function tsSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsSources(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}
