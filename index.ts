/**
 * procfs-emu's public API (docs/api.md): scenarios loaded, built, run, fuzzed,
 * shrunk and replayed. The engine's parts are `procfs-emu/scenarios`; the
 * kernel machinery `procfs-emu/emulator` and `procfs-emu/procfs`; vitest
 * helpers `procfs-emu/vitest`.
 */
export * from './scenarios/api.ts';
