import { MediaTypes, digestOf } from '@berth/spec';
import { describe, expect, it } from 'vitest';
import { createMemoryContentStore } from '../../src/content/memory-content-store.js';
import { collectGarbage } from '../../src/store/collect-garbage.js';
import { createMemoryImageStore } from '../../src/store/memory-image-store.js';
import { blobDigests, putBlob, putImage, putIndex } from './test-images.js';

describe('collectGarbage', () => {
  it('removes the blobs of a removed image and keeps the layers another image shares', async () => {
    const content = createMemoryContentStore();
    const images = createMemoryImageStore();
    const kept = await putImage(content, { layers: [{ base: '1' }, { kept: '1' }] });
    const removed = await putImage(content, { layers: [{ base: '1' }, { removed: '1' }] });
    await images.create({ name: 'docker.io/library/kept:latest', target: kept.manifest });
    await images.create({ name: 'docker.io/library/removed:latest', target: removed.manifest });
    await images.delete('docker.io/library/removed:latest');

    const result = await collectGarbage({ content, images });
    const gone = [removed.manifest, removed.config, removed.layers[1]!];
    expect(new Set(result.removed)).toEqual(new Set(gone.map((d) => d.digest)));
    expect(result.reclaimedBytes).toBe(gone.reduce((sum, d) => sum + d.size, 0));
    expect(await blobDigests(content)).toEqual(
      new Set([kept.manifest.digest, kept.config.digest, ...kept.layers.map((l) => l.digest)]),
    );
    expect(kept.layers[0]!.digest).toBe(removed.layers[0]!.digest);
  });

  it('walks an index to every child present and tolerates missing children', async () => {
    const content = createMemoryContentStore();
    const images = createMemoryImageStore();
    const amd = await putImage(content, { layers: [{ amd: '1' }] });
    const arm = await putImage(content, { layers: [{ arm: '1' }], platform: { os: 'linux', architecture: 'arm64' } });
    const missing = { mediaType: MediaTypes.OciManifest, digest: digestOf('never pulled'), size: 12 };
    const index = await putIndex(content, [
      { manifest: amd.manifest, platform: { os: 'linux', architecture: 'amd64' } },
      { manifest: arm.manifest, platform: { os: 'linux', architecture: 'arm64' } },
      { manifest: missing, platform: { os: 'linux', architecture: 's390x' } },
    ]);
    const stray = await putBlob(content, 'application/octet-stream', Buffer.from('stray'));
    await images.create({ name: 'docker.io/library/multi:latest', target: index });

    const result = await collectGarbage({ content, images });
    expect(result.removed).toEqual([stray.digest]);
    expect(await content.has(arm.layers[0]!.digest)).toBe(true);
  });

  it('keeps the graphs of extra roots', async () => {
    const content = createMemoryContentStore();
    const images = createMemoryImageStore();
    const pulling = await putImage(content);
    const result = await collectGarbage({ content, images, extraRoots: [pulling.manifest] });
    expect(result).toEqual({ removed: [], reclaimedBytes: 0 });
  });

  it('never touches pending ingests', async () => {
    const content = createMemoryContentStore();
    const images = createMemoryImageStore();
    const writer = await content.writer('pull-in-progress', { digest: digestOf('partial data!'), size: 13 });
    await writer.write(Buffer.from('partial'));
    await writer.close();
    await collectGarbage({ content, images });
    expect((await content.ingests()).map((i) => i.ref)).toEqual(['pull-in-progress']);
  });

  it('removes everything when no image remains', async () => {
    const content = createMemoryContentStore();
    const built = await putImage(content);
    const result = await collectGarbage({ content, images: createMemoryImageStore() });
    expect(result.removed).toHaveLength(3);
    expect(await blobDigests(content)).toEqual(new Set());
    expect(built.manifest.size).toBeGreaterThan(0);
  });

  it('stops when aborted before starting', async () => {
    const content = createMemoryContentStore();
    await putImage(content);
    const controller = new AbortController();
    controller.abort();
    await expect(collectGarbage({ content, images: createMemoryImageStore(), signal: controller.signal })).rejects.toThrow();
    expect((await blobDigests(content)).size).toBe(3);
  });
});
