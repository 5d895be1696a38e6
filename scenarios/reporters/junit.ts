/**
 * The JUnit XML reporter: one <testsuite>, one <testcase> per scenario file
 * (classname: the file's directory; name: the scenario's name), a failure as
 * <failure> and an invalid file as <error>, each with file:line and the
 * message; for a fuzz campaign, one <testcase> per failure class (a passing
 * one for a clean campaign) and the campaign as <properties>. Built with
 * fast-xml-parser's XMLBuilder.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { seedText } from '../fuzz/prng.ts';
import { commandForms } from '../fuzz/repro.ts';
import type { CampaignDocument, ClassEntry, FileReport } from '../report.ts';
import { type Reported, isCampaign } from './types.ts';

/** Characters XML 1.0 cannot hold at all (C0 controls but tab, LF, CR; U+FFFE, U+FFFF; lone surrogates). */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text XML can carry: every character it cannot is written as \uXXXX. */
export function xmlSafe(s: string): string {
  return s.replace(NOT_XML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An attribute value: one line (parsers fold newlines in attributes into spaces anyway). */
function attr(s: string): string {
  return xmlSafe(s.split('\n')[0] ?? '');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** The directory of a scenario file, `/`-separated; `.` for a bare name. */
export function classnameOf(file: string): string {
  const parts = file.replace(/\\/g, '/').split('/');
  parts.pop();
  const dir = parts.join('/');
  return dir === '' ? '.' : dir;
}

const baseName = (file: string) => file.replace(/\\/g, '/').split('/').pop() ?? file;

/** One <testcase>: a scenario file, or a fuzz campaign's failure class. */
export interface JunitCase {
  classname: string;
  name: string;
  file?: string;
  timeMs?: number;
  /** The case failed (`<failure>`) or could not run (`<error>`): a one-line message, a type, the full text. */
  failure?: { message: string; type: string; text: string };
  error?: { message: string; type: string; text: string };
}

function caseNode(c: JunitCase): Record<string, unknown> {
  const outcome = (o: { message: string; type: string; text: string }) => ({ '@_message': attr(o.message), '@_type': o.type, '#text': xmlSafe(o.text) });
  return {
    '@_classname': xmlSafe(c.classname), '@_name': xmlSafe(c.name),
    ...(c.file === undefined ? {} : { '@_file': xmlSafe(c.file) }), '@_time': seconds(c.timeMs ?? 0),
    ...(c.failure === undefined ? {} : { failure: outcome(c.failure) }),
    ...(c.error === undefined ? {} : { error: outcome(c.error) }),
  };
}

/** A JUnit document of one suite: the totals counted from the cases, `properties` as <property> elements. */
export function junitXml(suite: { name: string; timeMs?: number; properties?: readonly (readonly [string, string])[] }, cases: readonly JunitCase[]): string {
  const totals = {
    '@_tests': String(cases.length), '@_failures': String(cases.filter((c) => c.failure !== undefined).length),
    '@_errors': String(cases.filter((c) => c.error !== undefined).length), '@_time': seconds(suite.timeMs ?? 0),
  };
  const props = suite.properties === undefined ? {} : { properties: { property: suite.properties.map(([k, v]) => ({ '@_name': xmlSafe(k), '@_value': attr(v) })) } };
  const tree = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': xmlSafe(suite.name), ...totals,
      testsuite: { '@_name': xmlSafe(suite.name), ...totals, '@_skipped': '0', ...props, testcase: cases.map(caseNode) },
    },
  };
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true });
  return builder.build(tree) as string;
}

function testcase(r: FileReport): JunitCase {
  const tc = { classname: classnameOf(r.file), name: r.name === '' ? baseName(r.file) : r.name, file: r.file, timeMs: r.durationMs };
  const f = r.failures[0];
  if (r.status === 'fail' && f !== undefined) {
    const message = 'step' in f ? `steps[${f.step}]: ${f.message}` : f.message;
    return { ...tc, failure: { message, type: 'fail', text: r.detail.join('\n') } };
  }
  if (r.status === 'invalid' && f !== undefined) {
    const message = 'path' in f && f.path !== '' ? `${f.path}: ${f.message}` : f.message;
    return { ...tc, error: { message, type: 'invalid', text: r.detail.join('\n') } };
  }
  return tc;
}

export function renderJunit(run: Reported): string {
  if (isCampaign(run)) return campaignJunit(run.doc);
  const { doc } = run;
  const cases = run.files.map(testcase);
  const ie = doc.internalError;
  if (ie !== undefined) {
    const file = ie.file ?? '';
    const text = `internal error: ${ie.message}`;
    cases.push({ classname: classnameOf(file), name: file === '' ? 'procfs-emu' : file, file, timeMs: 0, error: { message: text, type: 'internal', text } });
  }
  return junitXml({ name: 'procfs-emu', timeMs: doc.durationMs }, cases);
}

/** `file:line:column` of a class's failing step in its repro (the file alone when the line is unknown). */
export function classWhere(k: ClassEntry): string {
  const f = k.failures[0];
  return f.line === undefined ? k.file : `${k.file}:${f.line}:${f.column ?? 1}`;
}

function classCase(k: ClassEntry): JunitCase {
  const f = k.failures[0];
  const message = `steps[${f.step}]: ${f.message}`;
  const text = [
    `${classWhere(k)}: ${message}`,
    `${k.count} failing ${k.count === 1 ? 'run' : 'runs'}: ${k.runs.join(', ')}`,
    `first: run ${k.runs[0]}`,
    `repro: ${k.file}`,
    `replay: ${commandForms(`replay ${k.file}`)}`,
  ];
  return { classname: 'procfs-emu.fuzz', name: k.name, file: k.file, failure: { message, type: k.signature.rule, text: text.join('\n') } };
}

/** A campaign: one testcase per failure class (a failure each), or one passing testcase for a clean campaign. */
export function campaignJunit(doc: CampaignDocument): string {
  const c = doc.campaign;
  const cases = doc.scenarios.map(classCase);
  if (cases.length === 0) cases.push({ classname: 'procfs-emu.fuzz', name: `${doc.runsDone} runs, no failure class` });
  const properties = [
    ['seed', seedText(c.seed)], ['runs', String(c.runs)], ['steps', String(c.steps)], ['bugs', c.bugs.join(',')],
    ['shard', doc.shard], ['runsDone', String(doc.runsDone)], ['failingRuns', String(doc.failingRuns)], ['stopped', doc.stopped], ['engine', c.engine],
  ] as const;
  return junitXml({ name: `procfs-emu fuzz seed ${seedText(c.seed)}`, properties }, cases);
}
