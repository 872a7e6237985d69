import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isInternal } from '@berth/errdefs';
import { MediaTypes, digestOf } from '@berth/spec';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeImageStore } from '../../src/conformance/image-store-suite.js';
import { createFsImageStore } from '../../src/store/fs-image-store.js';
import { createMemoryImageStore } from '../../src/store/memory-image-store.js';

describeImageStore('memory', async () => ({ store: createMemoryImageStore() }));

describeImageStore('fs', async () => {
  const dir = await makeTempDir('berth-image-store');
  return {
    store: await createFsImageStore({ root: dir.path }),
    reopen: () => createFsImageStore({ root: dir.path }),
    cleanup: dir.remove,
  };
});

describe('fs image store crash safety', () => {
  let dir: { path: string; remove: () => Promise<void> };
  const target = (seed: string) => ({ mediaType: MediaTypes.OciManifest, digest: digestOf(seed), size: seed.length });

  beforeEach(async () => {
    dir = await makeTempDir('berth-image-store-crash');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('ignores and removes a truncated temp file a crash left mid-write', async () => {
    const store = await createFsImageStore({ root: dir.path });
    await store.create({ name: 'docker.io/library/busybox:latest', target: target('a') });
    const good = await readFile(join(dir.path, 'images.json'), 'utf8');
    // A crash during the next write: the temp file holds half a document, the rename never happened.
    await writeFile(join(dir.path, '.images.json.0badc0ffee00.tmp'), good.slice(0, good.length / 2));

    const reopened = await createFsImageStore({ root: dir.path });
    expect((await reopened.list()).map((r) => r.name)).toEqual(['docker.io/library/busybox:latest']);
    expect(await readdir(dir.path)).toEqual(['images.json']);
    await reopened.create({ name: 'docker.io/library/alpine:latest', target: target('b') });
    expect((await (await createFsImageStore({ root: dir.path })).list())).toHaveLength(2);
  });

  it('leaves no temp files behind after normal writes', async () => {
    const store = await createFsImageStore({ root: dir.path });
    for (let i = 0; i < 5; i++) await store.put({ name: `n:${i}`, target: target(String(i)) });
    expect(await readdir(dir.path)).toEqual(['images.json']);
  });

  it('refuses to open a corrupt store file with Internal instead of discarding it', async () => {
    await writeFile(join(dir.path, 'images.json'), '{"version":1,"images":[{"name":');
    await expect(createFsImageStore({ root: dir.path })).rejects.toSatisfy(isInternal);
    await writeFile(join(dir.path, 'images.json'), JSON.stringify({ version: 1, images: [{ name: 'x' }] }));
    await expect(createFsImageStore({ root: dir.path })).rejects.toSatisfy(isInternal);
  });

  it('writes a file whose records parse back identically', async () => {
    const store = await createFsImageStore({ root: dir.path });
    await store.create({ name: 'a:1', target: target('a'), labels: { k: 'v' } });
    const file = JSON.parse(await readFile(join(dir.path, 'images.json'), 'utf8'));
    expect(file.version).toBe(1);
    expect(file.images[0]).toMatchObject({ name: 'a:1', labels: { k: 'v' }, target: { digest: digestOf('a') } });
  });

  it('does not publish a change whose write failed', async () => {
    const store = await createFsImageStore({ root: dir.path });
    await store.create({ name: 'a:1', target: target('a') });
    await dir.remove(); // the root vanishes: the next write cannot create its temp file
    await expect(store.create({ name: 'b:1', target: target('b') })).rejects.toThrow();
    expect((await store.list()).map((r) => r.name)).toEqual(['a:1']);
  });
});
