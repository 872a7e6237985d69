import type { Readable } from 'node:stream';
import { InvalidArgumentError, isBerthError } from '@berth/errdefs';
import {
  type BlobSource,
  type ContentStore,
  type Image,
  type ImageStore,
  type Snapshotter,
  type UnpackResult,
  compressedImage,
  limitConcurrency,
  storeImage,
  unpackImage,
} from '@berth/image';
import {
  type Descriptor,
  type Digest,
  type ImageConfig,
  type ImageManifest,
  type ImageReference,
  type Platform,
  defaultPlatform,
  imageConfigSchema,
  parsePlatform,
} from '@berth/spec';
import type { RegistryClient, RegistryClientOptions } from '../client/registry-client.js';
import type { RemoteRepositoryImpl } from '../client/remote-repository.js';
import { asBerthError } from '../errors/to-berth-error.js';
import { EventChannel } from '../internal/event-channel.js';
import type { AuthOption } from '../auth/credentials.js';
import { openClient, toReference } from '../internal/client-for.js';
import { downloadBlob } from './download-blob.js';
import type { LayerState, PullEvent } from './pull-events.js';
import { resolveImage } from './resolve-image.js';

/** Options of {@link pullImage}. */
export interface PullOptions {
  /** Where blobs go; each is verified against its digest before it becomes visible. */
  contentStore: ContentStore;
  /** When given, the reference is recorded there (name → the index or manifest it named). */
  imageStore?: ImageStore;
  /** When given, the image is also unpacked into it, overlapping with the downloads. */
  snapshotter?: Snapshotter;
  /** The platform to pick from a multi-platform index (default: this host's), e.g. `linux/arm64`. */
  platform?: Platform | string;
  /**
   * Credentials for the image's registry, or a source of credentials (anonymous when
   * absent). Used only when `client` is absent: a given client has its own credentials.
   */
  auth?: AuthOption;
  /** A client to reuse (connections, tokens); otherwise one is made from `registry` and `auth` and closed at the end. */
  client?: RegistryClient;
  /** Settings of the client made when `client` is absent (TLS, insecure registries, mirrors, retries). */
  registry?: RegistryClientOptions;
  /** Layers downloaded at the same time (default 3, as dockerd). */
  concurrency?: number;
  signal?: AbortSignal;
}

/** What a finished pull produced. */
export interface PullResult {
  /** The reference, normalised (`docker.io/library/busybox:latest`). */
  reference: ImageReference;
  /** The image store name recorded (the reference in the form image stores key by). */
  name: string;
  /** What the reference names (an index or a manifest): the image record's target. */
  target: Descriptor;
  /** The pulled platform's manifest. */
  manifest: Descriptor;
  /** Digest of the image config: Docker's image ID. */
  configDigest: Digest;
  /** The platform of the pulled image, from its config. */
  platform: Platform;
  /** The pulled image, read from the content store. */
  image: Image;
  /** Compressed bytes transferred (resumed bytes included, present layers excluded). */
  downloadedBytes: number;
  /** Where the image was unpacked, when a snapshotter was given. */
  unpacked?: UnpackResult;
}

/**
 * A running pull. Iterate `progress` for events (once; optional — unconsumed byte counts
 * coalesce, so not iterating costs nothing), and await `done` (or the handle itself) for
 * the result. `done` resolves only when every blob is in the content store, the name is
 * in the image store, and — with a snapshotter — the image is unpacked.
 *
 * ```ts
 * const pull = pullImage('busybox', { contentStore, imageStore });
 * for await (const event of pull.progress) render(event);
 * const { configDigest } = await pull.done;
 * ```
 */
export interface PullHandle extends PromiseLike<PullResult> {
  readonly progress: AsyncIterable<PullEvent>;
  readonly done: Promise<PullResult>;
}

/** Compressed config documents larger than this are refused (they are held in memory). */
const maxConfigBytes = 16 << 20;

/**
 * Pulls an image: resolves `reference` (an index → the manifest for `platform`), fetches the
 * config, then the layers — concurrently, streamed into the content store, verified, resumed
 * with `Range` after interruptions, retried with backoff — and finally writes the manifest
 * (and index) documents and records the name. Layers the store holds are not fetched.
 * With a snapshotter, layers are unpacked bottom-up as soon as each one is in the store.
 * Errors are `@berth/errdefs` errors naming the registry, repository and reference.
 */
export function pullImage(reference: string | ImageReference, options: PullOptions): PullHandle {
  const events = new EventChannel<PullEvent>();
  const done = runPull(reference, options, events).then(
    (result) => {
      events.close();
      return result;
    },
    (err: unknown) => {
      events.fail(err);
      throw err;
    },
  );
  // Callers may iterate progress only; the failure still reaches them through it.
  done.catch(() => undefined);
  return {
    progress: events,
    done,
    then: (onFulfilled, onRejected) => done.then(onFulfilled, onRejected),
  };
}

async function runPull(input: string | ImageReference, options: PullOptions, events: EventChannel<PullEvent>): Promise<PullResult> {
  const reference = toReference(input);
  const platform = typeof options.platform === 'string' ? parsePlatform(options.platform) : (options.platform ?? defaultPlatform());
  const { client, close } = openClient(reference, options);
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) abort.abort(options.signal.reason);
  const signal = abort.signal;
  try {
    const repository = client.repository(reference.domain, reference.path) as RemoteRepositoryImpl;
    const resolved = await resolveImage(repository, reference, platform, signal);
    const { manifest, manifestDescriptor } = resolved;
    events.push({
      type: 'resolved',
      reference: reference.toString(),
      target: resolved.target,
      manifest: manifestDescriptor,
      platform: resolved.platform,
      layers: manifest.layers,
    });

    const content = options.contentStore;
    const configBytes = await fetchConfig(repository, manifest.config, content, signal);
    const config = parseConfig(configBytes, manifest.config.digest);

    const layers = uniqueLayers(manifest);
    const transfer = new TransferTracker(layers, events, Boolean(options.snapshotter));
    const limit = limitConcurrency(options.concurrency ?? 3);
    const policy = client.retryPolicy;
    const downloads = new Map<Digest, Promise<void>>();
    for (const layer of layers) {
      transfer.set(layer.digest, 'waiting', 0);
      downloads.set(
        layer.digest,
        limit(async () => {
          signal.throwIfAborted();
          const fetched = await downloadBlob(repository, layer, content, policy, {
            onBytes: (bytes) => transfer.set(layer.digest, 'downloading', bytes),
            onVerifying: () => transfer.set(layer.digest, 'verifying', layer.size),
            onRetry: (attempt, reason, offset) => events.push({ type: 'retry', digest: layer.digest, attempt, reason, offset }),
          }, signal);
          transfer.stored(layer.digest, fetched);
        }),
      );
    }
    const allDownloads = Promise.all(downloads.values());
    // A failed download stops everything else at once.
    allDownloads.catch((err: unknown) => abort.abort(err));

    let unpacked: UnpackResult | undefined;
    if (options.snapshotter) {
      const gated = gatedImage(manifestDescriptor, resolved.manifestBytes, configBytes, content, downloads);
      const digests = manifest.layers.map((l) => l.digest);
      try {
        unpacked = await unpackImage(gated, options.snapshotter, {
          signal,
          onProgress: (event) => {
            const digest = digests[event.layer]!;
            transfer.unpackState(digest, event.state);
          },
        });
      } catch (err) {
        // When a download failed first, its error explains more than the unpack's abort.
        await allDownloads;
        throw err;
      }
    }
    await allDownloads;

    // Documents after everything they reference: a document in the store has its children.
    await ingestDocument(content, manifestDescriptor, resolved.manifestBytes, signal);
    if (resolved.indexBytes) await ingestDocument(content, resolved.target, resolved.indexBytes, signal);
    const name = reference.toDockerRef().toString();
    if (options.imageStore) await options.imageStore.put({ name, target: resolved.target });
    return {
      reference,
      name,
      target: resolved.target,
      manifest: manifestDescriptor,
      configDigest: manifest.config.digest,
      platform: { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) },
      image: storeImage(content, manifestDescriptor),
      downloadedBytes: transfer.downloadedBytes,
      ...(unpacked ? { unpacked } : {}),
    };
  } catch (err) {
    const cause = signal.aborted && !options.signal?.aborted && isBerthError(signal.reason) ? signal.reason : err;
    throw asBerthError(cause, `pulling ${reference.toString()}`);
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    if (!abort.signal.aborted) abort.abort();
    close();
  }
}

function uniqueLayers(manifest: ImageManifest): Descriptor[] {
  const seen = new Set<Digest>();
  return manifest.layers.filter((l) => (seen.has(l.digest) ? false : (seen.add(l.digest), true)));
}

function parseConfig(bytes: Uint8Array, digest: Digest): ImageConfig {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new InvalidArgumentError(`image config ${digest} is not valid JSON`, { cause: err });
  }
  const parsed = imageConfigSchema.safeParse(json);
  if (!parsed.success) throw new InvalidArgumentError(`image config ${digest} is malformed: ${parsed.error.message}`);
  return parsed.data;
}

/** The config, from the store when it has it, else from the registry (verified) into the store. */
async function fetchConfig(repository: RemoteRepositoryImpl, descriptor: Descriptor, content: ContentStore, signal: AbortSignal): Promise<Uint8Array> {
  if (descriptor.size > maxConfigBytes) {
    throw new InvalidArgumentError(`image config ${descriptor.digest} is ${descriptor.size} bytes, more than the ${maxConfigBytes} allowed`);
  }
  if (await content.has(descriptor.digest)) return content.readBytes(descriptor.digest, { maxSize: maxConfigBytes, signal });
  const stream = await repository.fetchBlob(descriptor, { signal });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  await content.ingest({ digest: descriptor.digest, size: descriptor.size }, once(bytes), { signal });
  return bytes;
}

async function ingestDocument(content: ContentStore, descriptor: Descriptor, bytes: Uint8Array, signal: AbortSignal): Promise<void> {
  if (await content.has(descriptor.digest)) return;
  await content.ingest({ digest: descriptor.digest, size: descriptor.size }, once(bytes), { signal });
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/**
 * The image being pulled, as the unpacker sees it: documents from memory, and each layer
 * readable from the content store as soon as its download has committed — so unpacking
 * layer N overlaps downloading layers above it.
 */
function gatedImage(
  manifest: Descriptor,
  manifestBytes: Uint8Array,
  configBytes: Uint8Array,
  content: ContentStore,
  downloads: Map<Digest, Promise<void>>,
): Image {
  const source: BlobSource = {
    async readDocument(descriptor) {
      if (descriptor.digest === manifest.digest) return manifestBytes;
      return configBytes;
    },
    async openBlob(descriptor, options): Promise<Readable> {
      await downloads.get(descriptor.digest);
      return content.read(descriptor.digest, options);
    },
  };
  return compressedImage(source, manifest);
}

interface LayerProgress {
  state: LayerState;
  bytes: number;
  total: number;
  /** Offset of the first downloading event: bytes before it were resumed, not transferred now. */
  resumedFrom: number | undefined;
  stored: boolean;
  /** The unpacker has started on it (it may still be waiting for the download). */
  extracting: boolean;
  unpacked: boolean;
}

/**
 * Per-layer state and the totals, turned into events. Downloads and the unpacker report
 * independently (the unpacker announces a layer before its download has finished); this
 * orders them: downloading → verifying → downloaded/exists → extracting → done.
 */
class TransferTracker {
  private readonly layers = new Map<Digest, LayerProgress>();
  private readonly total: number;
  downloadedBytes = 0;

  constructor(
    layers: Descriptor[],
    private readonly events: EventChannel<PullEvent>,
    private readonly unpacking: boolean,
  ) {
    for (const layer of layers) {
      this.layers.set(layer.digest, { state: 'waiting', bytes: 0, total: layer.size, resumedFrom: undefined, stored: false, extracting: false, unpacked: false });
    }
    this.total = layers.reduce((sum, l) => sum + l.size, 0);
  }

  /** A download state change or byte count. */
  set(digest: Digest, state: 'waiting' | 'downloading' | 'verifying', bytes: number): void {
    const layer = this.layers.get(digest);
    if (!layer || layer.stored) return;
    if (state === 'downloading') {
      layer.resumedFrom ??= bytes;
      this.downloadedBytes += Math.max(0, bytes - Math.max(layer.bytes, layer.resumedFrom));
    }
    this.emit(digest, layer, state, bytes);
  }

  /** The blob is in the store: fetched now (`true`) or already there. */
  stored(digest: Digest, fetched: boolean): void {
    const layer = this.layers.get(digest);
    if (!layer) return;
    layer.stored = true;
    this.emit(digest, layer, fetched ? 'downloaded' : 'exists', layer.total);
    if (!this.unpacking || layer.unpacked) this.emit(digest, layer, 'done', layer.total);
    else if (layer.extracting) this.emit(digest, layer, 'extracting', layer.total);
  }

  /** An unpacker event for the layer. */
  unpackState(digest: Digest, state: 'skipped' | 'extracting' | 'done'): void {
    const layer = this.layers.get(digest);
    if (!layer) return;
    if (state === 'extracting') {
      layer.extracting = true;
      if (layer.stored) this.emit(digest, layer, 'extracting', layer.total);
      return;
    }
    layer.unpacked = true;
    if (layer.stored) this.emit(digest, layer, 'done', layer.total);
  }

  private emit(digest: Digest, layer: LayerProgress, state: LayerState, bytes: number): void {
    if (layer.state === 'done') return;
    layer.state = state;
    layer.bytes = bytes;
    this.events.push({ type: 'layer', state, digest, bytes, total: layer.total }, state === 'downloading' ? `downloading:${digest}` : undefined);
    let held = 0;
    let layersDone = 0;
    for (const each of this.layers.values()) {
      held += each.bytes;
      if (each.state === 'done') layersDone++;
    }
    this.events.push({ type: 'totals', bytes: Math.min(held, this.total), total: this.total, layersDone, layers: this.layers.size }, 'totals');
  }
}
