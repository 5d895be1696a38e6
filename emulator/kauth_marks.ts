/**
 * The coverage marks of kauth (marks.ts): each listener's answers, by scope,
 * and how kauth_authorize_action combined them. Kept apart from kauth.ts so
 * that file only calls in; a listener this table does not name (procfs's,
 * which marks its own branches) is not marked here.
 */
import type { KauthResult, KauthScope } from './kauth.ts';
import { declareMarks, marksEnabled } from './marks.ts';

const MARKS = {
  'secmodel_suser_process_cb: ALLOW': null,
  'secmodel_suser_process_cb: DEFER': null,
  'secmodel_suser_system_cb: ALLOW': null,
  'secmodel_suser_system_cb: DEFER': null,
  'secmodel_securelevel_process_cb: DENY': null,
  'secmodel_securelevel_process_cb: DEFER': null,
  'secmodel_securelevel_system_cb: DENY': null,
  'secmodel_securelevel_system_cb: DEFER': null,
  'secmodel_extensions_process_cb: DENY (curtain)': null,
  'secmodel_extensions_process_cb: DEFER': null,
  'proc_listener_cb: ALLOW': null,
  'proc_listener_cb: DEFER': null,
  'kauth_authorize_action: a DENY -> EPERM': null,
  'kauth_authorize_action: an ALLOW, no DENY -> 0': null,
  'kauth_authorize_action: all DEFER, secmodels registered -> EPERM': null,
  'kauth_authorize_action: all DEFER, no secmodel -> 0': 'the kernel registers its three secmodels at boot and none is ever deregistered',
} as const;
const mark = declareMarks('emulator/kauth_marks.ts', MARKS);
type MarkName = keyof typeof MARKS;
type Answers = Partial<Record<KauthResult, MarkName>>;

/** The marks of the emulator's listeners, by scope and listener name (kauth_listen_scope's name). */
const LISTENER_MARKS: Readonly<Record<KauthScope, Readonly<Record<string, Answers>>>> = {
  process: {
    suser: { ALLOW: 'secmodel_suser_process_cb: ALLOW', DEFER: 'secmodel_suser_process_cb: DEFER' },
    securelevel: { DENY: 'secmodel_securelevel_process_cb: DENY', DEFER: 'secmodel_securelevel_process_cb: DEFER' },
    extensions: { DENY: 'secmodel_extensions_process_cb: DENY (curtain)', DEFER: 'secmodel_extensions_process_cb: DEFER' },
    proc: { ALLOW: 'proc_listener_cb: ALLOW', DEFER: 'proc_listener_cb: DEFER' },
  },
  system: {
    suser: { ALLOW: 'secmodel_suser_system_cb: ALLOW', DEFER: 'secmodel_suser_system_cb: DEFER' },
    securelevel: { DENY: 'secmodel_securelevel_system_cb: DENY', DEFER: 'secmodel_securelevel_system_cb: DEFER' },
  },
};

/** One listener's answer (a table look-up while marks count; nothing otherwise). */
export function kauthMarkAnswer(scope: KauthScope, listener: string, r: KauthResult): void {
  if (!marksEnabled()) return;
  const name = LISTENER_MARKS[scope][listener]?.[r];
  if (name !== undefined) mark(name);
}

/** What kauth_authorize_action made of the answers. */
export function kauthMarkDecision(denied: boolean, allowed: boolean, secmodels: number): void {
  if (!marksEnabled()) return;
  if (denied) mark('kauth_authorize_action: a DENY -> EPERM');
  else if (allowed) mark('kauth_authorize_action: an ALLOW, no DENY -> 0');
  else mark(secmodels > 0 ? 'kauth_authorize_action: all DEFER, secmodels registered -> EPERM' : 'kauth_authorize_action: all DEFER, no secmodel -> 0');
}
