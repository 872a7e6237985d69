import { createFakeRuntime } from '@berth/container';
import { isNotFound } from '@berth/errdefs';
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

// `docker run --rm busybox no-such-command` waits for the container to be removed after the
// failed start (dockerd removes auto-remove containers whose start failed); without that it hangs.
it('removes an autoRemove container whose start failed', async () => {
  const { id } = await engine.containers.create({ image: 'busybox', cmd: ['no-such-command'], autoRemove: true });
  const removed = engine.containers.wait(id, { condition: 'removed' });
  await expect(engine.containers.start(id)).rejects.toThrow(/no-such-command/);
  expect(await removed).toMatchObject({ statusCode: 127 });
  await expect(engine.containers.inspect(id)).rejects.toSatisfy(isNotFound);
});

it('keeps a container without autoRemove whose start failed, with exit code 127', async () => {
  const { id } = await engine.containers.create({ image: 'busybox', cmd: ['no-such-command'] });
  await expect(engine.containers.start(id)).rejects.toThrow(/no-such-command/);
  expect((await engine.containers.inspect(id)).state).toMatchObject({ status: 'created', exitCode: 127 });
});

it('records 126 and says "permission denied" for a program that exists but cannot run', async () => {
  for (const program of ['/etc/passwd', '/etc']) {
    const { id } = await engine.containers.create({ image: 'busybox', cmd: [program] });
    await expect(engine.containers.start(id)).rejects.toThrow(`exec: "${program}": permission denied`);
    expect((await engine.containers.inspect(id)).state).toMatchObject({ exitCode: 126 });
  }
});
