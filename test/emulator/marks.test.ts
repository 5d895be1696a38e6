/**
 * Coverage marks (emulator/marks.ts): nothing is counted or built while
 * marks are off; on, every hit counts under its name; counts come out
 * sorted; a name belongs to one file; every mark call in the sources names
 * its mark with a string literal.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  declareMarks, marksDeclared, marksEnable, marksEnabled, marksMerge, marksReset, marksSnapshot, marksTake, withMarks,
} from '../../emulator/marks.ts';
import { sysOpen, sysRead, sysStat } from '../../emulator/vfs_syscalls.ts';
import { bootProcfs, must } from '../helpers/boot.ts';
import { tsSources } from '../helpers/files.ts';

const mark = declareMarks('test/emulator/marks.test.ts', {
  'marks test: b': null,
  'marks test: a': null,
  'marks test: never': 'a test mark nobody calls',
});

afterEach(() => {
  marksEnable(false);
  marksReset();
});

/** A kernel with procfs on /proc, and some work on it: a lookup, a stat, an open and a read. */
function work(): void {
  const k = bootProcfs();
  const init = k.initproc;
  must(sysStat(k, init, '/proc/1/status', true));
  const fd = must(sysOpen(k, init, '/proc/1/status', { read: true, write: false, excl: false, nofollow: false, cloexec: false }));
  must(sysRead(k, init, fd, 64, 0));
}

describe('coverage marks', () => {
  it('cost nothing while off: no count is kept and the counter map stays empty', () => {
    expect(marksEnabled()).toBe(false);
    for (let i = 0; i < 1000; i++) mark('marks test: a');
    expect(marksSnapshot()).toEqual({});
    expect(marksTake()).toEqual({});
  });

  it('count every hit while on, and report the names sorted', () => {
    marksEnable(true);
    mark('marks test: b');
    mark('marks test: a');
    mark('marks test: b');
    const got = marksTake();
    expect(got).toEqual({ 'marks test: a': 1, 'marks test: b': 2 });
    expect(Object.keys(got)).toEqual(['marks test: a', 'marks test: b']);
    expect(marksTake()).toEqual({}); // taken means started again from none
  });

  it('withMarks counts only what its function ran and leaves marks as they were', () => {
    marksEnable(true);
    mark('marks test: a');
    const r = withMarks(() => {
      mark('marks test: b');
      return 7;
    });
    expect(r).toEqual({ value: 7, marks: { 'marks test: b': 1 } });
    expect(marksEnabled()).toBe(true);
    expect(marksSnapshot()).toEqual({ 'marks test: a': 1 });
    marksEnable(false);
    expect(withMarks(() => mark('marks test: a')).marks).toEqual({ 'marks test: a': 1 });
    expect(marksEnabled()).toBe(false);
  });

  it('merge counts by name, in sorted order, whatever order the parts come in', () => {
    const a = { 'x: 2': 1, 'x: 1': 2 };
    const b = { 'x: 3': 4, 'x: 1': 1 };
    const m = marksMerge([a, b]);
    expect(m).toEqual({ 'x: 1': 3, 'x: 2': 1, 'x: 3': 4 });
    expect(Object.keys(m)).toEqual(['x: 1', 'x: 2', 'x: 3']);
    expect(JSON.stringify(marksMerge([b, a]))).toBe(JSON.stringify(m));
  });

  it('keep a registry of declared marks, hit or not, with the unreachable reasons beside them', () => {
    const mine = marksDeclared().filter((d) => d.file === 'test/emulator/marks.test.ts');
    expect(mine).toEqual([
      { name: 'marks test: a', file: 'test/emulator/marks.test.ts', unreachable: null },
      { name: 'marks test: b', file: 'test/emulator/marks.test.ts', unreachable: null },
      { name: 'marks test: never', file: 'test/emulator/marks.test.ts', unreachable: 'a test mark nobody calls' },
    ]);
    const names = marksDeclared().map((d) => d.name);
    expect(names).toEqual([...names].sort());
    // The kernel's files declare theirs at load, before anything runs.
    for (const file of ['procfs/vnops.ts', 'procfs/vfsops.ts', 'procfs/subr.ts', 'emulator/vnode.ts', 'emulator/mount.ts', 'emulator/kauth_marks.ts']) {
      expect(marksDeclared().some((d) => d.file === file), file).toBe(true);
    }
    expect(names).toContain('procfs_lookup: /proc/<pid> EBUSY -> ENOENT');
    expect(names).toContain('procfs_exechook_cb: vnode in use revoked (vgone, mount suspended)');
  });

  it('refuse a name declared by two files', () => {
    expect(() => declareMarks('some/other/file.ts', { 'marks test: a': null })).toThrow(/declared by test\/emulator\/marks.test.ts and some\/other\/file.ts/);
    expect(() => declareMarks('test/emulator/marks.test.ts', { 'marks test: a': null })).not.toThrow();
  });

  it('stay empty through real kernel work while off, and count it while on', () => {
    work();
    expect(marksSnapshot()).toEqual({});
    const { marks } = withMarks(work);
    expect(marks['vcache_get: loaded']).toBeGreaterThan(0);
    expect(marks['procfs_lookup: /proc/<pid>']).toBeGreaterThan(0);
    expect(marks['secmodel_suser_process_cb: ALLOW']).toBeGreaterThan(0);
    expect(marksSnapshot()).toEqual({});
  });
});


describe('mark call sites', () => {
  it('name their marks with string literals (or a choice between literals): no name is built at a branch', () => {
    const bad: string[] = [];
    let calls = 0;
    for (const f of ['emulator', 'procfs', 'scenarios'].flatMap(tsSources)) {
      readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        if (!/(?<![A-Za-z_.])mark\(/.test(line) || /^\s*(\/\/|\*)/.test(line)) return;
        calls++;
        // The whole call on one line, its argument a literal, a choice between two, or a name from a table of literals.
        const m = /(?<![A-Za-z_.])mark\((.*)\);/.exec(line);
        const arg = m?.[1] ?? '';
        const literal = /^'(?:[^'\\]|\\.)*'$/;
        const choice = /^[^`?]*\? '(?:[^'\\]|\\.)*' : '(?:[^'\\]|\\.)*'$/;
        const tableLookup = /^name(?: \?\? '(?:[^'\\]|\\.)*')?$/; // kauth_marks.ts, subr.ts
        if (m === null || !(literal.test(arg) || choice.test(arg) || tableLookup.test(arg))) bad.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(calls).toBeGreaterThan(120);
    expect(bad).toEqual([]);
  });
});
