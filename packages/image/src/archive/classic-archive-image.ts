import { pipeline } from 'node:stream/promises';
import { type Digest, type LayerCompression, MediaTypes } from '@berth/spec';
import type { Image, Layer } from '../image.js';
import { decompress, sniffCompression } from '../layer/decompress.js';
import { builtImage } from '../mutate/built-image.js';
import { DigestingSink } from '../mutate/digesting-stream.js';
import { memo } from '../mutate/memo.js';
import type { TarEntry, TarIndex } from './tar-index.js';

const dockerMediaTypes: Record<LayerCompression, string> = {
  none: MediaTypes.DockerLayer,
  gzip: MediaTypes.DockerLayerGzip,
  zstd: MediaTypes.OciLayerZstd,
};

/**
 * A layer stored as a member of a classic docker archive (`<id>/layer.tar`). Usually an
 * uncompressed tar — then its blob digest is its diff ID and costs nothing — but some
 * writers gzip it, so the first bytes are sniffed and a compressed member is hashed (once,
 * when its digest is first asked for).
 */
function archiveLayer(tar: TarIndex, entry: TarEntry, diffId: Digest): Layer {
  const compression = memo(async () => sniffCompression(await tar.readPrefix(entry, 4)));
  const digest = memo(async (): Promise<Digest> => {
    if ((await compression()) === 'none') return diffId;
    const sink = new DigestingSink();
    await pipeline(tar.open(entry), sink);
    return sink.digest();
  });
  return {
    digest,
    diffId: async () => diffId,
    size: async () => entry.size,
    mediaType: async () => dockerMediaTypes[await compression()],
    compressed: async (options) => tar.open(entry, options),
    uncompressed: async (options) => decompress(tar.open(entry, options), await compression()),
  };
}

/**
 * An image of a classic docker archive, which has no manifest of its own: a Docker schema2
 * manifest is made from the config and the layer members (as `docker load`, skopeo and
 * go-containerregistry do), so its digest is the one a registry push would produce.
 */
export function classicArchiveImage(tar: TarIndex, rawConfig: Uint8Array, diffIds: Digest[], layers: TarEntry[]): Image {
  return builtImage(async () => ({
    config: rawConfig,
    layers: layers.map((entry, i) => archiveLayer(tar, entry, diffIds[i]!)),
    mediaType: MediaTypes.DockerManifest,
    configMediaType: MediaTypes.DockerConfig,
  }));
}
