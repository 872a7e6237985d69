import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../engine.js';
import { type EngineFactory, type EngineUnderTest, errorCodeOf, openEngine, recordEvents, uniqueSuiteName } from './engine-fixture.js';

/** Volumes: create (idempotent), inspect, list filters, remove, prune, events. */
export function describeVolumes(factory: EngineFactory): void {
  describe('volumes', () => {
    let under: EngineUnderTest;
    let engine: Engine;
    beforeAll(async () => {
      under = await openEngine(factory);
      engine = under.engine;
    });
    afterAll(async () => {
      await under?.dispose?.();
    });

    it('creates a named volume with labels; creating it again returns it unchanged', async () => {
      const name = uniqueSuiteName('suite-vol');
      const created = await engine.volumes.create({ name, labels: { suite: 'yes' } });
      expect(created).toMatchObject({ name, driver: 'local', labels: { suite: 'yes' }, scope: 'local' });
      expect(created.mountpoint).not.toBe('');
      const again = await engine.volumes.create({ name });
      expect(again.labels).toEqual({ suite: 'yes' });
      expect((await engine.volumes.inspect(name)).createdAt.getTime()).toBe(created.createdAt.getTime());
      await engine.volumes.remove(name);
      expect(await errorCodeOf(engine.volumes.inspect(name))).toBe('NotFound');
    });

    it('gives an anonymous volume a 64-hex name', async () => {
      const volume = await engine.volumes.create();
      expect(volume.name).toMatch(/^[0-9a-f]{64}$/);
      await engine.volumes.remove(volume.name);
    });

    it('lists by name and label filters', async () => {
      const label = uniqueSuiteName('suite-label');
      const a = await engine.volumes.create({ name: uniqueSuiteName('suite-vol'), labels: { [label]: 'a' } });
      const b = await engine.volumes.create({ name: uniqueSuiteName('suite-vol'), labels: { [label]: 'b' } });
      const both = await engine.volumes.list({ filters: { label: [label] } });
      expect(both.volumes.map((v) => v.name).sort()).toEqual([a.name, b.name].sort());
      const onlyA = await engine.volumes.list({ filters: { label: [`${label}=a`] } });
      expect(onlyA.volumes.map((v) => v.name)).toEqual([a.name]);
      const byName = await engine.volumes.list({ filters: { name: [b.name] } });
      expect(byName.volumes.map((v) => v.name)).toEqual([b.name]);
      await engine.volumes.remove(a.name);
      await engine.volumes.remove(b.name);
    });

    it('rejects invalid names and unknown filters as InvalidArgument', async () => {
      expect(await errorCodeOf(engine.volumes.create({ name: '../escape' }))).toBe('InvalidArgument');
      expect(await errorCodeOf(engine.volumes.list({ filters: { colour: ['red'] } }))).toBe('InvalidArgument');
    });

    it('removes a missing volume only with force', async () => {
      const name = uniqueSuiteName('suite-missing');
      expect(await errorCodeOf(engine.volumes.remove(name))).toBe('NotFound');
      await engine.volumes.remove(name, { force: true });
    });

    it('prunes unused anonymous volumes and, with all=true, named ones carrying the label', async () => {
      const label = uniqueSuiteName('suite-prune');
      const anonymous = await engine.volumes.create({ labels: { [label]: '' } });
      const named = await engine.volumes.create({ name: uniqueSuiteName('suite-vol'), labels: { [label]: '' } });
      const first = await engine.volumes.prune({ filters: { label: [label] } });
      expect(first.volumesDeleted).toEqual([anonymous.name]);
      expect((await engine.volumes.inspect(named.name)).name).toBe(named.name);
      const second = await engine.volumes.prune({ filters: { label: [label], all: ['true'] } });
      expect(second.volumesDeleted).toEqual([named.name]);
    });

    it('emits create and destroy events in order', async () => {
      const name = uniqueSuiteName('suite-vol');
      const recorder = recordEvents(engine, { type: ['volume'], volume: [name] });
      await engine.volumes.create({ name });
      await engine.volumes.remove(name);
      const events = await recorder.until((event) => event.action === 'destroy');
      recorder.stop();
      expect(events.map((event) => [event.type, event.action, event.actor.id])).toEqual([
        ['volume', 'create', name],
        ['volume', 'destroy', name],
      ]);
      expect(events[0]!.actor.attributes.driver).toBe('local');
    });
  });
}
