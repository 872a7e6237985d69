import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '@berth/errdefs';
import { chainIds, createCopySnapshotter } from '@berth/image';
import type { Digest } from '@berth/spec';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDirectorySnapshotter } from '../../src/snapshot/directory-snapshotter.js';

describe('snapshot metadata on disk', () => {
  let temp: { path: string; remove: () => Promise<void> };
  let root: string;

  beforeEach(async () => {
    temp = await makeTempDir('berth-snapshot-metadata');
    root = join(temp.path, 'root');
  });
  afterEach(async () => {
    await temp.remove();
  });

  it('records every snapshot in metadata.json with a numeric id naming its directory', async () => {
    const snapshotter = await createCopySnapshotter({ root });
    await snapshotter.prepare('a', undefined, { labels: { x: 'y' } });
    await snapshotter.commit('layer', 'a');
    await snapshotter.prepare('b', 'layer');
    const file = JSON.parse(await readFile(join(root, 'metadata.json'), 'utf8')) as {
      version: number;
      snapshots: { id: string; key: string; kind: string; parent?: string; labels: Record<string, string>; createdAt: string }[];
    };
    expect(file.version).toBe(1);
    expect(file.snapshots.map(({ key, kind, parent, labels }) => ({ key, kind, parent, labels }))).toEqual([
      { key: 'layer', kind: 'committed', parent: undefined, labels: { x: 'y' } },
      { key: 'b', kind: 'active', parent: 'layer', labels: {} },
    ]);
    expect(file.snapshots.map((s) => s.id).sort()).toEqual((await readdir(join(root, 'snapshots'))).sort());
    // Only the metadata file and the snapshots: no temporary file is left behind.
    expect((await readdir(root)).sort()).toEqual(['metadata.json', 'snapshots']);
  });

  it('removes the directory of a removed snapshot', async () => {
    const snapshotter = await createCopySnapshotter({ root });
    await snapshotter.prepare('a');
    await snapshotter.prepare('b');
    expect(await readdir(join(root, 'snapshots'))).toHaveLength(2);
    await snapshotter.remove('a');
    expect(await readdir(join(root, 'snapshots'))).toHaveLength(1);
  });

  it('never reuses an id, also after reopening', async () => {
    const first = await createCopySnapshotter({ root });
    await first.prepare('a');
    const targetA = await first.applyTarget('a');
    await first.remove('a');
    await first.prepare('b');
    const targetB = await first.applyTarget('b');
    const second = await createCopySnapshotter({ root });
    await second.prepare('c');
    expect(new Set([targetA, targetB, await second.applyTarget('c')]).size).toBe(3);
  });

  it('deletes orphaned directories and interrupted metadata writes when opened', async () => {
    const snapshotter = await createCopySnapshotter({ root });
    await snapshotter.prepare('kept');
    await writeFile(join(await snapshotter.applyTarget('kept'), 'file'), 'data');
    await mkdir(join(root, 'snapshots', '999', 'fs'), { recursive: true });
    await writeFile(join(root, '.metadata.json.abc123.tmp'), '{"half":');
    const reopened = await createCopySnapshotter({ root });
    expect((await readdir(join(root, 'snapshots'))).includes('999')).toBe(false);
    expect((await readdir(root)).sort()).toEqual(['metadata.json', 'snapshots']);
    expect(await readFile(join(await reopened.applyTarget('kept'), 'file'), 'utf8')).toBe('data');
  });

  it('refuses to open over corrupt metadata', async () => {
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'metadata.json'), '{"version": 1, "nextId": 1, "snapshots": [{"key": 3}]}');
    expect(errorCode(await createCopySnapshotter({ root }).catch((e: unknown) => e))).toBe('Internal');
    await writeFile(join(root, 'metadata.json'), 'not json');
    expect(errorCode(await createCopySnapshotter({ root }).catch((e: unknown) => e))).toBe('Internal');
  });

  it('leaves neither record nor directory when filling a new snapshot fails', async () => {
    const snapshotter = await openDirectorySnapshotter(root, {
      whiteoutFormat: 'oci',
      async create(directory) {
        await mkdir(join(directory, 'fs'));
        throw new Error('disk full');
      },
      mounts: () => [],
    });
    await expect(snapshotter.prepare('a')).rejects.toThrow('disk full');
    expect(await snapshotter.list()).toEqual([]);
    expect(await readdir(join(root, 'snapshots'))).toEqual([]);
    await expect(snapshotter.stat('a')).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('refuses to remove a parent while a child is still being created', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const snapshotter = await openDirectorySnapshotter(root, {
      whiteoutFormat: 'oci',
      async create(directory, _kind, ancestors) {
        await mkdir(join(directory, 'fs'));
        if (ancestors.length > 0) await gate;
      },
      mounts: () => [],
    });
    await snapshotter.prepare('a');
    await snapshotter.commit('base', 'a');
    const child = snapshotter.prepare('child', 'base');
    await expect(snapshotter.remove('base')).rejects.toMatchObject({ code: 'FailedPrecondition' });
    await expect(snapshotter.prepare('child')).rejects.toMatchObject({ code: 'AlreadyExists' });
    release();
    await child;
    expect((await snapshotter.stat('child')).parent).toBe('base');
  });
});

describe('chainIds', () => {
  const a = `sha256:${'a'.repeat(64)}` as Digest;
  const b = `sha256:${'b'.repeat(64)}` as Digest;
  const c = `sha256:${'c'.repeat(64)}` as Digest;
  const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

  it('follows the OCI definition: the first is the diff ID, then sha256 of "parent diff"', () => {
    const ab = sha(`${a} ${b}`);
    expect(chainIds([a, b, c])).toEqual([a, ab, sha(`${ab} ${c}`)]);
    expect(chainIds([])).toEqual([]);
  });

  it('rejects malformed diff IDs', () => {
    expect(() => chainIds(['sha256:nothex' as Digest])).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});
