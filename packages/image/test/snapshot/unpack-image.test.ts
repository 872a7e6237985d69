import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '@berth/errdefs';
import {
  type ContentStore,
  type Snapshotter,
  type UnpackOptions,
  type UnpackProgress,
  chainIds,
  createCopySnapshotter,
  createOverlaySnapshotter,
  mountsToDirectory,
  unpackImage,
  withMounts,
} from '@berth/image';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryContentStore } from '../../src/content/memory-content-store.js';
import { type LayerBlob, buildLayer, releaseLeakedMounts, storeTestImage } from './fixtures.js';

type Tree = Record<string, string>;

async function readTree(root: string): Promise<Tree> {
  const tree: Tree = {};
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const stats = await lstat(path);
      if (stats.isDirectory()) {
        tree[prefix + name] = '<dir>';
        await walk(path, `${prefix}${name}/`);
      } else if (stats.isSymbolicLink()) tree[prefix + name] = `-> ${await readlink(path)}`;
      else tree[prefix + name] = await readFile(path, 'utf8');
    }
  };
  await walk(root, '');
  return tree;
}

/** Three layers exercising additions, a whiteout, an opaque directory, links. */
async function baseLayers(): Promise<LayerBlob[]> {
  return Promise.all([
    buildLayer([
      { name: 'bin/', type: 'directory' },
      { name: 'bin/sh', content: 'shell', mode: 0o755 },
      { name: 'bin/sh-link', type: 'link', linkname: 'bin/sh' },
      { name: 'bin/alias', type: 'symlink', linkname: 'sh' },
      { name: 'etc/', type: 'directory' },
      { name: 'etc/os-release', content: 'v1' },
      { name: 'etc/motd', content: 'hello' },
      { name: 'dir/', type: 'directory' },
      { name: 'dir/a', content: 'a' },
      { name: 'dir/nested/x', content: 'x' },
    ]),
    buildLayer([
      { name: 'etc/.wh.motd', content: '' },
      { name: 'etc/os-release', content: 'v2' },
      { name: 'dir/', type: 'directory' },
      { name: 'dir/.wh..wh..opq', content: '' },
      { name: 'dir/b', content: 'b' },
      { name: 'usr/new', content: 'new' },
    ]),
    buildLayer([{ name: 'top.txt', content: 'top' }]),
  ]);
}

const expectedTree: Tree = {
  bin: '<dir>',
  'bin/alias': '-> sh',
  'bin/sh': 'shell',
  'bin/sh-link': 'shell',
  dir: '<dir>',
  'dir/b': 'b',
  etc: '<dir>',
  'etc/os-release': 'v2',
  'top.txt': 'top',
  usr: '<dir>',
  'usr/new': 'new',
};

function describeUnpack(name: string, open: (root: string) => Promise<Snapshotter>, mountsToRead: boolean, extra: UnpackOptions = {}): void {
  // Worker threads start through tsx from source: slow on a loaded machine.
  describe(`unpackImage into the ${name} snapshotter`, { timeout: extra.offThreadMinBytes === 0 ? 120_000 : undefined }, () => {
    let temp: { path: string; remove: () => Promise<void> };
    let snapshotter: Snapshotter;
    let store: ContentStore;

    const contentOf = async (name: string): Promise<Tree> => {
      const key = `read-${name}`;
      const mounts = await snapshotter.view(key, name);
      try {
        return mountsToRead ? await withMounts(mounts, readTree, { parent: temp.path }) : await readTree(mountsToDirectory(mounts));
      } finally {
        await snapshotter.remove(key);
      }
    };

    beforeEach(async () => {
      temp = await makeTempDir(`berth-unpack-${name}`);
      snapshotter = await open(join(temp.path, 'root'));
      store = createMemoryContentStore();
    });
    afterEach(async () => {
      const leaked = await releaseLeakedMounts(temp.path);
      await temp.remove();
      expect(leaked).toEqual([]);
    });

    it('unpacks layers bottom-up into committed snapshots named by chain ID', async () => {
      const layers = await baseLayers();
      const image = await storeTestImage(store, layers);
      const events: UnpackProgress[] = [];
      const result = await unpackImage(image, snapshotter, { ...extra, onProgress: (e) => events.push(e) });
      const chain = chainIds(layers.map((l) => l.diffId));
      expect(result).toEqual({ chainId: chain[2], key: chain[2] });
      // Layers may extract in parallel; each one extracts before it is done, and commits go bottom first.
      for (const i of [0, 1, 2]) {
        expect(events.filter((e) => e.layer === i).map((e) => [e.layer, e.state, e.diffId, e.chainId])).toEqual([
          [i, 'extracting', layers[i]!.diffId, chain[i]],
          [i, 'done', layers[i]!.diffId, chain[i]],
        ]);
      }
      expect(events.filter((e) => e.state === 'done').map((e) => e.layer)).toEqual([0, 1, 2]);
      const infos = await snapshotter.list();
      expect(infos.map((i) => [i.key, i.kind, i.parent]).sort()).toEqual(
        [
          [chain[0], 'committed', undefined],
          [chain[1], 'committed', chain[0]],
          [chain[2], 'committed', chain[1]],
        ].sort(),
      );
      expect(await contentOf(result.key!)).toEqual(expectedTree);
      expect(await contentOf(chain[0]!)).toMatchObject({ 'etc/motd': 'hello', 'dir/a': 'a', 'dir/nested/x': 'x' });
    });

    it('skips layers whose snapshots exist', async () => {
      const image = await storeTestImage(store, await baseLayers());
      await unpackImage(image, snapshotter, extra);
      const before = await snapshotter.list();
      const events: UnpackProgress[] = [];
      await unpackImage(image, snapshotter, { ...extra, onProgress: (e) => events.push(e) });
      expect(events.map((e) => e.state)).toEqual(['skipped', 'skipped', 'skipped']);
      expect(await snapshotter.list()).toEqual(before);
    });

    it('shares bottom layers between images unpacked concurrently', async () => {
      const layers = await baseLayers();
      const other = await buildLayer([{ name: 'other.txt', content: 'other' }]);
      const imageA = await storeTestImage(store, layers);
      const imageB = await storeTestImage(store, [layers[0]!, layers[1]!, other]);
      const [a, b] = await Promise.all([unpackImage(imageA, snapshotter, extra), unpackImage(imageB, snapshotter, extra)]);
      const infos = await snapshotter.list();
      expect(infos.every((i) => i.kind === 'committed')).toBe(true);
      expect(infos).toHaveLength(4);
      expect(await contentOf(a.key!)).toEqual(expectedTree);
      const { 'top.txt': _, ...shared } = expectedTree;
      expect(await contentOf(b.key!)).toEqual({ ...shared, 'other.txt': 'other' });
    });

    it('refuses a layer whose content does not match its diff ID and removes its snapshot', async () => {
      const layers = await baseLayers();
      const lying = [layers[0]!.diffId, layers[2]!.diffId, layers[2]!.diffId];
      const image = await storeTestImage(store, layers, lying);
      const err = await unpackImage(image, snapshotter, extra).catch((e: unknown) => e);
      expect(errorCode(err)).toBe('InvalidArgument');
      // The bottom layer was good and stays; nothing half-done remains.
      expect((await snapshotter.list()).map((i) => [i.key, i.kind])).toEqual([[layers[0]!.diffId, 'committed']]);
    });

    it('stops when aborted and removes the snapshot being written', async () => {
      const image = await storeTestImage(store, await baseLayers());
      const controller = new AbortController();
      const err = await unpackImage(image, snapshotter, {
        ...extra,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.layer === 0 && e.state === 'done') controller.abort();
        },
      }).catch((e: unknown) => e);
      expect((err as Error).name).toBe('AbortError');
      expect((await snapshotter.list()).map((i) => i.kind)).toEqual(['committed']);
    });

    it('returns no snapshot for an image without layers', async () => {
      const image = await storeTestImage(store, []);
      expect(await unpackImage(image, snapshotter, extra)).toEqual({ chainId: undefined, key: undefined });
      expect(await snapshotter.list()).toEqual([]);
    });
  });
}

describeUnpack('copy', (root) => createCopySnapshotter({ root }), false);

describeIntegration('unpacking into overlays', { root: true }, () => {
  describeUnpack('overlay', (root) => createOverlaySnapshotter({ root }), true);
  // Every layer in a worker thread, however small: the path large layers take.
  describeUnpack('overlay (worker threads)', (root) => createOverlaySnapshotter({ root }), true, { offThreadMinBytes: 0 });
  describeUnpack('overlay (one layer at a time)', (root) => createOverlaySnapshotter({ root }), true, { concurrency: 1 });

  describe('directories a layer implies but does not carry', () => {
    let temp: { path: string; remove: () => Promise<void> };
    beforeEach(async () => {
      temp = await makeTempDir('berth-unpack-implied');
    });
    afterEach(async () => {
      await releaseLeakedMounts(temp.path);
      await temp.remove();
    });

    it.each([
      ['in the main thread', {}],
      ['in worker threads', { offThreadMinBytes: 0 }],
      ['one layer at a time', { concurrency: 1 }],
    ] as const)('keep the mode of the lower directory they cover (%s)', async (_, extra) => {
      const content = createMemoryContentStore();
      const image = await storeTestImage(content, [
        await buildLayer([{ name: 'home/user/', type: 'directory', mode: 0o750 }]),
        // No entry for home/user itself: the upper layer must not reset it to 0755.
        await buildLayer([{ name: 'home/user/notes', content: 'hi' }]),
      ]);
      const snapshotter = await createOverlaySnapshotter({ root: join(temp.path, 'snapshots') });
      const { chainId } = await unpackImage(image, snapshotter, extra);
      const mounts = await snapshotter.view('check', chainId);
      await withMounts(mounts, async (root) => {
        expect((await lstat(join(root, 'home/user'))).mode & 0o7777).toBe(0o750);
        expect(await readFile(join(root, 'home/user/notes'), 'utf8')).toBe('hi');
      });
      await snapshotter.remove('check');
    });
  });
});
