import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../engine.js';
import { BusyboxArchive, type EngineFactory, type EngineUnderTest, openEngine, uniqueSuiteName } from './engine-fixture.js';

/** System: version, info, disk usage. */
export function describeSystem(factory: EngineFactory): void {
  describe('system', () => {
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

    it('reports a version with an API version', async () => {
      const version = await engine.system.version();
      expect(version.version).not.toBe('');
      expect(version.apiVersion).toMatch(/^1\.\d+$/);
      expect(version.os).toBe('linux');
    });

    it('counts images and containers in info', async () => {
      const repo = uniqueSuiteName('suite-info');
      const before = await engine.system.info();
      const id = await busybox.load(engine, repo);
      const after = await engine.system.info();
      expect(after.images).toBe(before.images + 1);
      expect(after.containers).toBe(after.containersRunning + after.containersPaused + after.containersStopped);
      expect(after.ncpu).toBeGreaterThan(0);
      await engine.images.remove(id, { force: true });
    });

    it('prunes stopped containers, unused networks and dangling images, and keeps what is in use', async () => {
      const label = uniqueSuiteName('suite-sysprune');
      const network = await engine.networks.create({ name: uniqueSuiteName('suite-net'), labels: { [label]: '' } });
      const repo = uniqueSuiteName('suite-sysprune');
      const id = await busybox.load(engine, repo);
      const report = await engine.system.prune({ filters: { label: [label] } });
      expect(report.networksDeleted).toEqual([network.name]);
      expect((await engine.images.inspect(repo)).id).toBe(id);
      await engine.images.remove(id, { force: true });
    });

    it('lists images and volumes in disk usage', async () => {
      const repo = uniqueSuiteName('suite-df');
      const id = await busybox.load(engine, repo);
      const volume = await engine.volumes.create({ name: uniqueSuiteName('suite-df') });
      const usage = await engine.system.df();
      expect(usage.images.map((image) => image.id)).toContain(id);
      expect(usage.volumes.find((v) => v.name === volume.name)?.usageData?.refCount).toBe(0);
      expect(usage.layersSize).toBeGreaterThan(0);
      await engine.volumes.remove(volume.name);
      await engine.images.remove(id, { force: true });
    });
  });
}
