import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Image, readDockerArchive, readOciLayout, writeDockerArchive, writeOciLayout } from '@berth/image';
import { busyboxImage, multiLayerImage, multiPlatformIndex } from '@berth/image/testing';
import { digestOf } from '@berth/spec';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { digestOfStream } from '../testing/stream-helpers.js';

const run = promisify(execFile);

async function skopeo(...args: string[]): Promise<string> {
  const { stdout } = await run('skopeo', ['--insecure-policy', ...args], { maxBuffer: 16 << 20 });
  return stdout;
}

let temp: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir('berth-skopeo');
});
afterEach(async () => {
  await temp.remove();
});

/** Same image ID, same diff IDs, and every layer really is what its diff ID says. */
async function expectSameContent(actual: Image, expected: Image): Promise<void> {
  expect(await actual.configDigest()).toBe(await expected.configDigest());
  const diffIds = (await expected.config()).rootfs.diff_ids;
  const layers = await actual.layers();
  expect(await Promise.all(layers.map((l) => l.diffId()))).toEqual(diffIds);
  for (const [i, layer] of layers.entries()) {
    expect((await digestOfStream(await layer.uncompressed())).digest).toBe(diffIds[i]);
  }
}

describeIntegration('interoperability with skopeo', { commands: ['skopeo'] }, () => {
  it('skopeo reads a docker archive Berth wrote (inspect and copy to an OCI layout)', async () => {
    const archive = join(temp.path, 'berth.tar');
    const busybox = busyboxImage();
    const layered = multiLayerImage();
    await writeDockerArchive(archive, [
      { image: busybox, tags: ['busybox:latest'] },
      { image: layered, tags: ['example.com/layered:1'] },
    ]);

    const rawConfig = await skopeo('inspect', '--raw', '--config', `docker-archive:${archive}:busybox:latest`);
    expect(digestOf(rawConfig)).toBe(await busybox.configDigest());
    const inspected = JSON.parse(await skopeo('inspect', `docker-archive:${archive}:@1`));
    expect(inspected.Layers).toEqual((await layered.config()).rootfs.diff_ids);
    expect(inspected.Architecture).toBe((await layered.config()).architecture);

    // Kept as Docker schema2 (skopeo's conversion to OCI would re-serialise the config),
    // the copy keeps the image ID; Berth reads Docker manifests in OCI layouts too.
    const layout = join(temp.path, 'from-archive');
    await skopeo('copy', '--format', 'v2s2', `docker-archive:${archive}:example.com/layered:1`, `oci:${layout}:layered`);
    const copied = await (await readOciLayout(layout)).image('layered');
    await expectSameContent(copied, layered);

    // Converted to OCI, the config is rewritten but the layers are the same.
    const converted = join(temp.path, 'converted');
    await skopeo('copy', `docker-archive:${archive}:busybox:latest`, `oci:${converted}:busybox`);
    const image = await (await readOciLayout(converted)).image('busybox');
    expect((await image.config()).rootfs.diff_ids).toEqual((await busybox.config()).rootfs.diff_ids);
    const [layer] = await image.layers();
    expect((await digestOfStream(await layer!.uncompressed())).digest).toBe(await layer!.diffId());
  });

  it('Berth reads a docker archive skopeo wrote', async () => {
    const layout = join(temp.path, 'berth-layout');
    const layered = multiLayerImage();
    await writeOciLayout(layout, [{ image: layered, refName: 'v1' }]);
    const archive = join(temp.path, 'skopeo.tar');
    await skopeo('copy', `oci:${layout}:v1`, `docker-archive:${archive}:team/layered:v1`);
    const images = await readDockerArchive(archive);
    expect(images).toHaveLength(1);
    expect(images[0]!.tags).toEqual(['team/layered:v1']);
    await expectSameContent(images[0]!.image, layered);
    // skopeo stores the layers uncompressed: their blob digests are the diff IDs.
    expect((await images[0]!.image.manifest()).layers.map((l) => l.digest)).toEqual((await layered.config()).rootfs.diff_ids);
  });

  it('skopeo reads an OCI layout Berth wrote, with the same manifest digests', async () => {
    const layout = join(temp.path, 'berth-layout');
    const busybox = busyboxImage();
    const index = multiPlatformIndex();
    await writeOciLayout(layout, [
      { image: busybox, refName: 'latest' },
      { index, refName: 'multi' },
    ]);
    expect(digestOf(await skopeo('inspect', '--raw', `oci:${layout}:latest`))).toBe(await busybox.digest());
    expect(digestOf(await skopeo('inspect', '--raw', `oci:${layout}:multi`))).toBe(await index.digest());
    expect(digestOf(await skopeo('inspect', '--raw', '--config', `oci:${layout}:latest`))).toBe(await busybox.configDigest());

    // And an OCI layout skopeo wrote from it reads back in Berth, digests intact.
    const copy = join(temp.path, 'skopeo-layout');
    await skopeo('copy', `oci:${layout}:latest`, `oci:${copy}:copied`);
    await skopeo('copy', '--all', `oci:${layout}:multi`, `oci:${copy}:multi`);
    const read = await readOciLayout(copy);
    const copied = await read.image('copied');
    expect(await copied.digest()).toBe(await busybox.digest());
    await expectSameContent(copied, busybox);
    const multi = read.refs.get('multi')!;
    expect(multi.kind).toBe('index');
    if (multi.kind === 'index') expect(await multi.index.digest()).toBe(await index.digest());
  });
});
