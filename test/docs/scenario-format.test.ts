/**
 * docs/scenario-format.md against the engine: every key the JSON Schema
 * (scenarios/schema.json) allows is documented as a `code` span (each step
 * kind under its own heading, with its fields and expect keys in that
 * section), and every ```yaml example loads and passes, or is invalid at the
 * path / fails at the step its marking comment names.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTRACT_REVISION, FORMAT_VERSION } from '../../scenarios/fields.ts';
import { formatInvalid, loadScenarioText } from '../../scenarios/load.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { SCHEMA_FILE } from '../../scenarios/schema.ts';
import { splitMarkdown } from '../helpers/markdown.ts';

const DOC = 'docs/scenario-format.md';
const text = readFileSync(DOC, 'utf8');

interface JsonObject {
  properties?: Record<string, unknown>;
  anyOf?: JsonObject[];
}
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as JsonObject & { $defs: Record<string, JsonObject> };

const { blocks, prose } = splitMarkdown(text);

function spansIn(lines: readonly string[]): Set<string> {
  return new Set(lines.flatMap((l) => [...l.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)));
}

/** Each heading with the prose up to the next heading of the same or a higher level. */
function sections(): { heading: string; spans: Set<string> }[] {
  const heads = prose.flatMap((l, i) => {
    const m = /^(#+) (.*)$/.exec(l);
    return m === null ? [] : [{ i, level: m[1]!.length, heading: m[2]! }];
  });
  return heads.map((h, j) => {
    const next = heads.slice(j + 1).find((n) => n.level <= h.level);
    return { heading: h.heading, spans: spansIn(prose.slice(h.i, next?.i ?? prose.length)) };
  });
}

const keysOf = (o: JsonObject | undefined) => Object.keys(o?.properties ?? {});
const allSpans = spansIn(prose);
const defs = schema.$defs;

const KINDS = Object.keys(defs).filter((k) => k.endsWith('Fields')).map((k) => k.slice(0, -'Fields'.length));
/** Expect keys every kind has, documented once for all. */
const COMMON_EXPECT = ['errno', 'evicts', 'revokes'];

const GLOBAL_KEYS = [
  ...keysOf(schema),
  ...keysOf(defs.kernel),
  ...keysOf(defs.fileEntry),
  ...keysOf(defs.procfsMount),
  ...keysOf(defs.mountArgs?.anyOf?.find((o) => o.properties !== undefined)),
  ...COMMON_EXPECT,
];

describe('docs/scenario-format.md documents every key of scenarios/schema.json', () => {
  it('finds the keys in the schema (the test reads what it thinks it reads)', () => {
    expect(KINDS).toHaveLength(33);
    expect(KINDS).toContain('readdir');
    expect(keysOf(defs.readdirExpect)).toEqual(expect.arrayContaining(['types', 'entryTypes', 'entriesInclude']));
    expect(keysOf(defs.readExpect)).toContain('dataMatches');
    expect(GLOBAL_KEYS).toEqual(expect.arrayContaining(['format', 'steps', 'pidMax', 'procfs', 'target', 'emul', 'linux', 'version']));
  });

  it.each([...new Set(GLOBAL_KEYS)])('top-level, kernel, file, mount and common expect key `%s`', (key) => {
    expect(allSpans.has(key), `\`${key}\` is not a code span in ${DOC}`).toBe(true);
  });

  const secs = sections();
  it.each(KINDS)('step kind `%s`: a heading of its own, with its fields and expect keys in that section', (kind) => {
    const sec = secs.find((s) => s.heading.includes(`\`${kind}\``));
    expect(sec, `no heading names \`${kind}\``).toBeDefined();
    const wanted = [...keysOf(defs[`${kind}Fields`]), ...keysOf(defs[`${kind}Expect`]).filter((k) => !COMMON_EXPECT.includes(k))];
    const missing = wanted.filter((k) => !sec!.spans.has(k));
    expect(missing, `not documented under "${sec!.heading}"`).toEqual([]);
  });
});

describe('docs/scenario-format.md examples', () => {
  const yaml = blocks.filter((b) => b.lang === 'yaml');

  it('has examples of every outcome', () => {
    expect(yaml.length).toBeGreaterThanOrEqual(20);
    expect(yaml.some((b) => b.mark?.startsWith('invalid:'))).toBe(true);
    expect(yaml.some((b) => b.mark?.startsWith('fails:'))).toBe(true);
  });

  it.each(yaml.map((b) => [b.line, b] as const))('the example at line %i', (_line, b) => {
    const file = `${DOC}:${b.line}`;
    const loaded = loadScenarioText(b.code, file);
    const invalidAt = /^invalid: (\S+)$/.exec(b.mark ?? '')?.[1];
    if (invalidAt !== undefined) {
      expect(loaded.ok, 'meant to be invalid').toBe(false);
      if (!loaded.ok) expect(loaded.error.path, formatInvalid(loaded.error)).toBe(invalidAt);
      return;
    }
    if (!loaded.ok) throw new Error(formatInvalid(loaded.error));
    const r = runScenario(loaded.scenario);
    const failsAt = /^fails: step (\d+)$/.exec(b.mark ?? '')?.[1];
    if (failsAt !== undefined) {
      expect(r.failure?.step, 'meant to fail').toBe(Number(failsAt));
      return;
    }
    expect(b.mark, 'an unknown marking comment').toBeNull();
    expect(r.failure, r.failure?.message).toBeNull();
  });

  it('shows the --version output the command line prints, and a --json document that parses', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(text).toContain(`${version} (scenario format ${FORMAT_VERSION}, contract revision ${CONTRACT_REVISION})`);
    const json = blocks.filter((b) => b.lang === 'json');
    expect(json.length).toBeGreaterThan(0);
    for (const b of json) expect(() => JSON.parse(b.code)).not.toThrow();
  });
});
