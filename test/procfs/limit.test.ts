/** /proc/N/limit (procfs/limit.ts): procfs_dolimit's format, offsets and writes. */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { limitText } from '../../procfs/limit.ts';
import { bootProcfs, must, outcome, spawnAs } from '../helpers/boot.ts';

describe('procfs_dolimit (procfs_limit.c 1.4)', () => {
  it('one line per limit: "%20.20s ", then "%20jd" or "%#20jx" for RLIM_INFINITY, soft then hard', () => {
    const k = bootProcfs();
    const p = spawnAs(k, 1000, 100);
    const lines = limitText(p).split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[12]).toBe('');
    expect(lines.slice(0, 12).every((l) => l.length === 62)).toBe(true);
    expect(lines[0]).toBe(`${'cputime'.padStart(20)} ${'0x7fffffffffffffff'.padStart(20)} ${'0x7fffffffffffffff'.padStart(20)}`);
    expect(lines[8]).toBe(`${'openfiles'.padStart(20)} ${'128'.padStart(20)} ${'3404'.padStart(20)}`);
    expect(lines.map((l) => l.trim().split(/ +/)[0])).toEqual([
      'cputime', 'filesize', 'datasize', 'stacksize', 'coredumpsize', 'memoryuse', 'memorylocked', 'maxproc',
      'openfiles', 'sbsize', 'vmemoryuse', 'maxlwp', '']);
  });

  it('prints the process\'s own table', () => {
    const k = bootProcfs();
    const p = spawnAs(k, 1000, 100);
    const t = [...p.limit];
    t[E.RLIMIT.CPU] = { cur: 5, max: E.RLIM_INFINITY };
    p.limit = Object.freeze(t);
    expect(limitText(p).split('\n')[0]).toBe(`${'cputime'.padStart(20)} ${'5'.padStart(20)} ${'0x7fffffffffffffff'.padStart(20)}`);
  });

  it('reads from an offset to the end; writes are EOPNOTSUPP', () => {
    const k = bootProcfs();
    const p = spawnAs(k, 0, 0);
    const fd = must(E.sysOpen(k, p, `/proc/${p.pid}/limit`, { read: true, write: true, excl: false, nofollow: false, cloexec: false }));
    const all = limitText(p);
    expect(must(E.sysRead(k, p, fd, 4096, 0))).toBe(all);
    expect(must(E.sysRead(k, p, fd, 10, 700))).toBe(all.slice(700, 710));
    expect(must(E.sysRead(k, p, fd, 10, all.length))).toBe('');
    expect(outcome(E.sysWrite(k, p, fd, 'x', 0))).toBe('EOPNOTSUPP');
  });
});
