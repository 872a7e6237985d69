import { InvalidArgumentError } from '@berth/errdefs';
import type { Descriptor } from '@berth/spec';
import type { ContentProvider } from '../content/content-store.js';
import type { Image, ImageIndex, ImageOrIndex } from '../image.js';
import { type BlobSource, compressedImage, compressedIndex, imageOrIndex } from '../partial/compressed-image.js';

/** Documents (manifests, indexes, configs) larger than this are refused rather than read whole. */
const maxDocumentSize = 16 << 20;

/**
 * A {@link BlobSource} over a content store: documents are read whole (and checked against
 * the descriptor's size), blobs are streamed. The store verified every blob's digest when it
 * was committed, so nothing is re-hashed here.
 */
export function contentBlobSource(content: ContentProvider): BlobSource {
  return {
    async readDocument(descriptor: Descriptor, options) {
      if (descriptor.size > maxDocumentSize) {
        throw new InvalidArgumentError(`document ${descriptor.digest} is ${descriptor.size} bytes, above the ${maxDocumentSize} bytes a document may have`);
      }
      // Asking for no more than the descriptor's size refuses a larger blob without reading it all.
      const bytes = await content.readBytes(descriptor.digest, { signal: options?.signal, maxSize: descriptor.size });
      if (bytes.byteLength !== descriptor.size) {
        throw new InvalidArgumentError(
          `blob ${descriptor.digest} has ${bytes.byteLength} bytes but its descriptor says ${descriptor.size}`,
        );
      }
      return bytes;
    },
    openBlob(descriptor: Descriptor, options) {
      return content.read(descriptor.digest, { signal: options?.signal });
    },
  };
}

/**
 * The {@link Image} whose manifest `descriptor` names in `content` — the content store as an
 * image source. Lazy: nothing is read until asked for; a missing blob surfaces as
 * `NotFound` from the call that needs it.
 */
export function storeImage(content: ContentProvider, descriptor: Descriptor): Image {
  return compressedImage(contentBlobSource(content), descriptor);
}

/** The {@link ImageIndex} whose document `descriptor` names in `content`. */
export function storeIndex(content: ContentProvider, descriptor: Descriptor): ImageIndex {
  return compressedIndex(contentBlobSource(content), descriptor);
}

/** An image or an index from `content`, by the media type of `descriptor`. */
export function storeImageOrIndex(content: ContentProvider, descriptor: Descriptor): ImageOrIndex {
  return imageOrIndex(contentBlobSource(content), descriptor);
}
