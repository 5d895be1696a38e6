/**
 * The HTML report of one scenario run (`procfs-emu report FILE --html OUT`):
 * a static page with one inline SVG and no network resources. Steps run
 * along the x axis; each process is a lane (spawn, fork, exec, exit and wait
 * marked, a zombie drawn dashed until it is reaped); each procfs vnode is a
 * bar from its load to its eviction or revocation, with the references held
 * on it below; the failing step is a red line with its message. Everything
 * comes from the runner's step records.
 */
import type { FileReport } from '../report.ts';
import type { Hold, StepRecord } from '../runner.ts';
import type { Step } from '../types.ts';

// ---- the model: lanes and bars ----------------------------------------------------

export interface Mark {
  kind: 'spawn' | 'fork' | 'exec' | 'exit' | 'wait' | 'step';
  step: number;
  title: string;
  sugid?: boolean;
}

export interface Lane {
  pid: number;
  handle: string | null;
  /** -1: there before the first step (init). */
  start: number;
  /** The step that made it a zombie, or null. */
  exited: number | null;
  /** The step that reaped it, or null (still there at the end). */
  reaped: number | null;
  parent: number | null;
  marks: Mark[];
}

export interface HoldSpan {
  holder: string;
  pid: number;
  ref: Hold['ref'];
  from: number;
  to: number;
  /** Held after the vnode was revoked (the holder sees deadfs). */
  dead: boolean;
}

export interface Bar {
  vnode: string;
  /** -1: cached before the first step. */
  start: number;
  /** The step that evicted or revoked it; null when still cached at the end. */
  end: number | null;
  endKind: 'evicted' | 'revoked' | 'cached';
  holds: HoldSpan[];
}

export interface Picture {
  lanes: Lane[];
  bars: Bar[];
}

/**
 * Handle names as they were bound, step by step (a pid or a descriptor
 * number can be reused): the name of `pid` or `pid:fd` at a step is the
 * latest binding at or before it.
 */
class Names {
  private readonly bound = new Map<string, { step: number; name: string }[]>();

  constructor(steps: readonly Step[], records: readonly StepRecord[]) {
    this.bind('1', -1, 'init');
    for (const rec of records) {
      const step = steps[rec.index] as (Step & { as?: string | [string, string] }) | undefined;
      if (step?.as === undefined || !('ok' in rec.outcome)) continue;
      const ok = rec.outcome.ok;
      const i = rec.index;
      if (typeof ok.pid === 'number' && typeof step.as === 'string') this.bind(String(ok.pid), i, step.as);
      else if (typeof ok.fd === 'number' && typeof step.as === 'string' && rec.actor !== null) this.bind(`${rec.actor}:${ok.fd}`, i, step.as);
      else if (Array.isArray(ok.fds) && Array.isArray(step.as) && rec.actor !== null) {
        const fds = ok.fds as unknown[];
        step.as.forEach((h, k) => this.bind(`${rec.actor}:${String(fds[k])}`, i, h));
      }
    }
  }

  private bind(key: string, step: number, name: string): void {
    const list = this.bound.get(key) ?? [];
    list.push({ step, name });
    this.bound.set(key, list);
  }

  at(key: string, step: number): string | undefined {
    let name: string | undefined;
    for (const b of this.bound.get(key) ?? []) if (b.step <= step) name = b.name;
    return name;
  }
}

function lanesOf(records: readonly StepRecord[], names: Names, trace: readonly string[]): Lane[] {
  const lanes: Lane[] = [{ pid: 1, handle: 'init', start: -1, exited: null, reaped: null, parent: null, marks: [] }];
  const live = new Map<number, Lane>([[1, lanes[0]!]]);
  for (const rec of records) {
    const i = rec.index;
    const title = trace[i] ?? `#${i} ${rec.kind}`;
    const actor = rec.actor === null ? undefined : live.get(rec.actor);
    let marked = false;
    for (const e of rec.procs ?? []) {
      if (e.kind === 'created') {
        const lane: Lane = { pid: e.pid, handle: names.at(String(e.pid), i) ?? null, start: i, exited: null, reaped: null, parent: e.ppid, marks: [] };
        lane.marks.push({ kind: e.forked ? 'fork' : 'spawn', step: i, title });
        lanes.push(lane);
        live.set(e.pid, lane);
        marked ||= live.get(rec.actor ?? -1) === lane;
      } else if (e.kind === 'exec') {
        live.get(e.pid)?.marks.push({ kind: 'exec', step: i, title, sugid: e.sugid });
        marked ||= rec.actor === e.pid;
      } else if (e.kind === 'exit') {
        const lane = live.get(e.pid);
        if (lane !== undefined) {
          lane.exited = i;
          lane.marks.push({ kind: 'exit', step: i, title });
        }
        marked ||= rec.actor === e.pid;
      } else {
        const lane = live.get(e.pid);
        if (lane !== undefined) lane.reaped = i;
        live.delete(e.pid);
      }
    }
    if (actor !== undefined && rec.kind === 'wait') actor.marks.push({ kind: 'wait', step: i, title });
    else if (actor !== undefined && !marked) actor.marks.push({ kind: 'step', step: i, title });
  }
  return lanes;
}

/** Bars from the loads and evictions of each step, then the holds after it. */
function barsOf(records: readonly StepRecord[], names: Names): Bar[] {
  const bars: Bar[] = [];
  const open = new Map<string, Bar>();
  const closed = new Map<string, Bar>();
  /** The bar of each vnode (by load number) seen held while cached. */
  const bySeq = new Map<number, Bar>();
  const openBar = (vnode: string, start: number) => {
    const b: Bar = { vnode, start, end: null, endKind: 'cached', holds: [] };
    bars.push(b);
    open.set(vnode, b);
    return b;
  };
  const close = (vnode: string, i: number, revoked: boolean) => {
    const b = open.get(vnode) ?? openBar(vnode, -1);
    b.end = i;
    b.endKind = revoked ? 'revoked' : 'evicted';
    open.delete(vnode);
    closed.set(vnode, b);
  };
  for (const rec of records) {
    const i = rec.index;
    const revoked = new Set(rec.revoked);
    // An eviction of a vnode cached before this step comes first; a vnode loaded and evicted in it, after its load.
    const later = rec.evicted.filter((v) => {
      if (!open.has(v)) return true;
      close(v, i, revoked.has(v));
      return false;
    });
    for (const v of rec.loaded) openBar(v, i);
    for (const v of later) close(v, i, revoked.has(v));
    for (const h of rec.holds ?? []) {
      const b = h.dead ? (bySeq.get(h.seq) ?? closed.get(h.vnode)) : (open.get(h.vnode) ?? openBar(h.vnode, -1));
      if (b === undefined) continue;
      if (!h.dead) bySeq.set(h.seq, b);
      addHold(b, h, i, holderName(h, i, names));
    }
  }
  return bars;
}

function holderName(h: Hold, step: number, names: Names): string {
  const who = names.at(String(h.pid), step) ?? `pid ${h.pid}`;
  if (typeof h.ref !== 'number') return `${who} ${h.ref}`;
  const name = names.at(`${h.pid}:${h.ref}`, step);
  return `${who} fd ${h.ref}${name === undefined ? '' : ` (${name})`}`;
}

function addHold(b: Bar, h: Hold, i: number, holder: string): void {
  let last: HoldSpan | undefined;
  for (const s of b.holds) if (s.pid === h.pid && s.ref === h.ref && s.dead === h.dead) last = s;
  if (last !== undefined && last.to === i - 1) last.to = i;
  else b.holds.push({ holder, pid: h.pid, ref: h.ref, from: i, to: i, dead: h.dead });
}

export function pictureOf(steps: readonly Step[], records: readonly StepRecord[], trace: readonly string[]): Picture {
  const names = new Names(steps, records);
  return { lanes: lanesOf(records, names, trace), bars: barsOf(records, names) };
}

// ---- drawing -----------------------------------------------------------------------

const COL = 46;
const LEFT = 230;
const TOP = 110;
const LANE_H = 28;
const BAR_H = 12;
const HOLD_H = 6;

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Control characters (data read from /proc/N/mem, say) shown as \xNN. */
function printable(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const text = (s: string) => esc(printable(s));
const x = (i: number) => LEFT + i * COL + COL / 2;

function markShape(m: Mark, y: number): string {
  const cx = x(m.step);
  const t = `<title>${text(m.title)}</title>`;
  const a = `class="mark ${m.kind}${m.sugid === true ? ' sugid' : ''}" data-kind="${m.kind}" data-step="${m.step}"`;
  switch (m.kind) {
    case 'spawn':
    case 'fork': return `<circle ${a} cx="${cx}" cy="${y}" r="6">${t}</circle>`;
    case 'exec': return `<rect ${a} x="${cx - 6}" y="${y - 6}" width="12" height="12">${t}</rect>`;
    case 'exit': return `<path ${a} d="M${cx - 6},${y - 6}L${cx + 6},${y + 6}M${cx + 6},${y - 6}L${cx - 6},${y + 6}">${t}</path>`;
    case 'wait': return `<path ${a} d="M${cx - 7},${y - 6}L${cx + 7},${y - 6}L${cx},${y + 7}Z">${t}</path>`;
    case 'step': return `<circle ${a} cx="${cx}" cy="${y}" r="3">${t}</circle>`;
    default: {
      const never: never = m.kind;
      throw new Error(`html: unknown mark ${String(never)}`);
    }
  }
}

function drawLanes(lanes: readonly Lane[], n: number, y0: number): string[] {
  const out: string[] = [];
  const yOf = new Map<Lane, number>();
  lanes.forEach((l, k) => yOf.set(l, y0 + k * LANE_H + LANE_H / 2));
  const laneAt = (pid: number, step: number) =>
    lanes.find((l) => l.pid === pid && l.start <= step && (l.reaped === null || l.reaped >= step));
  for (const l of lanes) {
    const y = yOf.get(l)!;
    const x0 = l.start < 0 ? LEFT : x(l.start);
    const xz = l.exited === null ? null : x(l.exited);
    const x1 = l.reaped !== null ? x(l.reaped) : LEFT + n * COL;
    const label = l.handle === null ? `pid ${l.pid}` : `${l.handle} (pid ${l.pid})`;
    out.push(`<g class="lane" data-pid="${l.pid}" data-handle="${esc(l.handle ?? '')}" data-start="${l.start}" data-end="${l.reaped ?? ''}">`);
    out.push(`<text class="label" x="${LEFT - 10}" y="${y + 4}" text-anchor="end">${text(label)}</text>`);
    out.push(`<line class="life" x1="${x0}" y1="${y}" x2="${xz ?? x1}" y2="${y}"/>`);
    if (xz !== null) out.push(`<line class="zombie" x1="${xz}" y1="${y}" x2="${x1}" y2="${y}"><title>zombie</title></line>`);
    if (l.parent !== null && l.start >= 0) {
      const p = laneAt(l.parent, l.start);
      if (p !== undefined) out.push(`<line class="link" x1="${x(l.start)}" y1="${yOf.get(p)!}" x2="${x(l.start)}" y2="${y}"/>`);
    }
    for (const m of l.marks) out.push(markShape(m, y));
    out.push('</g>');
  }
  return out;
}

function barRowHeight(b: Bar): number {
  return BAR_H + 10 + b.holds.length * (HOLD_H + 2);
}

function drawBars(bars: readonly Bar[], n: number, y0: number): string[] {
  const out: string[] = [];
  let y = y0;
  const right = LEFT + n * COL;
  for (const b of bars) {
    const x0 = b.start < 0 ? LEFT : x(b.start) - 5;
    const x1 = b.end === null ? right : x(b.end);
    const w = Math.max(6, x1 - x0);
    const end = b.end === null ? 'cached at the end' : `${b.endKind} at step ${b.end}`;
    const from = b.start < 0 ? 'cached before the first step' : `loaded at step ${b.start}`;
    out.push(`<g class="vnode" data-vnode="${esc(b.vnode)}" data-start="${b.start}" data-end="${b.end ?? ''}" data-end-kind="${b.endKind}">`);
    out.push(`<text class="label" x="${LEFT - 10}" y="${y + BAR_H - 2}" text-anchor="end">${text(b.vnode)}</text>`);
    out.push(`<rect class="bar ${b.endKind}" x="${x0}" y="${y}" width="${w}" height="${BAR_H}" rx="3"><title>${text(`${b.vnode}: ${from}, ${end}`)}</title></rect>`);
    if (b.endKind === 'revoked') out.push(`<rect class="revoke-cap" x="${x0 + w - 4}" y="${y - 2}" width="4" height="${BAR_H + 4}"/>`);
    b.holds.forEach((h, k) => {
      const hy = y + BAR_H + 4 + k * (HOLD_H + 2);
      // A hold is seen after step `from` and lasts until the step after `to` runs.
      const hx0 = x(h.from);
      const hx1 = Math.min(x(h.to + 1), right);
      out.push(`<rect class="hold${h.dead ? ' dead' : ''}" data-holder="${esc(h.holder)}" data-from="${h.from}" data-to="${h.to}" ` +
        `x="${hx0}" y="${hy}" width="${hx1 - hx0}" height="${HOLD_H}"><title>${text(`${h.holder} holds ${b.vnode}${h.dead ? ' (revoked: deadfs)' : ''}, after steps ${h.from} to ${h.to}`)}</title></rect>`);
      // A holder is named once per bar (its span on the dead vnode continues the live one).
      if (!b.holds.slice(0, k).some((o) => o.holder === h.holder)) {
        out.push(`<text class="hold-label" x="${hx1 + 4}" y="${hy + HOLD_H}">${text(h.holder)}</text>`);
      }
    });
    out.push('</g>');
    y += barRowHeight(b);
  }
  return out;
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 .2em; }
.status { font-weight: bold; } .status.pass { color: #1a7f37; } .status.fail { color: #cf222e; } .status.invalid { color: #9a6700; }
.message { background: #ffebe9; border-left: 4px solid #cf222e; padding: .4em .8em; white-space: pre-wrap; font-family: ui-monospace, monospace; }
svg { display: block; margin: 1em 0; font: 11px ui-monospace, monospace; }
svg .grid { stroke: #eee; } svg .step-label { fill: #555; }
svg .section { font: bold 12px system-ui, sans-serif; fill: #333; }
svg .life { stroke: #0969da; stroke-width: 3; } svg .zombie { stroke: #8c959f; stroke-width: 2; stroke-dasharray: 4 3; }
svg .link { stroke: #0969da; stroke-width: 1; stroke-dasharray: 2 2; }
svg .mark { fill: #0969da; stroke: #fff; stroke-width: 1; } svg .mark.exec { fill: #8250df; } svg .mark.exec.sugid { fill: #bf3989; }
svg path.mark.exit { stroke: #cf222e; stroke-width: 3; fill: none; } svg .mark.wait { fill: #1a7f37; } svg .mark.step { fill: #57606a; }
svg .bar { fill: #54aeff; } svg .bar.revoked { fill: #ff8182; } svg .bar.cached { fill: #a5d6ff; }
svg .revoke-cap { fill: #cf222e; } svg .hold { fill: #bf8700; } svg .hold.dead { fill: #8c959f; } svg .hold-label { fill: #6e5400; font-size: 10px; }
svg .failure line { stroke: #cf222e; stroke-width: 2; } svg .failure text { fill: #cf222e; font-weight: bold; }
table { border-collapse: collapse; font: 12px ui-monospace, monospace; } td { padding: 1px 8px; vertical-align: top; }
tr.failing { background: #ffebe9; } .legend span { margin-right: 1.2em; }
`;

/** Words into lines of at most `width` characters (a longer word is cut), at most `max` lines. */
function wrap(s: string, width: number, max: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of s.split(' ')) {
    for (let w = word; w !== ''; ) {
      const room = cur === '' ? width : width - cur.length - 1;
      if (w.length <= room) {
        cur = cur === '' ? w : `${cur} ${w}`;
        w = '';
      } else if (cur !== '') {
        lines.push(cur);
        cur = '';
      } else {
        lines.push(w.slice(0, width));
        w = w.slice(width);
      }
    }
  }
  if (cur !== '') lines.push(cur);
  return lines.length <= max ? lines : [...lines.slice(0, max - 1), `${lines[max - 1]!.slice(0, width - 1)}…`];
}

export interface HtmlInput {
  report: FileReport;
  /** The scenario's steps (for handle names); empty for an invalid file. */
  steps: readonly Step[];
}

/** The whole page. */
export function renderHtml({ report: r, steps }: HtmlInput): string {
  const records = r.records;
  const n = Math.max(records.length, 1);
  const pic = pictureOf(steps, records, r.trace);
  const failure = r.status === 'fail' ? r.failures[0] : undefined;
  const laneTop = TOP + 24;
  const barTop = laneTop + pic.lanes.length * LANE_H + 36;
  const failTop = barTop + pic.bars.reduce((t, b) => t + barRowHeight(b), 0) + 16;
  const width = LEFT + n * COL + 260;
  const failLines = failure !== undefined && 'step' in failure
    ? wrap(`steps[${failure.step}]: ${failure.message}`, Math.max(30, Math.floor((width - x(failure.step) - 20) / 6.7)), 8)
    : [];
  const height = failTop + failLines.length * 13 + 20;
  const svg: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`steps of ${r.name}`)}">`,
  ];
  for (const rec of records) {
    const cx = x(rec.index);
    svg.push(`<line class="grid" x1="${cx}" y1="${TOP}" x2="${cx}" y2="${height - 10}"/>`);
    svg.push(`<text class="step-label" data-step="${rec.index}" transform="translate(${cx + 4},${TOP - 6}) rotate(-60)">${text(`#${rec.index} ${rec.kind}`)}<title>${text(r.trace[rec.index] ?? '')}</title></text>`);
  }
  svg.push(`<text class="section" x="10" y="${laneTop - 8}">processes</text>`);
  svg.push(...drawLanes(pic.lanes, n, laneTop));
  svg.push(`<text class="section" x="10" y="${barTop - 12}">procfs vnodes</text>`);
  svg.push(...drawBars(pic.bars, n, barTop));
  if (failure !== undefined && 'step' in failure) {
    const fx = x(failure.step);
    const tspans = failLines.map((l, k) => `<tspan x="${fx + 6}" dy="${k === 0 ? 0 : 13}">${text(l)}</tspan>`).join('');
    svg.push(`<g class="failure" data-step="${failure.step}">`, `<line x1="${fx}" y1="${TOP}" x2="${fx}" y2="${height - 10}"/>`,
      `<text x="${fx + 6}" y="${failTop + 10}">${tspans}<title>${text(failure.message)}</title></text>`, '</g>');
  }
  svg.push('</svg>');
  const failingStep = failure !== undefined && 'step' in failure ? failure.step : -1;
  const rows = r.trace.map((t, i) => `<tr${i === failingStep ? ' class="failing"' : ''}><td>${i}</td><td>${text(t)}</td></tr>`);
  const message = r.status === 'pass' ? '' : `<p class="message">${text(r.detail[0] ?? r.failures[0]?.message ?? '')}</p>`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${text(`procfs-emu: ${r.name || r.file}`)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${text(r.name || r.file)}</h1>`,
    `<p><span class="status ${r.status}">${r.status.toUpperCase()}</span> ${text(r.file)}, ${records.length} of ${steps.length} steps run</p>`,
    message,
    '<p class="legend"><span>&#9679; spawn / fork</span><span>&#9632; exec (pink: set-id)</span><span>&#10005; exit</span>' +
      '<span>&#9660; wait</span><span>dashed: zombie</span><span>bar: cached vnode (red end: revoked)</span><span>under a bar: references held on it</span></p>',
    ...svg,
    '<h2>Trace</h2>',
    `<table class="trace">${rows.join('')}</table>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
