/**
 * Running the command line in tests: as a child process (node with the tsx
 * loader, as a user runs it) or in this process (the fuzz commands wired as
 * scenarios/cli.ts wires them), with exit status, stdout and stderr.
 */
import { type SpawnSyncOptions, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { vi } from 'vitest';
import { registerFuzzCommands } from '../../scenarios/fuzz/cli.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'scenarios', 'cli.ts');
export const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export const tmp = () => mkdtempSync(join(tmpdir(), 'procfs-emu-fuzz-'));

export function emu(args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}) {
  const opts: SpawnSyncOptions = { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } };
  const r = spawnSync(process.execPath, ['--import', TSX, CLI, ...args], opts);
  return { code: r.status, out: String(r.stdout), err: String(r.stderr) };
}

/** The command line as a child process left running: for signals. */
export function emuSpawn(args: string[], cwd: string) {
  return spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The commands in this process: exit status, stdout, stderr. */
export async function inproc(args: string[]) {
  let code = 0;
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command().exitOverride().configureOutput({ writeErr: (t) => err.push(t), writeOut: (t) => out.push(t) });
  registerFuzzCommands(program, (c) => (code = c));
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((t) => (out.push(String(t)), true));
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((t) => (err.push(String(t)), true));
  try {
    await program.parseAsync(['node', 'procfs-emu', ...args]);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = e.exitCode === 0 ? 0 : 2;
  } finally {
    so.mockRestore();
    se.mockRestore();
    process.exitCode = undefined;
  }
  return { code, out: out.join(''), err: err.join('') };
}
