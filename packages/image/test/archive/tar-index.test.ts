import { execFileSync } from 'node:child_process';
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isInvalidArgument, isNotFound } from '@berth/errdefs';
import { indexTar } from '@berth/image';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytesOf, writeTarFile } from './tar-file.js';

let temp: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir('berth-tar-index');
});
afterEach(async () => {
  await temp.remove();
});

describe('indexTar', () => {
  it('finds every member and opens it as a byte range', async () => {
    const path = join(temp.path, 'a.tar');
    const long = `${'d'.repeat(120)}/${'f'.repeat(130)}.txt`;
    await writeTarFile(path, [
      { name: 'dir/', type: 'directory' },
      { name: 'dir/one.txt', content: 'one' },
      { name: './two.txt', content: 'two'.repeat(300) },
      { name: long, content: 'long name' },
      { name: 'empty', content: '' },
    ]);
    const index = await indexTar(path);
    expect([...index.entries.keys()]).toEqual(['dir', 'dir/one.txt', 'two.txt', long, 'empty']);
    expect(index.entries.get('dir')!.type).toBe('directory');
    expect((await bytesOf(index.open(index.resolve('dir/one.txt')!))).toString()).toBe('one');
    expect((await bytesOf(index.open(index.resolve('/two.txt')!))).toString()).toBe('two'.repeat(300));
    expect((await index.readAll(index.resolve(long)!, 100)).toString()).toBe('long name');
    expect(await bytesOf(index.open(index.resolve('empty')!))).toHaveLength(0);
    expect((await index.readPrefix(index.resolve('two.txt')!, 4)).toString()).toBe('twot');
    expect(index.resolve('missing')).toBeUndefined();
  });

  it('follows symlinks and hard links between members', async () => {
    const path = join(temp.path, 'links.tar');
    await writeTarFile(path, [
      { name: 'blobs/data', content: 'payload' },
      { name: 'layer/layer.tar', type: 'symlink', linkname: '../blobs/data' },
      { name: 'abs', type: 'symlink', linkname: '/blobs/data' },
      { name: 'hard', type: 'link', linkname: 'blobs/data' },
      { name: 'loop-a', type: 'symlink', linkname: 'loop-b' },
      { name: 'loop-b', type: 'symlink', linkname: 'loop-a' },
    ]);
    const index = await indexTar(path);
    for (const name of ['layer/layer.tar', 'abs', 'hard']) {
      expect((await index.readAll(index.resolve(name)!, 100)).toString(), name).toBe('payload');
    }
    expect(index.resolve('loop-a')).toBeUndefined();
  });

  it('refuses a document larger than asked', async () => {
    const path = join(temp.path, 'big.tar');
    await writeTarFile(path, [{ name: 'big', content: 'x'.repeat(2000) }]);
    const index = await indexTar(path);
    await expect(index.readAll(index.resolve('big')!, 1000)).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('reports a missing file as NotFound', async () => {
    const err = await indexTar(join(temp.path, 'nope.tar')).catch((e: unknown) => e);
    expect(isNotFound(err)).toBe(true);
  });

  it('refuses files that are not tars, truncated tars and gzipped tars', async () => {
    const garbage = join(temp.path, 'garbage.tar');
    await writeFile(garbage, Buffer.alloc(2048, 0x41));
    const truncated = join(temp.path, 'truncated.tar');
    await writeTarFile(truncated, [{ name: 'f', content: 'x'.repeat(5000) }]);
    await truncate(truncated, 1500);
    const gzipped = join(temp.path, 'gz.tar');
    await writeFile(gzipped, Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(600)]));
    for (const [path, why] of [
      [garbage, /checksum/],
      [truncated, /past the end/],
      [gzipped, /gzip/],
    ] as const) {
      const err = await indexTar(path).catch((e: unknown) => e);
      expect(isInvalidArgument(err), path).toBe(true);
      expect((err as Error).message).toMatch(why);
    }
  });

  it('aborts on a signal', async () => {
    const path = join(temp.path, 'a.tar');
    await writeTarFile(path, [{ name: 'f', content: 'x' }]);
    await expect(indexTar(path, { signal: AbortSignal.abort() })).rejects.toThrow();
  });
});

describeIntegration('indexTar on GNU tar archives', { commands: ['tar'] }, () => {
  it('reads GNU long names, PAX headers, symlinks and hard links', async () => {
    const root = join(temp.path, 'tree');
    const deep = join(root, 'x'.repeat(90), 'y'.repeat(90));
    await mkdir(deep, { recursive: true });
    await writeFile(join(deep, 'z'.repeat(110)), 'deep file');
    await writeFile(join(root, 'plain'), 'plain');
    await symlink('plain', join(root, 'link'));
    execFileSync('ln', [join(root, 'plain'), join(root, 'hard')]);
    for (const format of ['gnu', 'posix']) {
      const path = join(temp.path, `${format}.tar`);
      execFileSync('tar', [`--format=${format}`, '-cf', path, '-C', root, '.']);
      const index = await indexTar(path);
      const deepName = `${'x'.repeat(90)}/${'y'.repeat(90)}/${'z'.repeat(110)}`;
      expect((await index.readAll(index.resolve(deepName)!, 100)).toString(), format).toBe('deep file');
      expect((await index.readAll(index.resolve('link')!, 100)).toString(), format).toBe('plain');
      // One of the two names is stored as a hard link to the other; both must read the file.
      const kinds = ['hard', 'plain'].map((name) => index.entries.get(name)!.type).sort();
      expect(kinds, format).toEqual(['file', 'link']);
      for (const name of ['hard', 'plain']) expect((await index.readAll(index.resolve(name)!, 100)).toString(), name).toBe('plain');
    }
  });
});
