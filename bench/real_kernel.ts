/**
 * The host kernel side of the comparison: compile bench/real_kernel.c with
 * the system compiler (cc) into a temporary directory and run it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RealKernelResult {
  eventsPerSec: number;
  eventsPerRound: number;
  rounds: number;
  seconds: number;
  /** The rate of each window; eventsPerSec is their median. */
  windows: number[];
  /** Events per CPU-second of the program and its children (less sensitive to other load). */
  eventsPerCpuSec: number;
  cpuSeconds: number;
  compiler: string;
}

const SOURCE = fileURLToPath(new URL('./real_kernel.c', import.meta.url));

/** The compiler's first --version line, or null when there is no `cc`. */
function compilerVersion(): string | null {
  const r = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) return null;
  return r.stdout.split('\n')[0]!.trim();
}

/** The result, or why there is none. */
export function runRealKernel(seconds: number): RealKernelResult | string {
  const compiler = compilerVersion();
  if (compiler === null) return 'no C compiler: `cc` was not found, so the real-kernel figure and the ratio are null';
  const dir = mkdtempSync(join(tmpdir(), 'procfs-emu-bench-'));
  try {
    const exe = join(dir, 'real_kernel');
    const cc = spawnSync('cc', ['-O2', '-o', exe, SOURCE], { encoding: 'utf8' });
    if (cc.status !== 0) return `cc failed to compile bench/real_kernel.c: ${(cc.stderr || cc.error?.message || '').trim().split('\n')[0]}`;
    const run = spawnSync(exe, [String(seconds)], { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
    if (run.status !== 0) return `bench/real_kernel.c failed: ${(run.stderr || run.error?.message || `status ${run.status}`).trim()}`;
    const r = JSON.parse(run.stdout) as Omit<RealKernelResult, 'compiler'>;
    return {
      eventsPerSec: r.eventsPerSec, eventsPerRound: r.eventsPerRound, rounds: r.rounds, seconds: r.seconds, windows: r.windows,
      eventsPerCpuSec: r.eventsPerCpuSec, cpuSeconds: r.cpuSeconds, compiler,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
