import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile, link } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { errorCode } from '@berth/errdefs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mountPointsUnder } from '../snapshot/mount-table.js';
import { mountsToDirectory, unmountAll, withMounts } from '../snapshot/mount.js';
import type { Mount, SnapshotInfo, Snapshotter } from '../snapshot/snapshotter.js';

/** What the suite must know about a snapshotter to exercise it. */
export interface SnapshotterCapabilities {
  /**
   * Its snapshots can only be read by mounting them (overlay), which takes root: content
   * checks then go through real mounts (`withMounts`). Otherwise the suite reads the
   * directory of the single bind mount (`mountsToDirectory`) and also needs no root.
   */
  needsRoot: boolean;
}

/** Opens a snapshotter on `root`; called again on the same root to check persistence. */
export type SnapshotterFactory = (options: { root: string }) => Promise<Snapshotter>;

/** A tree as the suite compares it: path → file content, `<dir>`, or `-> target` for symlinks. */
type Tree = Record<string, string>;

const execFileAsync = promisify(execFile);

async function readTree(root: string): Promise<Tree> {
  const tree: Tree = {};
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const rel = prefix + name;
      const stats = await lstat(path);
      if (stats.isDirectory()) {
        tree[rel] = '<dir>';
        await walk(path, `${rel}/`);
      } else if (stats.isSymbolicLink()) {
        tree[rel] = `-> ${await readlink(path)}`;
      } else if (stats.isFile()) {
        tree[rel] = await readFile(path, 'utf8');
      } else {
        tree[rel] = '<special>';
      }
    }
  };
  await walk(root, '');
  return tree;
}

async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to reject');
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await rejection(promise);
  expect(errorCode(err), String(err)).toBe(code);
}

const byKey = (a: SnapshotInfo, b: SnapshotInfo) => a.key.localeCompare(b.key);

/**
 * The behaviour every {@link Snapshotter} must have (containerd's snapshotter testsuite):
 * the prepare → commit → view → remove lifecycle, parent chains whose files show through
 * in children, deletions recorded in the snapshotter's whiteout format hiding parent
 * files, refusal to remove a parent, `AlreadyExists`/`NotFound`/`FailedPrecondition`
 * errors, usage with hard links counted once, and metadata that survives reopening the
 * snapshotter on the same root. Content is written through `applyTarget` and read back
 * through the snapshot's mounts.
 */
export function describeSnapshotter(name: string, factory: SnapshotterFactory, capabilities: SnapshotterCapabilities): void {
  describe(`Snapshotter conformance: ${name}`, () => {
    let workDir: string;
    let root: string;
    let snapshotter: Snapshotter;
    const isRoot = process.getuid?.() === 0;

    /** Reads what `mounts` show, mounting them when the snapshotter needs it. */
    const contentOf = (mounts: Mount[]): Promise<Tree> =>
      capabilities.needsRoot ? withMounts(mounts, readTree, { parent: workDir }) : readTree(mountsToDirectory(mounts));

    /** Records the deletion of `path` (present in a parent) in the active snapshot `key`. */
    const deleteFromParent = async (key: string, path: string): Promise<void> => {
      const target = join(await snapshotter.applyTarget(key), path);
      if (snapshotter.whiteoutFormat === 'oci') {
        await rm(target, { recursive: true });
      } else {
        // overlayfs whiteout: a 0:0 character device at the deleted path.
        await mkdir(dirname(target), { recursive: true });
        await execFileAsync('mknod', [target, 'c', '0', '0']);
      }
    };

    /** Prepares `key` on `parent`, writes `files` into it and commits it as `committed`. */
    const layer = async (committed: string, parent: string | undefined, files: Record<string, string>): Promise<void> => {
      const key = `${committed}-active`;
      await snapshotter.prepare(key, parent);
      await writeFiles(await snapshotter.applyTarget(key), files);
      await snapshotter.commit(committed, key);
    };

    beforeEach(async () => {
      workDir = await mkdtemp(join(tmpdir(), 'berth-snapshotter-suite-'));
      root = join(workDir, 'root');
      snapshotter = await factory({ root });
    });

    afterEach(async () => {
      const leftovers = await mountPointsUnder(workDir);
      for (const point of leftovers) await unmountAll(point);
      await rm(workDir, { recursive: true, force: true });
      expect(leftovers, 'mounts left behind by the test').toEqual([]);
    });

    it('prepares an active snapshot without a parent and reports it', async () => {
      const before = Date.now();
      const mounts = await snapshotter.prepare('fresh', undefined, { labels: { purpose: 'test' } });
      expect(mounts.length).toBeGreaterThan(0);
      expect(await snapshotter.mounts('fresh')).toEqual(mounts);
      const info = await snapshotter.stat('fresh');
      expect(info).toMatchObject({ key: 'fresh', kind: 'active', labels: { purpose: 'test' } });
      expect(info.parent).toBeUndefined();
      expect(info.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(await contentOf(mounts)).toEqual({});
    });

    it('shows what was written to the apply target in the mounts', async () => {
      const mounts = await snapshotter.prepare('fresh');
      const target = await snapshotter.applyTarget('fresh');
      await writeFiles(target, { 'etc/hostname': 'box\n', 'bin/tool': '#!/bin/sh\n' });
      await symlink('tool', join(target, 'bin/alias'));
      expect(await contentOf(mounts)).toEqual({
        bin: '<dir>',
        'bin/alias': '-> tool',
        'bin/tool': '#!/bin/sh\n',
        etc: '<dir>',
        'etc/hostname': 'box\n',
      });
    });

    it('commits an active snapshot under a new name and forgets the key', async () => {
      await snapshotter.prepare('work', undefined, { labels: { a: '1' } });
      await writeFiles(await snapshotter.applyTarget('work'), { file: 'x' });
      await snapshotter.commit('layer-1', 'work');
      expect(await snapshotter.stat('layer-1')).toMatchObject({ key: 'layer-1', kind: 'committed', labels: { a: '1' } });
      await expectCode(snapshotter.stat('work'), 'NotFound');
      await snapshotter.prepare('work2', 'layer-1');
      await snapshotter.commit('layer-2', 'work2', { labels: { b: '2' } });
      expect(await snapshotter.stat('layer-2')).toMatchObject({ kind: 'committed', parent: 'layer-1', labels: { b: '2' } });
    });

    it('shows the files of the whole parent chain in a child, nearest layer winning', async () => {
      await layer('base', undefined, { 'a.txt': 'base a', 'dir/b.txt': 'base b' });
      await layer('middle', 'base', { 'a.txt': 'middle a', 'dir/c.txt': 'middle c' });
      await layer('top', 'middle', { 'd.txt': 'top d' });
      const mounts = await snapshotter.prepare('container', 'top');
      await writeFiles(await snapshotter.applyTarget('container'), { 'e.txt': 'own e' });
      expect(await contentOf(mounts)).toEqual({
        'a.txt': 'middle a',
        dir: '<dir>',
        'dir/b.txt': 'base b',
        'dir/c.txt': 'middle c',
        'd.txt': 'top d',
        'e.txt': 'own e',
      });
    });

    it('keeps parents unchanged when a child writes', async () => {
      await layer('base', undefined, { 'a.txt': 'base a' });
      await snapshotter.prepare('child', 'base');
      await writeFiles(await snapshotter.applyTarget('child'), { 'a.txt': 'changed', 'new.txt': 'new' });
      expect(await contentOf(await snapshotter.view('look', 'base'))).toEqual({ 'a.txt': 'base a' });
    });

    it('hides parent files deleted with whiteouts in the apply target', async () => {
      await layer('base', undefined, { 'keep.txt': 'keep', 'gone.txt': 'gone', 'dir/gone.txt': 'gone', 'dir/stay.txt': 'stay' });
      await layer('middle', 'base', { 'more.txt': 'more' });
      const mounts = await snapshotter.prepare('child', 'middle');
      await deleteFromParent('child', 'gone.txt');
      await deleteFromParent('child', 'dir/gone.txt');
      const expected = { 'keep.txt': 'keep', 'more.txt': 'more', dir: '<dir>', 'dir/stay.txt': 'stay' };
      expect(await contentOf(mounts)).toEqual(expected);
      await snapshotter.commit('deleted', 'child');
      expect(await contentOf(await snapshotter.view('look', 'deleted'))).toEqual(expected);
      expect(await contentOf(await snapshotter.view('look-base', 'base'))).toMatchObject({ 'gone.txt': 'gone', 'dir/gone.txt': 'gone' });
    });

    it('makes views of one layer and of a chain, and refuses to write or commit them', async () => {
      await layer('base', undefined, { 'a.txt': 'a' });
      await layer('top', 'base', { 'b.txt': 'b' });
      const single = await snapshotter.view('view-base', 'base', { labels: { v: '1' } });
      const chain = await snapshotter.view('view-top', 'top');
      const empty = await snapshotter.view('view-empty');
      expect(await snapshotter.stat('view-base')).toMatchObject({ kind: 'view', parent: 'base', labels: { v: '1' } });
      expect(await snapshotter.mounts('view-top')).toEqual(chain);
      expect(await contentOf(single)).toEqual({ 'a.txt': 'a' });
      expect(await contentOf(chain)).toEqual({ 'a.txt': 'a', 'b.txt': 'b' });
      expect(await contentOf(empty)).toEqual({});
      for (const mounts of [single, chain, empty]) {
        // Read-only: an explicit `ro`, or an overlay without an upper dir.
        expect(mounts.every((m) => m.options.includes('ro') || (m.type === 'overlay' && !m.options.some((o) => o.startsWith('upperdir='))))).toBe(true);
      }
      await expectCode(snapshotter.applyTarget('view-base'), 'FailedPrecondition');
      await expectCode(snapshotter.commit('committed-view', 'view-base'), 'FailedPrecondition');
    });

    it.runIf(isRoot)('mounts really: active snapshots are writable, views read-only', async () => {
      await layer('base', undefined, { 'a.txt': 'a' });
      const active = await snapshotter.prepare('child', 'base');
      await withMounts(active, async (dir) => {
        await writeFile(join(dir, 'written.txt'), 'through the mount');
        expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('a');
      }, { parent: workDir });
      await snapshotter.commit('child-committed', 'child');
      const view = await snapshotter.view('look', 'child-committed');
      await withMounts(view, async (dir) => {
        expect(await readTree(dir)).toEqual({ 'a.txt': 'a', 'written.txt': 'through the mount' });
        const err = await rejection(writeFile(join(dir, 'x'), 'x'));
        expect((err as NodeJS.ErrnoException).code).toBe('EROFS');
      }, { parent: workDir });
    });

    it('refuses an existing key with AlreadyExists', async () => {
      await layer('base', undefined, {});
      await snapshotter.prepare('taken');
      await expectCode(snapshotter.prepare('taken'), 'AlreadyExists');
      await expectCode(snapshotter.prepare('base'), 'AlreadyExists');
      await expectCode(snapshotter.view('taken', 'base'), 'AlreadyExists');
      await expectCode(snapshotter.commit('base', 'taken'), 'AlreadyExists');
      expect(await snapshotter.stat('taken')).toMatchObject({ kind: 'active' });
    });

    it('lets exactly one of concurrent prepares of the same key win', async () => {
      await layer('base', undefined, { 'a.txt': 'a' });
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => snapshotter.prepare('race', 'base')));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(errorCode(r.reason)).toBe('AlreadyExists');
      expect((await snapshotter.list()).map((i) => i.key).sort()).toEqual(['base', 'race']);
    });

    it('gives concurrent prepares of different keys separate trees', async () => {
      await layer('base', undefined, { 'a.txt': 'a' });
      const keys = ['c1', 'c2', 'c3', 'c4'];
      await Promise.all(keys.map((k) => snapshotter.prepare(k, 'base')));
      const targets = await Promise.all(keys.map((k) => snapshotter.applyTarget(k)));
      expect(new Set(targets).size).toBe(keys.length);
      await Promise.all(keys.map(async (k, i) => writeFiles(targets[i]!, { 'own.txt': k })));
      for (const k of keys) expect(await contentOf(await snapshotter.mounts(k))).toEqual({ 'a.txt': 'a', 'own.txt': k });
    });

    it('answers NotFound for unknown snapshots and parents', async () => {
      await expectCode(snapshotter.stat('nope'), 'NotFound');
      await expectCode(snapshotter.mounts('nope'), 'NotFound');
      await expectCode(snapshotter.applyTarget('nope'), 'NotFound');
      await expectCode(snapshotter.usage('nope'), 'NotFound');
      await expectCode(snapshotter.remove('nope'), 'NotFound');
      await expectCode(snapshotter.commit('name', 'nope'), 'NotFound');
      await expectCode(snapshotter.prepare('child', 'nope'), 'NotFound');
      await expectCode(snapshotter.view('look', 'nope'), 'NotFound');
      expect(await snapshotter.list()).toEqual([]);
    });

    it('refuses parents that are not committed and commits of committed snapshots', async () => {
      await snapshotter.prepare('active');
      await expectCode(snapshotter.prepare('child', 'active'), 'InvalidArgument');
      await snapshotter.commit('done', 'active');
      await expectCode(snapshotter.commit('again', 'done'), 'FailedPrecondition');
      await expectCode(snapshotter.mounts('done'), 'FailedPrecondition');
      await expectCode(snapshotter.applyTarget('done'), 'FailedPrecondition');
      await expectCode(snapshotter.prepare(''), 'InvalidArgument');
    });

    it('refuses to remove a snapshot with children, and removes it once they are gone', async () => {
      await layer('base', undefined, { 'a.txt': 'a' });
      await layer('top', 'base', { 'b.txt': 'b' });
      await snapshotter.view('look', 'top');
      await expectCode(snapshotter.remove('base'), 'FailedPrecondition');
      await expectCode(snapshotter.remove('top'), 'FailedPrecondition');
      await snapshotter.remove('look');
      await snapshotter.remove('top');
      await snapshotter.remove('base');
      expect(await snapshotter.list()).toEqual([]);
      await expectCode(snapshotter.stat('base'), 'NotFound');
    });

    it('removes active snapshots and views, freeing their keys', async () => {
      await layer('base', undefined, { 'a.txt': 'a' });
      await snapshotter.prepare('active', 'base');
      await writeFiles(await snapshotter.applyTarget('active'), { 'x.txt': 'first' });
      await snapshotter.view('look', 'base');
      await snapshotter.remove('active');
      await snapshotter.remove('look');
      expect((await snapshotter.list()).map((i) => i.key)).toEqual(['base']);
      const mounts = await snapshotter.prepare('active', 'base');
      expect(await contentOf(mounts)).toEqual({ 'a.txt': 'a' });
    });

    it('counts usage in bytes and inodes, hard links once', async () => {
      await snapshotter.prepare('work');
      const target = await snapshotter.applyTarget('work');
      const big = 'x'.repeat(256 * 1024);
      await writeFiles(target, { 'big.bin': big, 'dir/small.txt': 'small' });
      await link(join(target, 'big.bin'), join(target, 'dir/big-link.bin'));
      const active = await snapshotter.usage('work');
      await snapshotter.commit('layer', 'work');
      const committed = await snapshotter.usage('layer');
      for (const usage of [active, committed]) {
        // The root directory, big.bin (twice linked), dir, small.txt.
        expect(usage.inodes).toBe(4);
        expect(usage.size).toBeGreaterThanOrEqual(big.length);
        expect(usage.size).toBeLessThan(2 * big.length);
      }
      await snapshotter.prepare('empty');
      expect((await snapshotter.usage('empty')).inodes).toBe(1);
    });

    it('lists every snapshot with kind, parent and labels', async () => {
      await layer('base', undefined, {});
      await snapshotter.prepare('active', 'base', { labels: { role: 'container' } });
      await snapshotter.view('look', 'base');
      const list = (await snapshotter.list()).sort(byKey);
      expect(list.map(({ key, kind, parent, labels }) => ({ key, kind, parent, labels }))).toEqual([
        { key: 'active', kind: 'active', parent: 'base', labels: { role: 'container' } },
        { key: 'base', kind: 'committed', parent: undefined, labels: {} },
        { key: 'look', kind: 'view', parent: 'base', labels: {} },
      ]);
      for (const info of list) expect(info.createdAt).toBeInstanceOf(Date);
    });

    it('keeps metadata and content when reopened on the same root', async () => {
      await layer('base', undefined, { 'a.txt': 'a' });
      await layer('top', 'base', { 'b.txt': 'b' });
      await snapshotter.prepare('active', 'top', { labels: { l: 'v' } });
      await writeFiles(await snapshotter.applyTarget('active'), { 'c.txt': 'c' });
      await snapshotter.view('look', 'base');
      const before = (await snapshotter.list()).sort(byKey);

      const reopened = await factory({ root });
      expect((await reopened.list()).sort(byKey)).toEqual(before);
      expect(await contentOf(await reopened.mounts('active'))).toEqual({ 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
      expect(await contentOf(await reopened.mounts('look'))).toEqual({ 'a.txt': 'a' });
      // New snapshots made after reopening never share a tree with old ones.
      await reopened.prepare('after', 'top');
      await writeFiles(await reopened.applyTarget('after'), { 'c.txt': 'other' });
      expect(await contentOf(await reopened.mounts('active'))).toMatchObject({ 'c.txt': 'c' });
      await reopened.commit('committed-after', 'active');
      expect(await reopened.stat('committed-after')).toMatchObject({ kind: 'committed', parent: 'top', labels: { l: 'v' } });
      await expectCode(reopened.remove('top'), 'FailedPrecondition');
    });
  });
}
