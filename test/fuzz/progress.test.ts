/**
 * Progress on standard error, on a fake clock: without a terminal one line
 * every 10 s (runs, failures, rate); on a terminal a bar with runs, classes
 * and failing runs and an estimate from the mean rate, which a long shrink
 * slows down smoothly; log lines above the bar; NO_COLOR and FORCE_COLOR.
 */
import { describe, expect, it } from 'vitest';
import { Progress, colorEnabled } from '../../scenarios/fuzz/progress.ts';

function fake(tty: boolean, color = false) {
  let t = 1_000_000;
  const out: string[] = [];
  const p = new Progress({ total: 100, tty, color, now: () => t, write: (s) => out.push(s), columns: () => 200 });
  return { p, out, at: (ms: number) => (t = 1_000_000 + ms) };
}

describe('progress', () => {
  it('without a terminal: one plain line every 10 s', () => {
    const { p, out, at } = fake(false);
    at(5_000);
    p.update(20);
    p.failed(1, 2);
    expect(out).toEqual([]);
    at(10_000);
    p.update(50);
    expect(out).toEqual(['fuzz: 50/100 runs, 1 class (2 failing runs), 5.0 runs/s\n']);
    at(15_000);
    p.tick();
    expect(out).toHaveLength(1);
    at(20_000);
    p.tick();
    expect(out[1]).toBe('fuzz: 50/100 runs, 1 class (2 failing runs), 2.5 runs/s\n');
    p.log('fuzz: run 60 failed');
    expect(out[2]).toBe('fuzz: run 60 failed\n');
    expect(out.join('')).not.toMatch(/\r|\x1b/);
  });

  it('on a terminal: a bar after a second, with classes, failing runs and a mean-rate estimate', () => {
    const { p, out, at } = fake(true);
    at(500);
    p.update(5);
    expect(out).toEqual([]);
    at(10_000);
    p.update(50);
    p.failed(2, 3);
    expect(out.at(-1)).toBe('\rfuzz [############------------] 50/100 runs | 2 classes (3 failing runs) | 5.0 runs/s | 10s left\x1b[K');
    // A shrink holds the runs back for 2.5 s: the estimate grows with the mean rate (to 12.5 s, shown in 5 s steps), it does not jump.
    at(12_500);
    p.tick();
    expect(out.at(-1)).toMatch(/\| 4\.0 runs\/s \| 15s left\x1b\[K$/);
    const n = out.length;
    p.log('fuzz: run 51 failed');
    expect(out.slice(n, n + 2)).toEqual(['\r\x1b[K', 'fuzz: run 51 failed\n']);
    expect(out.at(-1)).toMatch(/^\rfuzz \[/);
    p.stop();
    expect(out.at(-1)).toBe('\r\x1b[K');
  });

  it('paints the failures red only with colour on', () => {
    const plain = fake(true, false);
    const coloured = fake(true, true);
    for (const f of [plain, coloured]) {
      f.at(2_000);
      f.p.failed(1, 1);
    }
    expect(plain.out.join('')).not.toContain('\x1b[31m');
    expect(coloured.out.join('')).toContain('\x1b[31m1 class (1 failing run)\x1b[0m');
  });

  it('FORCE_COLOR wins, then NO_COLOR, then the terminal', () => {
    expect(colorEnabled({}, true)).toBe(true);
    expect(colorEnabled({}, false)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '' }, true)).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: '' }, false)).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(colorEnabled({ FORCE_COLOR: '1', NO_COLOR: '1' }, false)).toBe(true);
  });
});
