import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '@berth/errdefs';
import { createOverlaySnapshotter, withMounts } from '@berth/image';
import { describeSnapshotter } from '@berth/image/conformance';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { releaseLeakedMounts } from './fixtures.js';

describe('overlay snapshotter mounts', () => {
  let temp: { path: string; remove: () => Promise<void> };

  beforeEach(async () => {
    temp = await makeTempDir('berth-overlay-shape');
  });
  afterEach(async () => {
    await temp.remove();
  });

  it('binds a snapshot without parents and overlays one with parents, nearest lower dir first', async () => {
    const root = join(temp.path, 'root');
    const snapshotter = await createOverlaySnapshotter({ root });
    expect(snapshotter.whiteoutFormat).toBe('overlay');
    const baseMounts = await snapshotter.prepare('base-work');
    expect(baseMounts).toEqual([{ type: 'bind', source: await snapshotter.applyTarget('base-work'), options: ['rbind', 'rw'] }]);
    const baseFs = await snapshotter.applyTarget('base-work');
    await snapshotter.commit('base', 'base-work');
    await snapshotter.prepare('mid-work', 'base');
    const midFs = await snapshotter.applyTarget('mid-work');
    await snapshotter.commit('mid', 'mid-work');
    const [overlay] = await snapshotter.prepare('container', 'mid');
    const upper = await snapshotter.applyTarget('container');
    expect(overlay!.type).toBe('overlay');
    expect(overlay!.options).toContain(`upperdir=${upper}`);
    expect(overlay!.options).toContain(`lowerdir=${midFs}:${baseFs}`);
    expect(overlay!.options.some((o) => o.startsWith('workdir=') && !o.includes(upper))).toBe(true);
    // Short numeric ids keep every path short.
    expect(upper).toMatch(/\/snapshots\/\d+\/fs$/);

    expect(await snapshotter.view('look-base', 'base')).toEqual([{ type: 'bind', source: baseFs, options: ['rbind', 'ro'] }]);
    const [chainView] = await snapshotter.view('look-mid', 'mid');
    expect(chainView!.type).toBe('overlay');
    expect(chainView!.options).toContain(`lowerdir=${midFs}:${baseFs}`);
    expect(chainView!.options.some((o) => o.startsWith('upperdir='))).toBe(false);
  });

  it('refuses roots that overlay options cannot carry', async () => {
    for (const bad of ['a,b', 'a:b']) {
      const err = await createOverlaySnapshotter({ root: join(temp.path, bad) }).catch((e: unknown) => e);
      expect(errorCode(err)).toBe('InvalidArgument');
    }
  });
});

describeIntegration('overlay snapshotter', { root: true }, () => {
  describeSnapshotter('overlay', createOverlaySnapshotter, { needsRoot: true });

  describe('deep chains', () => {
    let temp: { path: string; remove: () => Promise<void> };

    beforeEach(async () => {
      temp = await makeTempDir('berth-overlay-deep');
    });
    afterEach(async () => {
      const leaked = await releaseLeakedMounts(temp.path);
      await temp.remove();
      expect(leaked).toEqual([]);
    });

    it('mounts a 60-layer chain whose lower dirs exceed the one-page option limit', async () => {
      // A long root path makes the absolute lowerdir list far longer than 4096 bytes.
      const root = join(temp.path, 'r'.repeat(120), 'root');
      await mkdir(root, { recursive: true });
      const snapshotter = await createOverlaySnapshotter({ root });
      let parent: string | undefined;
      for (let i = 0; i < 60; i++) {
        const key = `work-${i}`;
        await snapshotter.prepare(key, parent);
        const target = await snapshotter.applyTarget(key);
        await writeFile(join(target, `layer-${i}.txt`), `${i}`);
        await writeFile(join(target, 'top.txt'), `${i}`);
        await snapshotter.commit(`layer-${i}`, key);
        parent = `layer-${i}`;
      }
      const mounts = await snapshotter.prepare('container', parent);
      expect(mounts[0]!.options.join(',').length).toBeGreaterThan(4096);
      const expectedLayers = Array.from({ length: 60 }, (_, i) => `layer-${i}.txt`);
      await withMounts(
        mounts,
        async (dir) => {
          expect(await readFile(join(dir, 'top.txt'), 'utf8')).toBe('59');
          expect(await readFile(join(dir, 'layer-0.txt'), 'utf8')).toBe('0');
          await writeFile(join(dir, 'container.txt'), 'written');
          expect((await readdir(dir)).sort()).toEqual([...expectedLayers, 'container.txt', 'top.txt'].sort());
        },
        { parent: temp.path },
      );
      expect(await readFile(join(await snapshotter.applyTarget('container'), 'container.txt'), 'utf8')).toBe('written');

      const view = await snapshotter.view('look', parent);
      expect(view[0]!.options.join(',').length).toBeGreaterThan(4096);
      await withMounts(view, async (dir) => expect(await readFile(join(dir, 'top.txt'), 'utf8')).toBe('59'), { parent: temp.path });
    });
  });
});
