import { join } from 'node:path';
import { makeTempDir } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerPathOf, resolveInRoot } from '../../src/rootfs/resolve-in-root.js';
import { readUserDatabase } from '../../src/rootfs/read-user-database.js';
import { hostileRootfs } from '@berth/container/testing';
import { mkdir, symlink, writeFile } from 'node:fs/promises';

let dir: { path: string; remove: () => Promise<void> };
let root: string;
let outside: string;

beforeAll(async () => {
  dir = await makeTempDir('berth-resolve');
  ({ root, outside } = await hostileRootfs(dir.path));
});
afterAll(async () => {
  await dir.remove();
});

describe('resolveInRoot', () => {
  it('resolves plain paths, . and ..', async () => {
    expect(await resolveInRoot(root, '/etc/hosts')).toBe(join(root, 'etc/hosts'));
    expect(await resolveInRoot(root, 'etc/./../etc//hosts')).toBe(join(root, 'etc/hosts'));
    expect(await resolveInRoot(root, '/../../..')).toBe(root);
    expect(await resolveInRoot(root, '/')).toBe(root);
  });

  it('follows links inside the root, never out of it', async () => {
    expect(await resolveInRoot(root, '/slash/etc/hosts')).toBe(join(root, 'etc/hosts'));
    expect(await resolveInRoot(root, '/up/etc/hosts')).toBe(join(root, 'etc/hosts'));
    expect(await resolveInRoot(root, '/hostpath/secret')).toBe(join(root, outside, 'secret'));
    expect(await resolveInRoot(root, '/etc/secret-link')).toBe(join(root, outside, 'secret'));
    expect(await resolveInRoot(root, '/data/etc-link/hosts')).toBe(join(root, 'etc/hosts'));
  });

  it('names the link itself when the last component is not followed', async () => {
    expect(await resolveInRoot(root, '/etc/secret-link', { followFinal: false })).toBe(join(root, 'etc/secret-link'));
    expect(await resolveInRoot(root, '/slash/etc/secret-link', { followFinal: false })).toBe(join(root, 'etc/secret-link'));
  });

  it('keeps missing components as they are', async () => {
    expect(await resolveInRoot(root, '/data/new/../file')).toBe(join(root, 'data/file'));
    expect(await resolveInRoot(root, '/etc/hosts/below')).toBe(join(root, 'etc/hosts/below'));
  });

  it('refuses link loops', async () => {
    await expect(resolveInRoot(root, '/loop1/x')).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('maps host paths back to container paths', () => {
    expect(containerPathOf(root, join(root, 'etc/hosts'))).toBe('/etc/hosts');
    expect(containerPathOf(root, root)).toBe('/');
    expect(() => containerPathOf(root, outside)).toThrow(/not inside/);
  });
});

describe('readUserDatabase', () => {
  it('reads passwd and group inside the root, never the host’s through links', async () => {
    const fresh = await makeTempDir('berth-userdb');
    try {
      const { root: r } = await hostileRootfs(fresh.path);
      expect(await readUserDatabase(r)).toEqual({ passwd: [], group: [] });
      await writeFile(join(r, 'etc/passwd'), 'app:x:1000:1000::/home/app:/bin/sh\n');
      await symlink('/etc/passwd', join(r, 'etc/group')); // inside the container: its own passwd
      const db = await readUserDatabase(r);
      expect(db.passwd).toEqual([{ name: 'app', uid: 1000, gid: 1000, home: '/home/app', shell: '/bin/sh' }]);
      // group is the container's own passwd, read as a group file.
      expect(db.group.map((g) => g.name)).toEqual(['app']);
    } finally {
      await fresh.remove();
    }
  });

  it('does not read the host’s files through an absolute etc link', async () => {
    const fresh = await makeTempDir('berth-userdb');
    try {
      await mkdir(join(fresh.path, 'hostetc'));
      await writeFile(join(fresh.path, 'hostetc/passwd'), 'host:x:0:0::/:/bin/sh\n');
      await mkdir(join(fresh.path, 'rootfs'));
      await symlink(join(fresh.path, 'hostetc'), join(fresh.path, 'rootfs/etc'));
      expect(await readUserDatabase(join(fresh.path, 'rootfs'))).toEqual({ passwd: [], group: [] });
      // A loop (etc -> /etc inside the container) reads as missing too.
      await mkdir(join(fresh.path, 'loop'));
      await symlink('/etc', join(fresh.path, 'loop/etc'));
      expect(await readUserDatabase(join(fresh.path, 'loop'))).toEqual({ passwd: [], group: [] });
    } finally {
      await fresh.remove();
    }
  });
});
