import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isInvalidArgument, isNotFound } from '@berth/errdefs';
import { type Image, type Layer, mutate, ociLayoutBlobSource, readOciLayout, writeOciLayout } from '@berth/image';
import { busyboxImage, multiPlatformIndex, randomImage, randomLayer } from '@berth/image/testing';
import { MediaTypes, defaultPlatform, digestHex, digestOf } from '@berth/spec';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestOfStream } from '../testing/stream-helpers.js';

let temp: { path: string; remove: () => Promise<void> };
let dir: string;
beforeEach(async () => {
  temp = await makeTempDir('berth-oci-layout');
  dir = join(temp.path, 'layout');
});
afterEach(async () => {
  await temp.remove();
});

async function expectSameImage(actual: Image, expected: Image): Promise<void> {
  expect(await actual.digest()).toBe(await expected.digest());
  expect(Buffer.from(await actual.rawManifest())).toEqual(Buffer.from(await expected.rawManifest()));
  expect(await actual.configDigest()).toBe(await expected.configDigest());
  const [actualLayers, expectedLayers] = [await actual.layers(), await expected.layers()];
  expect(actualLayers).toHaveLength(expectedLayers.length);
  for (const [i, layer] of actualLayers.entries()) {
    expect((await digestOfStream(await layer.compressed())).digest).toBe(await expectedLayers[i]!.digest());
    expect(await layer.diffId()).toBe(await expectedLayers[i]!.diffId());
  }
}

describe('writeOciLayout → readOciLayout', () => {
  it('round-trips an image byte for byte, named by ref', async () => {
    const image = randomImage({ layers: 2, seed: 'layout' });
    const added = await writeOciLayout(dir, [{ image, refName: 'v1' }]);
    expect(added).toEqual([
      {
        mediaType: MediaTypes.OciManifest,
        digest: await image.digest(),
        size: (await image.rawManifest()).byteLength,
        annotations: { 'org.opencontainers.image.ref.name': 'v1' },
      },
    ]);
    expect(JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const blobs = await readdir(join(dir, 'blobs', 'sha256'));
    expect(blobs.sort()).toEqual(
      [
        await image.digest(),
        await image.configDigest(),
        ...(await image.manifest()).layers.map((l) => l.digest),
      ]
        .map(digestHex)
        .sort(),
    );
    const layout = await readOciLayout(dir);
    expect([...layout.refs.keys()]).toEqual(['v1']);
    await expectSameImage(await layout.image('v1'), image);
    const index = await layout.index.manifest();
    expect(index.manifests).toEqual(added);
    expect(await layout.index.digest()).toBe(digestOf(await readFile(join(dir, 'index.json'))));
    await expectSameImage(await layout.index.image(await image.digest()), image);
  });

  it('writes an index with every child, and picks this machine’s image for its ref', async () => {
    const index = multiPlatformIndex();
    await writeOciLayout(dir, [{ index, refName: 'multi' }]);
    const layout = await readOciLayout(dir);
    const entry = layout.refs.get('multi')!;
    expect(entry.kind).toBe('index');
    if (entry.kind !== 'index') return;
    expect(await entry.index.digest()).toBe(await index.digest());
    for (const child of (await index.manifest()).manifests) {
      await expectSameImage(await entry.index.image(child.digest), await index.image(child.digest));
    }
    const chosen = await layout.image('multi');
    expect((await chosen.config()).architecture).toBe(defaultPlatform().architecture);
  });

  it('appends to an existing layout; a reused ref name replaces the old entry', async () => {
    const a = randomImage({ seed: 'a' });
    const b = randomImage({ seed: 'b' });
    const c = randomImage({ seed: 'c' });
    await writeOciLayout(dir, [{ image: a, refName: 'latest' }, { image: b, refName: 'b' }]);
    await writeOciLayout(dir, [{ image: c, refName: 'latest' }, { image: a }]);
    await writeOciLayout(dir, [{ image: a }]); // an unnamed entry is not listed twice
    const layout = await readOciLayout(dir);
    expect(await (await layout.image('latest')).digest()).toBe(await c.digest());
    expect(await (await layout.image('b')).digest()).toBe(await b.digest());
    const manifests = (await layout.index.manifest()).manifests;
    expect(manifests.map((m) => [m.digest, m.annotations?.['org.opencontainers.image.ref.name']])).toEqual([
      [await b.digest(), 'b'],
      [await c.digest(), 'latest'],
      [await a.digest(), undefined],
    ]);
  });

  it('shares blobs: a layer already present is not written again', async () => {
    const layer = randomLayer({ seed: 'shared', size: 4096 });
    const one = mutate.appendLayers(mutate.empty(), layer);
    const two = mutate.config(one, { Cmd: ['true'] });
    await writeOciLayout(dir, [{ image: one, refName: 'one' }]);
    let opened = 0;
    const counting: Layer = { ...layer, compressed: async (o) => (opened++, layer.compressed(o)) };
    await writeOciLayout(dir, [{ image: mutate.config(mutate.appendLayers(mutate.empty(), counting), { Cmd: ['true'] }), refName: 'two' }]);
    expect(opened).toBe(0);
    await expectSameImage(await (await readOciLayout(dir)).image('two'), two);
  });

  it('refuses a layer whose bytes do not match its digest, leaving no blob behind', async () => {
    const honest = randomLayer({ seed: 'honest' });
    const liar: Layer = { ...honest, compressed: async () => Readable.from([Buffer.from('not the layer')]) };
    const image = mutate.appendLayers(mutate.empty(), liar);
    const err = await writeOciLayout(dir, [{ image, refName: 'bad' }]).catch((e: unknown) => e);
    expect(isInvalidArgument(err)).toBe(true);
    expect(await readdir(join(dir, 'blobs', 'sha256'))).toEqual([]);
    // index.json was never written: nothing names a half-written image.
    await expect(readFile(join(dir, 'index.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('readOciLayout refuses what is not a layout', () => {
  it('a missing directory is NotFound', async () => {
    expect(isNotFound(await readOciLayout(join(temp.path, 'none')).catch((e: unknown) => e))).toBe(true);
  });

  it('a directory without oci-layout is InvalidArgument', async () => {
    await mkdir(dir);
    const err = await readOciLayout(dir).catch((e: unknown) => e);
    expect(isInvalidArgument(err)).toBe(true);
    expect((err as Error).message).toMatch(/no oci-layout/);
  });

  it('an unknown layout version or a malformed index.json is InvalidArgument', async () => {
    await mkdir(dir);
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    await writeFile(join(dir, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
    expect(isInvalidArgument(await readOciLayout(dir).catch((e: unknown) => e))).toBe(true);
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(join(dir, 'index.json'), '{"schemaVersion":2,"manifests":[{"digest":"nope"}]}');
    expect(isInvalidArgument(await readOciLayout(dir).catch((e: unknown) => e))).toBe(true);
  });

  it('an unknown ref is NotFound', async () => {
    await writeOciLayout(dir, [{ image: busyboxImage(), refName: 'latest' }]);
    expect(isNotFound(await (await readOciLayout(dir)).image('other').catch((e: unknown) => e))).toBe(true);
  });

  it('a tampered document is InvalidArgument; a missing blob is NotFound', async () => {
    const image = randomImage({ seed: 'tamper' });
    await writeOciLayout(dir, [{ image, refName: 'x' }]);
    const configPath = join(dir, 'blobs', 'sha256', digestHex(await image.configDigest()));
    const config = await readFile(configPath);
    config[0] = 0x20; // same size, other bytes
    await writeFile(configPath, config);
    const read = await (await readOciLayout(dir)).image('x');
    expect(isInvalidArgument(await read.config().catch((e: unknown) => e))).toBe(true);
    const source = ociLayoutBlobSource(dir);
    const missing = { mediaType: MediaTypes.OciLayerGzip, digest: digestOf('missing'), size: 1 };
    expect(isNotFound(await source.openBlob(missing).catch((e: unknown) => e))).toBe(true);
    const layer = (await image.manifest()).layers[0]!;
    expect(isInvalidArgument(await source.openBlob({ ...layer, size: layer.size + 1 }).catch((e: unknown) => e))).toBe(true);
  });
});
