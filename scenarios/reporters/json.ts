/** The JSON reporter: the run document (report.ts, REPORT_FORMAT), pretty-printed. */
import type { RunReport } from './types.ts';

export function renderJson(run: RunReport): string {
  return `${JSON.stringify(run.doc, null, 2)}\n`;
}
