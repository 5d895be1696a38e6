/** What every reporter is given: the run document and, beside each of its scenarios, the file's full report. */
import type { FileReport, RunDocument } from '../report.ts';

export interface RunReport {
  doc: RunDocument;
  /** files[i] is the report behind doc.scenarios[i]. */
  files: readonly FileReport[];
}
