/**
 * docs/fidelity.md lists, for every function of emulator/ and procfs/ that
 * mirrors a NetBSD function, the NetBSD source read and the corpus scenarios
 * that pin it. A function mirrors one when its doc comment opens with the
 * NetBSD name (`/** procfs_lookup: ...`, `/** execve(2) ...`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

interface Mirror { netbsd: string; fn: string; file: string }

/** The NetBSD name a doc comment opens with, or null: snake_case, or a lowercase word followed by `(` or `:`. */
export function netbsdNameOf(doc: string): string | null {
  const m = /^([a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9])\b/.exec(doc) ?? /^([a-z][a-z0-9]+)[(:]/.exec(doc);
  return m?.[1] ?? null;
}

/** Each function declaration with a doc comment right above it, and the NetBSD name that comment opens with. */
function mirrorsIn(file: string): Mirror[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: Mirror[] = [];
  for (const m of text.matchAll(/\*\/\s*\n(?:export )?(?:async )?function\s+([A-Za-z0-9_]+)/g)) {
    const open = text.lastIndexOf('/**', m.index);
    const doc = text.slice(open + 3, m.index).replace(/^[\s*]+/, '');
    const netbsd = netbsdNameOf(doc);
    if (netbsd !== null) out.push({ netbsd, fn: m[1] ?? '', file });
  }
  return out;
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.ts')).sort().map((f) => `${dir}/${f}`);
}

interface Row { netbsd: string; source: string; emulator: string; pins: string[] }

function rows(): Row[] {
  const text = readFileSync(join(ROOT, 'docs', 'fidelity.md'), 'utf8');
  const out: Row[] = [];
  for (const line of text.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length !== 4 || cells[0] === 'NetBSD function' || /^-+$/.test(cells[0] ?? '')) continue;
    const [netbsd = '', source = '', emulator = '', pins = ''] = cells;
    out.push({ netbsd: netbsd.replace(/`/g, ''), source, emulator: emulator.replace(/`/g, ''),
      pins: pins === '-' ? [] : pins.split(',').map((s) => s.trim().replace(/`/g, '')).filter((s) => s !== '') });
  }
  return out;
}

describe('docs/fidelity.md', () => {
  const table = rows();
  const mirrors = [...sources('emulator'), ...sources('procfs')].flatMap(mirrorsIn);

  it('finds the mirrored functions and the rows', () => {
    expect(mirrors.length).toBeGreaterThan(50);
    expect(table.length).toBeGreaterThan(50);
  });

  it('has a row for every function whose doc comment names a NetBSD function', () => {
    const missing = mirrors.filter((m) => !table.some((r) => r.emulator.includes(`${m.fn} (${m.file})`)));
    expect(missing.map((m) => `${m.file}: ${m.fn} (${m.netbsd})`)).toEqual([]);
  });

  it('names a NetBSD source file and the revision or stored copy read in every row', () => {
    const bad = table.filter((r) => !/^(sys|lib|etc)\/[\w/.-]+\.(c|h|conf)\b/.test(r.source) || !/\b\d+\.\d+(\.\d+)*\b|\bid \d+|\bcommit [0-9a-f]{7,}/.test(r.source));
    expect(bad.map((r) => r.netbsd)).toEqual([]);
  });

  it('names only scenarios and tests that exist', () => {
    const missing = table.flatMap((r) => r.pins.filter((p) => !existsSync(join(ROOT, p))).map((p) => `${r.netbsd}: ${p}`));
    expect(missing).toEqual([]);
  });

  it('names only emulator functions that exist', () => {
    const missing = table.flatMap((r) => [...r.emulator.matchAll(/([A-Za-z0-9_]+) \(([a-z]+(?:\/[a-z_]+)+\.ts)\)/g)]
      .filter((m) => !existsSync(join(ROOT, m[2] ?? '')) || !readFileSync(join(ROOT, m[2] ?? ''), 'utf8').includes(m[1] ?? ''))
      .map((m) => `${r.netbsd}: ${m[0]}`));
    expect(missing).toEqual([]);
  });
});
