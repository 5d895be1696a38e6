/** pfsKeyParse (procfs/procfs.ts): the vcache key's first three fields, as key.split(':') gives them. */
import { describe, expect, it } from 'vitest';
import { pfsKeyParse, pfsKeyString } from '../../procfs/procfs.ts';

function bySplit(key: string) {
  const [type = '', pid = 'NaN', fd = 'NaN'] = key.split(':');
  return { type, pid: Number(pid), fd: Number(fd) };
}

describe('pfsKeyParse', () => {
  it('gives what key.split(\':\') gives, for keys procfs makes and for shorter, longer and odd ones', () => {
    const keys = [pfsKeyString('fd', 7, 3), pfsKeyString('root', 0, -1), 'status', 'proc:12', 'fd:5:3:9', ':1:2', 'mem::', 'a:b:c'];
    for (const key of keys) expect(pfsKeyParse(key), key).toEqual(bySplit(key));
  });
});
