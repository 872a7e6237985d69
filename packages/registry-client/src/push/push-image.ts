import { Readable } from 'node:stream';
import { FailedPreconditionError, InvalidArgumentError } from '@berth/errdefs';
import {
  type ConcurrencyLimiter,
  type ContentProvider,
  type Image,
  type ImageIndex,
  type ImageStore,
  limitConcurrency,
  storeImageOrIndex,
} from '@berth/image';
import { type Descriptor, type Digest, type ImageReference, isIndexMediaType, isManifestMediaType } from '@berth/spec';
import type { RegistryClient, RegistryClientOptions } from '../client/registry-client.js';
import type { RemoteRepositoryImpl } from '../client/remote-repository.js';
import { asBerthError } from '../errors/to-berth-error.js';
import { EventChannel } from '../internal/event-channel.js';
import type { AuthOption } from '../auth/credentials.js';
import { openClient, toReference } from '../internal/client-for.js';
import type { PushBlobState, PushEvent } from './push-events.js';

/** Options of {@link pushImage}. */
export interface PushOptions {
  /**
   * What to push. When absent, the image store's record for the reference is pushed from
   * `contentStore` (both are then required).
   */
  image?: Image | ImageIndex;
  contentStore?: ContentProvider;
  imageStore?: ImageStore;
  /** Credentials for the target registry, or a source of credentials. */
  auth?: AuthOption;
  client?: RegistryClient;
  registry?: RegistryClientOptions;
  /** Blobs uploaded at the same time (default 5, as dockerd). */
  concurrency?: number;
  /** `monolithic` (default) or `chunked` uploads. */
  uploadMode?: 'monolithic' | 'chunked';
  /** Chunk size of chunked uploads (default 8 MiB). */
  chunkSize?: number;
  /** Repositories on the target registry to try cross-repository mounts from. */
  mountFrom?: string[];
  signal?: AbortSignal;
}

/** What a finished push produced. */
export interface PushResult {
  reference: ImageReference;
  /** The descriptor of the pushed manifest or index (its digest is what a pull by digest uses). */
  descriptor: Descriptor;
  /** Blob bytes sent (blobs the registry had, or mounted, excluded). */
  uploadedBytes: number;
}

/** A running push: iterate `progress` (optional), await `done` or the handle itself. */
export interface PushHandle extends PromiseLike<PushResult> {
  readonly progress: AsyncIterable<PushEvent>;
  readonly done: Promise<PushResult>;
}

/**
 * Pushes an image or a multi-platform index to `reference`: blobs first (checked with
 * `HEAD`, mounted from `mountFrom` where possible, else uploaded concurrently), then each
 * platform manifest by digest, then the top document by tag (or by digest when the
 * reference pins one — which must then match). `done` resolves when the registry has
 * everything.
 */
export function pushImage(reference: string | ImageReference, options: PushOptions = {}): PushHandle {
  const events = new EventChannel<PushEvent>();
  const done = runPush(reference, options, events).then(
    (result) => {
      events.close();
      return result;
    },
    (err: unknown) => {
      events.fail(err);
      throw err;
    },
  );
  done.catch(() => undefined);
  return { progress: events, done, then: (onFulfilled, onRejected) => done.then(onFulfilled, onRejected) };
}

async function runPush(input: string | ImageReference, options: PushOptions, events: EventChannel<PushEvent>): Promise<PushResult> {
  const reference = toReference(input);
  const { client, close } = openClient(reference, options);
  try {
    const source = await sourceOf(reference, options);
    const repository = client.repository(reference.domain, reference.path);
    const pusher = new Pusher(repository, options, events);
    const descriptor = 'layers' in source ? await pusher.pushImage(source) : await pusher.pushIndex(source);
    const bytes = await source.rawManifest();
    if (reference.digest !== undefined && reference.digest !== descriptor.digest) {
      throw new InvalidArgumentError(`cannot push ${descriptor.digest} as ${reference.toString()}: the digests differ`);
    }
    const tagOrDigest = reference.digest ?? reference.tag ?? descriptor.digest;
    const put = await repository.putManifest(tagOrDigest, bytes, descriptor.mediaType, options.signal ? { signal: options.signal } : {});
    events.push({ type: 'manifest', descriptor: put, reference: tagOrDigest });
    return { reference, descriptor: put, uploadedBytes: pusher.uploadedBytes };
  } catch (err) {
    throw asBerthError(err, `pushing ${reference.toString()}`);
  } finally {
    close();
  }
}

async function sourceOf(reference: ImageReference, options: PushOptions): Promise<Image | ImageIndex> {
  if (options.image) return options.image;
  if (!options.imageStore || !options.contentStore) {
    throw new InvalidArgumentError('pushImage needs either `image`, or `imageStore` and `contentStore`');
  }
  const record = await options.imageStore.get(reference.toDockerRef().toString());
  const opened = storeImageOrIndex(options.contentStore, record.target);
  return opened.kind === 'image' ? opened.image : opened.index;
}

/** Pushes blobs and child manifests once each, however many images share them. */
class Pusher {
  private readonly limit: ConcurrencyLimiter;
  private readonly blobs = new Map<Digest, Promise<void>>();
  private readonly progress = new Map<Digest, { state: PushBlobState; bytes: number; total: number }>();
  uploadedBytes = 0;

  constructor(
    private readonly repository: RemoteRepositoryImpl,
    private readonly options: PushOptions,
    private readonly events: EventChannel<PushEvent>,
  ) {
    this.limit = limitConcurrency(options.concurrency ?? 5);
  }

  private get call() {
    return this.options.signal ? { signal: this.options.signal } : {};
  }

  /** Pushes an image's blobs; returns its manifest descriptor (the manifest itself is put by the caller). */
  async pushImage(image: Image): Promise<Descriptor> {
    const [manifest, raw, mediaType, digest, layers] = await Promise.all([image.manifest(), image.rawManifest(), image.mediaType(), image.digest(), image.layers()]);
    const uploads = manifest.layers.map((descriptor, i) => this.pushBlob(descriptor, () => layers[i]!.compressed(this.call)));
    uploads.push(this.pushBlob(manifest.config, async () => Readable.from([Buffer.from(await image.rawConfig())])));
    await Promise.all(uploads);
    return { mediaType, digest, size: raw.byteLength };
  }

  /** Pushes every child of an index (blobs, then the child manifest by digest); returns the index descriptor. */
  async pushIndex(index: ImageIndex): Promise<Descriptor> {
    const [manifest, raw, mediaType, digest] = await Promise.all([index.manifest(), index.rawManifest(), index.mediaType(), index.digest()]);
    await Promise.all(
      manifest.manifests.map(async (child) => {
        if (await this.repository.statManifest(child.digest, this.options.signal)) return;
        let pushed: Descriptor;
        let bytes: Uint8Array;
        if (isIndexMediaType(child.mediaType)) {
          const inner = await index.index(child.digest);
          pushed = await this.pushIndex(inner);
          bytes = await inner.rawManifest();
        } else if (isManifestMediaType(child.mediaType)) {
          const image = await index.image(child.digest);
          pushed = await this.pushImage(image);
          bytes = await image.rawManifest();
        } else {
          throw new FailedPreconditionError(`index ${digest} lists ${child.digest} of media type ${child.mediaType}, which Berth cannot push`);
        }
        const put = await this.repository.putManifest(child.digest, bytes, child.mediaType || pushed.mediaType, this.call);
        this.events.push({ type: 'manifest', descriptor: put, reference: child.digest });
      }),
    );
    return { mediaType, digest, size: raw.byteLength };
  }

  private pushBlob(descriptor: Descriptor, open: () => Promise<Readable>): Promise<void> {
    let pending = this.blobs.get(descriptor.digest);
    if (!pending) {
      this.set(descriptor, 'waiting', 0);
      pending = this.limit(async () => {
        this.options.signal?.throwIfAborted();
        if (await this.repository.statBlobForPush(descriptor.digest, this.options.signal)) {
          this.set(descriptor, 'exists', descriptor.size);
          return;
        }
        const outcome = await this.repository.uploadBlob(descriptor, open, {
          ...this.call,
          ...(this.options.uploadMode ? { mode: this.options.uploadMode } : {}),
          ...(this.options.chunkSize ? { chunkSize: this.options.chunkSize } : {}),
          ...(this.options.mountFrom ? { mountFrom: this.options.mountFrom } : {}),
          onProgress: (bytes) => this.set(descriptor, 'pushing', bytes),
        });
        this.set(descriptor, outcome === 'mounted' ? 'mounted' : 'pushed', descriptor.size);
      });
      this.blobs.set(descriptor.digest, pending);
    }
    return pending;
  }

  private set(descriptor: Descriptor, state: PushBlobState, bytes: number): void {
    const previous = this.progress.get(descriptor.digest);
    if (state === 'pushing') this.uploadedBytes += Math.max(0, bytes - (previous?.state === 'pushing' ? previous.bytes : 0));
    this.progress.set(descriptor.digest, { state, bytes, total: descriptor.size });
    this.events.push({ type: 'blob', state, digest: descriptor.digest, bytes, total: descriptor.size }, state === 'pushing' ? `pushing:${descriptor.digest}` : undefined);
    let held = 0;
    let total = 0;
    let done = 0;
    for (const each of this.progress.values()) {
      held += each.bytes;
      total += each.total;
      if (each.state !== 'waiting' && each.state !== 'pushing') done++;
    }
    this.events.push({ type: 'totals', bytes: held, total, blobsDone: done, blobs: this.progress.size }, 'totals');
  }
}
