import { NotFoundError } from '@berth/errdefs';
import {
  type Descriptor,
  type Digest,
  type ImageConfig,
  type ImageManifest,
  MediaTypes,
  digestOf,
  imageConfigSchema,
} from '@berth/spec';
import type { Image, Layer } from '../image.js';
import { parseDocument } from '../partial/compressed-image.js';
import { memo } from './memo.js';

/** What an image is made of before its manifest exists. */
export interface ImageParts {
  /** The configuration: raw bytes (kept verbatim, digest preserved) or a document to serialise. */
  config: Uint8Array | ImageConfig;
  /** The layers, bottom first; their order must match the config's `rootfs.diff_ids`. */
  layers: Layer[];
  /** Media type of the manifest to produce: OCI or Docker schema2. */
  mediaType: string;
  /** Media type of the config descriptor; defaults to the one matching `mediaType`. */
  configMediaType?: string;
  /** Manifest annotations. */
  annotations?: Record<string, string>;
}

// Docker schema2 manifests name layers with Docker media types; same bytes, other label.
const toDocker: Record<string, string> = {
  [MediaTypes.OciLayer]: MediaTypes.DockerLayer,
  [MediaTypes.OciLayerGzip]: MediaTypes.DockerLayerGzip,
};
const toOci: Record<string, string> = {
  [MediaTypes.DockerLayer]: MediaTypes.OciLayer,
  [MediaTypes.DockerLayerGzip]: MediaTypes.OciLayerGzip,
};

/** A layer that reports another media type for the same bytes. */
function relabelled(layer: Layer, mediaType: string): Layer {
  return {
    digest: () => layer.digest(),
    diffId: () => layer.diffId(),
    size: () => layer.size(),
    mediaType: async () => mediaType,
    compressed: (options) => layer.compressed(options),
    uncompressed: (options) => layer.uncompressed(options),
  };
}

/** The layer as a manifest of `manifestMediaType` should describe it. */
async function layerFor(manifestMediaType: string, layer: Layer): Promise<Layer> {
  const mediaType = await layer.mediaType();
  const table = manifestMediaType === MediaTypes.DockerManifest ? toDocker : toOci;
  const converted = table[mediaType];
  return converted ? relabelled(layer, converted) : layer;
}

/**
 * An {@link Image} assembled from parts: its config bytes (serialised when given as a
 * document) and its manifest are computed on first use from the layers' digests and
 * sizes, so digests come from the bytes this image will actually serve. Used by `mutate`,
 * fixtures and sources (classic docker archives) that have no manifest of their own.
 */
export function builtImage(parts: () => Promise<ImageParts>): Image {
  const resolved = memo(async () => {
    const p = await parts();
    const layers = await Promise.all(p.layers.map((layer) => layerFor(p.mediaType, layer)));
    const rawConfig = p.config instanceof Uint8Array ? p.config : new TextEncoder().encode(JSON.stringify(p.config));
    const configDescriptor: Descriptor = {
      mediaType: p.configMediaType ?? (p.mediaType === MediaTypes.DockerManifest ? MediaTypes.DockerConfig : MediaTypes.OciConfig),
      digest: digestOf(rawConfig),
      size: rawConfig.byteLength,
    };
    const layerDescriptors: Descriptor[] = [];
    for (const layer of layers) {
      const [mediaType, digest, size] = await Promise.all([layer.mediaType(), layer.digest(), layer.size()]);
      layerDescriptors.push({ mediaType, digest, size });
    }
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: p.mediaType,
      config: configDescriptor,
      layers: layerDescriptors,
      ...(p.annotations && Object.keys(p.annotations).length > 0 ? { annotations: p.annotations } : {}),
    };
    const rawManifest = new TextEncoder().encode(JSON.stringify(manifest));
    return { mediaType: p.mediaType, layers, rawConfig, manifest, rawManifest, digest: digestOf(rawManifest) };
  });
  const config = memo(async (): Promise<ImageConfig> => parseDocument((await resolved()).rawConfig, imageConfigSchema, 'image config'));
  const layers = async () => (await resolved()).layers;

  return {
    mediaType: async () => (await resolved()).mediaType,
    rawManifest: async () => (await resolved()).rawManifest,
    manifest: async () => (await resolved()).manifest,
    digest: async () => (await resolved()).digest,
    rawConfig: async () => (await resolved()).rawConfig,
    config,
    configDigest: async () => (await resolved()).manifest.config.digest,
    layers,
    async layerByDigest(digest: Digest) {
      for (const layer of await layers()) if ((await layer.digest()) === digest) return layer;
      throw new NotFoundError(`image ${(await resolved()).digest} has no layer ${digest}`);
    },
    async layerByDiffId(diffId: Digest) {
      for (const layer of await layers()) if ((await layer.diffId()) === diffId) return layer;
      throw new NotFoundError(`image ${(await resolved()).digest} has no layer with diff ID ${diffId}`);
    },
  };
}
