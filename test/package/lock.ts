/**
 * A lockfile for a scratch consumer of the packed tarball, made from the
 * repository's own package-lock.json. npm's cache, as `npm ci` fills it, holds
 * every tarball of that lockfile but not the registry documents a fresh
 * resolution asks for, so `npm install --offline` of the tarball alone fails
 * (ENOTCACHED); with this lockfile it resolves nothing and reads the cache only.
 */

interface LockEntry {
  name?: string;
  version: string;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [k: string]: unknown;
}

interface Lock {
  packages: Record<string, LockEntry>;
}

/** Where `name` required from the package at `from` lives: node's lookup, as lockfile paths. */
function locate(pkgs: Lock['packages'], from: string, name: string): string | null {
  let base = from;
  for (let depth = 0; depth < 64; depth++) {
    const p = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (pkgs[p] !== undefined) return p;
    if (base === '') return null;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
  return null;
}

/** The lockfile paths the root's runtime dependencies reach (its dev dependencies left out). */
function runtimeClosure(pkgs: Lock['packages']): string[] {
  const seen = new Set<string>();
  const todo: [string, string][] = Object.keys(pkgs['']!.dependencies ?? {}).map((n) => ['', n]);
  while (todo.length > 0) {
    const [from, name] = todo.pop()!;
    const p = locate(pkgs, from, name);
    if (p === null) throw new Error(`package-lock.json: ${name} (needed by ${from || 'the root'}) is missing`);
    if (seen.has(p)) continue;
    seen.add(p);
    const e = pkgs[p]!;
    for (const n of Object.keys(e.dependencies ?? {})) todo.push([p, n]);
    for (const n of Object.keys({ ...e.optionalDependencies, ...e.peerDependencies })) {
      const optional = e.optionalDependencies?.[n] !== undefined || e.peerDependenciesMeta?.[n]?.optional === true;
      if (!optional || locate(pkgs, p, n) !== null) todo.push([p, n]);
    }
  }
  return [...seen].sort();
}

/**
 * The consumer's package.json and package-lock.json, depending on
 * `file:<tarball>`; `registry` (npm config get registry) gives each entry the
 * tarball URL npm cached it under.
 */
export function consumerFiles(repoLock: Lock, tarball: string, registry: string): { packageJson: object; lock: object } {
  const pkgs = repoLock.packages;
  const root = pkgs['']!;
  const spec = `file:${tarball}`;
  const reg = registry.endsWith('/') ? registry : `${registry}/`;
  const packages: Record<string, object> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { 'procfs-emu': spec } },
    'node_modules/procfs-emu': {
      version: root.version, resolved: spec, license: root.license, dependencies: root.dependencies,
      bin: root.bin, engines: root.engines, peerDependencies: root.peerDependencies, peerDependenciesMeta: root.peerDependenciesMeta,
    },
  };
  for (const p of runtimeClosure(pkgs)) {
    const { dev: _d, devOptional: _o, peer: _p, ...e } = pkgs[p]!;
    const name = e.name ?? p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const base = name.split('/').pop()!;
    packages[p] = { resolved: `${reg}${name}/-/${base}-${e.version}.tgz`, ...e };
  }
  return {
    packageJson: { name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: { 'procfs-emu': spec } },
    lock: { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages },
  };
}
