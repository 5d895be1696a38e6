/**
 * exechook / exithook registries (sys/kern/kern_hook.c 1.2): establish returns
 * a handle for disestablish; hook_establish inserts at the head of the list
 * and hook_proc_run walks it from the head, so the newest hook runs first.
 */
import type { Proc } from './proc.ts';

export type ProcHookFn = (p: Proc, arg: unknown) => void;

export interface ProcHook {
  readonly fn: ProcHookFn;
  readonly arg: unknown;
}

export class HookList {
  private hooks: ProcHook[] = [];

  /** exechook_establish / exithook_establish (hook_establish: LIST_INSERT_HEAD) */
  establish(fn: ProcHookFn, arg: unknown): ProcHook {
    const h = { fn, arg };
    this.hooks.unshift(h);
    return h;
  }

  /** exechook_disestablish / exithook_disestablish (hook_disestablish: panics on an unknown hook) */
  disestablish(h: ProcHook): void {
    const i = this.hooks.indexOf(h);
    if (i < 0) throw new Error('hook_disestablish: hook not established');
    this.hooks.splice(i, 1);
  }

  /** doexechooks / doexithooks (hook_proc_run: from the head) */
  run(p: Proc): void {
    for (const h of [...this.hooks]) h.fn(p, h.arg);
  }

  get size(): number {
    return this.hooks.length;
  }
}
