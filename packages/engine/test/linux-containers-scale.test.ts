import { describeIntegration } from '@berth/testkit';
import { expect, it } from 'vitest';
import {
  engineLeftovers,
  noLeftovers,
} from './support/linux-engine-fixture.js';
import { useLinuxEngine } from './support/linux-engine-suite.js';

const COUNT = 50;

// Fifty containers started at once on the real engine, then force-removed at once: every
// one runs, and afterwards the host holds nothing of them — no mounts, cgroups, conmon
// processes, runc state or state directories.
describeIntegration('linux engine: fifty concurrent containers', { root: true, commands: ['runc', 'conmon'] }, () => {
  const suite = useLinuxEngine('berth-linux-scale');

  it(`starts ${COUNT} containers concurrently and force-removes them without a trace`, { timeout: 90_000 }, async () => {
    const ids = await Promise.all(
      Array.from({ length: COUNT }, async () => {
        const { id } = await suite.engine.containers.create({ image: 'busybox', cmd: ['sleep', '60'] });
        await suite.engine.containers.start(id);
        return id;
      }),
    );
    const states = await Promise.all(ids.map(async (id) => (await suite.engine.containers.inspect(id)).state));
    expect(states.map((state) => state.status)).toEqual(Array(COUNT).fill('running'));
    expect(new Set(states.map((state) => state.pid)).size).toBe(COUNT);

    // The leftover probe sees live containers (so its empty result below means something).
    const live = await engineLeftovers(suite.roots, ids);
    expect(live.conmons).toHaveLength(COUNT);
    expect(live.runcContainers.sort()).toEqual([...ids].sort());
    expect(live.mounts.length).toBeGreaterThanOrEqual(COUNT);
    expect(live.cgroups.length).toBeGreaterThanOrEqual(COUNT);

    await Promise.all(ids.map((id) => suite.engine.containers.remove(id, { force: true })));
    expect(await suite.engine.containers.list({ all: true })).toEqual([]);
    expect(await engineLeftovers(suite.roots, ids)).toEqual(noLeftovers);
  });

  // 75 adjectives × 79 surnames: 150 names drawn at once collide with a probability of
  // about 85%, so creations that checked a name before awaiting used to fail with Conflict.
  it('gives 150 concurrent creations distinct generated names', { timeout: 60_000 }, async () => {
    const ids = await Promise.all(
      Array.from({ length: 150 }, async () => (await suite.engine.containers.create({ image: 'busybox', cmd: ['true'] })).id),
    );
    const names = await Promise.all(ids.map(async (id) => (await suite.engine.containers.inspect(id)).name));
    expect(new Set(names).size).toBe(150);
    await Promise.all(ids.map((id) => suite.engine.containers.remove(id)));
    expect(await suite.engine.containers.list({ all: true })).toEqual([]);
  });
});
