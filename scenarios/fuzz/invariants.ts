/**
 * The fuzz invariants were folded into the judge (scenarios/judge/), which
 * `run`, `replay` and `fuzz` all use; these names stay for their importers.
 */
export { kauthProcfs, resolveRef } from '../judge/index.ts';
export type { KauthTarget, ProcfsReq } from '../judge/index.ts';
