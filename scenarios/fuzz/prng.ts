/**
 * The fuzzer's only source of randomness: a seeded PRNG object passed
 * explicitly, with integer-only helpers (TigerBeetle stdx/prng.zig). Each
 * subsystem takes its own child, whose seed is derived from the parent's seed
 * and a name, so a new draw in one subsystem never reshuffles another.
 */
import seedrandom from 'seedrandom';

/** A campaign seed as the user wrote it: a non-negative integer or a 40-hex commit hash. */
export type SeedSpec = number | string;

/** 2^32, the span of one draw. */
const SPAN = 0x1_0000_0000;

/** Parse `--seed`: a decimal integer (0 .. 2^53-1) or 40 hex digits (a commit hash). */
export function parseSeed(text: string): SeedSpec | null {
  if (/^[0-9]{1,16}$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : null;
  }
  if (/^[0-9a-fA-F]{40}$/.test(text)) return text.toLowerCase();
  return null;
}

/** The canonical text of a seed, from which every derived seed is built. */
export function seedText(seed: SeedSpec): string {
  return typeof seed === 'number' ? String(seed) : seed.toLowerCase();
}

export class PRNG {
  private readonly rng: seedrandom.PRNG;

  /** `seed` is the full derivation path, e.g. `1/run/17/steps`. */
  constructor(readonly seed: string) {
    // tychei: integer-only state and output, cheap to seed (one per run and subsystem).
    this.rng = seedrandom.tychei(seed);
  }

  /** A PRNG for a subsystem, seeded from this one's seed and `name` (not from its stream). */
  child(name: string): PRNG {
    return new PRNG(`${this.seed}/${name}`);
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    return this.rng.int32() >>> 0;
  }

  /** A uniform integer in [0, n), 1 <= n <= 2^32 (rejection sampling, no modulo bias). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > SPAN) throw new Error(`prng.int: bad bound ${n}`);
    const limit = SPAN - (SPAN % n);
    for (;;) {
      const x = this.u32();
      if (x < limit) return x % n;
    }
  }

  /** A uniform integer in [lo, hi], both inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability n/d. */
  chance(n: number, d: number): boolean {
    return this.int(d) < n;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('prng.pick: empty list');
    return items[this.int(items.length)]!;
  }

  /** One of the items, with probability proportional to its integer weight (weights of 0 never win). */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    if (total <= 0) throw new Error('prng.weighted: no positive weight');
    let x = this.int(total);
    for (const [item, w] of items) {
      if (x < w) return item;
      x -= w;
    }
    throw new Error('prng.weighted: unreachable');
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

/** The PRNG of run `index` of a campaign: a pure function of the campaign seed and the index. */
export function runPrng(seed: SeedSpec, index: number): PRNG {
  return new PRNG(`${seedText(seed)}/run/${index}`);
}
