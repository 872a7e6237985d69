import type { Readable } from 'node:stream';
import { InvalidArgumentError, NotFoundError } from '@berth/errdefs';
import {
  type Descriptor,
  type Digest,
  type ImageConfig,
  type ImageManifest,
  type IndexManifest,
  digestOf,
  imageConfigSchema,
  imageManifestSchema,
  indexManifestSchema,
  isIndexMediaType,
  layerCompression,
} from '@berth/spec';
import type { z } from 'zod';
import type { Image, ImageIndex, Layer, OpenOptions } from '../image.js';
import { decompress } from '../layer/decompress.js';

/**
 * The three things a medium must provide to be an image source; {@link compressedImage}
 * turns them into the whole {@link Image} interface (go-containerregistry's `partial`).
 * Registries, content stores and OCI layouts are all such sources.
 */
export interface BlobSource {
  /** Reads a small document (manifest, index, config) whole. */
  readDocument(descriptor: Descriptor, options?: OpenOptions): Promise<Uint8Array>;
  /** Opens a blob as a stream. */
  openBlob(descriptor: Descriptor, options?: OpenOptions): Promise<Readable>;
}

/** Parses bytes as JSON against a schema; failures are `InvalidArgument` naming `what`. */
export function parseDocument<T>(bytes: Uint8Array, schema: z.ZodType<T>, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new InvalidArgumentError(`${what} is not valid JSON`, { cause: err });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new InvalidArgumentError(`${what} is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

function memo<T>(fn: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  return () => {
    cached ??= fn().catch((err: unknown) => {
      cached = undefined;
      throw err;
    });
    return cached;
  };
}

/**
 * An {@link Image} whose manifest is `descriptor` in `source`. Layers are the manifest's
 * (compressed) blobs; their uncompressed form is decompressed on the fly and their diff IDs
 * come from the config. Nothing is read until asked for; documents are read once.
 */
export function compressedImage(source: BlobSource, descriptor: Descriptor): Image {
  const rawManifest = memo(() => source.readDocument(descriptor));
  const manifest = memo(async (): Promise<ImageManifest> => parseDocument(await rawManifest(), imageManifestSchema, `manifest ${descriptor.digest}`));
  const rawConfig = memo(async () => source.readDocument((await manifest()).config));
  const config = memo(async (): Promise<ImageConfig> => parseDocument(await rawConfig(), imageConfigSchema, `image config of ${descriptor.digest}`));
  const layers = memo(async (): Promise<Layer[]> => {
    const [m, c] = await Promise.all([manifest(), config()]);
    if (m.layers.length !== c.rootfs.diff_ids.length) {
      throw new InvalidArgumentError(
        `image ${descriptor.digest} lists ${m.layers.length} layers but its config has ${c.rootfs.diff_ids.length} diff IDs`,
      );
    }
    return m.layers.map((layer, i) => compressedLayer(source, layer, c.rootfs.diff_ids[i]!));
  });
  const image: Image = {
    mediaType: async () => (await manifest()).mediaType ?? descriptor.mediaType,
    rawManifest,
    manifest,
    digest: async () => descriptor.digest,
    rawConfig,
    config,
    configDigest: async () => (await manifest()).config.digest,
    layers,
    async layerByDigest(digest: Digest) {
      for (const layer of await layers()) if ((await layer.digest()) === digest) return layer;
      throw new NotFoundError(`image ${descriptor.digest} has no layer ${digest}`);
    },
    async layerByDiffId(diffId: Digest) {
      for (const layer of await layers()) if ((await layer.diffId()) === diffId) return layer;
      throw new NotFoundError(`image ${descriptor.digest} has no layer with diff ID ${diffId}`);
    },
  };
  return image;
}

/** A {@link Layer} for a compressed blob in `source`, with its diff ID known from the config. */
export function compressedLayer(source: BlobSource, descriptor: Descriptor, diffId: Digest): Layer {
  return {
    digest: async () => descriptor.digest,
    diffId: async () => diffId,
    size: async () => descriptor.size,
    mediaType: async () => descriptor.mediaType,
    compressed: (options) => source.openBlob(descriptor, options),
    async uncompressed(options) {
      const blob = await source.openBlob(descriptor, options);
      return decompress(blob, layerCompression(descriptor.mediaType) ?? 'auto');
    },
  };
}

/** An {@link ImageIndex} whose document is `descriptor` in `source`. */
export function compressedIndex(source: BlobSource, descriptor: Descriptor): ImageIndex {
  const rawManifest = memo(() => source.readDocument(descriptor));
  const manifest = memo(async (): Promise<IndexManifest> => parseDocument(await rawManifest(), indexManifestSchema, `index ${descriptor.digest}`));
  const child = async (digest: Digest): Promise<Descriptor> => {
    const found = (await manifest()).manifests.find((m) => m.digest === digest);
    if (!found) throw new NotFoundError(`index ${descriptor.digest} does not list ${digest}`);
    return found;
  };
  return {
    mediaType: async () => (await manifest()).mediaType ?? descriptor.mediaType,
    rawManifest,
    manifest,
    digest: async () => descriptor.digest,
    image: async (digest) => compressedImage(source, await child(digest)),
    index: async (digest) => compressedIndex(source, await child(digest)),
  };
}

/** Opens `descriptor` as an image or an index, by its media type. */
export function imageOrIndex(source: BlobSource, descriptor: Descriptor): { kind: 'image'; image: Image } | { kind: 'index'; index: ImageIndex } {
  return isIndexMediaType(descriptor.mediaType)
    ? { kind: 'index', index: compressedIndex(source, descriptor) }
    : { kind: 'image', image: compressedImage(source, descriptor) };
}

/** The descriptor of a document held in memory. */
export function describeBytes(mediaType: string, bytes: Uint8Array): Descriptor {
  return { mediaType, digest: digestOf(bytes), size: bytes.byteLength };
}
