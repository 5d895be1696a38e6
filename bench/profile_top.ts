/**
 * The top entries of a V8 CPU profile (node --cpu-prof): self time and total
 * time by function, as BENCHMARKS.md lists them.
 *   node --import tsx bench/profile_top.ts FILE.cpuprofile [rows]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: bench/profile_top.ts FILE.cpuprofile [rows]\n');
  process.exit(2);
}
const rows = Number(process.argv[3] ?? 15);
if (!Number.isInteger(rows) || rows < 1) {
  process.stderr.write(`profile_top: rows must be a positive integer, got ${JSON.stringify(process.argv[3])} (one profile file at a time)\n`);
  process.exit(2);
}
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n: ProfileNode): string => {
  const where = n.callFrame.url.split('/').slice(-2).join('/');
  return `${n.callFrame.functionName || '(anonymous)'}${where === '' ? '' : ` (${where})`}`;
};

/** Total time is listed for the engine's own functions only (not the loader's or the bench's wrappers). */
const OURS = /\/(emulator|procfs|scenarios)\//;

const ticks = new Map<number, number>();
for (let i = 0; i < p.samples.length; i++) ticks.set(p.samples[i]!, (ticks.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
for (const [id, t] of ticks) {
  all += t;
  const n = byId.get(id)!;
  self.set(name(n), (self.get(name(n)) ?? 0) + t);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const node = byId.get(cur)!;
    const k = name(node);
    if (seen.has(k) || !OURS.test(node.callFrame.url)) continue;
    seen.add(k);
    total.set(k, (total.get(k) ?? 0) + t);
  }
}
const pct = (t: number): string => `${((t / all) * 100).toFixed(1)}%`;
const top = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, rows);
process.stdout.write(`self time (${(all / 1e6).toFixed(1)} s sampled)\n`);
for (const [k, t] of top(self)) process.stdout.write(`  ${pct(t).padStart(6)}  ${k}\n`);
process.stdout.write('total time of the engine\'s functions (each with what it calls)\n');
for (const [k, t] of top(total)) process.stdout.write(`  ${pct(t).padStart(6)}  ${k}\n`);
