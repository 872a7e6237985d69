import { isNotFound } from '@berth/errdefs';
import { compressedImage, describeBytes, layerFromTar, mutate } from '@berth/image';
import type { BlobSource, Image } from '@berth/image';
import { randomLayer } from '@berth/image/testing';
import { MediaTypes, digestOf, imageManifestSchema } from '@berth/spec';
import { describe, expect, it } from 'vitest';

async function checkSelfConsistent(image: Image): Promise<void> {
  const raw = await image.rawManifest();
  const manifest = imageManifestSchema.parse(JSON.parse(Buffer.from(raw).toString('utf8')));
  expect(await image.digest()).toBe(digestOf(raw));
  expect(manifest.config.digest).toBe(digestOf(await image.rawConfig()));
  expect(await image.configDigest()).toBe(manifest.config.digest);
  const layers = await image.layers();
  const config = await image.config();
  expect(config.rootfs.diff_ids).toEqual(await Promise.all(layers.map((l) => l.diffId())));
  expect(manifest.layers.map((l) => l.digest)).toEqual(await Promise.all(layers.map((l) => l.digest())));
}

describe('mutate.empty', () => {
  it('is an image without layers for the given platform', async () => {
    const image = mutate.empty({ platform: { os: 'linux', architecture: 'arm', variant: 'v7' } });
    expect(await image.layers()).toEqual([]);
    const config = await image.config();
    expect(config).toMatchObject({ os: 'linux', architecture: 'arm', variant: 'v7', rootfs: { type: 'layers', diff_ids: [] } });
    expect(await image.mediaType()).toBe(MediaTypes.OciManifest);
    await checkSelfConsistent(image);
  });

  it('makes Docker schema2 manifests on request', async () => {
    const image = mutate.empty({ format: 'docker' });
    expect(await image.mediaType()).toBe(MediaTypes.DockerManifest);
    expect((await image.manifest()).config.mediaType).toBe(MediaTypes.DockerConfig);
  });
});

describe('mutate.appendLayers', () => {
  it('adds diff IDs, history and layers on top of the base without changing it', async () => {
    const base = mutate.empty();
    const baseDigest = await base.digest();
    const [a, b] = [randomLayer({ seed: 'a' }), randomLayer({ seed: 'b' })];
    const one = mutate.appendLayers(base, a);
    const two = mutate.appendLayers(one, { layer: b, history: { created_by: 'RUN make b' } });
    expect(await base.digest()).toBe(baseDigest);
    expect((await base.layers()).length).toBe(0);
    const config = await two.config();
    expect(config.rootfs.diff_ids).toEqual([await a.diffId(), await b.diffId()]);
    expect(config.history).toEqual([{ created_by: 'berth: mutate.appendLayers' }, { created_by: 'RUN make b' }]);
    expect(await two.layerByDigest(await b.digest())).toBeDefined();
    expect(await (await two.layerByDiffId(await a.diffId())).digest()).toBe(await a.digest());
    await checkSelfConsistent(two);
    expect(await two.digest()).not.toBe(await one.digest());
  });

  it('is deterministic: the same inputs give the same digests', async () => {
    const build = () => mutate.appendLayers(mutate.empty(), randomLayer({ seed: 7 }));
    expect(await build().digest()).toBe(await build().digest());
  });

  it('answers NotFound for a layer it does not have', async () => {
    const image = mutate.appendLayers(mutate.empty(), randomLayer());
    const err = await image.layerByDigest(digestOf('nope')).catch((e: unknown) => e);
    expect(isNotFound(err)).toBe(true);
  });

  it('labels layers with Docker media types in a Docker manifest', async () => {
    const image = mutate.appendLayers(mutate.empty({ format: 'docker' }), randomLayer());
    expect((await image.manifest()).layers[0]!.mediaType).toBe(MediaTypes.DockerLayerGzip);
    expect(await (await image.layers())[0]!.mediaType()).toBe(MediaTypes.DockerLayerGzip);
  });

  it('keeps a source image’s config bytes and layers when appending to it', async () => {
    // A base read from a BlobSource (as from a registry or a layout).
    const layer = layerFromTar(Buffer.alloc(1024));
    const seed = mutate.appendLayers(mutate.empty(), layer);
    const blobs = new Map<string, Uint8Array>([
      [await seed.digest(), await seed.rawManifest()],
      [await seed.configDigest(), await seed.rawConfig()],
    ]);
    const source: BlobSource = {
      readDocument: async (d) => blobs.get(d.digest)!,
      openBlob: async () => layer.compressed(),
    };
    const base = compressedImage(source, describeBytes(MediaTypes.OciManifest, await seed.rawManifest()));
    const next = mutate.appendLayers(base, randomLayer());
    expect((await next.config()).rootfs.diff_ids[0]).toBe(await layer.diffId());
    await checkSelfConsistent(next);
  });
});

describe('mutate.config and mutate.configFile', () => {
  it('merges runtime defaults, replacing given keys whole', async () => {
    const base = mutate.config(mutate.empty(), { Env: ['A=1'], Cmd: ['sh'], WorkingDir: '/' });
    const next = mutate.config(base, { Cmd: ['echo', 'hi'], Labels: { a: 'b' } });
    expect((await next.config()).config).toEqual({ Env: ['A=1'], Cmd: ['echo', 'hi'], WorkingDir: '/', Labels: { a: 'b' } });
    expect(await next.configDigest()).not.toBe(await base.configDigest());
    await checkSelfConsistent(next);
  });

  it('shares the layers of the base', async () => {
    const layer = randomLayer({ seed: 'shared' });
    const base = mutate.appendLayers(mutate.empty(), layer);
    const next = mutate.config(base, { User: 'nobody' });
    expect((await next.manifest()).layers).toEqual((await base.manifest()).layers);
  });

  it('rewrites the whole config document with configFile', async () => {
    const next = mutate.configFile(mutate.empty(), (c) => ({ ...c, architecture: 's390x', created: '2020-01-01T00:00:00Z' }));
    expect(await next.config()).toMatchObject({ architecture: 's390x', created: '2020-01-01T00:00:00Z' });
    await checkSelfConsistent(next);
  });
});

describe('mutate.appendManifests', () => {
  it('builds an index whose descriptors match its children and whose children are served', async () => {
    const amd = mutate.appendLayers(mutate.empty({ platform: { os: 'linux', architecture: 'amd64' } }), randomLayer());
    const arm = mutate.appendLayers(mutate.empty({ platform: { os: 'linux', architecture: 'arm64' } }), randomLayer());
    const index = mutate.appendManifests(mutate.emptyIndex(), { image: amd }, { image: arm, annotations: { x: 'y' } });
    const manifest = await index.manifest();
    expect(await index.digest()).toBe(digestOf(await index.rawManifest()));
    expect(manifest.mediaType).toBe(MediaTypes.OciIndex);
    expect(manifest.manifests).toEqual([
      { mediaType: MediaTypes.OciManifest, digest: await amd.digest(), size: (await amd.rawManifest()).byteLength, platform: { os: 'linux', architecture: 'amd64' } },
      {
        mediaType: MediaTypes.OciManifest,
        digest: await arm.digest(),
        size: (await arm.rawManifest()).byteLength,
        platform: { os: 'linux', architecture: 'arm64' },
        annotations: { x: 'y' },
      },
    ]);
    expect(await index.image(await arm.digest())).toBe(arm);
    const err = await index.image(digestOf('other')).catch((e: unknown) => e);
    expect(isNotFound(err)).toBe(true);
  });

  it('nests indexes and keeps the base index’s entries', async () => {
    const inner = mutate.appendManifests(mutate.emptyIndex(), { image: mutate.empty() });
    const first = mutate.appendManifests(mutate.emptyIndex({ format: 'docker' }), { image: mutate.empty({ format: 'docker' }) });
    const outer = mutate.appendManifests(first, { index: inner });
    const manifest = await outer.manifest();
    expect(manifest.mediaType).toBe(MediaTypes.DockerManifestList);
    expect(manifest.manifests).toHaveLength(2);
    expect(await outer.index(await inner.digest())).toBe(inner);
    expect(await (await outer.image(manifest.manifests[0]!.digest)).digest()).toBe(manifest.manifests[0]!.digest);
  });
});
