import { createFakeRuntime } from '@berth/container';
import { busyboxImage } from '@berth/image/testing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Engine, createMemoryEngine } from '@berth/engine';

let engine: Engine;
beforeEach(async () => {
  engine = await createMemoryEngine({ runtime: createFakeRuntime(), images: [{ image: busyboxImage(), tags: ['busybox:latest'] }] });
});
afterEach(async () => {
  for (const c of await engine.containers.list({ all: true })) await engine.containers.remove(c.id, { force: true });
  await engine.close();
});

// `docker ps` shows dockerd's Command: arguments holding a space are single-quoted.
it("lists the command as dockerd does, quoting arguments that hold a space", async () => {
  const { id } = await engine.containers.create({ image: 'busybox', entrypoint: ['sh', '-c'], cmd: ['echo started; sleep 1', 'x'] });
  const [summary] = await engine.containers.list({ all: true, filters: { id: [id] } });
  expect(summary?.command).toBe("sh -c 'echo started; sleep 1' x");
});

// `docker ps --filter publish=80` / `--filter expose=…`: published (host-bound) and exposed container ports.
it('filters the list by published and exposed ports, as docker ps does', async () => {
  const { id: web } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'], portBindings: { '80/tcp': [{ hostIp: '127.0.0.1' }] }, exposedPorts: ['9000/udp'] });
  const { id: plain } = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'] });
  await engine.containers.start(web);
  await engine.containers.start(plain);
  const ids = async (filters: Record<string, string[]>) => (await engine.containers.list({ filters })).map((c) => c.id);
  expect(await ids({ publish: ['80'] })).toEqual([web]);
  expect(await ids({ publish: ['80/tcp'] })).toEqual([web]);
  expect(await ids({ publish: ['70-90'] })).toEqual([web]);
  expect(await ids({ publish: ['80/udp'] })).toEqual([]);
  expect(await ids({ publish: ['9000/udp'] })).toEqual([]);
  expect(await ids({ expose: ['9000/udp'] })).toEqual([web]);
  expect(await ids({ expose: ['80'] })).toEqual([web]);
  expect(await ids({ expose: ['81'] })).toEqual([]);
  await expect(ids({ publish: ['eighty'] })).rejects.toMatchObject({ code: 'InvalidArgument' });
});
