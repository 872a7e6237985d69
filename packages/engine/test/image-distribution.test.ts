import { busyboxImage } from '@berth/image/testing';
import { startMemoryRegistry } from '@berth/registry-client/testing';
import { expect, it } from 'vitest';
import { createMemoryEngine } from '@berth/engine';

// images.inspectDistribution on the memory engine (the same engine code as createEngine's).
it('asks the registry what a reference names without pulling it', async () => {
  await using server = await startMemoryRegistry();
  await using engine = await createMemoryEngine({ images: [{ image: busyboxImage(), tags: ['busybox:latest'] }] });
  const reference = `${server.host}/dist/busybox:1`;
  await engine.images.tag('busybox', reference);
  const { digest } = await engine.images.push(reference).done;
  await engine.images.remove(reference);
  const stored = server.registry.manifest('dist/busybox', '1')!;
  const inspect = await engine.images.inspectDistribution(reference);
  expect(inspect.descriptor).toEqual({ mediaType: stored.mediaType, digest, size: stored.bytes.length });
  expect(inspect.platforms).toEqual([{ architecture: (await engine.images.inspect('busybox')).architecture, os: 'linux' }]);
  // Nothing was pulled.
  await expect(engine.images.inspect(reference)).rejects.toMatchObject({ code: 'NotFound' });
  await expect(engine.images.inspectDistribution(`${server.host}/dist/none:1`)).rejects.toMatchObject({ code: 'NotFound' });
});
