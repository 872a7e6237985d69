import { createWriteStream } from 'node:fs';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { isInvalidArgument, isNotFound } from '@berth/errdefs';
import { type Image, type Layer, mutate, readDockerArchive, writeDockerArchive, writeOciLayout } from '@berth/image';
import { busyboxImage, multiLayerImage, multiPlatformIndex, randomImage, randomLayer } from '@berth/image/testing';
import { MediaTypes, defaultPlatform, digestHex, digestOf } from '@berth/spec';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestOfStream, listTar } from '../testing/stream-helpers.js';
import { type Member, bytesOf, writeTarFile } from './tar-file.js';

let temp: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir('berth-docker-archive');
});
afterEach(async () => {
  await temp.remove();
});

/** Config digest, diff IDs and verified layer contents agree between two images. */
async function expectSameContent(actual: Image, expected: Image): Promise<void> {
  expect(await actual.configDigest()).toBe(await expected.configDigest());
  expect(Buffer.from(await actual.rawConfig())).toEqual(Buffer.from(await expected.rawConfig()));
  const diffIds = (await expected.config()).rootfs.diff_ids;
  const layers = await actual.layers();
  expect(await Promise.all(layers.map((l) => l.diffId()))).toEqual(diffIds);
  for (const [i, layer] of layers.entries()) {
    expect((await digestOfStream(await layer.uncompressed())).digest).toBe(diffIds[i]);
    expect((await digestOfStream(await layer.compressed())).digest).toBe(await layer.digest());
  }
}

describe('writeDockerArchive → readDockerArchive', () => {
  it('round-trips several images with their tags, sharing common layers', async () => {
    const path = join(temp.path, 'images.tar');
    const busybox = busyboxImage();
    const layered = multiLayerImage();
    const random = randomImage({ layers: 2, seed: 'archive' });
    await writeDockerArchive(path, [
      { image: busybox, tags: ['busybox', 'docker.io/library/busybox:stable'] },
      { image: layered, tags: ['localhost:5000/team/layered:1'] },
      { image: random, tags: [] },
    ]);
    const images = await readDockerArchive(path);
    expect(images.map((i) => i.tags)).toEqual([['busybox:latest', 'busybox:stable'], ['localhost:5000/team/layered:1'], []]);
    await expectSameContent(images[0]!.image, busybox);
    await expectSameContent(images[1]!.image, layered);
    await expectSameContent(images[2]!.image, random);

    // The archive's own OCI manifests are used: uncompressed layers named by diff ID.
    const manifest = await images[1]!.image.manifest();
    expect(await images[1]!.image.mediaType()).toBe(MediaTypes.OciManifest);
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([MediaTypes.OciLayer, MediaTypes.OciLayer, MediaTypes.OciLayer]);
    expect(manifest.layers.map((l) => l.digest)).toEqual((await layered.config()).rootfs.diff_ids);
    expect(await images[1]!.image.digest()).toBe(digestOf(await images[1]!.image.rawManifest()));

    // The busybox layer both images share is stored once.
    const busyboxDiffId = (await busybox.config()).rootfs.diff_ids[0]!;
    const members = await listTar(Readable.from(await readFile(path)), { contentUpTo: 100_000 });
    expect(members.filter((m) => m.name === `blobs/sha256/${digestHex(busyboxDiffId)}`)).toHaveLength(1);
  });

  it('writes the Docker 25 layout: oci-layout, index.json with names, manifest.json, repositories', async () => {
    const path = join(temp.path, 'one.tar');
    const image = randomImage({ layers: 2, seed: 'layout' });
    await writeDockerArchive(path, [{ image, tags: ['app:v1', 'example.com/app:v2'] }]);
    const members = await listTar(Readable.from(await readFile(path)), { contentUpTo: 100_000 });
    const byName = new Map(members.map((m) => [m.name, m]));
    expect(JSON.parse(byName.get('oci-layout')!.content!)).toEqual({ imageLayoutVersion: '1.0.0' });
    const diffIds = (await image.config()).rootfs.diff_ids;
    const manifestJson = JSON.parse(byName.get('manifest.json')!.content!);
    expect(manifestJson).toEqual([
      {
        Config: `blobs/sha256/${digestHex(await image.configDigest())}`,
        RepoTags: ['app:v1', 'example.com/app:v2'],
        Layers: diffIds.map((d) => `blobs/sha256/${digestHex(d)}`),
      },
    ]);
    expect(JSON.parse(byName.get('repositories')!.content!)).toEqual({
      app: { v1: digestHex(diffIds[1]!) },
      'example.com/app': { v2: digestHex(diffIds[1]!) },
    });
    const index = JSON.parse(byName.get('index.json')!.content!);
    expect(index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations)).toEqual([
      { 'io.containerd.image.name': 'docker.io/library/app:v1', 'org.opencontainers.image.ref.name': 'v1' },
      { 'io.containerd.image.name': 'example.com/app:v2', 'org.opencontainers.image.ref.name': 'v2' },
    ]);
    const manifest = JSON.parse(byName.get(`blobs/sha256/${digestHex(index.manifests[0].digest)}`)!.content!);
    expect(manifest.config.digest).toBe(await image.configDigest());
    expect(members.every((m) => m.mtime === 0)).toBe(true);
  });

  it('writes the same bytes for the same images', async () => {
    const images = [{ image: randomImage({ layers: 2, seed: 'det' }), tags: ['det:1'] }];
    await writeDockerArchive(join(temp.path, 'a.tar'), images);
    await writeDockerArchive(join(temp.path, 'b.tar'), images);
    expect(digestOf(await readFile(join(temp.path, 'a.tar')))).toBe(digestOf(await readFile(join(temp.path, 'b.tar'))));
  });

  it('writes to a stream', async () => {
    const path = join(temp.path, 'streamed.tar');
    const out = new PassThrough();
    const saved = pipeline(out, createWriteStream(path));
    const image = randomImage({ seed: 'stream' });
    await writeDockerArchive(out, [{ image, tags: ['streamed:latest'] }]);
    await saved;
    const [read] = await readDockerArchive(path);
    await expectSameContent(read!.image, image);
  });

  it('refuses digest references and leaves nothing behind', async () => {
    const path = join(temp.path, 'digest.tar');
    const err = await writeDockerArchive(path, [{ image: randomImage(), tags: [`busybox@${digestOf('x')}`] }]).catch((e: unknown) => e);
    expect(isInvalidArgument(err)).toBe(true);
    expect(await readdir(temp.path)).toEqual([]);
  });

  it('refuses a layer whose tar does not match its diff ID, removing the partial file', async () => {
    const honest = randomLayer({ seed: 'honest', compression: 'none' });
    const liar: Layer = { ...honest, diffId: async () => digestOf('something else') };
    const image = mutate.appendLayers(mutate.empty(), liar);
    const err = await writeDockerArchive(join(temp.path, 'bad.tar'), [{ image, tags: ['bad:1'] }]).catch((e: unknown) => e);
    expect(isInvalidArgument(err)).toBe(true);
    expect(await readdir(temp.path)).toEqual([]);
  });

  it('stops on abort and removes the partial file', async () => {
    const controller = new AbortController();
    const image = randomImage({ layers: 3, layerSize: 1 << 20, seed: 'abort' });
    await image.digest();
    const writing = writeDockerArchive(join(temp.path, 'aborted.tar'), [{ image, tags: ['a:1'] }], { signal: controller.signal });
    setImmediate(() => controller.abort());
    await expect(writing).rejects.toThrow();
    expect(await readdir(temp.path)).toEqual([]);
  });
});

describe('readDockerArchive of archives other tools write', () => {
  async function classicMembers(image: Image, options: { gzipSecond?: boolean; symlinked?: boolean } = {}): Promise<Member[]> {
    const configHex = digestHex(await image.configDigest());
    const layers = await image.layers();
    const members: Member[] = [{ name: `${configHex}.json`, content: await image.rawConfig() }];
    const paths: string[] = [];
    for (const [i, layer] of layers.entries()) {
      const tar = await bytesOf(await layer.uncompressed());
      const id = digestHex(digestOf(`v1-${i}`));
      members.push({ name: `${id}/`, type: 'directory' }, { name: `${id}/VERSION`, content: '1.0' });
      const content = options.gzipSecond && i === 1 ? gzipSync(tar) : tar;
      if (options.symlinked) {
        members.push({ name: `${id}.tar`, content }, { name: `${id}/layer.tar`, type: 'symlink', linkname: `../${id}.tar` });
      } else {
        members.push({ name: `${id}/layer.tar`, content });
      }
      paths.push(`${id}/layer.tar`);
    }
    members.push(
      { name: 'manifest.json', content: JSON.stringify([{ Config: `${configHex}.json`, RepoTags: ['docker.io/library/classic:1'], Layers: paths }]) },
      { name: 'repositories', content: '{}' },
    );
    return members;
  }

  it('reads the classic format, making up a Docker manifest', async () => {
    const image = randomImage({ layers: 2, seed: 'classic' });
    const path = join(temp.path, 'classic.tar');
    await writeTarFile(path, await classicMembers(image));
    const [read] = await readDockerArchive(path);
    expect(read!.tags).toEqual(['classic:1']);
    await expectSameContent(read!.image, image);
    const manifest = await read!.image.manifest();
    expect(manifest.mediaType).toBe(MediaTypes.DockerManifest);
    expect(manifest.config.mediaType).toBe(MediaTypes.DockerConfig);
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([MediaTypes.DockerLayer, MediaTypes.DockerLayer]);
    expect(manifest.layers.map((l) => l.digest)).toEqual((await image.config()).rootfs.diff_ids);
  });

  it('sniffs gzipped layer files and follows layer.tar symlinks (skopeo’s layout)', async () => {
    const image = randomImage({ layers: 2, seed: 'gz' });
    const path = join(temp.path, 'gz.tar');
    await writeTarFile(path, await classicMembers(image, { gzipSecond: true, symlinked: true }));
    const [read] = await readDockerArchive(path);
    await expectSameContent(read!.image, image);
    const [first, second] = await read!.image.layers();
    expect(await first!.mediaType()).toBe(MediaTypes.DockerLayer);
    expect(await second!.mediaType()).toBe(MediaTypes.DockerLayerGzip);
    expect(await second!.digest()).not.toBe(await second!.diffId());
  });

  it('falls back to manifest.json when index.json names blobs the archive lacks', async () => {
    const image = randomImage({ seed: 'partial' });
    const layer = (await image.layers())[0]!;
    const diffId = await layer.diffId();
    const path = join(temp.path, 'partial.tar');
    const missing = { mediaType: MediaTypes.OciManifest, digest: digestOf('absent'), size: 10 };
    await writeTarFile(path, [
      { name: `blobs/sha256/${digestHex(await image.configDigest())}`, content: await image.rawConfig() },
      { name: `blobs/sha256/${digestHex(diffId)}`, content: await bytesOf(await layer.uncompressed()) },
      { name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' },
      { name: 'index.json', content: JSON.stringify({ schemaVersion: 2, manifests: [missing] }) },
      {
        name: 'manifest.json',
        content: JSON.stringify([{ Config: `blobs/sha256/${digestHex(await image.configDigest())}`, RepoTags: null, Layers: [`blobs/sha256/${digestHex(diffId)}`] }]),
      },
    ]);
    const [read] = await readDockerArchive(path);
    expect(read!.tags).toEqual([]);
    expect(await read!.image.mediaType()).toBe(MediaTypes.DockerManifest);
    await expectSameContent(read!.image, image);
  });

  async function tarDirectory(dir: string, path: string): Promise<void> {
    const members: Member[] = [];
    const walk = async (rel: string): Promise<void> => {
      for (const name of (await readdir(join(dir, rel))).sort()) {
        const relPath = rel ? `${rel}/${name}` : name;
        if ((await stat(join(dir, relPath))).isDirectory()) await walk(relPath);
        else members.push({ name: relPath, content: await readFile(join(dir, relPath)) });
      }
    };
    await walk('');
    await writeTarFile(path, members);
  }

  it('reads an archive that is only an OCI layout, naming images by their annotations', async () => {
    const layout = join(temp.path, 'layout');
    const image = randomImage({ layers: 2, seed: 'oci-only' });
    const index = multiPlatformIndex();
    await writeOciLayout(layout, [
      { image, refName: '2', annotations: { 'io.containerd.image.name': 'docker.io/library/oci-only:2' } },
      { index, annotations: { 'io.containerd.image.name': 'docker.io/library/busybox:multi' } },
    ]);
    const path = join(temp.path, 'oci.tar');
    await tarDirectory(layout, path);
    const images = await readDockerArchive(path);
    expect(images.map((i) => i.tags)).toEqual([['oci-only:2'], ['busybox:multi']]);
    expect(await images[0]!.image.digest()).toBe(await image.digest());
    await expectSameContent(images[0]!.image, image);
    // From the index, the image for this machine.
    const config = await images[1]!.image.config();
    expect(config.architecture).toBe(defaultPlatform().architecture);
  });
});

describe('readDockerArchive refuses what is not a docker archive', () => {
  async function expectInvalid(members: Member[], why: RegExp): Promise<void> {
    const path = join(temp.path, 'corrupt.tar');
    await writeTarFile(path, members);
    const err = await readDockerArchive(path).catch((e: unknown) => e);
    expect(isInvalidArgument(err)).toBe(true);
    expect((err as Error).message).toMatch(why);
  }

  it('a missing file is NotFound', async () => {
    expect(isNotFound(await readDockerArchive(join(temp.path, 'none.tar')).catch((e: unknown) => e))).toBe(true);
  });

  it('a tar without manifest.json or index.json', () => expectInvalid([{ name: 'hello.txt', content: 'hi' }], /neither manifest.json nor an OCI layout/));

  it('a manifest.json that is not JSON', () => expectInvalid([{ name: 'manifest.json', content: '[{' }], /not valid JSON/));

  it('a manifest.json of the wrong shape', () => expectInvalid([{ name: 'manifest.json', content: '[{"Config": 3}]' }], /malformed/));

  it('a config the archive does not hold', () =>
    expectInvalid([{ name: 'manifest.json', content: '[{"Config":"x.json","Layers":[]}]' }], /config "x.json".*does not hold/));

  it('a layer count that disagrees with the config', async () => {
    const image = randomImage({ layers: 2 });
    await expectInvalid(
      [
        { name: 'c.json', content: await image.rawConfig() },
        { name: 'l.tar', content: '' },
        { name: 'manifest.json', content: '[{"Config":"c.json","Layers":["l.tar"]}]' },
      ],
      /2 diff IDs but manifest.json lists 1 layers/,
    );
  });

  it('an invalid RepoTag', async () => {
    const image = mutate.empty();
    await expectInvalid(
      [
        { name: 'c.json', content: await image.rawConfig() },
        { name: 'manifest.json', content: '[{"Config":"c.json","Layers":[],"RepoTags":["UPPER:case"]}]' },
      ],
      /invalid RepoTag/,
    );
  });

  it('a file that is not a tar at all', async () => {
    const path = join(temp.path, 'text.tar');
    await writeFile(path, 'this is not a tar archive, not even close'.repeat(30));
    expect(isInvalidArgument(await readDockerArchive(path).catch((e: unknown) => e))).toBe(true);
  });
});
