import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { FailedPreconditionError, InvalidArgumentError } from '@berth/errdefs';
import { type ContainerConfig, type Digest, MediaTypes, type Platform, containerConfigSchema, defaultPlatform } from '@berth/spec';
import type { Image, Layer } from '../image.js';
import { decompress, sniffCompression, withSignal } from '../layer/decompress.js';
import { appendLayers } from '../mutate/append-layers.js';
import { configFile } from '../mutate/config.js';
import { DigestingStream } from '../mutate/digesting-stream.js';
import { empty } from '../mutate/empty.js';
import { type TarSource, layerFromTar } from '../mutate/layer-from-tar.js';
import { peekHead } from '../mutate/peek.js';
import { checksumMatches } from './tar-index.js';

/** Options of {@link importRootfs} (`docker import`). */
export interface ImportRootfsOptions {
  /** Runtime defaults of the new image (`docker import --change`): `Cmd`, `Env`, `Entrypoint`, `WorkingDir`, `User`, `ExposedPorts`, `Labels`, … */
  changes?: ContainerConfig;
  /** Platform of the config (default: this machine's). */
  platform?: Platform;
  /** The history comment (`docker import --message`). */
  message?: string;
  /** Creation time written to config and history (default: now). */
  created?: Date;
  /** Where a one-shot stream is spooled (default: the OS temp dir). */
  tempDir?: string;
  signal?: AbortSignal;
}

/**
 * An image made by {@link importRootfs}. When imported from a one-shot stream its layer
 * lives in a spool file until {@link ImportedImage.release} — write the image where it
 * belongs (a content store, an archive) first, then release it.
 */
export interface ImportedImage extends Image {
  /** Removes the spool file, if any; the image cannot be read afterwards. Idempotent. */
  release(): Promise<void>;
}

/**
 * Makes an image of a root filesystem tar, like `docker import`: one gzip layer holding the
 * tar's content, a config with its diff ID, the platform, `changes` and a history entry
 * carrying `message`. The tar may be plain, gzip or zstd.
 *
 * `source` may be re-openable (bytes, or a factory of fresh streams): the layer is then lazy
 * and nothing is copied. A one-shot `Readable` is consumed now — hashed as a tar, gzipped
 * and hashed again in one pass — into a spool file (never into memory), which
 * {@link ImportedImage.release} removes. Input that is not a tar is `InvalidArgument`.
 */
export async function importRootfs(source: Readable | TarSource, options: ImportRootfsOptions = {}): Promise<ImportedImage> {
  const changes = options.changes === undefined ? {} : parseChanges(options.changes);
  let spooled: { layer: Layer; release: () => Promise<void> } | undefined;
  if (source instanceof Readable) spooled = await spool(source, options);
  const layer = spooled?.layer ?? layerFromTar(source as TarSource, { compression: 'gzip' });
  const created = (options.created ?? new Date()).toISOString();
  const image = configFile(
    appendLayers(empty({ platform: options.platform ?? defaultPlatform() }), {
      layer,
      history: { created, comment: options.message ?? 'Imported from a rootfs tar' },
    }),
    (config) => ({ ...config, created, config: { ...config.config, ...changes } }),
  );
  return { ...bindImage(image), release: spooled?.release ?? (async () => undefined) };
}

function bindImage(image: Image): Image {
  return {
    mediaType: () => image.mediaType(),
    rawManifest: () => image.rawManifest(),
    manifest: () => image.manifest(),
    digest: () => image.digest(),
    rawConfig: () => image.rawConfig(),
    config: () => image.config(),
    configDigest: () => image.configDigest(),
    layers: () => image.layers(),
    layerByDigest: (digest) => image.layerByDigest(digest),
    layerByDiffId: (diffId) => image.layerByDiffId(diffId),
  };
}

function parseChanges(changes: ContainerConfig): ContainerConfig {
  const parsed = containerConfigSchema.safeParse(changes);
  if (!parsed.success) {
    throw new InvalidArgumentError(`invalid import changes: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

async function spool(input: Readable, options: ImportRootfsOptions): Promise<{ layer: Layer; release: () => Promise<void> }> {
  const dir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'berth-import-'));
  const file = join(dir, 'layer.tar.gz');
  let released = false;
  const release = async () => {
    released = true;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const sniffed = await peekHead(withSignal(input, options.signal), 4);
    const tar = await peekHead(decompress(sniffed.stream, sniffCompression(sniffed.head)), 512);
    if (tar.head.length === 0) throw new InvalidArgumentError('cannot import an empty stream: expected a tar archive');
    if (!tar.head.every((b) => b === 0) && !checksumMatches(tar.head)) {
      throw new InvalidArgumentError('cannot import: the input is not a tar archive (plain, gzip or zstd)');
    }
    const tarHash = new DigestingStream();
    const blobHash = new DigestingStream();
    await pipeline(tar.stream, tarHash, createGzip({ level: 6 }), blobHash, createWriteStream(file), options.signal ? { signal: options.signal } : {});
    const digest: Digest = blobHash.digest();
    const diffId: Digest = tarHash.digest();
    const size = blobHash.bytes;
    const open = (signal?: AbortSignal) => {
      if (released) throw new FailedPreconditionError(`imported layer ${digest} was released`);
      return withSignal(createReadStream(file, { highWaterMark: 1 << 20 }), signal);
    };
    const layer: Layer = {
      digest: async () => digest,
      diffId: async () => diffId,
      size: async () => size,
      mediaType: async () => MediaTypes.OciLayerGzip,
      compressed: async (o) => open(o?.signal),
      uncompressed: async (o) => decompress(open(o?.signal), 'gzip'),
    };
    return { layer, release };
  } catch (err) {
    await release();
    throw err;
  }
}
