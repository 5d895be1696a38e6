/**
 * `procfs-emu report FILE --html OUT`: the page parsed with happy-dom. A
 * known failing repro (NetBSD PR 39913's corpus scenario under the injected
 * bug no-exithook) must show its process lanes, its vnode bars with the
 * references held on them, and the failure mark; a passing run with pid
 * reuse shows revocations, reaps and handles left on dead vnodes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Window } from 'happy-dom';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'scenarios', 'cli.ts');
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const dir = mkdtempSync(join(tmpdir(), 'procfs-emu-html-'));
const window = new Window();
afterAll(() => window.happyDOM.close());

function report(file: string, out: string, ...extra: string[]) {
  const r = spawnSync(process.execPath, ['--import', TSX, CLI, 'report', file, '--html', out, ...extra], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function page(path: string) {
  const html = readFileSync(path, 'utf8');
  const doc = new window.DOMParser().parseFromString(html, 'text/html');
  const attr = (e: { getAttribute(n: string): string | null }, n: string) => e.getAttribute(n) ?? '';
  const lanes = [...doc.querySelectorAll('svg g.lane')].map((g) => ({
    pid: attr(g, 'data-pid'), handle: attr(g, 'data-handle'), start: attr(g, 'data-start'), end: attr(g, 'data-end'),
    marks: [...g.querySelectorAll('.mark')].filter((m) => attr(m, 'data-kind') !== 'step').map((m) => `${attr(m, 'data-kind')}@${attr(m, 'data-step')}`),
  }));
  const bars = [...doc.querySelectorAll('svg g.vnode')].map((g) => ({
    vnode: attr(g, 'data-vnode'), start: attr(g, 'data-start'), end: attr(g, 'data-end'), endKind: attr(g, 'data-end-kind'),
    holds: [...g.querySelectorAll('rect.hold')].map((h) =>
      `${attr(h, 'data-holder')} ${attr(h, 'data-from')}..${attr(h, 'data-to')}${h.getAttribute('class')!.includes('dead') ? ' dead' : ''}`),
  }));
  return { html, doc, lanes, bars };
}

describe('report --html', () => {
  it('pictures a failing repro: lanes, bars with holds, and the failing step with its message', () => {
    const out = join(dir, 'pr-39913.html');
    const r = report('scenarios/corpus/bugs/netbsd-pr-39913-exit-tears-down-procfs-vnodes.yaml', out, '--bugs', 'no-exithook');
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toBe('FAIL scenarios/corpus/bugs/netbsd-pr-39913-exit-tears-down-procfs-vnodes.yaml: ' +
      'NetBSD PR 39913 - procfs vnodes of an exited process are torn down at exit');
    const { html, doc, lanes, bars } = page(out);

    // Processes as lanes: init from the start; a and b spawned; a's exit marked at the failing step.
    expect(lanes).toEqual([
      { pid: '1', handle: 'init', start: '-1', end: '', marks: [] },
      { pid: '2', handle: 'a', start: '0', end: '', marks: ['spawn@0', 'exit@6'] },
      { pid: '3', handle: 'b', start: '3', end: '', marks: ['spawn@3'] },
    ]);
    // Vnodes as bars from their load; with no exit hook only the status node a closed at exit is evicted.
    expect(bars).toEqual([
      { vnode: '/proc', start: '1', end: '', endKind: 'cached', holds: [] },
      { vnode: '/proc/self', start: '1', end: '', endKind: 'cached', holds: [] },
      { vnode: '/proc/curproc', start: '1', end: '', endKind: 'cached', holds: [] },
      { vnode: '/proc/2', start: '1', end: '', endKind: 'cached', holds: [] },
      { vnode: '/proc/2/status', start: '1', end: '6', endKind: 'evicted', holds: ['a fd 0 (own) 1..5'] },
      { vnode: '/proc/2/cmdline', start: '2', end: '', endKind: 'cached', holds: ['init fd 0 (h) 2..6'] },
      { vnode: '/proc/2/fd', start: '4', end: '', endKind: 'cached', holds: ['b cwd 4..6'] },
      { vnode: '/proc/2/mem', start: '5', end: '', endKind: 'cached', holds: [] },
    ]);
    // The failure mark sits on step 6 and carries the message.
    const fail = doc.querySelectorAll('svg g.failure');
    expect(fail.length).toBe(1);
    expect(fail[0]!.getAttribute('data-step')).toBe('6');
    expect(fail[0]!.querySelector('title')!.textContent).toBe('evicts: expected [/proc/2, /proc/2/cmdline, /proc/2/fd, /proc/2/mem, ' +
      '/proc/2/status], got [/proc/2/status]; missing /proc/2, /proc/2/cmdline, /proc/2/fd, /proc/2/mem');
    expect(doc.querySelector('p.message')!.textContent).toMatch(/netbsd-pr-39913-exit-tears-down-procfs-vnodes\.yaml:23:5: steps\[6\]: evicts: /);
    expect(doc.querySelectorAll('svg text.step-label').length).toBe(7);
    expect(doc.querySelector('tr.failing')!.textContent).toContain('#6 pid=2 exit()');
    // Static: nothing fetched, nothing run.
    expect(doc.querySelectorAll('script, link, img, iframe, object').length).toBe(0);
    expect(html).not.toMatch(/\s(src|href)=|url\(|@import/);
  });

  it('pictures revocations, a reap and a reused pid on a passing run', () => {
    const out = join(dir, 'reuse.html');
    expect(report('scenarios/corpus/evict/pid-reuse-gets-fresh-vnodes.yaml', out).code).toBe(0);
    const { doc, lanes, bars } = page(out);
    expect(lanes).toEqual([
      { pid: '1', handle: 'init', start: '-1', end: '', marks: ['wait@4'] },
      { pid: '2', handle: 'a', start: '0', end: '4', marks: ['spawn@0', 'exit@3'] },
      { pid: '3', handle: 'b', start: '1', end: '', marks: ['spawn@1'] },
      { pid: '2', handle: 'c', start: '5', end: '', marks: ['spawn@5', 'exit@9'] },
    ]);
    expect(bars.filter((b) => b.vnode === '/proc/2/status')).toEqual([
      { vnode: '/proc/2/status', start: '2', end: '3', endKind: 'revoked', holds: ['b fd 0 (old) 2..2', 'b fd 0 (old) 3..9 dead'] },
      { vnode: '/proc/2/status', start: '6', end: '9', endKind: 'revoked', holds: ['b fd 1 (new) 6..8', 'b fd 1 (new) 9..9 dead'] },
    ]);
    expect(doc.querySelectorAll('svg g.failure').length).toBe(0);
    expect(doc.querySelectorAll('svg .zombie').length).toBe(2);
  });

  it('a missing output directory is a usage error and writes nothing', () => {
    const r = report('scenarios/corpus/evict/pid-reuse-gets-fresh-vnodes.yaml', join(dir, 'no', 'such', 'x.html'));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/--html: cannot write/);
  });
});
