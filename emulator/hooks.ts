/**
 * exechook / exithook registries (sys/kern/kern_hook.c): establish returns a
 * handle for disestablish; hooks run in the order they were established.
 */
import type { Proc } from './proc.ts';

export type ProcHookFn = (p: Proc, arg: unknown) => void;

export interface ProcHook {
  readonly fn: ProcHookFn;
  readonly arg: unknown;
}

export class HookList {
  private hooks: ProcHook[] = [];

  /** exechook_establish / exithook_establish */
  establish(fn: ProcHookFn, arg: unknown): ProcHook {
    const h = { fn, arg };
    this.hooks.push(h);
    return h;
  }

  /** exechook_disestablish / exithook_disestablish */
  disestablish(h: ProcHook): void {
    const i = this.hooks.indexOf(h);
    if (i < 0) throw new Error('hook_disestablish: hook not established');
    this.hooks.splice(i, 1);
  }

  /** doexechooks / doexithooks */
  run(p: Proc): void {
    for (const h of [...this.hooks]) h.fn(p, h.arg);
  }

  get size(): number {
    return this.hooks.length;
  }
}
