/**
 * Signs of life during a campaign, on standard error. On a terminal: a bar
 * with runs, failure classes and failing runs, the rate and an estimate of
 * the time left from the campaign's mean rate (so a long shrink slows it
 * down smoothly instead of throwing it off). Without one (CI logs, pipes):
 * one plain line every 10 s. Log lines (failures found) are written above
 * the bar.
 *
 * This is command-line code: it is handed the clock (bin/clock.ts) and
 * never decides anything a report contains.
 */
import cliProgress from 'cli-progress';

const { Format } = cliProgress;

/** Colour on or off: FORCE_COLOR wins (0 or false turns it off), then NO_COLOR, then whether it is a terminal. */
export function colorEnabled(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY;
}

/** `paint(code, s)`: `s` in SGR colour `code` when colour is on. */
export function painter(color: boolean): (code: number, s: string) => string {
  return (code, s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
}

export interface ProgressOptions {
  /** Runs of the shard. */
  total: number;
  /** A terminal: draw the bar; else plain lines. */
  tty: boolean;
  color: boolean;
  /** Milliseconds from any fixed origin (bin/clock.ts nowMs). */
  now: () => number;
  write: (s: string) => void;
  /** Plain lines this often (ms). */
  everyMs?: number;
  /** No bar before the campaign has run this long (ms): short campaigns print none. */
  delayMs?: number;
  /** Terminal width. */
  columns?: () => number;
}

const BAR_SIZE = 24;
const BAR_OPTIONS = { barsize: BAR_SIZE, barCompleteString: '#'.repeat(BAR_SIZE), barIncompleteString: '-'.repeat(BAR_SIZE), barGlue: '', autopaddingChar: '0' };
const RENDER_MS = 100;

export class Progress {
  private readonly t0: number;
  private done = 0;
  private classes = 0;
  private failures = 0;
  private barShown = false;
  private lastRender = -Infinity;
  private lastLine: number;
  private readonly paint: (code: number, s: string) => string;

  constructor(private readonly o: ProgressOptions) {
    this.t0 = o.now();
    this.lastLine = this.t0;
    this.paint = painter(o.color);
  }

  /** Runs finished (in any order). */
  update(done: number): void {
    this.done = done;
    this.refresh(false);
  }

  /** Failure classes and failing runs reported so far. */
  failed(classes: number, failures: number): void {
    this.classes = classes;
    this.failures = failures;
    this.refresh(true);
  }

  /** A line of its own (a failure found): above the bar, which is drawn again below it. */
  log(line: string): void {
    if (this.barShown) this.o.write('\r\x1b[K');
    this.o.write(`${line}\n`);
    if (this.barShown) this.render();
  }

  /** Called by a timer: redraws the bar (elapsed time moves the estimate) or prints the periodic line. */
  tick(): void {
    this.refresh(true);
  }

  /** Clear the bar (the report follows). */
  stop(): void {
    if (this.barShown) this.o.write('\r\x1b[K');
    this.barShown = false;
  }

  /** `120/2000 runs | 2 classes (17 failing runs) | 150 runs/s | 12s left`, the parts of one status. */
  status(): { runs: string; failures: string; rate: string; eta: string } {
    const secs = Math.max(0, this.o.now() - this.t0) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    const left = this.o.total - this.done;
    const eta = rate > 0 ? Format.TimeFormat(Math.round(left / rate), BAR_OPTIONS as never, 5) : '?';
    const failures = `${this.classes} ${this.classes === 1 ? 'class' : 'classes'} (${this.failures} failing ${this.failures === 1 ? 'run' : 'runs'})`;
    return { runs: `${this.done}/${this.o.total} runs`, failures, rate: `${rate.toFixed(rate < 10 ? 1 : 0)} runs/s`, eta: `${eta} left` };
  }

  private refresh(force: boolean): void {
    const now = this.o.now();
    if (!this.o.tty) {
      if (now - this.lastLine < (this.o.everyMs ?? 10_000)) return;
      this.lastLine = now;
      const s = this.status();
      this.o.write(`fuzz: ${s.runs}, ${s.failures}, ${s.rate}\n`);
      return;
    }
    if (!this.barShown && now - this.t0 < (this.o.delayMs ?? 1000)) return;
    if (!force && now - this.lastRender < RENDER_MS) return;
    this.render();
  }

  private render(): void {
    this.lastRender = this.o.now();
    this.barShown = true;
    const s = this.status();
    const bar = Format.BarFormat(this.o.total === 0 ? 1 : this.done / this.o.total, BAR_OPTIONS as never);
    const failures = this.failures > 0 ? this.paint(31, s.failures) : s.failures;
    let line = `fuzz [${bar}] ${s.runs} | ${failures} | ${s.rate} | ${s.eta}`;
    const width = this.o.columns?.() ?? 0;
    // Never wrap: a wrapped bar cannot be cleared with one \r. Colour codes are not counted, so cut the plain text.
    if (width > 0 && visibleLength(line) >= width) line = `fuzz [${bar}] ${s.runs} | ${this.classes}/${this.failures} fail | ${s.eta}`.slice(0, width - 1);
    this.o.write(`\r${line}\x1b[K`);
  }
}

function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}
