import { createFakeRuntime } from '@berth/container';
import { busyboxImage } from '@berth/image/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Engine, createMemoryEngine } from '@berth/engine';

const mib = 1024 * 1024;

describe('containers.update of a live container (fake runtime)', () => {
  const runtime = createFakeRuntime();
  let engine: Engine;

  beforeEach(async () => {
    engine = await createMemoryEngine({ runtime, images: [{ image: busyboxImage(), tags: ['busybox:latest'] }] });
  });
  afterEach(async () => {
    for (const c of await engine.containers.list({ all: true })) await engine.containers.remove(c.id, { force: true });
    await engine.close();
  });

  it('applies new limits to a running container at once and records them', async () => {
    const { id } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'] });
    await engine.containers.start(id);
    const result = await engine.containers.update(id, { resources: { memory: 64 * mib, memorySwap: 128 * mib, cpuShares: 512, pidsLimit: 30 } });
    expect(result.warnings).toEqual([]);
    const resources = runtime.specOf(id).linux?.resources;
    expect(resources?.memory).toMatchObject({ limit: 64 * mib, swap: 128 * mib });
    expect(resources?.cpu?.shares).toBe(512);
    expect(resources?.pids?.limit).toBe(30);
    const samples = [];
    for await (const sample of engine.containers.stats(id, { stream: false })) samples.push(sample);
    expect(samples[0]?.memory.limit).toBe(64 * mib);
    expect((await engine.containers.inspect(id)).hostConfig.resources).toMatchObject({ memory: 64 * mib, cpuShares: 512, pidsLimit: 30 });
  });

  it('applies new limits to a paused container', async () => {
    const { id } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'] });
    await engine.containers.start(id);
    await engine.containers.pause(id);
    await engine.containers.update(id, { resources: { memory: 32 * mib, memorySwap: 64 * mib } });
    expect(runtime.specOf(id).linux?.resources?.memory?.limit).toBe(32 * mib);
  });

  it('refuses a memory limit above the swap limit unless swap is updated too', async () => {
    const { id } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'], resources: { memory: 32 * mib, memorySwap: 48 * mib } });
    await engine.containers.start(id);
    const refused = await engine.containers.update(id, { resources: { memory: 64 * mib } }).then(
      () => undefined,
      (error: unknown) => error as { code?: string; message?: string },
    );
    expect(refused?.code).toBe('Conflict');
    expect(refused?.message).toContain('Memory limit should be smaller than already set memoryswap limit');
    expect((await engine.containers.inspect(id)).hostConfig.resources.memory).toBe(32 * mib);
    expect(runtime.specOf(id).linux?.resources?.memory?.limit).toBe(32 * mib);

    // Below the swap limit, the swap limit stays as it was.
    await engine.containers.update(id, { resources: { memory: 40 * mib } });
    expect(runtime.specOf(id).linux?.resources?.memory).toMatchObject({ limit: 40 * mib, swap: 48 * mib });
    await engine.containers.update(id, { resources: { memory: 64 * mib, memorySwap: 128 * mib } });
    expect(runtime.specOf(id).linux?.resources?.memory).toMatchObject({ limit: 64 * mib, swap: 128 * mib });
  });

  it('refuses a first memory limit without its swap limit, as dockerd does', async () => {
    const { id } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'] });
    await expect(engine.containers.update(id, { resources: { memory: 64 * mib } })).rejects.toMatchObject({ code: 'Conflict' });
    expect((await engine.containers.inspect(id)).hostConfig.resources.memory ?? 0).toBe(0);
  });

  it('does not touch the runtime for a stopped container', async () => {
    const { id } = await engine.containers.create({ image: 'busybox', cmd: ['true'] });
    runtime.failNext('update', new Error('must not be called'));
    await engine.containers.update(id, { resources: { memory: 64 * mib, memorySwap: 128 * mib } });
    expect((await engine.containers.inspect(id)).hostConfig.resources.memory).toBe(64 * mib);
    // The queued failure is still there: consume it so it does not leak into other tests.
    await expect(runtime.update('missing-container', {})).rejects.toThrow();
  });
});
