import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { layerFromTar } from '@berth/image';
import { tarOf } from '@berth/image/testing';
import { MediaTypes } from '@berth/spec';
import { describe, expect, it } from 'vitest';
import { digestOfStream, listTar } from '../testing/stream-helpers.js';

async function tarBytes(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarOf([
    { type: 'dir', path: 'etc' },
    { type: 'file', path: 'etc/hello', content: 'hello\n' },
  ])() as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('layerFromTar', () => {
  it('gzips a plain tar and reports digests that match the bytes it serves', async () => {
    const tar = await tarBytes();
    const layer = layerFromTar(tar);
    expect(await layer.mediaType()).toBe(MediaTypes.OciLayerGzip);
    expect(await layer.diffId()).toBe(sha256(tar));
    const blob = await digestOfStream(await layer.compressed());
    expect(blob.digest).toBe(await layer.digest());
    expect(blob.size).toBe(await layer.size());
    expect((await digestOfStream(await layer.uncompressed())).digest).toBe(sha256(tar));
    expect((await listTar(await layer.uncompressed())).map((e) => e.name)).toEqual(['etc', 'etc/hello']);
  });

  it('gives the same digest for bytes and for a stream factory of the same tar', async () => {
    const tar = await tarBytes();
    const fromBytes = layerFromTar(tar);
    let opened = 0;
    const fromFactory = layerFromTar(() => {
      opened++;
      return Readable.from([tar.subarray(0, 700), tar.subarray(700)]);
    });
    expect(await fromFactory.digest()).toBe(await fromBytes.digest());
    expect(await fromFactory.diffId()).toBe(await fromBytes.diffId());
    expect(opened).toBe(1); // digest, diff ID and size come from one pass
    await fromFactory.size();
    expect(opened).toBe(1);
  });

  it('uses already-gzipped input as the blob, byte for byte', async () => {
    const tar = await tarBytes();
    const gz = gzipSync(tar, { level: 9 });
    const layer = layerFromTar(gz, { compression: 'gzip' });
    expect(await layer.digest()).toBe(sha256(gz));
    expect(await layer.size()).toBe(gz.byteLength);
    expect(await layer.diffId()).toBe(sha256(tar));
  });

  it('stores the tar itself when asked for no compression (digest = diff ID)', async () => {
    const tar = await tarBytes();
    const layer = layerFromTar(gzipSync(tar), { compression: 'none' });
    expect(await layer.mediaType()).toBe(MediaTypes.OciLayer);
    expect(await layer.digest()).toBe(sha256(tar));
    expect(await layer.diffId()).toBe(sha256(tar));
    expect((await digestOfStream(await layer.compressed())).digest).toBe(sha256(tar));
  });

  it('compresses with zstd on request', async () => {
    const tar = await tarBytes();
    const layer = layerFromTar(tar, { compression: 'zstd' });
    expect(await layer.mediaType()).toBe(MediaTypes.OciLayerZstd);
    const head = (await (await layer.compressed()).toArray())[0] as Buffer;
    expect([...head.subarray(0, 4)]).toEqual([0x28, 0xb5, 0x2f, 0xfd]);
    expect((await digestOfStream(await layer.compressed())).digest).toBe(await layer.digest());
    expect((await digestOfStream(await layer.uncompressed())).digest).toBe(sha256(tar));
  });

  it('takes a custom media type', async () => {
    const layer = layerFromTar(await tarBytes(), { mediaType: MediaTypes.DockerLayerGzip });
    expect(await layer.mediaType()).toBe(MediaTypes.DockerLayerGzip);
  });

  it('surfaces a failing source as a rejected digest', async () => {
    const layer = layerFromTar(() => {
      const stream = new Readable({ read() {} });
      setImmediate(() => stream.destroy(new Error('disk on fire')));
      return stream;
    });
    await expect(layer.digest()).rejects.toThrow(/disk on fire/);
  });
});
