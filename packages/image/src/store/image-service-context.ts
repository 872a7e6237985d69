import type { Digest } from '@berth/spec';
import type { ContentProvider } from '../content/content-store.js';
import { ImageCatalog } from './image-catalog.js';
import type { FactsReader, ImageFacts } from './image-facts.js';
import type { ImageServiceOptions, ImageUser } from './image-service-types.js';
import type { ImageStore } from './image-store.js';

/** What the operations of the image service share. */
export interface ImageServiceContext {
  content: ContentProvider;
  images: ImageStore;
  reader: FactsReader;
  /** A fresh snapshot of the image store, grouped by image. */
  catalog(): Promise<ImageCatalog>;
  /** The containers using an image, running ones first. */
  usersOf(id: Digest): Promise<ImageUser[]>;
  /** Per layer: uncompressed sizes when all are known, else compressed ones. */
  layerSizes(facts: ImageFacts): Promise<number[]>;
}

/** Builds the context from the service options. */
export function createServiceContext(options: ImageServiceOptions, reader: FactsReader): ImageServiceContext {
  const { content, images, isInUse, uncompressedSize } = options;
  return {
    content,
    images,
    reader,
    catalog: () => ImageCatalog.load(images, reader),
    async usersOf(id) {
      const users = [...((await isInUse?.(id)) ?? [])];
      return users.sort((a, b) => Number(b.running) - Number(a.running));
    },
    async layerSizes(facts) {
      const compressed = facts.parsedManifest.layers.map((l) => l.size);
      if (!uncompressedSize) return compressed;
      const uncompressed = await Promise.all(facts.config.rootfs.diff_ids.map((d) => uncompressedSize(d)));
      return uncompressed.every((s): s is number => typeof s === 'number') ? uncompressed : compressed;
    },
  };
}
