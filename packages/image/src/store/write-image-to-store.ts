import type { Readable } from 'node:stream';
import { type Descriptor, type Digest, isIndexMediaType, isManifestMediaType } from '@berth/spec';
import type { ContentIngester, ContentProvider } from '../content/content-store.js';
import type { Image, ImageIndex } from '../image.js';
import { limitConcurrency } from '../limit-concurrency.js';
import { describeBytes } from '../partial/compressed-image.js';

/**
 * Where {@link writeImageToStore} writes: an ingester, optionally able to say which blobs it
 * has already (then present blobs are skipped without even opening their source).
 */
export type ImageSinkContent = ContentIngester & Partial<Pick<ContentProvider, 'has'>>;

/** What happened to one blob during {@link writeImageToStore}. */
export interface BlobWriteEvent {
  descriptor: Descriptor;
  /** `present`: the store had it already; `written`: copied and verified. */
  status: 'present' | 'written';
}

/** Options of {@link writeImageToStore}. */
export interface WriteImageOptions {
  signal?: AbortSignal;
  /** Blobs copied at the same time (default 3). */
  concurrency?: number;
  /**
   * For an index: which children to copy (default: all). The index document itself is
   * always written, so a single-platform pull keeps the full list of platforms.
   */
  includeChild?: (child: Descriptor) => boolean;
  /** Called once per blob, when it is known to be in the store. */
  onBlob?: (event: BlobWriteEvent) => void;
}

/**
 * The content-store sink: copies an image (layers, config, then manifest) or an index
 * (its children, then the index document) into `content`, and returns the descriptor of
 * the top document — what an image record's `target` should be.
 *
 * Blobs the store has are skipped. Layers are streamed, never held in memory; every blob
 * is ingested against its expected digest and size, so the store refuses anything that
 * does not match (`InvalidArgument`). Children of an index with a media type that is
 * neither a manifest nor an index are not copied. Documents are written after everything
 * they reference, so a document present in the store has its children too.
 */
export async function writeImageToStore(
  source: Image | ImageIndex,
  content: ImageSinkContent,
  options: WriteImageOptions = {},
): Promise<Descriptor> {
  const limit = limitConcurrency(options.concurrency ?? 3);
  const inFlight = new Map<Digest, Promise<void>>();

  /** Writes one blob once per call, however many images share it. */
  function copyBlob(descriptor: Descriptor, open: BlobOpener): Promise<void> {
    let pending = inFlight.get(descriptor.digest);
    if (!pending) {
      pending = limit(async () => {
        options.signal?.throwIfAborted();
        if (await content.has?.(descriptor.digest)) {
          options.onBlob?.({ descriptor, status: 'present' });
          return;
        }
        await content.ingest({ digest: descriptor.digest, size: descriptor.size }, lazyChunks(open), {
          signal: options.signal,
        });
        options.onBlob?.({ descriptor, status: 'written' });
      });
      inFlight.set(descriptor.digest, pending);
    }
    return pending;
  }

  async function writeImage(image: Image): Promise<Descriptor> {
    const [manifest, rawManifest, mediaType] = await Promise.all([image.manifest(), image.rawManifest(), image.mediaType()]);
    const descriptor = { ...describeBytes(mediaType, rawManifest), digest: await image.digest() };
    const layers = await image.layers();
    await Promise.all([
      ...manifest.layers.map((layerDescriptor, i) =>
        copyBlob(layerDescriptor, () => layers[i]!.compressed({ signal: options.signal })),
      ),
      copyBlob(manifest.config, async () => image.rawConfig()),
    ]);
    await copyBlob(descriptor, () => rawManifest);
    return descriptor;
  }

  async function writeIndex(index: ImageIndex): Promise<Descriptor> {
    const [manifest, rawManifest, mediaType] = await Promise.all([index.manifest(), index.rawManifest(), index.mediaType()]);
    const descriptor = { ...describeBytes(mediaType, rawManifest), digest: await index.digest() };
    const children = manifest.manifests.filter((child) => options.includeChild?.(child) ?? true);
    await Promise.all(
      children.map(async (child) => {
        if (isIndexMediaType(child.mediaType)) await writeIndex(await index.index(child.digest));
        else if (isManifestMediaType(child.mediaType)) await writeImage(await index.image(child.digest));
      }),
    );
    await copyBlob(descriptor, () => rawManifest);
    return descriptor;
  }

  return 'layers' in source ? writeImage(source) : writeIndex(source);
}

/** Opens a blob's bytes: a stream for layers, bytes for documents already in memory. */
type BlobOpener = () => Promise<Readable | Uint8Array> | Uint8Array;

/** Chunks of a blob whose source is opened only when iteration starts (so a present blob is never opened). */
function lazyChunks(open: BlobOpener): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      const opened = await open();
      if (opened instanceof Uint8Array) {
        yield opened;
        return;
      }
      try {
        for await (const chunk of opened) yield chunk as Uint8Array;
      } finally {
        opened.destroy();
      }
    },
  };
}
