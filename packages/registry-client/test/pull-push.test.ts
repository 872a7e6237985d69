import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isInvalidArgument, isNotFound } from '@berth/errdefs';
import { type ContentStore, createCopySnapshotter, createMemoryContentStore, createMemoryImageStore, withMounts } from '@berth/image';
import { busyboxImage, multiLayerExpectations, multiLayerImage, multiPlatformIndex, randomImage } from '@berth/image/testing';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PullEvent, type RegistryClient, createRegistryClient, pullImage, pushImage, remoteImage, remoteIndex } from '../src/index.js';
import { type MemoryRegistryServer, startMemoryRegistry } from '../src/testing/index.js';

const fastRetry = { minDelayMs: 1, maxDelayMs: 5 };

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function blobCount(content: ContentStore): Promise<number> {
  let n = 0;
  for await (const _ of content.list()) n++;
  return n;
}

describe('pull and push against the in-memory registry', () => {
  let server: MemoryRegistryServer;
  let client: RegistryClient;

  beforeEach(async () => {
    server = await startMemoryRegistry();
    client = createRegistryClient({ retry: fastRetry });
  });
  afterEach(async () => {
    client.close();
    await server.close();
  });

  it('round-trips a one-layer image: digests equal, blobs in the store, name recorded, events in order', async () => {
    const image = busyboxImage();
    const pushed = await pushImage(`${server.host}/library/busybox:1`, { image, client });
    expect(pushed.descriptor.digest).toBe(await image.digest());
    expect(pushed.uploadedBytes).toBeGreaterThan(0);

    const contentStore = createMemoryContentStore();
    const imageStore = createMemoryImageStore();
    const pull = pullImage(`${server.host}/library/busybox:1`, { contentStore, imageStore, client });
    const events = await collect(pull.progress);
    const result = await pull;
    expect(result.manifest.digest).toBe(await image.digest());
    expect(result.configDigest).toBe(await image.configDigest());
    expect(result.name).toBe(`${server.host}/library/busybox:1`);
    expect((await imageStore.get(result.name)).target.digest).toBe(await image.digest());
    expect(await blobCount(contentStore)).toBe(3);
    const [layer] = await image.layers();
    const layerDigest = await layer!.digest();
    expect(await contentStore.has(layerDigest)).toBe(true);

    expect(events[0]).toMatchObject({ type: 'resolved', manifest: { digest: await image.digest() } });
    const states = events.filter((e): e is Extract<PullEvent, { type: 'layer' }> => e.type === 'layer').map((e) => e.state);
    expect(states[0]).toBe('waiting');
    expect(states).toContain('downloading');
    expect(states.slice(-3)).toEqual(['verifying', 'downloaded', 'done']);
    const totals = events.filter((e) => e.type === 'totals').at(-1);
    expect(totals).toMatchObject({ layersDone: 1, layers: 1, bytes: await layer!.size(), total: await layer!.size() });
    // The pulled image reads back from the store.
    expect((await result.image.config()).rootfs.diff_ids).toEqual((await image.config()).rootfs.diff_ids);
  });

  it('pulls many layers with whiteouts and unpacks them into a snapshotter', async () => {
    const image = multiLayerImage();
    await pushImage(`${server.host}/multi:latest`, { image, client });
    const dir = await makeTempDir('registry-client-unpack');
    try {
      const snapshotter = await createCopySnapshotter({ root: dir.path });
      const contentStore = createMemoryContentStore();
      const pull = pullImage(`${server.host}/multi`, { contentStore, snapshotter, client });
      const events = await collect(pull.progress);
      const result = await pull.done;
      expect(result.unpacked?.key).toBeDefined();
      const extracting = events.filter((e) => e.type === 'layer' && e.state === 'extracting');
      expect(extracting).toHaveLength(3);
      // Per layer, extraction only starts once the layer is in the store.
      for (const event of extracting) {
        if (event.type !== 'layer') continue;
        const own = events.filter((e) => e.type === 'layer' && e.digest === event.digest).map((e) => (e.type === 'layer' ? e.state : ''));
        expect(own.indexOf('downloaded')).toBeLessThan(own.indexOf('extracting'));
        expect(own.at(-1)).toBe('done');
      }
      const key = 'rootfs-check';
      await snapshotter.view(key, result.unpacked!.key);
      await withMounts(await snapshotter.mounts(key), async (root) => {
        for (const [path, text] of Object.entries(multiLayerExpectations.files)) {
          expect(await readFile(join(root, path), 'utf8')).toBe(text);
        }
        for (const [path, target] of Object.entries(multiLayerExpectations.symlinks)) expect(await readlink(join(root, path))).toBe(target);
        for (const path of multiLayerExpectations.absent) await expect(readFile(join(root, path))).rejects.toThrow();
      });
      await snapshotter.remove(key);
    } finally {
      await dir.remove();
    }
  });

  it('pushes a multi-platform index; pull picks the platform, and names the available ones when none matches', async () => {
    const index = multiPlatformIndex();
    const pushed = await pushImage(`${server.host}/multi-arch:1`, { image: index, client });
    expect(pushed.descriptor.digest).toBe(await index.digest());

    const contentStore = createMemoryContentStore();
    const result = await pullImage(`${server.host}/multi-arch:1`, { contentStore, platform: 'linux/arm64', client });
    expect(result.target.digest).toBe(await index.digest());
    expect(result.platform).toMatchObject({ os: 'linux', architecture: 'arm64' });
    const arm64 = (await index.manifest()).manifests.find((m) => m.platform?.architecture === 'arm64')!;
    expect(result.manifest.digest).toBe(arm64.digest);
    // The index document is kept whole; other platforms' manifests are not fetched.
    expect(await contentStore.has(await index.digest())).toBe(true);
    const arm = (await index.manifest()).manifests.find((m) => m.platform?.architecture === 'arm')!;
    expect(await contentStore.has(arm.digest)).toBe(false);

    const err = await pullImage(`${server.host}/multi-arch:1`, { contentStore, platform: 'linux/s390x', client }).done.catch((e: unknown) => e);
    expect(isNotFound(err)).toBe(true);
    expect((err as Error).message).toContain('linux/s390x');
    expect((err as Error).message).toContain('linux/amd64, linux/arm64/v8, linux/arm/v7');
  });

  it('rejects a blob whose bytes do not match its digest and stores nothing of it', async () => {
    const image = randomImage({ layerSize: 200_000, seed: 'corrupt' });
    await pushImage(`${server.host}/corrupt:1`, { image, client });
    const [layer] = await image.layers();
    const digest = await layer!.digest();
    server.registry.injectFault({ type: 'corrupt', method: 'GET', path: `/v2/corrupt/blobs/${digest}` });
    const contentStore = createMemoryContentStore();
    const err = await pullImage(`${server.host}/corrupt:1`, { contentStore, client }).done.catch((e: unknown) => e);
    expect(isInvalidArgument(err)).toBe(true);
    expect(await contentStore.has(digest)).toBe(false);
    expect(await contentStore.ingests()).toEqual([]);
  });

  it('resumes a blob cut mid-way with a Range request and completes', async () => {
    const image = randomImage({ layerSize: 500_000, seed: 'cut' });
    await pushImage(`${server.host}/cut:1`, { image, client });
    const [layer] = await image.layers();
    const digest = await layer!.digest();
    server.registry.injectFault({ type: 'drop', afterBytes: 100_000, method: 'GET', path: `/v2/cut/blobs/${digest}` });
    const contentStore = createMemoryContentStore();
    const pull = pullImage(`${server.host}/cut:1`, { contentStore, client });
    const events = await collect(pull.progress);
    await pull.done;
    expect(await contentStore.has(digest)).toBe(true);
    const gets = server.registry.requests.filter((r) => r.method === 'GET' && r.path === `/v2/cut/blobs/${digest}`);
    expect(gets).toHaveLength(2);
    expect(gets[1]!.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(events.some((e) => e.type === 'retry' && e.digest === digest)).toBe(true);
  });

  it('resumes from the partial ingest an earlier failed pull left in the content store', async () => {
    const image = randomImage({ layerSize: 400_000, seed: 'partial' });
    await pushImage(`${server.host}/partial:1`, { image, client });
    const digest = await (await image.layers())[0]!.digest();
    const contentStore = createMemoryContentStore();
    server.registry.injectFault({ type: 'drop', afterBytes: 150_000, method: 'GET', path: `/v2/partial/blobs/${digest}` });
    const once = createRegistryClient({ retry: { attempts: 1 } });
    try {
      await expect(pullImage(`${server.host}/partial:1`, { contentStore, client: once }).done).rejects.toThrow();
    } finally {
      once.close();
    }
    const [ingest] = await contentStore.ingests();
    expect(ingest?.offset).toBeGreaterThan(0);
    await pullImage(`${server.host}/partial:1`, { contentStore, client });
    const gets = server.registry.requests.filter((r) => r.method === 'GET' && r.path === `/v2/partial/blobs/${digest}`);
    expect(gets.at(-1)!.range).toBe(`bytes=${ingest!.offset}-`);
    expect(await contentStore.has(digest)).toBe(true);
  });

  it('retries a 429 with Retry-After and a 503', async () => {
    const image = randomImage({ seed: 'busy' });
    await pushImage(`${server.host}/busy:1`, { image, client });
    server.registry.injectFault({ type: 'status', status: 429, retryAfter: '1', method: 'GET', path: /manifests/ });
    server.registry.injectFault({ type: 'status', status: 503, method: 'GET', path: /blobs/ });
    const result = await pullImage(`${server.host}/busy:1`, { contentStore: createMemoryContentStore(), client });
    expect(result.manifest.digest).toBe(await image.digest());
    expect(server.registry.requests.filter((r) => r.status === 429 || r.status === 503)).toHaveLength(2);
  });

  it('does not fetch layers the content store already has', async () => {
    const image = randomImage({ layers: 2, seed: 'present' });
    await pushImage(`${server.host}/present:1`, { image, client });
    const contentStore = createMemoryContentStore();
    await pullImage(`${server.host}/present:1`, { contentStore, client });
    const before = server.registry.requests.filter((r) => r.path.includes('/blobs/')).length;
    const events = await collect(pullImage(`${server.host}/present:1`, { contentStore, client }).progress);
    expect(server.registry.requests.filter((r) => r.path.includes('/blobs/')).length).toBe(before);
    expect(events.filter((e) => e.type === 'layer' && e.state === 'exists')).toHaveLength(2);
  });

  it('stops on abort with an AbortError', async () => {
    const image = randomImage({ seed: 'abort' });
    await pushImage(`${server.host}/abort:1`, { image, client });
    const controller = new AbortController();
    controller.abort();
    const err = await pullImage(`${server.host}/abort:1`, { contentStore: createMemoryContentStore(), client, signal: controller.signal }).done.catch(
      (e: unknown) => e,
    );
    expect((err as Error).name).toBe('AbortError');
  });

  it('skips blobs the registry has, mounts across repositories, and uploads in chunks', async () => {
    const image = randomImage({ layers: 2, layerSize: 300_000, seed: 'push' });
    await pushImage(`${server.host}/base:1`, { image, client, uploadMode: 'chunked', chunkSize: 64 * 1024 });
    expect(server.registry.requests.filter((r) => r.method === 'PATCH').length).toBeGreaterThan(4);

    const again = await pushImage(`${server.host}/base:2`, { image, client });
    expect(again.uploadedBytes).toBe(0);

    const mounted = pushImage(`${server.host}/derived:1`, { image, client, mountFrom: ['base'] });
    const events = await collect(mounted.progress);
    expect((await mounted).uploadedBytes).toBe(0);
    expect(events.filter((e) => e.type === 'blob' && e.state === 'mounted')).toHaveLength(3);
    expect(server.registry.manifest('derived', '1')?.digest).toBe(await image.digest());
  });

  it('pushes an image by name from the image and content stores', async () => {
    const image = randomImage({ seed: 'from-store' });
    await pushImage(`${server.host}/src:1`, { image, client });
    const contentStore = createMemoryContentStore();
    const imageStore = createMemoryImageStore();
    await pullImage(`${server.host}/src:1`, { contentStore, imageStore, client });
    // Re-tag in the store, push under the new name.
    const record = await imageStore.get(`${server.host}/src:1`);
    await imageStore.put({ name: `${server.host}/copy:1`, target: record.target });
    const pushed = await pushImage(`${server.host}/copy:1`, { contentStore, imageStore, client });
    expect(pushed.descriptor.digest).toBe(await image.digest());
  });

  it('reads a remote image lazily and verified through the Image interface', async () => {
    const index = multiPlatformIndex();
    await pushImage(`${server.host}/lazy:1`, { image: index, client });
    const before = server.registry.requests.length;
    const image = await remoteImage(`${server.host}/lazy:1`, { client, platform: 'linux/arm/v7' });
    expect(server.registry.requests.length - before).toBe(2);
    expect((await image.config()).architecture).toBe('arm');
    const [layer] = await image.layers();
    const chunks: Buffer[] = [];
    for await (const chunk of await layer!.uncompressed()) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).byteLength).toBeGreaterThan(1024);
    const remote = await remoteIndex(`${server.host}/lazy:1`, { client });
    expect((await remote!.manifest()).manifests).toHaveLength(3);
    expect(await remoteIndex(`${server.host}/lazy@${image.descriptor.digest}`, { client })).toBeUndefined();
  });
});

describe('registry mirrors', () => {
  it('reads docker.io through a mirror first and falls back to the origin', async () => {
    await using mirror = await startMemoryRegistry();
    await using origin = await startMemoryRegistry();
    const image = randomImage({ seed: 'mirrored' });
    const only = randomImage({ seed: 'origin-only' });
    const setup = createRegistryClient({ hosts: { 'docker.io': { endpoint: origin.url } } });
    const setupMirror = createRegistryClient({ hosts: { 'docker.io': { endpoint: mirror.url } } });
    const client = createRegistryClient({ mirrors: [mirror.url], hosts: { 'docker.io': { endpoint: origin.url } }, retry: fastRetry });
    try {
      await pushImage('docker.io/library/mirrored:1', { image, client: setupMirror });
      await pushImage('origin-only:1', { image: only, client: setup });
      const originRequests = origin.registry.requests.length;
      await pullImage('mirrored:1', { contentStore: createMemoryContentStore(), client });
      expect(origin.registry.requests.length).toBe(originRequests);
      const result = await pullImage('origin-only:1', { contentStore: createMemoryContentStore(), client });
      expect(result.manifest.digest).toBe(await only.digest());
      expect(mirror.registry.requests.some((r) => r.path === '/v2/library/origin-only/manifests/1' && r.status === 404)).toBe(true);
    } finally {
      setup.close();
      setupMirror.close();
      client.close();
    }
  });
});
