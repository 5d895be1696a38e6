/**
 * The JUnit XML reporter: one <testsuite>, one <testcase> per scenario file
 * (classname: the file's directory; name: the scenario's name), a failure as
 * <failure> and an invalid file as <error>, each with file:line and the
 * message. Built with fast-xml-parser's XMLBuilder.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { FileReport } from '../report.ts';
import type { RunReport } from './types.ts';

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

function testcase(r: FileReport): Record<string, unknown> {
  const tc = {
    '@_classname': xmlSafe(classnameOf(r.file)), '@_name': xmlSafe(r.name === '' ? baseName(r.file) : r.name),
    '@_file': xmlSafe(r.file), '@_time': seconds(r.durationMs),
  };
  const f = r.failures[0];
  if (r.status === 'fail' && f !== undefined) {
    const message = 'step' in f ? `steps[${f.step}]: ${f.message}` : f.message;
    return { ...tc, failure: { '@_message': attr(message), '@_type': 'fail', '#text': xmlSafe(r.detail.join('\n')) } };
  }
  if (r.status === 'invalid' && f !== undefined) {
    const message = 'path' in f && f.path !== '' ? `${f.path}: ${f.message}` : f.message;
    return { ...tc, error: { '@_message': attr(message), '@_type': 'invalid', '#text': xmlSafe(r.detail.join('\n')) } };
  }
  return tc;
}

export function renderJunit(run: RunReport): string {
  const { doc } = run;
  const cases = run.files.map(testcase);
  const ie = doc.internalError;
  if (ie !== undefined) {
    const file = ie.file ?? '';
    cases.push({
      '@_classname': xmlSafe(classnameOf(file)), '@_name': xmlSafe(file === '' ? 'procfs-emu' : file), '@_file': xmlSafe(file), '@_time': seconds(0),
      error: { '@_message': attr(`internal error: ${ie.message}`), '@_type': 'internal', '#text': xmlSafe(`internal error: ${ie.message}`) },
    });
  }
  const errors = doc.invalid + (ie === undefined ? 0 : 1);
  const totals = { '@_tests': String(cases.length), '@_failures': String(doc.failed), '@_errors': String(errors), '@_time': seconds(doc.durationMs) };
  const tree = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'procfs-emu', ...totals,
      testsuite: { '@_name': 'procfs-emu', ...totals, '@_skipped': '0', testcase: cases },
    },
  };
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true });
  return builder.build(tree) as string;
}
