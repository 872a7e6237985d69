import { Readable, pipeline } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import { type Digest, type LayerCompression, MediaTypes } from '@berth/spec';
import type { Layer, OpenOptions } from '../image.js';
import { decompress, sniffCompression, withSignal } from '../layer/decompress.js';
import { compress } from './compress.js';
import { DigestingSink, DigestingStream } from './digesting-stream.js';
import { memo } from './memo.js';
import { peekHead } from './peek.js';

/**
 * Where a layer's tar comes from: bytes in memory (small fixtures), or a factory that
 * opens a fresh stream each time it is called (a file, a generated tar). The content may
 * be a plain tar or already gzip/zstd-compressed; it is sniffed.
 */
export type TarSource = Uint8Array | (() => Readable | Promise<Readable>);

/** Options of {@link layerFromTar}. */
export interface LayerFromTarOptions {
  /** Compression of the layer blob (default `gzip`). An input already compressed this way is used as is. */
  compression?: LayerCompression;
  /** Media type of the blob; defaults to the OCI layer media type of `compression`. */
  mediaType?: string;
}

const ociMediaTypes: Record<LayerCompression, string> = {
  none: MediaTypes.OciLayer,
  gzip: MediaTypes.OciLayerGzip,
  zstd: MediaTypes.OciLayerZstd,
};

/** Opens a {@link TarSource} as a fresh byte stream. */
export async function openTarSource(source: TarSource, options: OpenOptions = {}): Promise<Readable> {
  const stream =
    source instanceof Uint8Array
      ? Readable.from(source.byteLength ? [Buffer.from(source.buffer, source.byteOffset, source.byteLength)] : [], { objectMode: false })
      : await source();
  return withSignal(stream, options.signal);
}

/**
 * A {@link Layer} made from a tar. Lazy: the source is first read when a digest, diff ID or
 * size is asked for — one pass that hashes the tar and its compressed form together — and
 * again on every `compressed()`/`uncompressed()` call (compression is deterministic, so
 * the bytes always match the digest). Nothing is buffered.
 *
 * ```ts
 * const layer = layerFromTar(() => createReadStream('rootfs.tar'), { compression: 'gzip' });
 * ```
 */
export function layerFromTar(source: TarSource, options: LayerFromTarOptions = {}): Layer {
  const target = options.compression ?? 'gzip';
  const mediaType = options.mediaType ?? ociMediaTypes[target];

  const info = memo(async (): Promise<{ digest: Digest; size: number; diffId: Digest }> => {
    const { head, stream } = await peekHead(await openTarSource(source), 4);
    const input = sniffCompression(head);
    if (input === target) {
      const blob = new DigestingStream();
      const tar = new DigestingSink();
      await pipelineAsync(decompress(through(stream, blob), input), tar);
      return { digest: blob.digest(), size: blob.bytes, diffId: tar.digest() };
    }
    const tar = new DigestingStream();
    const blob = new DigestingSink();
    await pipelineAsync(compress(through(decompress(stream, input), tar), target), blob);
    return { digest: blob.digest(), size: blob.bytes, diffId: tar.digest() };
  });

  return {
    digest: async () => (await info()).digest,
    diffId: async () => (await info()).diffId,
    size: async () => (await info()).size,
    mediaType: async () => mediaType,
    async compressed(openOptions) {
      const { head, stream } = await peekHead(await openTarSource(source, openOptions), 4);
      const input = sniffCompression(head);
      return input === target ? stream : compress(decompress(stream, input), target);
    },
    async uncompressed(openOptions) {
      return decompress(await openTarSource(source, openOptions), 'auto');
    },
  };
}

/** Pipes `input` into `transform` (errors travel downstream) and returns the transform. */
function through<T extends NodeJS.ReadWriteStream & Readable>(input: Readable, transform: T): T {
  pipeline(input, transform, () => {
    // pipeline destroys `transform` on error; its consumer sees it.
  });
  return transform;
}
