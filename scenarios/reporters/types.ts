/**
 * What every reporter is given: a run (the run document and, beside each of
 * its scenarios, the file's full report) or a fuzz campaign (its document,
 * one entry of scenarios per failure class).
 */
import type { CampaignDocument, FileReport, RunDocument } from '../report.ts';

export interface RunReport {
  doc: RunDocument;
  /** files[i] is the report behind doc.scenarios[i]. */
  files: readonly FileReport[];
}

export interface CampaignRun {
  doc: CampaignDocument;
}

export type Reported = RunReport | CampaignRun;

export function isCampaign(r: Reported): r is CampaignRun {
  return 'campaign' in r.doc;
}
