import { readFile } from 'node:fs/promises';
import { describeIntegration } from '@berth/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Engine } from '@berth/engine';
import { type BridgeEngineFixture, openBridgeEngine, expectPingReaches } from './support/linux-net-fixture.js';

const mib = 1024 * 1024;

// Live `docker update` (runc update on the container's cgroup) and network counters in
// `docker stats`, on the real engine with the bridge driver.
describeIntegration(
  'linux engine: live resource update and network stats',
  { root: true, commands: ['runc', 'conmon', 'iptables', 'ip'] },
  () => {
    let fixture: BridgeEngineFixture;
    let engine: Engine;

    beforeAll(async () => {
      fixture = await openBridgeEngine();
      engine = fixture.engine;
    });

    afterAll(async () => {
      await fixture?.dispose();
    });

    const startSleeper = async (extra: { resources?: { memory?: number; memorySwap?: number }; networkMode?: string } = {}) => {
      const { id } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'], ...extra });
      await engine.containers.start(id);
      await fixture.track(id);
      return id;
    };

    const statsOnce = async (id: string) => {
      for await (const sample of engine.containers.stats(id, { stream: false })) return sample;
      throw new Error(`no stats sample for ${id}`);
    };

    /** The engine puts containers in the `berth/<id>` cgroup of each v1 hierarchy. */
    const memoryLimitOf = async (id: string) => Number((await readFile(`/sys/fs/cgroup/memory/berth/${id}/memory.limit_in_bytes`, 'utf8')).trim());

    it('updates the memory limit of a running container in its cgroup', async () => {
      const id = await startSleeper();
      await engine.containers.update(id, { resources: { memory: 64 * mib, memorySwap: 128 * mib } });
      expect(await memoryLimitOf(id)).toBe(64 * mib);
      expect((await engine.containers.inspect(id)).hostConfig.resources.memory).toBe(64 * mib);
      expect((await statsOnce(id)).memory.limit).toBe(64 * mib);

      await engine.containers.pause(id);
      await engine.containers.update(id, { resources: { memory: 48 * mib } });
      expect(await memoryLimitOf(id)).toBe(48 * mib);
      await engine.containers.unpause(id);
    });

    it('refuses a memory limit above the existing swap limit (Conflict), leaving the cgroup as it was', async () => {
      const id = await startSleeper({ resources: { memory: 32 * mib, memorySwap: 40 * mib } });
      const code = await engine.containers.update(id, { resources: { memory: 64 * mib } }).then(
        () => 'ok',
        (error: unknown) => (error as { code?: string }).code,
      );
      expect(code).toBe('Conflict');
      expect(await memoryLimitOf(id)).toBe(32 * mib);
      await engine.containers.update(id, { resources: { memory: 64 * mib, memorySwap: 128 * mib } });
      expect(await memoryLimitOf(id)).toBe(64 * mib);
    });

    it('reports traffic counters of eth0 (not lo) after a ping', async () => {
      const id = await startSleeper();
      const gateway = `${fixture.subnetBase}.1.1`;
      await expectPingReaches(engine, id, gateway);
      const { networks } = await statsOnce(id);
      expect(Object.keys(networks)).not.toContain('lo');
      expect(networks.eth0?.rxBytes).toBeGreaterThan(0);
      expect(networks.eth0?.txBytes).toBeGreaterThan(0);
      expect(networks.eth0).toMatchObject({ rxPackets: expect.any(Number), txPackets: expect.any(Number), rxErrors: 0, txDropped: 0 });
    });

    it('reports no networks for a container on the host network', async () => {
      const id = await startSleeper({ networkMode: 'host' });
      expect((await statsOnce(id)).networks).toEqual({});
    });
  },
);
