/**
 * The benchmark's event mixes, driven straight through the emulator's
 * system calls (no YAML, no scenario runner). One "event" is one system call.
 *
 * FULL mix, 15 events a round (the headline eventsPerSecOracle{Off,On}):
 *   a (uid 1000, /bin/sh, spawned once) forks c, then
 *    1 fork                       a -> c
 *    2 exec plain                 c: /bin/cat
 *    3 open  /proc/C/status       a (procfs, read)
 *    4 lstat /proc/C/mem          a
 *    5 exec set-uid               c: /usr/bin/passwd (PK_SUGID: the hook revokes 3, evicts 4)
 *    6 close                      a: the (now revoked, deadfs) /proc/C/status handle
 *    7 open  /etc/passwd          c (ffs, read)
 *    8 close                      c
 *    9 pipe                       c
 *   10 close                      c: read end
 *   11 close                      c: write end
 *   12 lstat /proc/self/status    c (through the self and curproc links)
 *   13 lstat /proc/A/cwd          a
 *   14 exit                       c (the exit hook evicts c's vnodes)
 *   15 wait                       a reaps c (pid freed; pids wrap at pidMax)
 *
 * SHARED mix, 13 events a round: the FULL mix without the two execs, with the
 * child's work done by the child, i.e. exactly what bench/real_kernel.c does
 * on the host kernel (exec is left out there: a set-uid exec cannot be run
 * portably and unprivileged, and a real exec costs milliseconds):
 *    1 fork a -> c
 *    2 open /proc/self/status (c)      3 lstat /proc/self/mem (c)     4 close (c)
 *    5 open /etc/passwd (c)            6 close (c)
 *    7 pipe (c)                        8 close (c)                    9 close (c)
 *   10 lstat /proc/self/status (c)    11 exit (c)
 *   12 lstat /proc/self/cwd (a)       13 wait (a)
 *
 * With an oracle, oracle.checkState() runs after every event (as the
 * scenario runner does after every step) and any violation throws.
 */
import * as E from '../emulator/index.ts';
import { procfsModule } from '../procfs/index.ts';
import { Oracle } from '../scenarios/oracle.ts';

export const FULL_EVENTS_PER_ROUND = 15;
export const SHARED_EVENTS_PER_ROUND = 13;

const R: E.OpenFlags = { read: true, write: false, excl: false, nofollow: false, cloexec: false };

export type MixKind = 'full' | 'shared';

export class MixDriver {
  readonly k: E.Kernel;
  readonly a: E.Proc;
  readonly oracle: Oracle | null;
  readonly eventsPerRound: number;
  /** Runs after every event: the oracle's checkState (a violation throws), or nothing when the oracle is off. */
  private readonly check: () => void;
  private readonly procA: string;
  private readonly cwdA: string;

  constructor(readonly kind: MixKind, withOracle: boolean) {
    this.k = E.boot({ ...E.DEFAULT_CONFIG }, [procfsModule()]);
    const e = E.sysMount(this.k, this.k.initproc, 'procfs', '/proc', { len: 8, version: 1, flags: 1 });
    if (e !== undefined) throw new Error(`mount /proc: ${e.errno}`);
    const oracle = withOracle ? new Oracle(this.k) : null;
    this.oracle = oracle;
    this.check = oracle === null ? noCheck : () => {
      const v = oracle.checkState();
      if (v.length > 0) throw new Error(`oracle: ${v[0]!.message}`);
    };
    const a = E.spawn(this.k, 1000, 100, '/bin/sh');
    if (E.isErr(a)) throw new Error(`spawn: ${a.errno}`);
    this.a = a;
    this.procA = `/proc/${a.pid}`;
    this.cwdA = `/proc/${a.pid}/cwd`;
    this.eventsPerRound = kind === 'full' ? FULL_EVENTS_PER_ROUND : SHARED_EVENTS_PER_ROUND;
    this.check();
  }

  /** Run `rounds` rounds; returns the number of events. */
  run(rounds: number): number {
    if (this.kind === 'full') for (let i = 0; i < rounds; i++) this.fullRound();
    else for (let i = 0; i < rounds; i++) this.sharedRound();
    return rounds * this.eventsPerRound;
  }

  private fullRound(): void {
    const k = this.k;
    const a = this.a;
    const check = this.check;
    const c = E.fork1(k, a) as E.Proc;
    must(c);
    check();
    must(E.execve(k, c, '/bin/cat'));
    check();
    const procC = `/proc/${c.pid}`;
    const fd = E.sysOpen(k, a, procC + '/status', R) as number;
    must(fd);
    check();
    must(E.sysStat(k, a, procC + '/mem', false));
    check();
    must(E.execve(k, c, '/usr/bin/passwd'));
    check();
    must(E.sysClose(k, a, fd));
    check();
    this.childFileEvents(c);
    must(E.sysStat(k, a, this.cwdA, false));
    check();
    E.exit1(k, c, 0);
    check();
    must(E.wait(k, a, c.pid));
    check();
  }

  /** The six events both mixes share, by the child: open and close of a file, a pipe, lstat through /proc/self. */
  private childFileEvents(c: E.Proc): void {
    const k = this.k;
    const check = this.check;
    const f2 = E.sysOpen(k, c, '/etc/passwd', R) as number;
    must(f2);
    check();
    must(E.sysClose(k, c, f2));
    check();
    const pp = E.sysPipe(k, c) as [number, number];
    must(pp);
    check();
    must(E.sysClose(k, c, pp[0]));
    check();
    must(E.sysClose(k, c, pp[1]));
    check();
    must(E.sysStat(k, c, '/proc/self/status', false));
    check();
  }

  private sharedRound(): void {
    const k = this.k;
    const a = this.a;
    const check = this.check;
    const c = E.fork1(k, a) as E.Proc;
    must(c);
    check();
    const fd = E.sysOpen(k, c, '/proc/self/status', R) as number;
    must(fd);
    check();
    must(E.sysStat(k, c, '/proc/self/mem', false));
    check();
    must(E.sysClose(k, c, fd));
    check();
    this.childFileEvents(c);
    E.exit1(k, c, 0);
    check();
    must(E.sysStat(k, a, '/proc/self/cwd', false));
    check();
    must(E.wait(k, a, c.pid));
    check();
  }

  /** For a sanity check: /proc/A is still there (a never exits). */
  get procPathOfA(): string {
    return this.procA;
  }
}

/** The check hook with the oracle off. */
function noCheck(): void {}

/** A system call in the mix must succeed; an errno means the mix (or the emulator) is broken. */
function must(r: unknown): void {
  if (E.isErr(r)) throw new Error(`bench mix: unexpected ${r.errno}`);
}

export interface MixMeasure {
  /** The median of the windows' rates. */
  eventsPerSec: number;
  /** Every window's rate, in order. */
  windows: number[];
  events: number;
  seconds: number;
  /** Process CPU time over wall time in the windows: below 1 means other work took the CPU (GC threads can push it above 1). */
  cpuShare: number;
  /** Events per second of process CPU time, over all windows (less sensitive to other load than the wall-clock rate). */
  eventsPerCpuSec: number;
}

/**
 * Run the mix in `windows` windows of about `windowMs` milliseconds each,
 * after `warmupMs` of warm-up, on one kernel; the median window rate.
 * (The median resists the other load of a shared machine better than the mean.)
 */
export function measureMix(kind: MixKind, withOracle: boolean, windowMs: number, windows = 5, warmupMs = 400): MixMeasure {
  const d = new MixDriver(kind, withOracle);
  const batch = withOracle ? 100 : 1000;
  let t0 = performance.now();
  while (performance.now() - t0 < warmupMs) d.run(batch);
  const rates: number[] = [];
  let events = 0;
  let seconds = 0;
  const c0 = process.cpuUsage();
  for (let w = 0; w < windows; w++) {
    let n = 0;
    t0 = performance.now();
    let t = t0;
    while (t - t0 < windowMs) {
      n += d.run(batch);
      t = performance.now();
    }
    rates.push(n / ((t - t0) / 1000));
    events += n;
    seconds += (t - t0) / 1000;
  }
  const c = process.cpuUsage(c0);
  const cpuSeconds = (c.user + c.system) / 1e6;
  return { eventsPerSec: median(rates), windows: rates, events, seconds, cpuShare: cpuSeconds / seconds, eventsPerCpuSec: events / cpuSeconds };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
