import { InvalidArgumentError, NotFoundError, isInvalidArgument, isNotFound } from '@berth/errdefs';
import {
  type Descriptor,
  type Digest,
  type ImageConfig,
  type ImageManifest,
  type Platform,
  formatPlatform,
  isIndexMediaType,
  selectPlatformManifest,
} from '@berth/spec';
import type { ContentProvider } from '../content/content-store.js';
import type { Image } from '../image.js';
import { storeImage, storeIndex } from './store-image.js';

/** What an image record's target means on this host: the platform's manifest, config and ID. */
export interface ImageFacts {
  /** Docker's image ID: the digest of the platform image's config. */
  id: Digest;
  /** The single-platform manifest (the target itself, or the index child for the platform). */
  manifest: Descriptor;
  image: Image;
  parsedManifest: ImageManifest;
  config: ImageConfig;
}

/** Nested indexes deeper than this are refused (a cycle cannot exist with digests, but depth can be silly). */
const maxIndexDepth = 8;

/**
 * Reads the facts of targets from a content store, once per target digest: content is
 * immutable, so the answer for a digest never changes while its documents are present.
 * Failures are not cached (the content may arrive later).
 */
export function createFactsReader(content: ContentProvider, platform: Platform) {
  const cache = new Map<Digest, Promise<ImageFacts>>();

  async function read(target: Descriptor): Promise<ImageFacts> {
    let manifest = target;
    for (let depth = 0; isIndexMediaType(manifest.mediaType); depth++) {
      if (depth >= maxIndexDepth) throw new InvalidArgumentError(`index ${target.digest} nests more than ${maxIndexDepth} levels`);
      const index = await storeIndex(content, manifest).manifest();
      const chosen = selectPlatformManifest(index, platform);
      if (!chosen) {
        throw new NotFoundError(`no matching manifest for ${formatPlatform(platform)} in the manifest list entries of ${manifest.digest}`, {
          details: { platform: formatPlatform(platform), index: manifest.digest },
        });
      }
      manifest = chosen;
    }
    const image = storeImage(content, manifest);
    const [parsedManifest, config] = await Promise.all([image.manifest(), image.config()]);
    return { id: parsedManifest.config.digest, manifest, image, parsedManifest, config };
  }

  function facts(target: Descriptor): Promise<ImageFacts> {
    let pending = cache.get(target.digest);
    if (!pending) {
      pending = read(target);
      cache.set(target.digest, pending);
      pending.catch(() => cache.delete(target.digest));
      return pending;
    }
    // Content never changes, but it can be deleted: a cached answer stands only while its documents are there.
    return pending.then(async (known) => {
      const digests = [target.digest, known.manifest.digest, known.id];
      const present = await Promise.all(digests.map((d) => content.has(d)));
      if (present.every(Boolean)) return known;
      if (cache.get(target.digest) === pending) cache.delete(target.digest);
      return facts(target);
    });
  }

  return {
    /** The facts of `target`; rejects (`NotFound`, `InvalidArgument`) when its content is missing or malformed. */
    facts,
    /**
     * The image ID of `target`, or — when its content is missing or malformed — the target
     * digest itself, so a broken image can still be listed by name and removed.
     */
    async idOf(target: Descriptor): Promise<{ id: Digest; readable: boolean }> {
      try {
        return { id: (await facts(target)).id, readable: true };
      } catch (err) {
        if (isNotFound(err) || isInvalidArgument(err)) return { id: target.digest, readable: false };
        throw err;
      }
    },
  };
}

/** The reader {@link createFactsReader} returns. */
export type FactsReader = ReturnType<typeof createFactsReader>;
