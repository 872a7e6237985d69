import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../engine.js';
import { type EngineFactory, type EngineUnderTest, errorCodeOf, openEngine, recordEvents, uniqueSuiteName } from './engine-fixture.js';

/** Networks: predefined ones, create, name conflicts, inspect, list filters, remove, prune, events. */
export function describeNetworks(factory: EngineFactory): void {
  describe('networks', () => {
    let under: EngineUnderTest;
    let engine: Engine;
    beforeAll(async () => {
      under = await openEngine(factory);
      engine = under.engine;
    });
    afterAll(async () => {
      await under?.dispose?.();
    });

    it('has the predefined bridge, host and none networks, which cannot be removed', async () => {
      const names = (await engine.networks.list()).map((network) => network.name);
      expect(names).toEqual(expect.arrayContaining(['bridge', 'host', 'none']));
      const builtin = await engine.networks.list({ filters: { type: ['builtin'] } });
      expect(builtin.map((network) => network.name).sort()).toEqual(['bridge', 'host', 'none']);
      expect(await errorCodeOf(engine.networks.remove('bridge'))).toBe('PermissionDenied');
    });

    it('creates a network with a subnet, refuses its name twice, and removes it', async () => {
      const name = uniqueSuiteName('suite-net');
      const created = await engine.networks.create({ name, labels: { suite: 'yes' } });
      expect(created.id).toMatch(/^[0-9a-f]{64}$/);
      expect(created.name).toBe(name);
      expect(created.ipam.config[0]?.subnet).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
      expect(await errorCodeOf(engine.networks.create({ name }))).toBe('Conflict');
      expect((await engine.networks.inspect(created.id.slice(0, 12))).name).toBe(name);
      expect((await engine.networks.list({ filters: { label: ['suite=yes'], name: [name] } })).map((n) => n.id)).toEqual([created.id]);
      await engine.networks.remove(name);
      expect(await errorCodeOf(engine.networks.inspect(name))).toBe('NotFound');
    });

    it('refuses to create a network named like a predefined one', async () => {
      expect(await errorCodeOf(engine.networks.create({ name: 'host' }))).toBe('PermissionDenied');
    });

    it('prunes unused user-defined networks with the label', async () => {
      const label = uniqueSuiteName('suite-prune');
      const a = await engine.networks.create({ name: uniqueSuiteName('suite-net'), labels: { [label]: '1' } });
      const report = await engine.networks.prune({ filters: { label: [label] } });
      expect(report.networksDeleted).toEqual([a.name]);
      expect((await engine.networks.list()).map((n) => n.name)).toEqual(expect.arrayContaining(['bridge', 'host', 'none']));
    });

    it('emits create and destroy events with the network name', async () => {
      const name = uniqueSuiteName('suite-net');
      const recorder = recordEvents(engine, { type: ['network'], network: [name] });
      const created = await engine.networks.create({ name });
      await engine.networks.remove(created.id);
      const events = await recorder.until((event) => event.action === 'destroy');
      recorder.stop();
      expect(events.map((event) => [event.action, event.actor.id, event.actor.attributes.name])).toEqual([
        ['create', created.id, name],
        ['destroy', created.id, name],
      ]);
    });
  });
}
