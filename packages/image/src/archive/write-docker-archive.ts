import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { type Readable, type Writable, pipeline as pipelineWithCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError } from '@berth/errdefs';
import {
  type Descriptor,
  type Digest,
  type ImageManifest,
  type ImageReference,
  MediaTypes,
  type Platform,
  digestOf,
  layerCompression,
  parseReference,
} from '@berth/spec';
import tar, { type Pack } from 'tar-stream';
import type { Layer } from '../image.js';
import { blobPath, LayoutFiles, ociLayoutMarker } from '../layout/oci-layout-format.js';
import { DigestingSink, DigestingStream } from '../mutate/digesting-stream.js';
import type { ArchiveImage } from './archive-image.js';
import { ArchiveAnnotations, ArchiveFiles, type ArchiveManifestEntry } from './docker-archive-format.js';

/** Options of {@link writeDockerArchive}. */
export interface WriteDockerArchiveOptions {
  /** Stops the write; a file target is then removed, a stream target destroyed. */
  signal?: AbortSignal;
}

interface PlannedImage {
  rawConfig: Uint8Array;
  configDigest: Digest;
  diffIds: Digest[];
  platform: Platform;
  manifest: Uint8Array;
  manifestDigest: Digest;
  references: ImageReference[];
}

interface PlannedLayer {
  layer: Layer;
  /** Size of the uncompressed tar: the tar header needs it before the data. */
  size: number;
}

const epoch = new Date(0);

/**
 * Writes images to a `docker save` archive, several per archive, in the format Docker 25+
 * writes — an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`) plus the
 * classic `manifest.json` and `repositories` — so both old and new readers (`docker load`
 * of any version, skopeo, go-containerregistry, Berth) load it.
 *
 * Like Docker, layers are stored as uncompressed tars named by diff ID, and each image gets
 * an OCI manifest describing those uncompressed blobs. Config bytes are kept verbatim, so
 * image IDs (config digests) and diff IDs are preserved; the manifest digest is not (the
 * layers changed form). Every layer's tar is verified against its diff ID as it is written;
 * a compressed layer is decompressed twice — once to learn the tar size (a tar header
 * states it before the data), once to write it. Shared layers and configs are written once.
 * All timestamps are the epoch, so the same images give the same bytes.
 *
 * `target` is a file path (written to a temporary sibling and renamed when complete, removed
 * on failure) or a writable stream (ended when done, destroyed on failure). `tags` accepts
 * any reference (`busybox` → `busybox:latest`); digests are refused with `InvalidArgument`.
 */
export async function writeDockerArchive(
  target: string | Writable,
  images: ArchiveImage[],
  options: WriteDockerArchiveOptions = {},
): Promise<void> {
  const { signal } = options;
  const layers = new Map<Digest, PlannedLayer>();
  const planned: PlannedImage[] = [];
  for (const entry of images) planned.push(await planImage(entry, layers, signal));

  const temporary = typeof target === 'string' ? `${target}.tmp-${randomBytes(4).toString('hex')}` : undefined;
  const output = temporary ? createWriteStream(temporary) : (target as Writable);
  const pack = tar.pack();
  const piping = pipeline(pack as unknown as Readable, output, signal ? { signal } : {});
  try {
    await writeEntries(pack, planned, layers, signal);
    pack.finalize();
    await piping;
    if (temporary) await rename(temporary, target as string);
  } catch (err) {
    pack.destroy(err as Error);
    await piping.catch(() => undefined);
    if (temporary) await rm(temporary, { force: true });
    throw err;
  }
}

async function planImage(entry: ArchiveImage, layers: Map<Digest, PlannedLayer>, signal: AbortSignal | undefined): Promise<PlannedImage> {
  const { image } = entry;
  const references = entry.tags.map(referenceOf);
  const [rawConfig, config, imageLayers] = await Promise.all([image.rawConfig(), image.config(), image.layers()]);
  const diffIds = config.rootfs.diff_ids;
  if (imageLayers.length !== diffIds.length) {
    throw new InvalidArgumentError(`image ${await image.digest()} has ${imageLayers.length} layers but its config lists ${diffIds.length} diff IDs`);
  }
  const layerDescriptors: Descriptor[] = [];
  for (const [i, diffId] of diffIds.entries()) {
    signal?.throwIfAborted();
    let plannedLayer = layers.get(diffId);
    if (!plannedLayer) {
      plannedLayer = await planLayer(imageLayers[i]!, diffId, signal);
      layers.set(diffId, plannedLayer);
    }
    layerDescriptors.push({ mediaType: MediaTypes.OciLayer, digest: diffId, size: plannedLayer.size });
  }
  const platform: Platform = {
    architecture: config.architecture,
    os: config.os,
    ...(config.variant ? { variant: config.variant } : {}),
  };
  const configDigest = digestOf(rawConfig);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.OciManifest,
    config: { mediaType: MediaTypes.OciConfig, digest: configDigest, size: rawConfig.byteLength },
    layers: layerDescriptors,
  };
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
  return { rawConfig, configDigest, diffIds, platform, manifest: manifestBytes, manifestDigest: digestOf(manifestBytes), references };
}

function referenceOf(tag: string): ImageReference {
  const reference = parseReference(tag);
  if (reference.digest !== undefined) {
    throw new InvalidArgumentError(`cannot save "${tag}" in a docker archive: archives name images by tag, not digest`);
  }
  return reference.withDefaultTag();
}

async function planLayer(layer: Layer, diffId: Digest, signal: AbortSignal | undefined): Promise<PlannedLayer> {
  if (layerCompression(await layer.mediaType()) === 'none') return { layer, size: await layer.size() };
  const sink = new DigestingSink();
  await pipeline(await layer.uncompressed({ signal }), sink);
  if (sink.digest() !== diffId) {
    throw new InvalidArgumentError(`layer ${await layer.digest()} uncompresses to ${sink.digest()}, but the image config says ${diffId}`);
  }
  return { layer, size: sink.bytes };
}

function addBytes(pack: Pack, name: string, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ name, mode: 0o644, mtime: epoch, type: 'file' }, Buffer.from(bytes), (err) => (err ? reject(err) : resolve()));
  });
}

function addDirectory(pack: Pack, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // A directory has no body: the entry completes on its own.
    pack.entry({ name, mode: 0o755, mtime: epoch, type: 'directory' }, (err) => (err ? reject(err) : resolve()));
  });
}

async function addLayer(pack: Pack, name: string, planned: PlannedLayer, diffId: Digest, signal: AbortSignal | undefined): Promise<void> {
  const hasher = new DigestingStream();
  pipelineWithCallback(await planned.layer.uncompressed({ signal }), hasher, () => {
    // pipeline destroys `hasher` on error; the loop below sees it.
  });
  await new Promise<void>((resolve, reject) => {
    const sink = pack.entry({ name, mode: 0o644, mtime: epoch, type: 'file', size: planned.size }, (err) => (err ? reject(err) : resolve()));
    // Failures arrive through the entry callback; an unheard 'error' event would crash the process.
    sink.on('error', () => undefined);
    void (async () => {
      try {
        for await (const chunk of hasher as AsyncIterable<Buffer>) {
          if (!sink.write(chunk)) {
            await new Promise<void>((r) => {
              const settle = () => {
                sink.off('drain', settle);
                sink.off('close', settle);
                r();
              };
              sink.on('drain', settle);
              sink.on('close', settle);
            });
            if (sink.destroyed) throw new InvalidArgumentError(`archive output closed while writing layer ${diffId}`);
          }
        }
        if (hasher.digest() !== diffId) {
          throw new InvalidArgumentError(`layer ${diffId} does not match its diff ID: its tar hashes to another digest`);
        }
        if (hasher.bytes !== planned.size) {
          throw new InvalidArgumentError(`layer ${diffId} is ${hasher.bytes} bytes, ${planned.size} were expected`);
        }
        sink.end(null);
      } catch (err) {
        hasher.destroy();
        sink.destroy(err as Error);
        reject(err);
      }
    })();
  });
}

async function writeEntries(pack: Pack, images: PlannedImage[], layers: Map<Digest, PlannedLayer>, signal: AbortSignal | undefined): Promise<void> {
  await addDirectory(pack, `${LayoutFiles.blobs}/`);
  const algorithms = new Set(['sha256', ...[...layers.keys()].map((d) => d.slice(0, d.indexOf(':')))]);
  for (const algorithm of algorithms) await addDirectory(pack, `${LayoutFiles.blobs}/${algorithm}/`);

  const written = new Set<Digest>();
  for (const [diffId, planned] of layers) {
    signal?.throwIfAborted();
    await addLayer(pack, blobPath(diffId), planned, diffId, signal);
    written.add(diffId);
  }
  for (const image of images) {
    for (const [digest, bytes] of [
      [image.configDigest, image.rawConfig],
      [image.manifestDigest, image.manifest],
    ] as const) {
      if (written.has(digest)) continue;
      await addBytes(pack, blobPath(digest), bytes);
      written.add(digest);
    }
  }

  const index = {
    schemaVersion: 2,
    mediaType: MediaTypes.OciIndex,
    manifests: images.flatMap((image): Descriptor[] => {
      const descriptor: Descriptor = {
        mediaType: MediaTypes.OciManifest,
        digest: image.manifestDigest,
        size: image.manifest.byteLength,
        platform: image.platform,
      };
      if (image.references.length === 0) return [descriptor];
      return image.references.map((reference) => ({
        ...descriptor,
        annotations: { [ArchiveAnnotations.imageName]: reference.toString(), [ArchiveAnnotations.refName]: reference.tag! },
      }));
    }),
  };
  const manifestJson: ArchiveManifestEntry[] = images.map((image) => ({
    Config: blobPath(image.configDigest),
    RepoTags: image.references.map((reference) => reference.familiar),
    Layers: image.diffIds.map((diffId) => blobPath(diffId)),
  }));
  const repositories: Record<string, Record<string, string>> = {};
  for (const image of images) {
    const top = image.diffIds.at(-1);
    if (!top) continue; // nothing to point at: a layerless image has no legacy entry
    for (const reference of image.references) {
      (repositories[reference.familiarName] ??= {})[reference.tag!] = top.slice(top.indexOf(':') + 1);
    }
  }
  const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value)}\n`);
  await addBytes(pack, ArchiveFiles.ociIndex, json(index));
  await addBytes(pack, ArchiveFiles.manifest, json(manifestJson));
  await addBytes(pack, LayoutFiles.marker, json(ociLayoutMarker));
  if (Object.keys(repositories).length > 0) await addBytes(pack, ArchiveFiles.repositories, json(repositories));
}
