import { join } from 'node:path';
import { isNotFound } from '@berth/errdefs';
import { createCopySnapshotter, createOverlaySnapshotter, exportSnapshot, unpackImage } from '@berth/image';
import type { Snapshotter } from '@berth/image';
import { multiLayerExpectations, multiLayerImage } from '@berth/image/testing';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listTar } from '../testing/stream-helpers.js';

let temp: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir('berth-export');
});
afterEach(async () => {
  await temp.remove();
});

/** Unpacks the multi-layer fixture, exports its top snapshot and checks the merged tree. */
async function exportsTheMergedTree(snapshotter: Snapshotter): Promise<void> {
  const { key } = await unpackImage(multiLayerImage(), snapshotter);
  const before = (await snapshotter.list()).length;
  const entries = await listTar(await exportSnapshot(snapshotter, key!));
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const [a, b] of multiLayerExpectations.hardlinks) {
    // The tar holds the file once and the other name as a hard link to it.
    const [link, file] = byName.get(a)?.type === 'link' ? [a, b] : [b, a];
    expect(byName.get(link), link).toMatchObject({ type: 'link', linkname: file });
    expect(byName.get(file)?.type, file).toBe('file');
  }
  for (const [path, content] of Object.entries(multiLayerExpectations.files)) {
    if (byName.get(path)?.type !== 'link') expect(byName.get(path)?.content, path).toBe(content);
  }
  for (const [path, target] of Object.entries(multiLayerExpectations.symlinks)) {
    expect(byName.get(path), path).toMatchObject({ type: 'symlink', linkname: target });
  }
  for (const path of multiLayerExpectations.absent) expect(byName.has(path), path).toBe(false);
  expect([...byName.keys()].some((name) => name.includes('.wh.'))).toBe(false);
  expect(byName.get('bin/busybox')).toMatchObject({ type: 'file' });
  // The temporary view of the committed snapshot is gone again.
  expect((await snapshotter.list()).length).toBe(before);

  // An active snapshot (a container's rootfs) exports as it is.
  await snapshotter.prepare('container', key);
  const active = await listTar(await exportSnapshot(snapshotter, 'container'));
  expect(active.map((e) => e.name)).toEqual(entries.map((e) => e.name));
  await snapshotter.remove('container');
}

describe('exportSnapshot (copying snapshotter)', () => {
  it('exports the merged file system of a committed or active snapshot', async () => {
    await exportsTheMergedTree(await createCopySnapshotter({ root: join(temp.path, 'copy') }));
  });

  it('answers NotFound for an unknown key', async () => {
    const snapshotter = await createCopySnapshotter({ root: join(temp.path, 'copy') });
    expect(isNotFound(await exportSnapshot(snapshotter, 'nope').catch((e: unknown) => e))).toBe(true);
  });
});

describeIntegration('exportSnapshot (overlay snapshotter)', { root: true }, () => {
  it('mounts, exports the merged file system and unmounts', async () => {
    await exportsTheMergedTree(await createOverlaySnapshotter({ root: join(temp.path, 'overlay') }));
  });
});
