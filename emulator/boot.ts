/**
 * Boot (sys/kern/init_main.c main): proc0 and the root file system come from
 * the Kernel constructor; here init gets /sbin/init, cwd `/`, and the built-in
 * modules are initialised (MODULE_CMD_INIT) in order.
 */
import { isErr } from './errno.ts';
import { checkExec, procSetImage } from './kern_exec.ts';
import type { KernelConfig, KernelModule } from './kernel.ts';
import { Kernel } from './kernel.ts';
import { vref } from './vnode.ts';

export function boot(config: KernelConfig, modules: readonly KernelModule[]): Kernel {
  const k = new Kernel(config, modules);
  const init = k.initproc;
  const img = checkExec(k.ctx(init), '/sbin/init');
  if (isErr(img)) throw new Error(`boot: /sbin/init: ${img.errno}`);
  procSetImage(init, img, ['/sbin/init']);
  init.pgid = 1; // init(8) starts with setsid(): its own session and process group
  init.sid = 1;
  init.cwd = k.rootvnode;
  vref(init.cwd);
  init.stat = 'SACTIVE';
  for (const m of modules) {
    const e = k.modload(m.name);
    if (e !== undefined) throw new Error(`boot: module ${m.name}: ${e.errno}`);
  }
  return k;
}
