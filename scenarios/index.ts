/**
 * `procfs-emu/scenarios`: the engine under the public API, for tools that
 * need its parts: the format and its JSON Schema, the loader, the runner, the
 * oracle, the reports, and the fuzzer's campaign, session, shrinker and repro
 * writer. The command line (cli.ts) is not here: importing it runs it.
 */
export { FORMAT_VERSION, STEP_KINDS, STEPS_MAX, FILE_BYTES_MAX } from './fields.ts';
export { SCHEMA_ID, scenarioJsonSchema, scenarioJsonSchemaText } from './schema.ts';
export type * from './types.ts';
export { VTYPES } from './types.ts';

export { formatInvalid, formatPath, loadScenarioFile, loadScenarioText } from './load.ts';
export type { InvalidError, LoadResult } from './load.ts';
export { collectScenarioFiles } from './collect.ts';
export type { Collected } from './collect.ts';

export { bootScenario, runScenario, traceLine } from './runner.ts';
export type { Handle, RunOptions, RunResult, RunState, StepFailure, StepRecord } from './runner.ts';
export type { Outcome } from './steps.ts';
export { Oracle } from './oracle.ts';
export type { Violation } from './oracle.ts';
export { vnodeName } from './names.ts';

export { exitStatus, reportLoaded, runDocument, runFile } from './report.ts';
export type { CampaignDocument, FileReport, ReportDocument, RunDocument } from './report.ts';
export { CampaignReportSchema, REPORT_FORMAT, ReportSchema, isCampaignDocument } from './report.ts';

export { StopFlag, Settler, runCampaignInline, runOne, shardRun, shardRuns, shardSize, shrunkRepro } from './fuzz/campaign.ts';
export { Tally, campaignIdentity, mergeReports, parseReport, reportJson, reportJunit, reportText } from './fuzz/merge.ts';
export type { CampaignReport, ClassReport } from './fuzz/merge.ts';
export type { CampaignHooks, CampaignOptions, CampaignResult, RunFailure, RunOutcome } from './fuzz/campaign.ts';
export { runCampaignWorkers, WorkerPool } from './fuzz/pool.ts';
export { generate, describeRun } from './fuzz/generate.ts';
export type { Generated, GenerateOptions } from './fuzz/generate.ts';
export { PRNG, parseSeed, runPrng, seedText } from './fuzz/prng.ts';
export type { SeedSpec } from './fuzz/prng.ts';
export { Session, check, playScenario } from './fuzz/session.ts';
export type { Played, SessionResult } from './fuzz/session.ts';
export { pinExpectations, shrink } from './fuzz/shrink.ts';
export type { ShrinkOptions, ShrinkResult } from './fuzz/shrink.ts';
export { failureClass } from './fuzz/failure.ts';
export { reproBaseName, reproScenario, reproText, writeReproFile } from './fuzz/repro.ts';
export type { ReproInfo } from './fuzz/repro.ts';
export { writeScenario } from './fuzz/write.ts';
