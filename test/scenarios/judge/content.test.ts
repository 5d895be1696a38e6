/**
 * ruleReadText (procfs_dolimit, procfs_doemul): passes on the engine left
 * alone and names the rule when the text a read gives is changed behind the
 * judge's back.
 */
import { describe, expect, it } from 'vitest';
import { limitTextModel } from '../../../scenarios/judge/content.ts';
import { procfsVnodeops } from '../../../procfs/vnops.ts';
import { patch, play } from './harness.ts';

const reads = `steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: /proc/self/limit, as: l }
  - read: { by: a, fd: l, size: 4096 }
  - read: { by: a, fd: l, size: 16, offset: 8 }
  - open: { by: a, path: /proc/self/emul, as: e }
  - read: { by: a, fd: e, size: 3, offset: 1 }
`;

const changeRead = (f: (r: string) => string) => () => {
  const orig = procfsVnodeops.read;
  return patch(procfsVnodeops, 'read', (ctx, vp, off, size) => {
    const r = orig(ctx, vp, off, size);
    return typeof r === 'string' ? f(r) : r;
  });
};

describe('ruleReadText', () => {
  it('passes the engine left alone: the model\'s limit text is the engine\'s for the default kernel', () => {
    expect(play(reads).found).toEqual([]);
  });

  it('names a limit read whose text differs from procfs_dolimit\'s', () => {
    const p = play(reads, { during: { 2: changeRead((r) => r.replace('stacksize', 'stacksiz ')) } });
    expect(p.rules).toEqual(['ruleReadText']);
    expect(p.found[0]!.step).toBe(2);
  });

  it('names a read at an offset that does not start at uio_offset', () => {
    const p = play(reads, { during: { 3: changeRead((r) => `x${r.slice(1)}`) } });
    expect(p.rules).toEqual(['ruleReadText']);
  });

  it('names an emul read that is not the emulation\'s name from the offset', () => {
    const p = play(reads, { during: { 5: changeRead(() => 'net') } });
    expect(p.rules).toEqual(['ruleReadText']);
    expect(p.found[0]!.message).toContain('"etb"');
  });

  it('names a mem read of n > 0 bytes that succeeds with none (process_domem)', () => {
    const mem = `steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: /proc/self/mem, as: m }
  - read: { by: a, fd: m, size: 16 }
`;
    expect(play(mem).found).toEqual([]);
    const p = play(mem, { during: { 2: changeRead(() => '') } });
    expect(p.rules).toEqual(['ruleReadText']);
    expect(p.found[0]!.message).toContain('process_domem');
  });

  it('names a cmdline read that is not argv with its NULs', () => {
    const t = `steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { by: a, path: /proc/self/cmdline, as: c }
  - read: { by: a, fd: c, size: 64 }
`;
    expect(play(t).found).toEqual([]);
    expect(play(t, { during: { 2: changeRead(() => '/bin/sh') } }).rules).toEqual(['ruleReadText']);
  });

  it('ruleReadOnlyRoutines: a root write of cmdline or limit must be EOPNOTSUPP', () => {
    const t = `steps:
  - spawn: { as: a, uid: 1000, gid: 100 }
  - open: { path: "/proc/{a}/cmdline", flags: rw, as: c }
  - write: { fd: c, data: x }
    expect: { errno: EOPNOTSUPP }
  - open: { path: "/proc/{a}/limit", flags: rw, as: l }
  - write: { fd: l, data: x }
    expect: { errno: EOPNOTSUPP }
`;
    expect(play(t).found).toEqual([]);
    const orig = procfsVnodeops.write;
    const p = play(t, { during: { 4: () => patch(procfsVnodeops, 'write', (ctx, vp, off, data) => (orig(ctx, vp, off, data), data.length)) } });
    expect(p.rules).toContain('ruleReadOnlyRoutines');
  });

  it('the model takes maxproc and maxfiles from the kernel: min(maxproc, CHILD_MAX), min(maxfiles, OPEN_MAX)', () => {
    const lines = limitTextModel(10, 64).split('\n');
    expect(lines[7]).toBe(`${'maxproc'.padStart(20)} ${'10'.padStart(20)} ${'10'.padStart(20)}`);
    expect(lines[8]).toBe(`${'openfiles'.padStart(20)} ${'64'.padStart(20)} ${'64'.padStart(20)}`);
    expect(lines[0]).toBe(`${'cputime'.padStart(20)}   0x7fffffffffffffff   0x7fffffffffffffff`);
  });
});
