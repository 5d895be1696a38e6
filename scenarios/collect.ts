/**
 * Finding scenario files (scenario-format.md §6): a file argument is run
 * whatever its extension; a directory is searched recursively for *.yaml and
 * *.yml, skipping names that start with `.` and node_modules, in code-point
 * order of their relative paths.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type Collected = { ok: true; files: string[] } | { ok: false; message: string };

function walk(dir: string, rel: string, out: string[], depth: number): void {
  if (depth > 64) return;
  const names = readdirSync(join(dir, rel)).sort(codepointCompare);
  for (const name of names) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const r = rel === '' ? name : `${rel}/${name}`;
    const st = statSync(join(dir, r));
    if (st.isDirectory()) walk(dir, r, out, depth + 1);
    else if (/\.ya?ml$/.test(name)) out.push(r);
  }
}

export function codepointCompare(a: string, b: string): number {
  const ca = [...a].map((c) => c.codePointAt(0)!);
  const cb = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) if (ca[i] !== cb[i]) return ca[i]! - cb[i]!;
  return ca.length - cb.length;
}

export function collectScenarioFiles(args: readonly string[]): Collected {
  const files: string[] = [];
  for (const arg of args) {
    let st;
    try {
      st = statSync(arg);
    } catch {
      return { ok: false, message: `${arg}: no such file or directory` };
    }
    if (!st.isDirectory()) {
      files.push(arg);
      continue;
    }
    const rels: string[] = [];
    walk(arg, '', rels, 0);
    rels.sort(codepointCompare);
    for (const r of rels) files.push(join(arg, r));
  }
  if (files.length === 0) return { ok: false, message: `no scenario found in ${args.join(' ')}` };
  return { ok: true, files };
}
