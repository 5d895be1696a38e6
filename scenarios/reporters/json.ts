/**
 * The JSON reporter: the report document (report.ts, REPORT_FORMAT),
 * pretty-printed, with each list of numbers (a class's runs) on one line.
 */
import type { Reported } from './types.ts';

export function renderJson(run: Reported): string {
  const text = JSON.stringify(run.doc, null, 2).replace(/\[\n[ 0-9,\n]*\]/g, (m) => `[${m.slice(1, -1).split(',').map((x) => x.trim()).join(', ')}]`);
  return `${text}\n`;
}
