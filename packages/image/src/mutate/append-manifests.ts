import { NotFoundError } from '@berth/errdefs';
import {
  type Descriptor,
  type Digest,
  type IndexManifest,
  MediaTypes,
  type Platform,
  digestOf,
  indexManifestSchema,
} from '@berth/spec';
import type { Image, ImageIndex } from '../image.js';
import { parseDocument } from '../partial/compressed-image.js';
import { memo } from './memo.js';

/** A child to add to an index: an image or an index, with what its descriptor should say. */
export type IndexAddendum = ({ image: Image; index?: never } | { index: ImageIndex; image?: never }) & {
  /** The descriptor's platform; for images it defaults to the config's os/architecture/variant. */
  platform?: Platform;
  /** The descriptor's annotations. */
  annotations?: Record<string, string>;
};

/** An index with no manifests (OCI image index media type). */
export function emptyIndex(options: { format?: 'oci' | 'docker' } = {}): ImageIndex {
  const mediaType = options.format === 'docker' ? MediaTypes.DockerManifestList : MediaTypes.OciIndex;
  return builtIndex(async () => ({ mediaType, manifests: [], children: new Map() }), undefined);
}

async function platformOf(image: Image): Promise<Platform> {
  const config = await image.config();
  return {
    architecture: config.architecture,
    os: config.os,
    ...(config.variant ? { variant: config.variant } : {}),
    ...(config['os.version'] ? { 'os.version': config['os.version'] } : {}),
  };
}

/**
 * A new index: `base`'s manifests followed by `children`. Descriptors are computed from
 * the children's raw manifests on first use; `image(digest)`/`index(digest)` return the
 * added objects themselves (or defer to `base` for its own children).
 */
export function appendManifests(base: ImageIndex, ...children: IndexAddendum[]): ImageIndex {
  return builtIndex(async () => {
    const baseManifest = await base.manifest();
    const added = new Map<Digest, { kind: 'image'; image: Image } | { kind: 'index'; index: ImageIndex }>();
    const manifests: Descriptor[] = [...baseManifest.manifests];
    for (const child of children) {
      const node = child.image ?? child.index!;
      const [mediaType, digest, raw] = await Promise.all([node.mediaType(), node.digest(), node.rawManifest()]);
      const platform = child.platform ?? (child.image ? await platformOf(child.image) : undefined);
      manifests.push({
        mediaType,
        digest,
        size: raw.byteLength,
        ...(platform ? { platform } : {}),
        ...(child.annotations ? { annotations: child.annotations } : {}),
      });
      added.set(digest, child.image ? { kind: 'image', image: child.image } : { kind: 'index', index: child.index! });
    }
    return {
      mediaType: baseManifest.mediaType ?? (await base.mediaType()),
      manifests,
      annotations: baseManifest.annotations,
      children: added,
    };
  }, base);
}

interface IndexParts {
  mediaType: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
  children: Map<Digest, { kind: 'image'; image: Image } | { kind: 'index'; index: ImageIndex }>;
}

function builtIndex(parts: () => Promise<IndexParts>, base: ImageIndex | undefined): ImageIndex {
  const resolved = memo(async () => {
    const p = await parts();
    const document: IndexManifest = {
      schemaVersion: 2,
      mediaType: p.mediaType,
      manifests: p.manifests,
      ...(p.annotations ? { annotations: p.annotations } : {}),
    };
    const raw = new TextEncoder().encode(JSON.stringify(document));
    return { ...p, raw, digest: digestOf(raw) };
  });
  const manifest = memo(async () => parseDocument((await resolved()).raw, indexManifestSchema, 'image index'));
  const missing = async (digest: Digest) => new NotFoundError(`index ${(await resolved()).digest} does not list ${digest}`);
  return {
    mediaType: async () => (await resolved()).mediaType,
    rawManifest: async () => (await resolved()).raw,
    manifest,
    digest: async () => (await resolved()).digest,
    async image(digest) {
      const child = (await resolved()).children.get(digest);
      if (child?.kind === 'image') return child.image;
      if (!child && base) return base.image(digest);
      throw await missing(digest);
    },
    async index(digest) {
      const child = (await resolved()).children.get(digest);
      if (child?.kind === 'index') return child.index;
      if (!child && base) return base.index(digest);
      throw await missing(digest);
    },
  };
}
