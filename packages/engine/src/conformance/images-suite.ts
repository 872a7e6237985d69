import { Readable } from 'node:stream';
import { tarOf } from '@berth/image/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../engine.js';
import { BusyboxArchive, type EngineFactory, type EngineUnderTest, errorCodeOf, openEngine, recordEvents, uniqueSuiteName } from './engine-fixture.js';

/** Images: load, inspect, tag, remove with docker's conflict rules, history, save, import, prune. */
export function describeImages(factory: EngineFactory): void {
  describe('images', () => {
    let under: EngineUnderTest;
    let engine: Engine;
    const busybox = new BusyboxArchive();

    beforeAll(async () => {
      under = await openEngine(factory);
      engine = under.engine;
    });
    afterAll(async () => {
      await busybox.dispose();
      await under?.dispose?.();
    });

    it('loads a docker archive and lists and inspects the image under its tag', async () => {
      const repo = uniqueSuiteName('suite-load');
      const id = await busybox.load(engine, `${repo}:1`);
      expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
      const listed = await engine.images.list({ filters: { reference: [repo] } });
      expect(listed.map((image) => image.repoTags)).toEqual([[`${repo}:1`]]);
      expect(listed[0]!.id).toBe(id);
      const inspected = await engine.images.inspect(`${repo}:1`);
      expect(inspected.id).toBe(id);
      expect(inspected.os).toBe('linux');
      expect(inspected.rootFs.type).toBe('layers');
      expect(inspected.rootFs.layers).toHaveLength(1);
      expect(inspected.config.Cmd).toEqual(['sh']);
      await engine.images.remove(id, { force: true });
    });

    it('reports a missing image as NotFound', async () => {
      expect(await errorCodeOf(engine.images.inspect(uniqueSuiteName('suite-missing')))).toBe('NotFound');
      expect(await errorCodeOf(engine.images.remove(uniqueSuiteName('suite-missing')))).toBe('NotFound');
    });

    it('tags, and untags name by name until the last name deletes the image', async () => {
      const repo = uniqueSuiteName('suite-tag');
      const id = await busybox.load(engine, `${repo}:a`);
      const recorder = recordEvents(engine, { type: ['image'], image: [id] });
      await engine.images.tag(`${repo}:a`, `${repo}:b`);
      expect((await engine.images.inspect(`${repo}:b`)).id).toBe(id);
      expect((await engine.images.inspect(id)).repoTags.sort()).toEqual([`${repo}:a`, `${repo}:b`]);

      expect(await engine.images.remove(`${repo}:a`)).toEqual([{ untagged: `${repo}:a` }]);
      expect((await engine.images.inspect(id)).repoTags).toEqual([`${repo}:b`]);
      const last = await engine.images.remove(`${repo}:b`);
      expect(last[0]).toEqual({ untagged: `${repo}:b` });
      expect(last).toContainEqual({ deleted: id });
      expect(await errorCodeOf(engine.images.inspect(id))).toBe('NotFound');

      const events = await recorder.until((event) => event.action === 'delete');
      recorder.stop();
      expect(events.map((event) => event.action)).toEqual(['tag', 'untag', 'untag', 'delete']);
      expect(events[0]!.actor.attributes.name).toBe(`${repo}:b`);
    });

    it('refuses to remove by ID an image with several names unless forced', async () => {
      const repo = uniqueSuiteName('suite-conflict');
      const id = await busybox.load(engine, `${repo}:a`);
      await engine.images.tag(id, `${repo}:b`);
      expect(await errorCodeOf(engine.images.remove(id))).toBe('Conflict');
      expect((await engine.images.inspect(id)).repoTags).toHaveLength(2);
      const entries = await engine.images.remove(id, { force: true });
      expect(entries.filter((entry) => 'untagged' in entry)).toHaveLength(2);
      expect(entries).toContainEqual({ deleted: id });
    });

    it('shows the history newest first, the image ID on the newest entry', async () => {
      const repo = uniqueSuiteName('suite-history');
      const id = await busybox.load(engine, repo);
      const history = await engine.images.history(repo);
      expect(history.length).toBeGreaterThan(0);
      expect(history[0]!.id).toBe(id);
      expect(history[0]!.tags).toEqual([`${repo}:latest`]);
      await engine.images.remove(id, { force: true });
    });

    it('saves an image and loads it back with the same ID and name', async () => {
      const repo = uniqueSuiteName('suite-save');
      const id = await busybox.load(engine, repo);
      const chunks: Buffer[] = [];
      const sink = new (await import('node:stream')).Writable({
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(chunk);
          callback();
        },
      });
      await engine.images.save([repo], sink);
      await engine.images.remove(id, { force: true });
      const loaded = await engine.images.load(Readable.from([Buffer.concat(chunks)]));
      expect(loaded.images).toEqual([{ id, repoTags: [`${repo}:latest`] }]);
      expect((await engine.images.inspect(repo)).id).toBe(id);
      await engine.images.remove(id, { force: true });
    });

    it('imports a rootfs tar as a one-layer image with the given runtime defaults', async () => {
      const repo = uniqueSuiteName('suite-import');
      const rootfs = tarOf([
        { type: 'dir', path: 'etc' },
        { type: 'file', path: 'etc/hello', content: 'hi\n' },
      ]);
      const recorder = recordEvents(engine, { type: ['image'], event: ['import'] });
      const { id } = await engine.images.import(rootfs(), { reference: `${repo}:v1`, changes: { Cmd: ['/bin/true'] }, message: 'from the suite' });
      const inspected = await engine.images.inspect(`${repo}:v1`);
      expect(inspected.id).toBe(id);
      expect(inspected.rootFs.layers).toHaveLength(1);
      expect(inspected.config.Cmd).toEqual(['/bin/true']);
      const [event] = await recorder.until((e) => e.action === 'import');
      recorder.stop();
      expect(event!.actor.id).toBe(id);
      await engine.images.remove(id, { force: true });
    });

    it('prunes dangling images and keeps named ones', async () => {
      const repo = uniqueSuiteName('suite-prune');
      const rootfs = tarOf([{ type: 'file', path: 'dangling', content: repo }]);
      const { id: dangling } = await engine.images.import(rootfs());
      const named = await busybox.load(engine, repo);
      const report = await engine.images.prune();
      expect(report.imagesDeleted).toContainEqual({ deleted: dangling });
      expect(await errorCodeOf(engine.images.inspect(dangling))).toBe('NotFound');
      expect((await engine.images.inspect(repo)).id).toBe(named);
      await engine.images.remove(named, { force: true });
    });
  });
}
