/**
 * KAUTH_PROCESS_PROCFS (netbsd-procfs.md §5): the whole decision table of
 * §5.4 through the kernel's kauth with every listener registered, compared
 * with an expectation written from the table alone; init as the target at
 * each securelevel; and open/read end to end.
 */
import { describe, expect, it } from 'vitest';
import * as E from '../../emulator/index.ts';
import { PFSTYPES } from '../../procfs/index.ts';
import type { PfsType } from '../../procfs/index.ts';
import { RD, RDWR, WR, bootProcfs, must, openOk, outcome, spawnAs } from '../helpers/boot.ts';

const REQS: readonly E.ProcfsReq[] = ['READ', 'WRITE', 'RW'];

/** Every node type, per-process and root-level alike: the check runs for all (§5.1). */
const TYPES: readonly PfsType[] = PFSTYPES;
const RESTRICTED: ReadonlySet<PfsType> = new Set(['mem', 'regs', 'fpregs']);

/** The caller: root or not is the effective uid (suser); the uid compared is the real one. */
const CALLERS = {
  'root': { ruid: 0, euid: 0 },
  'user': { ruid: 1000, euid: 1000 },
  'user running set-uid root': { ruid: 1000, euid: 0 },
  'root with lowered euid': { ruid: 0, euid: 1000 },
  'user with another euid': { ruid: 1000, euid: 3000 },
} as const;
type CallerName = keyof typeof CALLERS;

interface TargetShape {
  sameRuid: boolean;
  /** The target's euid is its ruid, or something else (as after a set-uid exec). */
  euidIsRuid: boolean;
  sugid: boolean;
}

/** §5.4, for a target other than init. */
function expectedOther(caller: CallerName, t: TargetShape, type: PfsType): 'ok' | 'EPERM' {
  if (CALLERS[caller].euid === 0) return 'ok';
  if (!RESTRICTED.has(type)) return 'ok';
  return t.sameRuid && !t.sugid ? 'ok' : 'EPERM';
}

/** §5.4 with init (pid 1, root) as the target. */
function expectedInit(caller: CallerName, securelevel: number, type: PfsType, req: E.ProcfsReq): 'ok' | 'EPERM' {
  if (req !== 'READ' && securelevel > -1) return 'EPERM'; // DENY beats the superuser's ALLOW
  if (CALLERS[caller].euid === 0) return 'ok';
  if (!RESTRICTED.has(type)) return 'ok';
  return CALLERS[caller].ruid === 0 ? 'ok' : 'EPERM'; // init: real uid 0, not PK_SUGID
}

function credOf(c: CallerName): E.Cred {
  const { ruid, euid } = CALLERS[c];
  return E.credWith(E.credCreate(ruid, 100), { euid, svuid: euid });
}

function decide(k: E.Kernel, cred: E.Cred, p: E.Proc, type: PfsType, req: E.ProcfsReq): 'ok' | E.Errno {
  return outcome(k.kauth.authorize(k, cred, { scope: 'process', action: 'PROCFS', p, node: { type }, req }));
}

/** A table type -> req -> outcome, for a readable diff on failure. */
function table(f: (type: PfsType, req: E.ProcfsReq) => string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const type of TYPES) {
    out[type] = {};
    for (const req of REQS) out[type]![req] = f(type, req);
  }
  return out;
}

const SHAPES: TargetShape[] = [];
for (const sameRuid of [true, false]) {
  for (const euidIsRuid of [true, false]) for (const sugid of [false, true]) SHAPES.push({ sameRuid, euidIsRuid, sugid });
}

const CASES = (Object.keys(CALLERS) as CallerName[]).flatMap((caller) =>
  SHAPES.map((shape) => [caller, shape.sameRuid ? 'same ruid' : 'other ruid', shape.euidIsRuid ? 'euid = ruid' : 'euid != ruid',
    shape.sugid ? 'PK_SUGID' : 'not PK_SUGID', shape] as const));

describe('§5.4 decision table, target other than init', () => {
  const k = bootProcfs();
  const target = spawnAs(k, 5000, 500);

  it.each(CASES)('caller %s, target with %s, %s, %s', (caller, _a, _b, _c, shape) => {
    const ccred = credOf(caller);
    const truid = shape.sameRuid ? ccred.ruid : ccred.ruid + 4242;
    target.cred = E.credWith(E.credCreate(truid, 500), { euid: shape.euidIsRuid ? truid : truid + 1 });
    target.sugid = shape.sugid;
    expect(table((type, req) => decide(k, ccred, target, type, req))).toEqual(
      table((type) => expectedOther(caller, shape, type)));
  });

  it('covers every combination', () => {
    expect(CASES.length).toBe(5 * 8);
    expect(TYPES.length * REQS.length).toBe(99);
  });
});

describe('§5.4 with init as the target, by securelevel', () => {
  const INIT_CASES = [0, -1, 1, 2].flatMap((sl) => (Object.keys(CALLERS) as CallerName[]).map((c) => [sl, c] as const));
  it.each(INIT_CASES)('securelevel %d, caller %s', (securelevel, caller) => {
    const k = bootProcfs({ config: { securelevel } });
    expect(k.initproc.pid).toBe(1);
    expect(table((type, req) => decide(k, credOf(caller), k.initproc, type, req))).toEqual(
      table((type, req) => expectedInit(caller, securelevel, type, req)));
  });
});

describe('listeners (§5.2, §5.3)', () => {
  it('with procfs unloaded, every non-root request is EPERM (all DEFER); root is allowed by suser', () => {
    const k = bootProcfs({ mountOn: null });
    const t = spawnAs(k, 1000, 100);
    expect(k.modunload('procfs')).toBeUndefined();
    expect(decide(k, t.cred, t, 'status', 'READ')).toBe('EPERM');
    expect(decide(k, E.credCreate(0, 0), t, 'mem', 'RW')).toBe('ok');
  });

  it('NOCRED is allowed at once, before any listener; an ordinary root credential meets the init DENY', () => {
    const k = bootProcfs();
    expect(decide(k, E.NOCRED, k.initproc, 'mem', 'WRITE')).toBe('ok');
    expect(decide(k, E.credCreate(0, 0), k.initproc, 'mem', 'WRITE')).toBe('EPERM');
  });
});

describe('end to end: open and read/write (§5.1, §5.5)', () => {
  it('root may read init\'s mem but not open it for writing at securelevel 0; at -1 it may', () => {
    const k0 = bootProcfs();
    const r0 = spawnAs(k0, 0, 0);
    expect(outcome(E.sysOpen(k0, r0, '/proc/1/mem', RD))).toBe('ok');
    expect(outcome(E.sysOpen(k0, r0, '/proc/1/mem', WR))).toBe('EPERM');
    expect(outcome(E.sysOpen(k0, r0, '/proc/1/mem', RDWR))).toBe('EPERM');
    expect(outcome(E.sysOpen(k0, r0, '/proc/1/status', RD))).toBe('ok');
    const km = bootProcfs({ config: { securelevel: -1 } });
    const rm = spawnAs(km, 0, 0);
    expect(outcome(E.sysOpen(km, rm, '/proc/1/mem', RDWR))).toBe('ok');
  });

  it('a same-euid caller with another real uid passes the mode bits but not kauth: EPERM', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const c = spawnAs(k, 1000, 100);
    expect(outcome(E.sysOpen(k, c, `/proc/${t.pid}/mem`, RD))).toBe('ok');
    c.cred = E.credWith(c.cred, { ruid: 2000 });
    expect(outcome(E.sysOpen(k, c, `/proc/${t.pid}/mem`, RD))).toBe('EPERM');
    expect(outcome(E.sysOpen(k, c, `/proc/${t.pid}/regs`, RD))).toBe('EPERM');
    expect(outcome(E.sysOpen(k, c, `/proc/${t.pid}/status`, RD))).toBe('ok');
  });

  it('another user meets the mode bits first: EACCES on 0600 and 0400, 0444 is open to all', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const o = spawnAs(k, 2000, 200);
    const tryOpen = (n: string, f = RD) => outcome(E.sysOpen(k, o, `/proc/${t.pid}/${n}`, f));
    expect(['mem', 'regs', 'map', 'environ', 'auxv', 'status', 'cmdline'].map((n) => tryOpen(n))).toEqual(
      ['EACCES', 'EACCES', 'EACCES', 'EACCES', 'EACCES', 'ok', 'ok']);
    expect(tryOpen('note', WR)).toBe('EACCES');
    expect(outcome(E.sysOpen(k, t, `/proc/${t.pid}/note`, WR))).toBe('ok');
  });

  it('a handle stays subject to kauth on every read: the caller\'s current credential counts', () => {
    const k = bootProcfs();
    const t = spawnAs(k, 1000, 100);
    const c = spawnAs(k, 1000, 100);
    const h = openOk(k, c, `/proc/${t.pid}/mem`, RD);
    expect(outcome(E.sysRead(k, c, h, 4, 0))).toBe('ok');
    c.cred = E.credWith(c.cred, { ruid: 2000 });
    expect(outcome(E.sysRead(k, c, h, 4, 0))).toBe('EPERM');
    c.cred = E.credWith(c.cred, { ruid: 1000 });
    expect(must(E.sysRead(k, c, h, 4, 0)).length).toBe(4);
  });
});
