import { lstat, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getArchive } from '../../src/archive/get-archive.js';
import { statPath } from '../../src/archive/path-stat.js';
import { putArchive } from '../../src/archive/put-archive.js';
import { hostileRootfs, readTar, tarOf } from '@berth/container/testing';

let dir: { path: string; remove: () => Promise<void> };
let root: string;
let outside: string;
const isRoot = process.getuid?.() === 0;

beforeEach(async () => {
  dir = await makeTempDir('berth-archive');
  ({ root, outside } = await hostileRootfs(dir.path));
});
afterEach(async () => {
  await dir.remove();
});

async function outsideUntouched(): Promise<void> {
  expect(await readFile(join(outside, 'secret'), 'utf8')).toBe('host secret');
}

describe('statPath', () => {
  it('describes files and directories', async () => {
    const hosts = await statPath(root, '/etc/hosts');
    expect(hosts).toMatchObject({ name: 'hosts', size: 20, type: 'file', linkTarget: '' });
    expect(hosts.mode & 0o777).toBe(0o644 & ~process.umask());
    expect((await statPath(root, '/data/')).type).toBe('directory');
    expect((await statPath(root, '/')).name).toBe('/');
  });

  it('describes a link without following it, with its target inside the container', async () => {
    expect(await statPath(root, '/etc/secret-link')).toMatchObject({ type: 'symlink', linkTarget: join(outside, 'secret') });
    expect(await statPath(root, '/data/etc-link')).toMatchObject({ type: 'symlink', linkTarget: '/etc' });
    expect((await statPath(root, '/data/etc-link/')).type).toBe('directory');
  });

  it('is NotFound for missing paths and for host paths reached through links', async () => {
    await expect(statPath(root, '/nope', { containerName: 'web' })).rejects.toMatchObject({
      code: 'NotFound',
      message: 'Could not find the file /nope in container web',
    });
    await expect(statPath(root, '/hostpath/secret')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(statPath(root, '/up/up/outside/secret')).rejects.toMatchObject({ code: 'NotFound' });
  });
});

describe('getArchive', () => {
  it('archives a file under its base name', async () => {
    const { stat: s, tar } = await getArchive(root, '/etc/hosts');
    expect(s.name).toBe('hosts');
    expect(await readTar(tar)).toEqual({ hosts: '127.0.0.1 localhost\n' });
  });

  it('archives a directory tree, links as links, hardlinks as hardlinks', async () => {
    const members = await readTar((await getArchive(root, '/data')).tar);
    expect(members).toEqual({
      'data/': '<dir>',
      'data/a-hardlink.txt': 'aaa',
      'data/a.txt': '=> data/a-hardlink.txt',
      'data/etc-link': '-> ../etc',
      'data/sub/': '<dir>',
      'data/sub/b.txt': 'bbb',
    });
  });

  it('archives the contents of a directory for "dir/."', async () => {
    const members = await readTar((await getArchive(root, '/data/sub/.')).tar);
    expect(members).toEqual({ './': '<dir>', 'b.txt': 'bbb' });
  });

  it('archives a final link as a link, and never reads the host through links', async () => {
    expect(await readTar((await getArchive(root, '/etc/secret-link')).tar)).toEqual({ 'secret-link': `-> ${join(outside, 'secret')}` });
    await expect(getArchive(root, '/etc/secret-link/')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(getArchive(root, '/hostpath')).resolves.toBeDefined();
    await expect(getArchive(root, '/hostpath/')).rejects.toMatchObject({ code: 'NotFound' });
    const viaSlash = await readTar((await getArchive(root, '/slash/etc/hosts')).tar);
    expect(viaSlash).toEqual({ hosts: '127.0.0.1 localhost\n' });
  });
});

describe('putArchive', () => {
  it('extracts files and directories with modes and mtimes', async () => {
    const mtime = new Date('2021-06-01T00:00:00Z');
    await putArchive(
      root,
      '/dst',
      tarOf([
        { name: 'app/', type: 'directory', mode: 0o750, mtime },
        { name: 'app/run.sh', content: 'echo hi', mode: 0o755, mtime },
        { name: 'app/link', type: 'symlink', linkname: 'run.sh' },
        { name: 'app/hard', type: 'link', linkname: 'app/run.sh' },
        { name: 'deep/missing/parents.txt', content: 'x' },
      ]),
    );
    const run = await stat(join(root, 'dst/app/run.sh'));
    expect(run.mode & 0o777).toBe(0o755);
    expect(run.mtime).toEqual(mtime);
    expect((await stat(join(root, 'dst/app'))).mode & 0o777).toBe(0o750);
    expect((await stat(join(root, 'dst/app'))).mtime).toEqual(mtime);
    expect(await readlink(join(root, 'dst/app/link'))).toBe('run.sh');
    expect((await stat(join(root, 'dst/app/hard'))).ino).toBe(run.ino);
    expect(await readFile(join(root, 'dst/deep/missing/parents.txt'), 'utf8')).toBe('x');
  });

  it('keeps owners as root, or sets the given owner', async () => {
    await putArchive(root, '/dst', tarOf([{ name: 'owned', content: 'o', uid: 1234, gid: 5678 }]));
    await putArchive(root, '/dst', tarOf([{ name: 'chowned', content: 'o', uid: 1234, gid: 5678 }]), { chownTo: { uid: 42, gid: 43 } });
    const owned = await lstat(join(root, 'dst/owned'));
    const chowned = await lstat(join(root, 'dst/chowned'));
    if (isRoot) {
      expect([owned.uid, owned.gid]).toEqual([1234, 5678]);
      expect([chowned.uid, chowned.gid]).toEqual([42, 43]);
    } else {
      expect(owned.uid).toBe(process.getuid?.());
    }
  });

  it('refuses members that climb out', async () => {
    await expect(putArchive(root, '/dst', tarOf([{ name: '../../escape', content: 'x' }]))).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(putArchive(root, '/dst', tarOf([{ name: 'h', type: 'link', linkname: '../../../outside/secret' }]))).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
    await outsideUntouched();
  });

  it('writes through links the container made only to places inside it', async () => {
    await putArchive(
      root,
      '/',
      tarOf([
        { name: 'hostpath/secret', content: 'overwritten?' },
        { name: 'up/outside/secret', content: 'overwritten?' },
        { name: 'dst/into-data/c.txt', content: 'ccc' },
      ]),
    );
    await outsideUntouched();
    expect(await readFile(join(root, outside, 'secret'), 'utf8')).toBe('overwritten?');
    expect(await readFile(join(root, 'data/c.txt'), 'utf8')).toBe('ccc');
  });

  it('replaces a link at a member’s path instead of writing through it', async () => {
    await putArchive(root, '/etc', tarOf([{ name: 'secret-link', content: 'replaced' }]));
    await outsideUntouched();
    const replaced = await lstat(join(root, 'etc/secret-link'));
    expect(replaced.isFile()).toBe(true);
    expect(await readFile(join(root, 'etc/secret-link'), 'utf8')).toBe('replaced');
  });

  it('a link made by an earlier member cannot redirect a later one out of the root', async () => {
    await putArchive(
      root,
      '/dst',
      tarOf([
        { name: 'evil', type: 'symlink', linkname: outside },
        { name: 'evil/secret', content: 'pwned' },
      ]),
    );
    await outsideUntouched();
    expect(await readFile(join(root, outside, 'secret'), 'utf8')).toBe('pwned');
  });

  it('resolves the destination inside the root and requires a directory', async () => {
    await putArchive(root, '/slash/dst', tarOf([{ name: 'via-link', content: 'v' }]));
    expect(await readFile(join(root, 'dst/via-link'), 'utf8')).toBe('v');
    await expect(putArchive(root, '/missing', tarOf([]), { containerName: 'c1' })).rejects.toMatchObject({
      code: 'NotFound',
      message: 'Could not find the file /missing in container c1',
    });
    await expect(putArchive(root, '/etc/hosts', tarOf([]))).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: 'extraction point is not a directory',
    });
    await expect(putArchive(root, '/hostpath', tarOf([{ name: 'x', content: 'x' }]))).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('honours noOverwriteDirNonDir', async () => {
    await writeFile(join(root, 'dst/file'), 'f');
    await expect(
      putArchive(root, '/dst', tarOf([{ name: 'file', type: 'directory' }]), { noOverwriteDirNonDir: true }),
    ).rejects.toThrow('cannot overwrite non-directory "file" with directory "file"');
    await expect(putArchive(root, '/', tarOf([{ name: 'data', content: 'x' }]), { noOverwriteDirNonDir: true })).rejects.toThrow(
      'cannot overwrite directory "data" with non-directory "data"',
    );
    await putArchive(root, '/dst', tarOf([{ name: 'file', type: 'directory' }]));
    expect((await lstat(join(root, 'dst/file'))).isDirectory()).toBe(true);
  });

  it('reports a stream that is not a tar as InvalidArgument', async () => {
    const { Readable } = await import('node:stream');
    await expect(putArchive(root, '/dst', Readable.from([Buffer.alloc(1024, 7)]))).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('round-trips a tree through get and put', async () => {
    await putArchive(root, '/dst', (await getArchive(root, '/data')).tar);
    expect(await readTar((await getArchive(root, '/dst/data')).tar)).toEqual(await readTar((await getArchive(root, '/data')).tar));
    await symlink('x', join(root, 'dst/data/newlink'));
    expect((await readTar((await getArchive(root, '/dst/data')).tar))['data/newlink']).toBe('-> x');
  });
});
