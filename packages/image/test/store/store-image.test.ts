import { Readable } from 'node:stream';
import { isInvalidArgument, isNotFound } from '@berth/errdefs';
import { type Descriptor, MediaTypes, digestOf } from '@berth/spec';
import { makeTempDir } from '@berth/testkit';
import { describe, expect, it } from 'vitest';
import { createFsContentStore } from '../../src/content/fs-content-store.js';
import { createMemoryContentStore } from '../../src/content/memory-content-store.js';
import { type BlobSource, compressedImage } from '../../src/partial/compressed-image.js';
import { contentBlobSource, storeImage, storeIndex } from '../../src/store/store-image.js';
import { type BlobWriteEvent, writeImageToStore } from '../../src/store/write-image-to-store.js';
import { blobDigests, putImage, putIndex, tarOf } from './test-images.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('storeImage', () => {
  it('reads manifest, config and layers of an image from the content store', async () => {
    const content = createMemoryContentStore();
    const built = await putImage(content, { layers: [{ 'a.txt': 'A' }, { 'b.txt': 'B' }] });
    const image = storeImage(content, built.manifest);
    expect(await image.digest()).toBe(built.manifest.digest);
    expect(await image.configDigest()).toBe(built.config.digest);
    expect((await image.config()).architecture).toBe('amd64');
    const layers = await image.layers();
    expect(layers).toHaveLength(2);
    expect(await layers[1]!.diffId()).toBe(built.diffIds[1]);
    expect(await readAll(await layers[1]!.uncompressed())).toEqual(await tarOf({ 'b.txt': 'B' }));
    expect((await readAll(await layers[0]!.compressed())).length).toBe(built.layers[0]!.size);
  });

  it('surfaces a missing blob as NotFound from the call that needs it', async () => {
    const content = createMemoryContentStore();
    const built = await putImage(content);
    await content.delete(built.config.digest);
    const image = storeImage(content, built.manifest);
    expect((await image.manifest()).layers).toHaveLength(1);
    await expect(image.config()).rejects.toSatisfy(isNotFound);
  });

  it('refuses a document whose size differs from its descriptor', async () => {
    const content = createMemoryContentStore();
    const built = await putImage(content);
    const source = contentBlobSource(content);
    await expect(source.readDocument({ ...built.manifest, size: built.manifest.size - 1 })).rejects.toSatisfy(isInvalidArgument);
    await expect(source.readDocument({ ...built.manifest, size: built.manifest.size + 1 })).rejects.toSatisfy(isInvalidArgument);
  });

  it('opens an index and its children', async () => {
    const content = createMemoryContentStore();
    const amd = await putImage(content, { platform: { os: 'linux', architecture: 'amd64' } });
    const arm = await putImage(content, { platform: { os: 'linux', architecture: 'arm64' }, layers: [{ arm: '1' }] });
    const index = await putIndex(content, [
      { manifest: amd.manifest, platform: { os: 'linux', architecture: 'amd64' } },
      { manifest: arm.manifest, platform: { os: 'linux', architecture: 'arm64' } },
    ]);
    const opened = storeIndex(content, index);
    expect((await opened.manifest()).manifests).toHaveLength(2);
    expect(await (await opened.image(arm.manifest.digest)).configDigest()).toBe(arm.config.digest);
  });
});

/** A source over `content` that records which blobs were opened as streams. */
function recordingSource(content: ReturnType<typeof createMemoryContentStore>, opened: Descriptor[], corrupt?: string): BlobSource {
  const inner = contentBlobSource(content);
  return {
    readDocument: (d, o) => inner.readDocument(d, o),
    async openBlob(d, o) {
      opened.push(d);
      if (d.digest === corrupt) return Readable.from([Buffer.from('not the layer you are looking for')]);
      return inner.openBlob(d, o);
    },
  };
}

describe('writeImageToStore', () => {
  it('copies layers, config and manifest and returns the manifest descriptor', async () => {
    const from = createMemoryContentStore();
    const to = createMemoryContentStore();
    const built = await putImage(from, { layers: [{ a: '1' }, { b: '2' }] });
    const top = await writeImageToStore(storeImage(from, built.manifest), to);
    expect(top).toEqual(built.manifest);
    expect(await blobDigests(to)).toEqual(new Set([built.manifest.digest, built.config.digest, ...built.layers.map((l) => l.digest)]));
    const copy = storeImage(to, top);
    expect(await readAll(await (await copy.layers())[1]!.uncompressed())).toEqual(await tarOf({ b: '2' }));
  });

  it('skips blobs the store has without opening their source', async () => {
    const from = createMemoryContentStore();
    const to = createMemoryContentStore();
    const built = await putImage(from, { layers: [{ a: '1' }, { b: '2' }] });
    await putImage(to, { layers: [{ a: '1' }] }); // shares the first layer
    const opened: Descriptor[] = [];
    const events: BlobWriteEvent[] = [];
    await writeImageToStore(compressedImage(recordingSource(from, opened), built.manifest), to, { onBlob: (e) => events.push(e) });
    expect(opened.map((d) => d.digest)).toEqual([built.layers[1]!.digest]);
    const status = Object.fromEntries(events.map((e) => [e.descriptor.digest, e.status]));
    expect(status[built.layers[0]!.digest]).toBe('present');
    expect(status[built.layers[1]!.digest]).toBe('written');
    expect(status[built.manifest.digest]).toBe('written');
  });

  it('refuses a layer whose bytes do not match its digest, and publishes nothing under it', async () => {
    const from = createMemoryContentStore();
    const to = createMemoryContentStore();
    const built = await putImage(from);
    const source = recordingSource(from, [], built.layers[0]!.digest);
    await expect(writeImageToStore(compressedImage(source, built.manifest), to)).rejects.toSatisfy(isInvalidArgument);
    expect(await to.has(built.layers[0]!.digest)).toBe(false);
    expect(await to.has(built.manifest.digest)).toBe(false);
    expect(await to.ingests()).toEqual([]);
  });

  it('refuses an image whose manifest bytes do not hash to its digest', async () => {
    const from = createMemoryContentStore();
    const to = createMemoryContentStore();
    const built = await putImage(from);
    const real = storeImage(from, built.manifest);
    const lying = { ...real, digest: async () => digestOf('something else') };
    await expect(writeImageToStore(lying, to)).rejects.toSatisfy(isInvalidArgument);
  });

  it('copies an index with its children, or only the children chosen, always with the index', async () => {
    const from = createMemoryContentStore();
    const amd = await putImage(from, { platform: { os: 'linux', architecture: 'amd64' }, layers: [{ amd: '1' }] });
    const arm = await putImage(from, { platform: { os: 'linux', architecture: 'arm64' }, layers: [{ arm: '1' }] });
    const index = await putIndex(from, [
      { manifest: amd.manifest, platform: { os: 'linux', architecture: 'amd64' } },
      { manifest: arm.manifest, platform: { os: 'linux', architecture: 'arm64' } },
    ]);

    const all = createMemoryContentStore();
    expect(await writeImageToStore(storeIndex(from, index), all)).toMatchObject({ digest: index.digest, mediaType: MediaTypes.OciIndex });
    expect(await blobDigests(all)).toEqual(await blobDigests(from));

    const one = createMemoryContentStore();
    await writeImageToStore(storeIndex(from, index), one, { includeChild: (d) => d.platform?.architecture === 'amd64' });
    expect(await blobDigests(one)).toEqual(new Set([index.digest, amd.manifest.digest, amd.config.digest, amd.layers[0]!.digest]));
  });

  it('stops when aborted', async () => {
    const from = createMemoryContentStore();
    const to = createMemoryContentStore();
    const built = await putImage(from);
    const controller = new AbortController();
    controller.abort();
    await expect(writeImageToStore(storeImage(from, built.manifest), to, { signal: controller.signal })).rejects.toThrow();
    expect(await to.has(built.manifest.digest)).toBe(false);
  });

  it('streams an image into a filesystem content store', async () => {
    const from = createMemoryContentStore();
    const dir = await makeTempDir('berth-write-image');
    try {
      const to = await createFsContentStore({ root: dir.path });
      const big = 'x'.repeat(300_000);
      const built = await putImage(from, { layers: [{ big }, { small: 's' }] });
      await writeImageToStore(storeImage(from, built.manifest), to);
      const copy = storeImage(to, built.manifest);
      expect(await readAll(await (await copy.layers())[0]!.uncompressed())).toEqual(await tarOf({ big }));
      expect(await to.ingests()).toEqual([]);
    } finally {
      await dir.remove();
    }
  });
});
