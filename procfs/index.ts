export { procfsModule } from './vfsops.ts';
export type { ProcfsOptions } from './vfsops.ts';
export * from './procfs.ts';
export { PROC_TARGETS, PROC_ROOT_TARGETS, PROCFS_OTHER_VOPS } from './vnops.ts';
